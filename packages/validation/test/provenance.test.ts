import { resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fixtureWithEdits, writeFiles } from '../../../test/harness/file-tree.js'
import { CHECK_NAMES, validateRepository, type ValidateResult } from '../src/index.js'

/**
 * Findings about what an overlay's patch, images: or replicas: entry wrote point at that entry, not
 * at the base the object came from, and name the overlay they were seen in; entries that select
 * nothing are found at their line. The fixture is a config repo in the seed's layout (a base, three
 * overlays, a component two of them share) written the ways real repos write overlays: patch files
 * with and without a target, inline JSON 6902 patches, the legacy patchesJson6902, images:,
 * replicas:, replacements. Defects go into copies of it, as a user would make them.
 */

const fixture = resolve(import.meta.dirname, '../../../test/fixtures/validate/provenance')
const overlays = 'apps/web/overlays'
const checks = ['kustomize', 'policy', 'quota'] as const

const shapes = resolve(import.meta.dirname, '../../../test/fixtures/validate/flux-example-shapes')

const results = {} as Record<'clean' | 'written' | 'unmatched' | 'refused' | 'transformers' | 'helm' | 'tenancy', ValidateResult>
beforeAll(async () => {
  const copies = {
    clean: fixture,
    written: fixtureWithEdits(fixture, {
      // A typo in a patch file: kustomize keeps the unknown field, the API server refuses it.
      [`${overlays}/prod/prod-patch.yaml`]: [
        ['spec:\n  template:', 'spec:\n  replica: 3\n  template:'],
        ['          resources:', '          securityContext:\n            privileged: true\n          resources:']
      ],
      // prod's images: entry sets a mutable tag; its inline JSON patch puts the pod on the host's network.
      [`${overlays}/prod/kustomization.yaml`]: [
        ['    newTag: v1.4.0', '    newTag: latest'],
        [
          '            value: prod\n',
          '            value: prod\n      - op: add\n        path: /spec/template/spec/hostNetwork\n        value: true\n'
        ]
      ],
      // A legacy patchesJson6902 file with a value of the wrong type.
      [`${overlays}/prod/grace-period.yaml`]: [['  value: 60', '  value: sixty']],
      // In the base, seen by every overlay.
      'apps/web/base/deployment.yaml': [['  replicas: 1\n', '  replicas: 1\n  revisionHistoryLimitt: 3\n']]
    }),
    unmatched: fixtureWithEdits(fixture, {
      [`${overlays}/staging/kustomization.yaml`]: [
        // The patch's target names a Deployment that does not exist: kustomize skips the patch.
        ['    target:\n      kind: Deployment\n      name: web\n', '    target:\n      kind: Deployment\n      name: web-api\n'],
        // A replacement whose target selects nothing.
        ['      - select:\n          kind: Deployment', '      - select:\n          kind: StatefulSet'],
        // An images: entry naming an image no container runs.
        ['  - name: ghcr.io/acme/web\n', '  - name: ghcr.io/acme/wbe\n']
      ],
      // A component's patch that selects nothing in any overlay that includes it.
      'apps/web/components/debug-sidecar/kustomization.yaml': [['app.kubernetes.io/name=web', 'app.kubernetes.io/name=webapp']]
    }),
    refused: fixtureWithEdits(fixture, {
      // kustomize's own "matches nothing" errors name an object, never a line.
      [`${overlays}/staging/kustomization.yaml`]: [['replicas:\n  - name: web', 'replicas:\n  - name: webb']],
      [`${overlays}/dev/kustomization.yaml`]: [['  - path: env-patch.yaml', '  - path: env-patch.yaml\n  - path: worker-patch.yaml']],
      [`${overlays}/prod/kustomization.yaml`]: [
        [
          'patchesJson6902:',
          'replacements:\n  - source:\n      kind: ConfigMap\n      name: web-settings\n      fieldPath: data.tier\n    targets:\n      - select:\n          kind: Deployment\n        fieldPaths:\n          - metadata.labels.tier\npatchesJson6902:'
        ]
      ]
    }),
    // Builtin transformer configs under transformers:, as podinfo's overlays list them: files and an inline block.
    transformers: fixtureWithEdits(fixture, {
      [`${overlays}/prod/kustomization.yaml`]: [
        [
          '    path: grace-period.yaml\n',
          '    path: grace-period.yaml\ntransformers:\n  - labels.yaml\n  - scale.yaml\n  - |-\n    apiVersion: builtin\n    kind: ImageTagTransformer\n    metadata:\n      name: pin-worker\n    imageTag:\n      name: ghcr.io/acme/wroker\n      newTag: 2.0.0\n'
        ]
      ]
    })
  }
  writeFiles(copies.transformers, {
    [`${overlays}/prod/labels.yaml`]:
      'apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: environment\nlabels:\n  app.kubernetes.io/environment: prod\nfieldSpecs:\n  - path: metadata/labels\n    create: true\n',
    // A PatchTransformer's patch file with a value of the wrong type, and one whose target names no Deployment.
    [`${overlays}/prod/scale.yaml`]:
      'apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: scale\npath: scale-patch.yaml\ntarget:\n  kind: Deployment\n  name: web\n---\napiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: api-timeout\npatch: |-\n  - op: add\n    path: /spec/progressDeadlineSeconds\n    value: 30\ntarget:\n  kind: Deployment\n  name: web-api\n',
    [`${overlays}/prod/scale-patch.yaml`]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n'
  })
  // A patch for a Deployment that dev does not have (its name is misspelt).
  writeFiles(copies.refused, {
    [`${overlays}/dev/worker-patch.yaml`]: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wokrer\nspec:\n  replicas: 2\n'
  })
  const fluxShapes = {
    helm: fixtureWithEdits(resolve(shapes, 'kustomize-helm'), {
      // production's values patch aims at a HelmRelease name that is not there: production runs staging's chart values.
      'apps/production/kustomization.yaml': [
        ['    target:\n      kind: HelmRelease\n', '    target:\n      kind: HelmRelease\n      name: podinfo-production\n']
      ],
      // A misspelt field in staging's values patch.
      'apps/staging/podinfo-values.yaml': [['  test:\n', '  tset:\n']]
    }),
    tenancy: fixtureWithEdits(resolve(shapes, 'multi-tenancy'), {
      // A tenant's patch sets a field of the wrong type.
      'tenants/staging/dev-team-patch.yaml': [['  path: ./staging\n', '  path: ./staging\n  prune: "yes"\n']]
    })
  }
  await Promise.all([
    ...Object.entries(copies).map(async ([name, repoRoot]) => {
      results[name as keyof typeof results] = await validateRepository({ repoRoot, checks: [...checks] })
    }),
    ...Object.entries(fluxShapes).map(async ([name, repoRoot]) => {
      results[name as keyof typeof results] = await validateRepository({ repoRoot, checks: CHECK_NAMES, repository: 'org/config-repo' })
    })
  ])
})

