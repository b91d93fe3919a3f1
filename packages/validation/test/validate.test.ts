import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { collectEnvironmentStatus } from '@gitops-actions/core'
import { render } from '@gitops-actions/kustomize'
import { validateRepository, type ValidateResult } from '../src/index.js'

const repoRoot = resolve(import.meta.dirname, '../../..')
const fixture = (name: string) => join(repoRoot, 'test/fixtures/validate', name)

/** `rule file:line` for compact expectations. */
function lines(result: ValidateResult, severity?: string): string[] {
  return result.findings
    .filter((f) => !severity || f.severity === severity)
    .map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}`)
}

// Each repository is rendered once; the tests read the shared result.
const results: Record<string, ValidateResult> = {}
beforeAll(async () => {
  const runs = {
    example: { repoRoot: join(repoRoot, 'examples/config-repo'), environmentStatus: true },
    seed: { repoRoot: fixture('seed-verbatim'), environmentStatus: true },
    defects: { repoRoot: fixture('defects') },
    flux: { repoRoot: fixture('flux-defects') },
    clusters: { repoRoot: fixture('cluster-versions') }
  }
  await Promise.all(
    Object.entries(runs).map(async ([name, request]) => {
      results[name] = await validateRepository({ ...request, checks: ['kustomize', 'flux'], repository: 'org/config-repo' })
    })
  )
})

describe('the example config repo (seed-shaped, clean)', () => {
  test('passes with zero errors and zero warnings', () => {
    expect(lines(results.example!, 'error')).toEqual([])
    expect(lines(results.example!, 'warning')).toEqual([])
    expect(results.example!.checks.map((c) => [c.title, c.status])).toEqual([
      ['kustomize-validate', 'passed'],
      ['flux-sync-validation', 'passed']
    ])
  })

  test('finds the layout overlays and the Flux paths, and renders them all', () => {
    expect(results.example!.roots.map((r) => [r.path, r.environment ?? '', r.reasons.join('+'), r.built])).toEqual([
      ['apps/myapp/overlays/dev', 'dev', 'layout+flux', true],
      ['apps/myapp/overlays/prod', 'prod', 'layout+flux', true],
      ['apps/myapp/overlays/staging', 'staging', 'layout+flux', true],
      ['infrastructure', '', 'flux', true]
    ])
    expect(results.example!.stats.objects).toBe(20)
  })
})

describe('the environment status from the validation renders', () => {
  test('is the status that fresh kustomize renders of each overlay give', async () => {
    const example = results.example!
    expect(example.environmentStatus).toEqual(await collectEnvironmentStatus(join(repoRoot, 'examples/config-repo'), { render }))
    const myapp = example.environmentStatus!.apps.find((a) => a.app === 'myapp')!
    expect(myapp.environments.map((e) => [e.environment, e.images[0]?.tag, e.renderError])).toEqual([
      ['dev', 'sha-abc123d', undefined],
      ['staging', 'myapp-staging-abc123d', undefined],
      ['prod', 'v1.2.3', undefined]
    ])
  })

  test('an overlay whose render failed is rendered on its own, and its error is in the status', () => {
    const myapp = results.seed!.environmentStatus!.apps.find((a) => a.app === 'myapp')!
    for (const cell of myapp.environments) expect(cell.renderError).toMatch(/kustomize|patch|resource/i)
  })

  test('is left out unless asked for', () => {
    expect(results.defects!.environmentStatus).toBeUndefined()
  })
})

describe('the seed taken verbatim: its slips are found', () => {
  test.each([
    ['the Helm template in the base newTag', 'kustomize/image-tag apps/myapp/base/kustomization.yaml:11'],
    ['patches listed as resources (dev)', 'kustomize/render apps/myapp/overlays/dev/kustomization.yaml:6'],
    ['patches listed as resources (staging)', 'kustomize/render apps/myapp/overlays/staging/kustomization.yaml:6'],
    ['patches listed as resources (prod)', 'kustomize/render apps/myapp/overlays/prod/kustomization.yaml:6'],
    ['v1beta2 GitRepository', 'flux/deprecated-api cluster-configs/config-repo.yaml:1'],
    ['v1beta2 Kustomization', 'flux/deprecated-api cluster-configs/myapp-dev.yaml:1'],
    ['wait: true with healthChecks', 'flux/wait-with-health-checks cluster-configs/myapp-prod.yaml:13'],
    ['a Flux path that does not build', 'flux/path-build cluster-configs/myapp-staging.yaml:11'],
    ['prod timeout longer than its interval', 'flux/timeout-exceeds-interval cluster-configs/myapp-prod.yaml:21']
  ])('%s', (_what, expected) => {
    expect(lines(results.seed!)).toContain(expected)
  })

  test('messages say what to change', () => {
    const messages = results.seed!.findings.map((f) => f.message)
    expect(messages).toContainEqual(expect.stringContaining('kustomize never expands templates'))
    expect(messages).toContainEqual(expect.stringContaining('list it under patches: (- path: deployment-patch.yaml)'))
    expect(messages).toContainEqual(expect.stringContaining('the current version is kustomize.toolkit.fluxcd.io/v1'))
    // No stack traces, no temporary paths.
    for (const message of messages) expect(message).not.toMatch(/\/tmp\/|gitops-render-|at .*\.ts:\d+/)
  })
})

describe('kustomize-validate on a repo holding each defect class', () => {
  test.each([
    [
      'unknown field, with the likely intended one',
      'kustomize/unknown-field apps/typo/base/deployment.yaml:6',
      'spec.replica (did you mean replicas?)'
    ],
    ['wrong type', 'kustomize/schema apps/typo/base/deployment.yaml:19', 'containerPort must be integer'],
    ['unknown core kind', 'kustomize/unknown-kind apps/kinds/overlays/dev/objects.yaml:2', 'did you mean Deployment (apps/v1)?'],
    [
      'unknown field against a CRD schema in the repo',
      'kustomize/unknown-field apps/kinds/overlays/dev/objects.yaml:20',
      'spec.colour (did you mean color?)'
    ],
    ['the same object under two apiVersions', 'kustomize/duplicate-object apps/dupes/overlays/dev/hpa-v2.yaml:1', 'rendered twice'],
    [
      'an invalid image name in a manifest',
      'kustomize/image apps/images/base/deployment.yaml:16',
      "'Init' is not a valid repository path component"
    ],
    ['an invalid tag set by an overlay', 'kustomize/image-tag apps/images/overlays/dev/kustomization.yaml:7', "newTag 'release 1.0'"],
    [
      'a resource that does not exist',
      'kustomize/missing-file apps/missing/overlays/dev/kustomization.yaml:4',
      "'not-here.yaml' does not exist"
    ],
    ['malformed YAML', 'kustomize/yaml apps/broken/overlays/dev/configmap.yaml:7', 'Invalid YAML'],
    ['an object without kind', 'kustomize/missing-type apps/nokind/overlays/dev/configmap.yaml:1', 'has no kind'],
    [
      // kustomize names the object the patch looks for; the patches entry that names the file is what to fix.
      'a kustomize failure',
      'kustomize/render apps/badpatch/overlays/dev/kustomization.yaml:5',
      'no matches for Id Deployment.v1.apps/not-there'
    ],
    [
      'a removed API in an overlay file',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:8',
      'extensions/v1beta1 Deployment is no longer served since Kubernetes v1.16; use apiVersion: apps/v1 (served since v1.9)'
    ],
    [
      'a removed Ingress version',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:22',
      'networking.k8s.io/v1beta1 Ingress is no longer served since Kubernetes v1.22; use apiVersion: networking.k8s.io/v1'
    ],
    [
      'a removed kind without a replacement API',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:31',
      'policy/v1beta1 PodSecurityPolicy is no longer served since Kubernetes v1.25. PodSecurityPolicy has no replacement API'
    ],
    [
      'a removed version whose documented successor was removed too',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:38',
      'is no longer served since Kubernetes v1.26; use apiVersion: flowcontrol.apiserver.k8s.io/v1 (served since v1.29)'
    ],
    [
      'a removed API in a base that the overlay patches',
      'kustomize/removed-api apps/legacy/base/cronjob.yaml:2',
      'batch/v1beta1 CronJob is no longer served since Kubernetes v1.25; use apiVersion: batch/v1 (served since v1.21)'
    ]
  ])('%s', (_what, expected, words) => {
    const finding = results.defects!.findings.find((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}` === expected)
    expect(finding, `${expected} in\n${lines(results.defects!).join('\n')}`).toBeDefined()
    expect(finding!.severity).toBe('error')
    expect(finding!.message).toContain(words)
  })

  test('a custom resource without a schema is a warning naming it', () => {
    const finding = results.defects!.findings.find((f) => f.ruleId === 'kustomize/no-schema')
    expect(finding).toMatchObject({ severity: 'warning', location: { file: 'apps/kinds/overlays/dev/objects.yaml', line: 6 } })
    expect(finding!.message).toContain('VolumeSnapshot (snapshot.storage.k8s.io/v1)')
  })

  test('an invalid tag is reported once, where it is written', () => {
    expect(lines(results.defects!).filter((l) => l.includes('apps/images/overlays/dev/kustomization.yaml'))).toEqual([
      'kustomize/image-tag apps/images/overlays/dev/kustomization.yaml:7'
    ])
  })

  test('overlays that collide in one batch are split and build cleanly on their own', () => {
    expect(lines(results.defects!).filter((l) => l.includes('shared-'))).toEqual([])
    const shared = results.defects!.roots.filter((r) => r.path.includes('shared-'))
    expect(shared.map((r) => [r.built, r.objects])).toEqual([
      [true, 2],
      [true, 2]
    ])
    expect(results.defects!.stats.batchSplits).toBeGreaterThan(0)
  })

  test('an object in a removed API version is reported once, for its removal, not for its schema', () => {
    expect(lines(results.defects!).filter((l) => l.includes('apps/legacy/'))).toEqual([
      'kustomize/removed-api apps/legacy/base/cronjob.yaml:2',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:8',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:22',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:31',
      'kustomize/removed-api apps/legacy/overlays/dev/legacy.yaml:38'
    ])
  })

  test('clean parts of the repo stay clean: no finding outside the defect apps', () => {
    const files = new Set(results.defects!.findings.map((f) => f.location?.file.split('/').slice(0, 2).join('/')))
    expect([...files].sort()).toEqual([
      'apps/badpatch',
      'apps/broken',
      'apps/dupes',
      'apps/images',
      'apps/kinds',
      'apps/legacy',
      'apps/missing',
      'apps/nokind',
      'apps/typo'
    ])
  })
})

