import { cpSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { changedFiles } from '@gitops-actions/git'
import { beforeAll, describe, expect, test } from 'vitest'
import { writeFiles } from '../../../test/harness/file-tree.js'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { validateRepository } from '../src/index.js'

const example = resolve(import.meta.dirname, '../../../examples/config-repo')

/** The example repo plus a second app (and `setup`), committed on main, with a pull request branch. */
function configRepo(setup: Record<string, string> = {}): { repo: GitRepo; base: string } {
  const repo = GitRepo.create('config')
  cpSync(example, repo.dir, { recursive: true })
  cpSync(join(example, 'apps/myapp'), join(repo.dir, 'apps/other'), { recursive: true })
  writeFiles(repo.dir, setup)
  const base = repo.commit('chore: config repo')
  repo.git('checkout', '-q', '-b', 'pr')
  return { repo, base }
}

async function affected(
  change: Record<string, string>,
  setup: Record<string, string> = {}
): Promise<{ roots: string[]; errors: string[]; renderCalls: number }> {
  const { repo, base } = configRepo(setup)
  repo.commit('change', change)
  const files = await changedFiles(repo.dir, base)
  const result = await validateRepository({
    repoRoot: repo.dir,
    checks: ['kustomize', 'flux'],
    changedFiles: files,
    repository: 'org/config-repo'
  })
  return {
    roots: result.roots.map((r) => r.path),
    errors: result.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId),
    renderCalls: result.stats.renderCalls
  }
}

describe('changed-only: the roots a pull request affects', () => {
  let cases: Record<string, { roots: string[]; errors: string[]; renderCalls: number }>
  beforeAll(async () => {
    const overlayPatch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: myapp\nspec:\n  replicas: 4\n'
    const entries = {
      'one overlay': { 'apps/other/overlays/staging/deployment-patch.yaml': overlayPatch },
      'a base': { 'apps/other/base/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: myapp-config\ndata:\n  A: b\n' },
      'a Flux Kustomization': {
        'cluster-configs/apps/myapp-dev.yaml':
          'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: myapp-dev\n  namespace: flux-system\nspec:\n  interval: 2m\n  sourceRef:\n    kind: GitRepository\n    name: config-repo\n  path: ./apps/myapp/overlays/dev\n  prune: true\n  targetNamespace: app-dev\n'
      },
      'gitops.yaml': { 'gitops.yaml': 'version: 1\n' },
      'an unrelated file': { 'README.md': '# config\n' },
      'a file in an overlay that its kustomization does not list': {
        'apps/other/overlays/staging/notes.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n'
      },
      'a broken overlay': { 'apps/myapp/overlays/prod/kustomization.yaml': 'resources:\n- ../../base\n- gone.yaml\n' },
      // The pull request that breaks a kustomization's YAML must select what builds from it, not pass with nothing checked.
      'an overlay kustomization that no longer parses': {
        'apps/other/overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n  bad: [\n'
      },
      'a base kustomization that no longer parses': { 'apps/other/base/kustomization.yaml': 'resources: [deployment.yaml\n' }
    }
    const staging = 'apps/other/overlays/staging'
    // podinfo's overlays list transformers: configs; a PatchTransformer names its patch file, which the kustomization never does.
    const transformerSetup = {
      [`${staging}/kustomization.yaml`]: `${readFileSync(join(example, 'apps/myapp/overlays/staging/kustomization.yaml'), 'utf8')}\ntransformers:\n- scale.yaml\n`,
      [`${staging}/scale.yaml`]:
        'apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: scale\npath: replicas-patch.yaml\ntarget:\n  kind: Deployment\n  name: myapp\n',
      [`${staging}/replicas-patch.yaml`]: overlayPatch
    }
    cases = Object.fromEntries(
      await Promise.all([
        ...Object.entries(entries).map(async ([name, change]) => [name, await affected(change)] as const),
        [
          'the patch file of a transformer config',
          await affected({ [`${staging}/replicas-patch.yaml`]: overlayPatch.replace('4', 'three') }, transformerSetup)
        ] as const
      ])
    )
  })

  test.each([
    ['one overlay', ['apps/other/overlays/staging']],
    ['a base', ['apps/other/overlays/dev', 'apps/other/overlays/prod', 'apps/other/overlays/staging']],
    ['a Flux Kustomization', ['apps/myapp/overlays/dev']],
    ['an unrelated file', []],
    ['a file in an overlay that its kustomization does not list', []],
    ['a broken overlay', ['apps/myapp/overlays/prod']],
    ['an overlay kustomization that no longer parses', ['apps/other/overlays/dev']],
    ['a base kustomization that no longer parses', ['apps/other/overlays/dev', 'apps/other/overlays/prod', 'apps/other/overlays/staging']],
    ['the patch file of a transformer config', ['apps/other/overlays/staging']]
  ])('changing %s', (name, roots) => {
    expect(cases[name]!.roots).toEqual(roots)
  })

  test('gitops.yaml affects every root', () => {
    expect(cases['gitops.yaml']!.roots).toHaveLength(7)
  })

  // The overlay holding a changed file is rendered while the roots are worked out: used when selected, else dropped.
  test('the overlay holding the change is rendered once, early; an early render the run does not need changes nothing', () => {
    expect(cases['one overlay']!.renderCalls).toBe(1)
    expect(cases['a file in an overlay that its kustomization does not list']).toEqual({ roots: [], errors: [], renderCalls: 1 })
    // No overlay holds a changed base file: its three overlays render after the analysis, one call per environment.
    expect(cases['a base']!.renderCalls).toBe(3)
  })

  test('nothing to do is a success, and a broken overlay is still an error', () => {
    expect(cases['an unrelated file']!.errors).toEqual([])
    // The overlay, and the Flux Kustomization that applies it.
    expect(cases['a broken overlay']!.errors).toEqual(['kustomize/missing-file', 'flux/path-build'])
    expect(cases['an overlay kustomization that no longer parses']!.errors).toContain('kustomize/yaml')
    expect(cases['a base kustomization that no longer parses']!.errors).toContain('kustomize/yaml')
    expect(cases['the patch file of a transformer config']!.errors).toContain('kustomize/schema')
  })
})

