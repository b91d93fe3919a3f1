import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import {
  CHECK_NAMES,
  listYamlFiles,
  resolveFluxKustomizations,
  scanFluxObjects,
  SourceFiles,
  validateRepository,
  type ValidateResult
} from '../src/index.js'

/**
 * Clean repositories in the shapes of Flux's own public examples (flux2-kustomize-helm-example,
 * flux2-multi-tenancy, flux2-hub-spoke-example, flux2-monitoring-example, and the postBuild and
 * SOPS guides of the Flux documentation), written small by hand. A false error is as bad as a missed one: every
 * finding is listed, so a new false finding fails here.
 */

const repoRoot = resolve(import.meta.dirname, '../../..')
const SHAPES = ['kustomize-helm', 'multi-tenancy', 'hub-spoke', 'monitoring', 'flux-docs'] as const
type Shape = (typeof SHAPES)[number]

// Each repository is validated once, with every check; the tests read the shared results.
const results = {} as Record<Shape, ValidateResult>
beforeAll(async () => {
  await Promise.all(
    SHAPES.map(async (shape) => {
      results[shape] = await validateRepository({
        repoRoot: join(repoRoot, 'test/fixtures/validate/flux-example-shapes', shape),
        checks: CHECK_NAMES,
        repository: 'org/config-repo'
      })
    })
  )
})

function findings(result: ValidateResult): string[] {
  return result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.location?.file}:${f.location?.line}`)
}

describe('build roots: the paths Flux applies from this repository', () => {
  test.each<[Shape, string[]]>([
    [
      'kustomize-helm',
      // clusters/production's apps and infrastructure come from ExternalArtifacts (Flux 2.7) made from this checkout: the same paths.
      ['apps/production', 'apps/staging', 'clusters/production', 'clusters/staging', 'infrastructure/configs', 'infrastructure/controllers']
    ],
    [
      'multi-tenancy',
      // platform/staging: only the staging overlay's patch of the platform-team tenant names it.
      [
        'clusters/staging',
        'infrastructure/kyverno',
        'infrastructure/kyverno-policies',
        'platform/staging',
        'policies/staging',
        'tenants/staging'
      ]
    ],
    // hub/ is applied by a Kustomization created at install time, not committed.
    [
      'hub-spoke',
      ['clusters/staging/apps', 'clusters/staging/infra-configs', 'clusters/staging/infra-controllers', 'clusters/staging/tenants']
    ],
    ['monitoring', ['clusters/test', 'monitoring/configs', 'monitoring/controllers']],
    // apps/prod has no kustomization.yaml: built the way Flux generates one.
    ['flux-docs', ['apps/prod', 'clusters/prod']]
  ])('%s', (shape, roots) => {
    expect(results[shape].roots.map((r) => r.path)).toEqual(roots)
    expect(results[shape].roots.filter((r) => !r.built || r.reasons.join() !== 'flux')).toEqual([])
  })

  test("without the repository's name, the bootstrap source committed in gotk-sync.yaml is still this repository", () => {
    const shape = join(repoRoot, 'test/fixtures/validate/flux-example-shapes/kustomize-helm')
    const { objects } = scanFluxObjects(new SourceFiles(shape), listYamlFiles(shape))
    const local = (repository: string | undefined) => [
      ...new Set(
        resolveFluxKustomizations(objects, { repository, repoRoot: shape })
          .filter((k) => k.source === 'local')
          .map((k) => k.path)
          .sort()
      )
    ]
    const paths = [
      'apps/production',
      'apps/staging',
      'clusters/production',
      'clusters/staging',
      'infrastructure/configs',
      'infrastructure/controllers'
    ]
    expect(local(undefined)).toEqual(paths)
    expect(local('org/config-repo')).toEqual(paths)
    // A known name that the URL does not match (a fork): external, and the notice says where it points.
    expect(local('someone/fork')).toEqual([])
  })

  test('the bootstrap Kustomization applies its own cluster directory, which holds the others: built once, no loop', () => {
    const staging = results['kustomize-helm'].roots.find((r) => r.path === 'clusters/staging')!
    // gotk-components (3 CRDs, Namespace, ServiceAccount, Deployment), gotk-sync (2), apps (1), artifacts (1), infrastructure (2).
    expect(staging.objects).toBe(12)
  })
})

describe('every finding on each shape, and nothing else', () => {
  test.each<[Shape, string[]]>([
    [
      'kustomize-helm',
      [
        // Production's apps and infrastructure come from ExternalArtifacts its ArtifactGenerator makes from this checkout: built too.
      ]
    ],
    [
      'multi-tenancy',
      [
        'notice flux/external-source infrastructure/kyverno/sync.yaml:9',
        'notice policy/flux-tenant-sources policies/base/sources.yaml:2',
        'notice flux/external-source tenants/base/dev-team/sync.yaml:23'
      ]
    ],
    ['hub-spoke', []],
    ['monitoring', []],
    [
      // ${web_replicas:=2} and ${web_version}: Flux substitutes them before it applies; it decrypts
      // web-credentials.enc.yaml, whose sops: metadata never reaches the cluster.
      'flux-docs',
      []
    ]
  ])('%s', (shape, expected) => {
    expect(findings(results[shape])).toEqual(expected)
  })
})

describe('what Flux does after the build: decryption and postBuild substitution', () => {
  test('values set inline and defaults are put in before the checks; the rest waits for the cluster', () => {
    // replicas: ${web_replicas:=2} counts as 2 pods, plus one more during a rolling update.
    expect(results['flux-docs'].quota).toEqual([
      expect.objectContaining({ namespace: 'apps', pods: 3, requests: expect.objectContaining({ cpu: '300m' }) })
    ])
  })
})

describe('what the warnings and notices say', () => {
  test("cert-manager's ClusterIssuer, Kyverno's ClusterPolicy and a PodMonitor are checked against their packaged schemas", () => {
    for (const shape of SHAPES) expect(results[shape].findings.filter((f) => f.ruleId === 'kustomize/no-schema')).toEqual([])
  })

  test('a tenant on another branch of this repository and an upstream repository are external, and the notice says why', () => {
    const messages = results['multi-tenancy'].findings.filter((f) => f.ruleId === 'flux/external-source').map((f) => f.message)
    expect(messages).toContainEqual(
      expect.stringContaining(
        'GitRepository apps/dev-team follows branch dev-team of this repository, not main that the cluster syncs from here'
      )
    )
    expect(messages).toContainEqual(
      expect.stringContaining('GitRepository flux-system/kyverno-controller points at https://github.com/kyverno/kyverno')
    )
  })

  test('a ValidatingAdmissionPolicy with cluster params is not evaluated, and says so', () => {
    const notice = results['multi-tenancy'].findings.find((f) => f.ruleId === 'policy/flux-tenant-sources')!
    expect(notice.message).toContain('takes parameters (paramKind)')
  })
})