describe("removed APIs against each environment's Kubernetes version (gitops.yaml)", () => {
  // dev runs v1.24 (its own kubernetesVersion), staging v1.22 (kubernetes.version), prod v1.26.3.
  // The base's CronJob (removed in v1.25), HPA v2beta2 (v1.26) and Ingress v1beta1 (v1.22) go to all three.
  test('removed at or before the cluster version: an error; removed later: a warning naming the release', () => {
    const removed = results.clusters!.findings.filter((f) => f.ruleId === 'kustomize/removed-api')
    const table = removed.map((f) => [
      f.location?.file.split('/').pop(),
      f.location?.line,
      /overlays\/(\w+)/.exec(f.message)?.[1],
      f.severity
    ])
    expect(table.sort((a, b) => `${a}`.localeCompare(`${b}`))).toEqual([
      ['cronjob.yaml', 2, 'dev', 'warning'],
      ['cronjob.yaml', 2, 'prod', 'error'],
      ['cronjob.yaml', 2, 'staging', 'warning'],
      ['hpa.yaml', 3, 'dev', 'warning'],
      ['hpa.yaml', 3, 'prod', 'error'],
      ['hpa.yaml', 3, 'staging', 'warning'],
      ['ingress.yaml', 2, 'dev', 'error'],
      ['ingress.yaml', 2, 'prod', 'error'],
      ['ingress.yaml', 2, 'staging', 'error']
    ])
    const dev = removed.find((f) => f.location?.file.endsWith('cronjob.yaml') && f.message.includes('overlays/dev'))!
    expect(dev.message).toContain(
      "batch/v1beta1 CronJob is still served by the cluster's Kubernetes v1.24 (gitops.yaml environments[dev].kubernetesVersion) but removed in v1.25: migrate before the cluster is upgraded to v1.25; use apiVersion: batch/v1"
    )
    const staging = removed.find((f) => f.location?.file.endsWith('ingress.yaml') && f.message.includes('overlays/staging'))!
    expect(staging.message).toContain(
      'is no longer served since Kubernetes v1.22, and the cluster runs v1.22 (gitops.yaml kubernetes.version)'
    )
  })

  test('an API the cluster still serves is checked against its own schema; one it no longer serves is not', () => {
    // minReplica (a typo) in the v2beta2 HPA: dev and staging still serve v2beta2, prod (v1.26.3) does not.
    const others = results.clusters!.findings.filter((f) => f.ruleId !== 'kustomize/removed-api')
    expect(
      others.map((f) => [f.ruleId, f.severity, f.location?.file.split('/').pop(), f.location?.line, /overlays\/(\w+)/.exec(f.message)?.[1]])
    ).toEqual([['kustomize/unknown-field', 'error', 'hpa.yaml', 12, 'dev']])
    // One cause, at one line, seen in two overlays: one finding that names both.
    expect(others[0]!.message).toMatch(/\(from \S+\/overlays\/dev and \S+\/overlays\/staging\): .*minReplica/)
  })
})