describe('shard', () => {
  test('shards partition the roots of a full run', async () => {
    const shards = await Promise.all(
      [1, 2, 3].map((index) =>
        validateRepository({ repoRoot: example, checks: ['kustomize'], shard: { index, total: 3 }, repository: 'org/config-repo' })
      )
    )
    const roots = shards.map((s) => s.roots.map((r) => r.path))
    expect(roots.flat().sort()).toEqual([
      'apps/myapp/overlays/dev',
      'apps/myapp/overlays/prod',
      'apps/myapp/overlays/staging',
      'infrastructure'
    ])
    expect(new Set(roots.flat()).size).toBe(4)
  })
})

describe('changed-only: codeowners looks at the files a pull request changes', () => {
  // On the base branch a later rule hands apps/other/ to one team, so its prod overlay lacks the
  // owners gitops.yaml requires: a full run reports it, a pull request that does not touch it does not.
  async function codeowners(change: Record<string, string>) {
    const { repo } = configRepo()
    repo.git('checkout', '-q', 'main')
    const base = repo.commit('hand apps/other to its team', {
      CODEOWNERS: `${readFileSync(join(repo.dir, 'CODEOWNERS'), 'utf8')}/apps/other/ @org/other-team\n`
    })
    repo.git('checkout', '-q', '-b', 'pr-codeowners')
    repo.commit('change', change)
    const result = await validateRepository({
      repoRoot: repo.dir,
      checks: ['codeowners'],
      changedFiles: await changedFiles(repo.dir, base),
      repository: 'org/config-repo'
    })
    const report = result.checks[0]!
    return { note: report.note, messages: report.findings.map((f) => `${f.ruleId} ${f.message.split(' under ')[0]}`) }
  }
  const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: myapp\nspec:\n  replicas: 4\n'

  test('a change outside the protected paths: only the changed file is checked, and passes', async () => {
    expect(await codeowners({ 'apps/other/overlays/staging/deployment-patch.yaml': patch })).toEqual({
      note: '1 changed file(s)',
      messages: []
    })
  })

  test('a change under a protected path that lacks its owners is an error naming that file', async () => {
    expect(await codeowners({ 'apps/other/overlays/prod/deployment-patch.yaml': patch })).toEqual({
      note: '1 changed file(s)',
      messages: ['codeowners/protected-path apps/other/overlays/prod/deployment-patch.yaml']
    })
  })

  test('a change to CODEOWNERS checks every file again', async () => {
    const { note, messages } = await codeowners({
      CODEOWNERS: '* @org/platform-team\n/apps/other/ @org/other-team\n/CODEOWNERS @org/platform-team\n'
    })
    expect(note).toMatch(/^\d+ file\(s\)$/)
    // Every prod file, of both apps, lacks the required owners now.
    expect(messages).toEqual([
      'codeowners/protected-path apps/myapp/overlays/prod/deployment-patch.yaml, apps/myapp/overlays/prod/hpa-patch.yaml, apps/myapp/overlays/prod/hpa.yaml and 1 more files',
      'codeowners/protected-path apps/other/overlays/prod/deployment-patch.yaml, apps/other/overlays/prod/hpa-patch.yaml, apps/other/overlays/prod/hpa.yaml and 1 more files'
    ])
  })
})
