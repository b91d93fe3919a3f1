import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fileTree, fixtureWithEdits } from '../../../test/harness/file-tree.js'
import { CHECK_NAMES, validateRepository, type ValidateResult } from '../src/index.js'

/**
 * Defects put into the clean shapes of Flux's example repositories (see flux-example-shapes.test.ts),
 * as a user would make them: each is found at the file and line that holds it, and nothing else is.
 */

const shapes = resolve(import.meta.dirname, '../../../test/fixtures/validate/flux-example-shapes')

/** A copy of a shape with text replaced in some files (each replacement must apply). */
function withDefects(shape: string, edits: Record<string, Array<[string, string]>>): string {
  return fixtureWithEdits(join(shapes, shape), edits, `defects-${shape}`)
}

const results = {} as Record<'helm' | 'tenancy' | 'docs' | 'homeOps', ValidateResult>
beforeAll(async () => {
  const runs = {
    helm: withDefects('kustomize-helm', {
      // The apps artifact no longer holds apps/base: production's overlay reaches for ../base/podinfo in vain.
      'clusters/production/artifacts.yaml': [['        - from: "@monorepo/apps/base/**"\n          to: "@artifact/base/"\n', '']],
      // A path inside the infrastructure artifact that does not exist.
      'clusters/production/infrastructure.yaml': [['  path: ./configs', '  path: ./config']],
      // A dependsOn typo.
      'clusters/staging/apps.yaml': [['    - name: infra-configs', '    - name: infra-config']],
      // A typo in the chart's source.
      'apps/base/podinfo/release.yaml': [
        ['        kind: HelmRepository\n        name: podinfo', '        kind: HelmRepository\n        name: podinfp']
      ]
    }),
    docs: withDefects('flux-docs', {
      // An ImagePolicy pointing at an ImageRepository that does not exist.
      'clusters/prod/image-automation.yaml': [['  imageRepositoryRef:\n    name: web', '  imageRepositoryRef:\n    name: webb']]
    }),
    tenancy: withDefects('multi-tenancy', {
      // A typo in the path a cluster's patch sets for a tenant.
      'tenants/staging/platform-team-patch.yaml': [['  path: ./platform/staging', '  path: ./platform/stagin']]
    })
  }
  await Promise.all(
    Object.entries({ ...runs, homeOps: homeOps() }).map(async ([name, repoRoot]) => {
      results[name as keyof typeof results] = await validateRepository({ repoRoot, checks: CHECK_NAMES, repository: 'org/config-repo' })
    })
  )
})

function errors(result: ValidateResult): string[] {
  return result.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}`)
}

describe('flux2-kustomize-helm-example shape', () => {
  test('each defect at its line, and nothing else', () => {
    expect(errors(results.helm)).toEqual([
      'flux/reference-not-found apps/base/podinfo/release.yaml:14',
      // The entry that reaches for what the artifact no longer holds; what apps/base would read is moot.
      'flux/artifact-missing-file apps/production/kustomization.yaml:5',
      'flux/path-missing clusters/production/infrastructure.yaml:32',
      'flux/depends-on-missing clusters/staging/apps.yaml:9'
    ])
  })

  test('the messages name the artifact, its generator and the copy rules', () => {
    const messages = results.helm.findings.filter((f) => f.severity === 'error').map((f) => f.message)
    expect(messages.shift()).toBe(
      'HelmRelease/podinfo/podinfo: spec.chart.spec.sourceRef HelmRepository/podinfo/podinfp names no HelmRepository of this repository; did you mean podinfo (apps/base/podinfo/repository.yaml:1)?'
    )
    expect(messages[0]).toBe(
      "Kustomization flux-system/apps: resources entry '../base/podinfo' (apps/base/podinfo/kustomization.yaml) is not in ExternalArtifact flux-system/apps: no copy rule of ArtifactGenerator flux-system (clusters/production/artifacts.yaml:3) puts it where the build looks, so Flux's build fails"
    )
    expect(messages[1]).toBe(
      "Kustomization flux-system/infra-configs: spec.path './config' does not exist in ExternalArtifact flux-system/infrastructure (made by ArtifactGenerator flux-system at clusters/production/artifacts.yaml:3): its copy rules put nothing there"
    )
    expect(messages[2]).toMatch(
      /^Kustomization flux-system\/apps: dependsOn flux-system\/infra-config names no Kustomization in this repository; did you mean infra-configs \(clusters\/(staging|production)\/infrastructure\.yaml:\d+\)\?$/
    )
  })
})

describe('flux2-multi-tenancy shape', () => {
  test("a typo in a tenant's path patch is found at the patch, as the rendered Kustomization applies it", () => {
    expect(errors(results.tenancy)).toEqual(['flux/path-missing tenants/staging/platform-team-patch.yaml:7'])
    expect(results.tenancy.findings.find((f) => f.ruleId === 'flux/path-missing')?.message).toBe(
      "Kustomization apps/platform-team: spec.path './platform/stagin' does not exist in this repository"
    )
  })
})

describe('Flux docs shape: image automation', () => {
  test('an ImagePolicy naming a missing ImageRepository is an error at its line', () => {
    expect(errors(results.docs)).toEqual(['flux/reference-not-found clusters/prod/image-automation.yaml:19'])
  })
})

/**
 * The shape of bootstrapped home-operations repositories (Diaoul/home-ops): each app's ks.yaml names
 * no namespace; the kustomization.yaml that lists them sets it, and dependsOn names it. Read from the
 * files as written they all were flux-system, and every such dependsOn a false error.
 */
function homeOps(): string {
  const ks = (name: string, dependsOn = '') =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\nspec:\n${dependsOn}  interval: 1h\n  path: ./kubernetes/apps/ai/${name}/app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n  targetNamespace: ai\n`
  const app = (name: string) => ({
    [`kubernetes/apps/ai/${name}/app/kustomization.yaml`]: 'resources:\n  - ./configmap.yaml\n',
    [`kubernetes/apps/ai/${name}/app/configmap.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`
  })
  return fileTree({
    'kubernetes/flux/cluster/ks.yaml':
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cluster-apps\n  namespace: flux-system\nspec:\n  interval: 1h\n  path: ./kubernetes/apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
    'kubernetes/apps/kustomization.yaml': 'resources:\n  - ./ai\n',
    'kubernetes/apps/ai/kustomization.yaml': 'namespace: ai\nresources:\n  - ./litellm/ks.yaml\n  - ./context7-mcp/ks.yaml\n',
    'kubernetes/apps/ai/litellm/ks.yaml': ks('litellm'),
    'kubernetes/apps/ai/context7-mcp/ks.yaml': ks('context7-mcp', '  dependsOn:\n    - name: litellm\n      namespace: ai\n'),
    ...app('litellm'),
    ...app('context7-mcp')
  })
}

describe('home-ops shape: Kustomizations placed in a namespace by the kustomization that lists them', () => {
  test('dependsOn names the namespace they are rendered in: no false error', () => {
    expect(errors(results.homeOps)).toEqual([])
    expect(results.homeOps.roots.map((r) => r.path)).toEqual([
      'kubernetes/apps',
      'kubernetes/apps/ai/context7-mcp/app',
      'kubernetes/apps/ai/litellm/app'
    ])
  })
})
