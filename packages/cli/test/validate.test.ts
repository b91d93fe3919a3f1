import { stripVTControlCharacters } from 'node:util'
import { writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { snapshotFiles } from '../../../test/harness/file-snapshot.js'
import type { GitRepo } from '../../../test/harness/git-repo.js'
import { repoRoot, runAction } from '../../../test/harness/run-action.js'
import { exampleCheckout, runBin, runCli } from './test-terminal.js'

type Run = Awaited<ReturnType<typeof runCli>>

const PROD = 'apps/myapp/overlays/prod/kustomization.yaml'
const DEV_FLUX = 'cluster-configs/apps/myapp-dev.yaml'

// One checkout: a committed change (prod deploys the mutable tag latest) on a branch, and an
// uncommitted one (dev's Flux Kustomization on a deprecated API). The runs share it and run at once.
describe('gitops-actions validate', () => {
  let repo: GitRepo
  const runs: Record<string, Run> = {}
  let before: Record<string, string>
  beforeAll(async () => {
    repo = exampleCheckout()
    repo.git('checkout', '-q', '-b', 'pr')
    repo.commit('deploy latest to prod', {
      [PROD]: repo.git('show', `main:${PROD}`).replace(/newTag: .*/, 'newTag: latest')
    })
    const flux = join(repo.dir, DEV_FLUX)
    writeFileSync(
      flux,
      repo.git('show', `main:${DEV_FLUX}`).replace('kustomize.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1beta2') + '\n'
    )
    before = snapshotFiles(repo.dir)
    const dir = basename(repo.dir)
    const cwd = dirname(repo.dir)
    const entries: Array<[string, string[], Parameters<typeof runCli>[1]]> = [
      ['all', ['validate', dir], { cwd, interactive: true, color: true }],
      ['changed', ['validate', '--changed-only', '--base-ref', 'main', '--json'], { cwd: repo.dir }],
      ['flux', ['validate', '--checks', 'flux'], { cwd: repo.dir }],
      ['fluxStrict', ['validate', '--checks', 'flux', '--fail-on', 'warning'], { cwd: repo.dir }],
      // A check by its short name and by its name as a check: one check, run once.
      ['codeowners', ['validate', '--checks', 'codeowners,codeowners-check'], { cwd: repo.dir }]
    ]
    await Promise.all(entries.map(async ([name, argv, options]) => (runs[name] = await runCli(argv, options))))
  }, 60_000)

  test('every check, grouped, with file:line: severity rule message lines relative to where it runs; exit 1 on errors', () => {
    const run = runs.all!
    expect(run.code).toBe(1)
    const text = stripVTControlCharacters(run.text())
    const titles = text
      .split('\n')
      .filter((l) => !l.startsWith(' '))
      .map((l) => l.split(':')[0])
    expect(titles.slice(0, 5)).toEqual([
      'kustomize-validate',
      'security-policy-check',
      'quota-validation',
      'flux-sync-validation',
      'codeowners-check'
    ])
    expect(text).toMatch(/^security-policy-check: failed \(1 error, 0 warnings; /m)
    const dir = basename(repo.dir)
    expect(text).toContain(
      // prod's images: entry set the tag, so that is the line to change; the message names the overlay.
      `  ${dir}/apps/myapp/overlays/prod/kustomization.yaml:17:11: error policy/mutable-image-tag Deployment/app-prod/myapp (from apps/myapp/overlays/prod): container 'myapp' image ghcr.io/org/myapp:latest uses the mutable tag latest`
    )
    expect(text).toMatch(new RegExp(`^  ${dir}/${DEV_FLUX}:1:\\d+: warning flux/deprecated-api `, 'm'))
    // The origin remote names the repository, so the Flux sources count as this one (no external-source notices).
    expect(text).not.toContain('flux/external-source')
    expect(text.split('\n').at(-1)).toMatch(/^4 build roots, \d+ kustomize calls?, [\d.]+ s: 1 error, 1 warning, 2 notices$/)
    // Colour on a terminal: severities painted.
    expect(run.text()).toContain('\u001b[31merror\u001b[39m')
    expect(run.text()).toContain('\u001b[33mwarning\u001b[39m')
    // The progress line (interactive stderr only): from 0 to every root, then cleared.
    expect(run.status[0]).toBe('rendering 0/4 roots')
    expect(run.status).toContain('rendering 4/4 roots')
    expect(run.status.at(-1)).toBe('')
    expect(run.err).toEqual([])
  })

  test('--changed-only --base-ref: committed and uncommitted changes select the roots; --json is the result model', () => {
    const run = runs.changed!
    expect(run.code).toBe(1)
    const result = JSON.parse(run.text())
    expect(result.changedOnly).toEqual({ changedFiles: 2, affectedRoots: 2, totalRoots: 4, everything: false })
    expect(result.roots.map((r: { path: string }) => r.path).sort()).toEqual(['apps/myapp/overlays/dev', 'apps/myapp/overlays/prod'])
    expect(result.counts).toEqual({ error: 1, warning: 1, notice: 1 })
    expect(result.findings.find((f: { ruleId: string }) => f.ruleId === 'policy/mutable-image-tag').location.file).toBe(
      'apps/myapp/overlays/prod/kustomization.yaml'
    )
    expect(run.status).toEqual([])
  })

  test.each([
    ['flux', 0, /^flux-sync-validation: passed \(0 errors, 1 warning; /],
    ['fluxStrict', 1, /^flux-sync-validation: passed \(0 errors, 1 warning; /],
    [
      'codeowners',
      0,
      /^codeowners-check: passed \(0 errors, 0 warnings; 30 file\(s\)\)\n\d+ build roots?, 0 kustomize calls, [\d.]+ s: 0 errors, 0 warnings, 0 notices$/
    ]
  ])('--checks and --fail-on: %s exits %i', (name, code, output) => {
    const run = runs[name]!
    expect(run.code).toBe(code)
    expect(run.text()).toMatch(output)
    expect(run.text()).not.toMatch(/kustomize-validate|security-policy-check/)
  })

  test('validation writes nothing', () => {
    expect(snapshotFiles(repo.dir)).toEqual(before)
  })

  test.each([
    [
      ['validate', '--checks', 'kustomize,nope'],
      2,
      /--checks: 'nope' is not valid. Valid values are: all, kustomize, policy, quota, flux, codeowners \(or kustomize-validate, security-policy-check, quota-validation, flux-sync-validation, codeowners-check\)$/m
    ],
    [['validate', '--checks', 'codeowner'], 2, /--checks: 'codeowner' is not valid \(did you mean 'codeowners'\?\)/],
    [['validate', '--changed-only'], 2, /--changed-only needs --base-ref/],
    [['validate', '--base-ref', 'main'], 2, /--base-ref is only used with --changed-only/],
    [['validate', '--fail-on', 'sometimes'], 2, /--fail-on 'sometimes' is not valid. Valid values are: error, warning/],
    [['validate', 'a', 'b'], 2, /expected at most one directory/],
    [['validate', '/nonexistent/config'], 3, /error: \/nonexistent\/config is not a directory/],
    [['validate', '--changed-only', '--base-ref', 'release/9'], 3, /--base-ref release\/9 is not a commit/]
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const run = await runCli(argv, { cwd: repo.dir })
    expect(run.code).toBe(code)
    expect(run.errors()).toMatch(message)
    expect(run.out).toEqual([])
  })

  test('the built CLI prints the same JSON as the validate-manifests action', async () => {
    const seed = join(repoRoot, 'test/fixtures/validate/seed-verbatim')
    const [action, cli, human] = await Promise.all([
      runAction('validate-manifests', { workspace: seed, env: { GITHUB_REPOSITORY: 'org/config-repo' }, timeoutMs: 120_000 }),
      // The action adds the environment status on a push to main (the harness's default event); --status does here.
      runBin(['validate', '--json', '--status', '--repository', 'org/config-repo'], { cwd: seed }),
      runBin(['validate', '--checks', 'codeowners', seed])
    ])
    expect(cli.stderr).toBe('')
    expect(cli.code).toBe(1)
    const mine = JSON.parse(cli.stdout)
    expect(mine.counts.error).toBeGreaterThan(0)
    const withoutTime = (r: { stats: Record<string, unknown> }) => ({ ...r, stats: { ...r.stats, durationMs: 0 } })
    expect(withoutTime(mine)).toEqual(withoutTime(action.json))
    // Not a terminal: no colour and no progress line.
    expect(human.code).toBe(1)
    expect(human.stderr).toBe('')
    expect(human.stdout).not.toContain('\u001b[')
    expect(human.stdout).toContain(`  test/fixtures/validate/seed-verbatim/CODEOWNERS:2:1: error codeowners/never-matches The pattern`)
  }, 120_000)
})
