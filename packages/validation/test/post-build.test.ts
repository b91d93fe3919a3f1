import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { KubeObject, Manifest } from '@gitops-actions/core'
import { applyPostBuild, pendingSubstitution, postBuildSteps } from '../src/post-build.js'
import { resolveFluxKustomizations, validateRepository } from '../src/index.js'
import { manifestsFromYaml } from '@gitops-actions/core'

const manifest = (object: KubeObject): Manifest => ({
  object,
  location: { file: 'x.yaml', line: 1 },
  root: 'apps',
  locate: () => ({ file: 'x.yaml', line: 1 })
})

const fluxKustomization = (path: string, postBuild: unknown) =>
  manifestsFromYaml(
    JSON.stringify({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: { interval: '10m', prune: true, path, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, postBuild }
    }),
    'clusters/prod/apps.yaml'
  )[0]!

describe('postBuild substitution as Flux does it', () => {
  const substitutions = postBuildSteps(
    resolveFluxKustomizations([
      fluxKustomization('./apps', { substitute: { env: 'prod', empty: '' }, substituteFrom: [{ kind: 'ConfigMap', name: 'vars' }] })
    ])
  )

  test.each<[string, unknown, unknown, boolean]>([
    ['an inline value', 'app-${env}', 'app-prod', false],
    ['a default for a variable not set inline', '${region:=eu-west-1}', 'eu-west-1', false],
    ['an inline value over the default', '${env:=dev}', 'prod', false],
    [':= also replaces an empty value, = does not', '${empty:=x}/${empty=x}', 'x/', false],
    ['a whole-value number, decoded as YAML decodes it', '${replicas:=3}', 3, false],
    ['a whole-value boolean', '${debug:-false}', false, false],
    ['$${var} is the escape for a literal ${var}', 'echo $${HOME}', 'echo ${HOME}', false],
    ['a variable only the cluster knows stays, and its field waits', 'web:${version}', 'web:${version}', true],
    ['an expression Flux supports but we do not evaluate', '${env^^}', '${env^^}', true],
    ['no variable', 'web:1.0', 'web:1.0', false]
  ])('%s', (_what, value, expected, pending) => {
    const [after] = applyPostBuild(
      [manifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { key: value } })],
      substitutions.get('apps')!
    )
    expect(after!.object.data).toEqual({ key: expected })
    expect(pendingSubstitution(after!.object, ['data', 'key'])).toBe(pending)
  })

  test('objects that opt out keep their ${...}, which is then checked as written', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
      data: { key: '${env}' }
    }
    const [after] = applyPostBuild([manifest(object)], substitutions.get('apps')!)
    expect(after!.object).toBe(object)
  })

  test('only paths applied with postBuild are substituted; values that differ between Kustomizations of one path are unknown', () => {
    const two = postBuildSteps(
      resolveFluxKustomizations([
        fluxKustomization('./apps', { substitute: { env: 'prod', team: 'a' } }),
        fluxKustomization('./apps/', { substitute: { env: 'staging', team: 'a' } }),
        fluxKustomization('./other', undefined)
      ])
    )
    expect([...two.keys()]).toEqual(['apps'])
    expect([...two.get('apps')!.values]).toEqual([['team', 'a']])
  })

  test('SOPS metadata is dropped where a Kustomization decrypts, and kept (an unknown field) where none does', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { key: 'ENC[AES256_GCM,data:eA==,type:str]' },
      sops: { version: '3.8.1' }
    }
    const steps = postBuildSteps(resolveFluxKustomizations([fluxKustomization('./secrets', undefined)]))
    expect(steps.size).toBe(0)
    const decrypting = manifestsFromYaml(
      JSON.stringify({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'secrets', namespace: 'flux-system' },
        spec: {
          interval: '10m',
          prune: true,
          path: './secrets',
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          decryption: { provider: 'sops' }
        }
      }),
      'clusters/prod/secrets.yaml'
    )
    const decrypt = postBuildSteps(resolveFluxKustomizations(decrypting)).get('secrets')!
    expect(decrypt).toMatchObject({ decrypts: true, substitutes: false })
    const [after] = applyPostBuild([manifest(secret)], decrypt)
    expect(after!.object).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: secret.stringData })
  })
})

describe('Flux objects in the cluster directory that Flux applies', () => {
  let result: Awaited<ReturnType<typeof validateRepository>>
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'flux-cluster-'))
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true })
      writeFileSync(join(root, file), text)
    }
    const kustomization = (name: string, path: string, more: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ${path}\n${more}  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`
    write('clusters/dev/flux-system/gotk-sync.yaml', kustomization('flux-system', './clusters/dev', '  prune: true\n'))
    write('clusters/dev/flux-system/kustomization.yaml', 'resources:\n  - gotk-sync.yaml\n')
    write('clusters/dev/apps.yaml', kustomization('apps', './clusters/dev/flux-system', '  prunne: true\n'))
    const check = (name: string) => `    - apiVersion: cert-manager.io/v1\n      kind: ClusterIssuer\n      name: ${name}\n`
    write(
      'clusters/dev/issuers.yaml',
      kustomization('issuers', './issuers', `  prune: true\n  healthChecks:\n${check('letsencrypt')}${check('letsencrpyt')}`)
    )
    write(
      'issuers/cluster-issuer.yaml',
      'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt\nspec:\n  selfSigned: {}\n'
    )
    result = await validateRepository({ repoRoot: root, checks: ['kustomize', 'flux'] })
  })

  test('a mistake is reported once, by flux-sync-validation, not again by kustomize-validate', () => {
    expect(
      result.findings.filter((f) => f.location?.file === 'clusters/dev/apps.yaml').map((f) => `${f.ruleId} :${f.location?.line}`)
    ).toEqual(['flux/schema :7', 'flux/unknown-field :9'])
    expect(result.checks.map((c) => [c.title, c.status])).toEqual([
      ['kustomize-validate', 'passed'],
      ['flux-sync-validation', 'failed']
    ])
  })

  test('a health check on a cluster-scoped custom resource (a ClusterIssuer) finds it by name, without a namespace', () => {
    expect(
      result.findings
        .filter((f) => f.location?.file !== 'clusters/dev/apps.yaml')
        .map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}`)
    ).toEqual(['flux/health-check-missing clusters/dev/issuers.yaml:14'])
  })
})