describe('flux-sync-validation on the shapes of real Flux repos', () => {
  test.each([
    ['dependsOn target that does not exist', 'flux/depends-on-missing clusters/dev/apps.yaml:17', 'error'],
    ['health check without a matching object after targetNamespace', 'flux/health-check-missing clusters/dev/apps.yaml:23', 'error'],
    ['unknown field in a Flux object', 'flux/unknown-field clusters/dev/apps.yaml:40', 'error'],
    ['path that does not exist', 'flux/path-missing clusters/dev/apps.yaml:52', 'error'],
    ['dependsOn cycle', 'flux/depends-on-cycle clusters/dev/cycle.yaml:14', 'error'],
    ['object without kind', 'flux/schema clusters/dev/cycle.yaml:58', 'error'],
    ['interval under a minute', 'flux/interval-too-short clusters/dev/apps.yaml:34', 'warning'],
    ['sourceRef that is a near miss of a source in the repo', 'flux/source-not-found clusters/dev/cycle.yaml:40', 'warning'],
    ['deprecated HelmRelease API', 'flux/deprecated-api clusters/dev/cycle.yaml:44', 'warning'],
    ['GitRepository of another repository: external', 'flux/external-source clusters/dev/cycle.yaml:9', 'notice'],
    ['OCIRepository: external', 'flux/external-source clusters/dev/cycle.yaml:24', 'notice']
  ])('%s', (_what, expected, severity) => {
    expect(lines(results.flux!, severity)).toContain(expected)
  })

  test('the bootstrap flux-system source is this repository: its paths are built and health-checked', () => {
    expect(results.flux!.roots.map((r) => r.path)).toEqual(['apps/web/overlays/dev', 'infrastructure'])
    // infrastructure has no kustomization.yaml: built the way Flux generates one.
    expect(results.flux!.roots.every((r) => r.built)).toBe(true)
    // The health check that does match (Deployment app-dev/web) is not reported.
    expect(lines(results.flux!).filter((l) => l.startsWith('flux/health-check-missing'))).toHaveLength(1)
  })

  test('external sources are never errors', () => {
    const external = results.flux!.findings.filter((f) => /alpha|beta|typo-source/.test(f.message) && f.ruleId !== 'flux/depends-on-cycle')
    expect(external.every((f) => f.severity !== 'error')).toBe(true)
  })
})
