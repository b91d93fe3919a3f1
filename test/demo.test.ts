import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { REGISTRY_BINARY } from './harness/oci-registry.ts'
import { repoRoot } from './harness/run-action.ts'

// `npm run demo` as a newcomer runs it (the npm script, its Node flags, the bundles in dist/), once,
// with --dir so the repos it made are kept; then its results are read back from them.

interface DemoRow {
  step: string
  result: string
  pr: string
  tag: string
  digest: string
}

const dir = mkdtempSync(join(tmpdir(), 'demo-test-'))
let run: { code: number; stdout: string; stderr: string }
let rows: DemoRow[]
let sha7: string
const bare = join(dir, 'github', 'org', 'config-repo.git')
const git = (gitDir: string, ...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' }).trim()

beforeAll(async () => {
  run = await new Promise((done) => {
    execFile(
      'npm',
      ['run', '--silent', 'demo', '--', '--dir', dir],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
    )
  })
  if (existsSync(join(dir, 'demo-result.json'))) rows = JSON.parse(readFileSync(join(dir, 'demo-result.json'), 'utf8')).rows
  if (existsSync(join(dir, 'app-repo'))) sha7 = git(join(dir, 'app-repo', '.git'), 'rev-parse', '--short=7', 'HEAD')
}, 300_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('npm run demo', () => {
  test('exits 0 after every step passed, and ends with the table and the environment status', () => {
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(rows.filter((r) => r.result !== 'ok')).toEqual(
      existsSync(REGISTRY_BINARY) ? [] : [expect.objectContaining({ step: 'docker-build-push: tiny image', result: 'skipped' })]
    )
    expect(run.stdout).toMatch(/^\| step +\| result +\| PR +\| tag +\| digest +\| time +\|$/m)
    expect(run.stdout).toMatch(new RegExp(`^myapp +sha-${sha7} +myapp-staging-${sha7} +v1\\.3\\.0 *$`, 'm'))
    expect(run.stdout).toMatch(/demo passed in \d+\.\d s/)
    // The status knows what the tags alone do not: staging's version from the release tag, each environment's health from Flux.
    expect(run.stdout).toMatch(/^ +✓ verified += in sync += in sync *\n +✓ verified +✓ verified *$/m)
    expect(run.stdout).toContain('staging → prod: in sync with staging (version 1.3.0)')
  })

  test('the promotion out of dev is refused until Flux reports dev healthy, and goes through after', () => {
    expect(run.stdout).toMatch(
      new RegExp(
        `✓ promote dev → staging before Flux reported dev: refused.*\\n +refused: open-promotion-pr: Promoting myapp sha-${sha7} from dev to staging needs Flux's report that dev runs it healthy: commit [0-9a-f]{7} \\(the last change to dev's overlay on main\\) has no status matching kustomization/myapp-dev/\\*`
      )
    )
    const steps = rows.map((r) => r.step)
    expect(
      steps.slice(steps.indexOf('merge #1 into main (dev)') + 1, steps.indexOf('open-promotion-pr: promote dev → staging') + 1)
    ).toEqual([
      'promote dev → staging before Flux reported dev: refused',
      'Flux reports dev healthy (commit status)',
      'open-promotion-pr: promote dev → staging'
    ])
    expect(steps.indexOf('Flux reports staging healthy (commit status)')).toBeLessThan(
      steps.indexOf('open-promotion-pr: promote staging → prod')
    )
  })

  test('three promotion PRs were merged into main of the stand-in config repo, one overlay each', () => {
    const log = git(bare, 'log', '--format=%s', 'main').split('\n')
    expect(log).toEqual([
      'Promote myapp v1.3.0 to prod (#3)',
      `Promote myapp myapp-staging-${sha7} to staging (#2)`,
      `deploy: myapp sha-${sha7} to dev (#1)`,
      'Initial commit'
    ])
    for (const [ref, environment] of [
      ['main', 'prod'],
      ['main~1', 'staging'],
      ['main~2', 'dev']
    ]) {
      expect(git(bare, 'show', '--format=', '--name-only', ref!)).toBe(`apps/myapp/overlays/${environment}/kustomization.yaml`)
    }
    expect(rows.filter((r) => r.step.startsWith('merge')).map((r) => r.pr)).toEqual(['#1', '#2', '#3'])
  })

  test.each([
    ['dev', () => `sha-${sha7}`],
    ['staging', () => `myapp-staging-${sha7}`],
    ['prod', () => 'v1.3.0']
  ])('main runs the promoted tag in the %s overlay', (environment, tag) => {
    const kustomization = parse(git(bare, 'show', `main:apps/myapp/overlays/${environment}/kustomization.yaml`))
    expect(kustomization.images).toEqual([{ name: 'myapp', newName: 'ghcr.io/org/myapp', newTag: tag() }])
  })

  test.runIf(existsSync(REGISTRY_BINARY))('every environment got the image built once: the same digest, re-tagged', () => {
    const pushed = rows.find((r) => r.step.startsWith('docker-build-push'))!.digest
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(run.stdout).toContain(`sha-${sha7}, myapp-staging-${sha7}, v1.3.0 are one image, ${pushed}`)
    const promotions = rows.filter((r) => r.step.startsWith('open-promotion-pr'))
    expect(promotions.map((r) => [r.tag, r.digest])).toEqual([
      [`sha-${sha7}`, pushed],
      [`myapp-staging-${sha7}`, pushed],
      ['v1.3.0', pushed]
    ])
  })
})