function located(result: ValidateResult): string[] {
  return result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.location?.file}:${f.location?.line}`)
}

test('the clean repository has no finding', () => {
  expect(located(results.clean)).toEqual([])
})

describe('a finding points at what wrote the value, and names the overlay', () => {
  test('each at its line', () => {
    expect(located(results.written)).toEqual([
      // Seen in all three overlays, written in the base: reported once, there.
      'error kustomize/unknown-field apps/web/base/deployment.yaml:9',
      'error kustomize/schema apps/web/overlays/prod/grace-period.yaml:3',
      'error policy/mutable-image-tag apps/web/overlays/prod/kustomization.yaml:10',
      'error policy/host-namespace apps/web/overlays/prod/kustomization.yaml:24',
      'error kustomize/unknown-field apps/web/overlays/prod/prod-patch.yaml:6',
      'error policy/privileged-container apps/web/overlays/prod/prod-patch.yaml:12'
    ])
  })

  test('the messages name the overlays they were seen in', () => {
    const messages = Object.fromEntries(
      results.written.findings.map((f) => [`${f.ruleId} ${f.location?.file}:${f.location?.line}`, f.message])
    )
    expect(messages['kustomize/unknown-field apps/web/base/deployment.yaml:9']).toBe(
      'Deployment/app-dev/web (from apps/web/overlays/dev, apps/web/overlays/prod and apps/web/overlays/staging): unknown field spec.revisionHistoryLimitt (did you mean revisionHistoryLimit?)'
    )
    expect(messages['policy/mutable-image-tag apps/web/overlays/prod/kustomization.yaml:10']).toBe(
      "Deployment/app-prod/web (from apps/web/overlays/prod): container 'web' image ghcr.io/acme/web:latest uses the mutable tag latest"
    )
    expect(messages['kustomize/unknown-field apps/web/overlays/prod/prod-patch.yaml:6']).toBe(
      'Deployment/app-prod/web (from apps/web/overlays/prod): unknown field spec.replica (did you mean replicas?)'
    )
  })
})

test('patches, replacements and images entries that select nothing are found at their line', () => {
  expect(located(results.unmatched)).toEqual([
    'error kustomize/unmatched-target apps/web/overlays/staging/kustomization.yaml:14',
    'error kustomize/unmatched-target apps/web/overlays/staging/kustomization.yaml:23',
    // Both overlays that include the component have no Deployment labelled webapp.
    'warning kustomize/unmatched-target apps/web/components/debug-sidecar/kustomization.yaml:9',
    'warning kustomize/unmatched-target apps/web/overlays/staging/kustomization.yaml:7'
  ])
  const messages = results.unmatched.findings.map((f) => f.message)
  expect(messages).toContain(
    "patches entry 'staging-values.yaml' targets {kind: Deployment, name: web-api} and matches nothing (from apps/web/overlays/staging): kustomize skips it without a word, so its changes are not in the render; the Deployment objects there: web"
  )
})

test('what a transformers: config wrote, or selects nothing with, is found at its line in the config', () => {
  expect(located(results.transformers)).toEqual([
    // The PatchTransformer's patch file, not the base's replicas: 1 or the overlay's replicas: entry.
    'error kustomize/schema apps/web/overlays/prod/scale-patch.yaml:6',
    // The second document of scale.yaml: its target.
    'error kustomize/unmatched-target apps/web/overlays/prod/scale.yaml:18',
    // The inline ImageTagTransformer's image, in the kustomization.
    'warning kustomize/unmatched-target apps/web/overlays/prod/kustomization.yaml:41'
  ])
  const messages = results.transformers.findings.map((f) => f.message)
  expect(messages).toContain(
    "PatchTransformer 'api-timeout' targets {kind: Deployment, name: web-api} and matches nothing (from apps/web/overlays/prod): kustomize skips it without a word, so its changes are not in the render; the Deployment objects there: web"
  )
  expect(messages).toContain(
    "ImageTagTransformer 'pin-worker' for image 'ghcr.io/acme/wroker' and matches nothing (from apps/web/overlays/prod): no container there runs that image, so the tag it sets is used nowhere"
  )
})

test("kustomize's own no-match errors are placed at the entry they concern", () => {
  expect(located(results.refused)).toEqual([
    'error kustomize/render apps/web/overlays/dev/kustomization.yaml:14',
    'error kustomize/render apps/web/overlays/prod/kustomization.yaml:26',
    'error kustomize/render apps/web/overlays/staging/kustomization.yaml:10'
  ])
})

describe("in the shapes of Flux's example repositories", () => {
  test('flux2-kustomize-helm-example: a values patch aimed at nothing, a typo in a values patch', () => {
    expect(located(results.helm).filter((f) => !f.startsWith('notice'))).toEqual([
      'error kustomize/unmatched-target apps/production/kustomization.yaml:8',
      'error kustomize/unknown-field apps/staging/podinfo-values.yaml:10'
    ])
  })

  test("flux2-multi-tenancy: a tenant patch's wrong type is at the patch", () => {
    expect(located(results.tenancy).filter((f) => !f.startsWith('notice'))).toEqual([
      'error kustomize/schema tenants/staging/dev-team-patch.yaml:8'
    ])
  })
})
