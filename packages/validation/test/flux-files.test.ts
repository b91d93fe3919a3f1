import { beforeAll, describe, expect, test } from 'vitest'
import { changedFiles } from '@gitops-actions/git'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { manifestsFromYaml } from '@gitops-actions/core'
import { fluxFileHint } from '../src/flux-files.js'
import { dependsOnOf } from '../src/flux.js'
import { validateRepository, type ValidateResult } from '../src/index.js'

describe('what a Flux file says about paths, without parsing it', () => {
  const kustomization = (spec: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: x\nspec:\n${spec}\n`
  test.each([
    ['a plain path', kustomization('  path: ./apps/web/overlays/dev\n  prune: true'), ['apps/web/overlays/dev'], false],
    ['quoted, with a trailing slash and a comment', kustomization('  path: "./apps/web/" # the app'), ['apps/web'], false],
    [
      'a path in flow style',
      kustomization(
        '  sourceRef: {kind: GitRepository, name: flux-system}\n  patches: [{path: ./patch.yaml, target: {kind: Deployment}}]\n  path: ./infra'
      ),
      ['patch.yaml', 'infra'],
      false
    ],
    [
      'a whole document in flow style',
      '{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, spec: {path: ./x}}\n',
      ['x'],
      true
    ],
    [
      'a JSON patch path is one more candidate, never a problem',
      kustomization('  path: ./a\n  patches:\n  - patch: |\n      - op: add\n        path: /spec/x'),
      ['a', 'spec/x'],
      false
    ],
    ['a variable', kustomization('  path: ./apps/${CLUSTER}/overlays'), [], true],
    ['a block scalar', kustomization('  path: >-\n    ./apps/web'), [], true],
    ['an alias', kustomization('  path: *web'), [], true],
    ['no path: Flux applies the source root', kustomization('  prune: true'), [], true]
  ])('%s', (_what, text, paths, irregular) => {
    expect(fluxFileHint('f.yaml', text)).toMatchObject({ paths, irregular, definesSource: false })
  })

  test('dependsOn entries that are not objects are skipped (the schema reports them), the others keep their index', () => {
    const [manifest] = manifestsFromYaml(
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: x\nspec:\n  dependsOn:\n  - null\n  - infra\n  - name: db\n    namespace: data\n',
      'x.yaml'
    )
    expect(dependsOnOf(manifest!)).toEqual([{ name: 'db', namespace: 'data', index: 2 }])
  })

  test('a file that defines a source says so', () => {
    const text = 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: "GitRepository"\nmetadata:\n  name: config\nspec:\n  url: https://x\n'
    expect(fluxFileHint('s.yaml', text)).toMatchObject({ paths: [], irregular: false, definesSource: true })
  })
})

/** Flux Kustomizations: web → infra → platform → web (a cycle over three files), web also → ghost (missing), five unrelated ones. */
function fluxRepo(): GitRepo {
  const repo = GitRepo.create('flux-config')
  const flux = (name: string, path: string, dependsOn: string[] = [], extra = '') =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ${path}\n  prune: true\n${extra}${
      dependsOn.length ? `  dependsOn:\n${dependsOn.map((d) => `  - name: ${d}\n`).join('')}` : ''
    }`
  const configMap = (name: string, namespace = '') =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n  a: b\n`
  const files: Record<string, string> = {
    'clusters/dev/web.yaml': flux('web', './apps/web/overlays/dev', ['infra', 'ghost']),
    'clusters/dev/infra.yaml': flux('infra', './infrastructure', ['platform'], '  targetNamespace: app-dev\n'),
    'clusters/dev/platform.yaml': flux('platform', './platform', ['web']),
    'apps/web/overlays/dev/kustomization.yaml': 'namespace: app-dev\nresources:\n- config.yaml\n',
    'apps/web/overlays/dev/config.yaml': configMap('web'),
    'infrastructure/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app-dev\n',
    'platform/kustomization.yaml': 'resources:\n- config.yaml\n',
    'platform/config.yaml': configMap('platform', 'platform')
  }
  for (const app of ['a', 'b', 'c', 'd', 'e']) {
    files[`clusters/dev/${app}.yaml`] = flux(app, `./apps/${app}/overlays/dev`)
    files[`apps/${app}/overlays/dev/kustomization.yaml`] = 'namespace: app-dev\nresources:\n- config.yaml\n'
    files[`apps/${app}/overlays/dev/config.yaml`] = configMap(app)
  }
  repo.commit('config repo', files)
  return repo
}

describe('changed-only reads the Flux files the change concerns, and finds what a full run finds there', () => {
  const runs: Record<string, ValidateResult> = {}
  const flux = (result: ValidateResult) =>
    result.findings.filter((f) => f.ruleId.startsWith('flux/')).map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}`)
  beforeAll(async () => {
    const repo = fluxRepo()
    const base = repo.head()
    const request = { repoRoot: repo.dir, checks: ['kustomize', 'flux'] as const, repository: 'org/flux-config' }
    runs.full = await validateRepository({ ...request, checks: [...request.checks] })
    repo.git('checkout', '-q', '-b', 'pr')
    repo.commit('web config', {
      'apps/web/overlays/dev/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: c\n'
    })
    runs.overlay = await validateRepository({ ...request, checks: [...request.checks], changedFiles: await changedFiles(repo.dir, base) })
    const overlayHead = repo.head()
    repo.commit('a namespace label', {
      'infrastructure/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app-dev\n  labels:\n    team: web\n'
    })
    runs.generated = await validateRepository({
      ...request,
      checks: [...request.checks],
      changedFiles: await changedFiles(repo.dir, overlayHead)
    })
  })

  test('the overlay: its Kustomization and the dependsOn chain are read, the five others are not', () => {
    expect(runs.overlay!.roots.map((r) => r.path)).toEqual(['apps/web/overlays/dev'])
    expect(runs.full!.stats.fluxFilesParsed).toBe(8)
    expect(runs.overlay!.stats.fluxFilesParsed).toBe(3)
  })

  test('the missing dependsOn target and the cycle across three files are reported as in the full run', () => {
    expect(flux(runs.overlay!)).toEqual(flux(runs.full!))
    expect(flux(runs.overlay!).map((f) => f.split(' ')[0])).toEqual(['flux/depends-on-cycle', 'flux/depends-on-missing'])
  })

  test('a path only Flux applies (no kustomization.yaml, not in the layout) is found, with the environment of its targetNamespace', () => {
    expect(runs.generated!.roots.map((r) => [r.path, r.environment, r.built])).toEqual([['infrastructure', 'dev', true]])
    expect(runs.generated!.stats.fluxFilesParsed).toBe(3)
  })
})
