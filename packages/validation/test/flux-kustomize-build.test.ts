import { beforeAll, describe, expect, test } from 'vitest'
import { fileTree } from '../../../test/harness/file-tree.js'
import { ALIAS_BOMB } from '../../../test/harness/hostile-input.js'
import { CHECK_NAMES, validateRepository, type ValidateResult } from '../src/index.js'

/**
 * What kustomize-controller adds to a path's build, in the shape of bootstrapped home-operations
 * repositories (Diaoul/home-ops): the cluster Kustomization patches every child Kustomization with
 * `decryption` and HelmRelease defaults (`spec.patches`), each app's Kustomization takes shared
 * components and a targetNamespace, and an Alert watches the Flux Operator's FluxInstance. Checked
 * as written, every SOPS secret was an unknown `sops` field and the Alert a schema error.
 */

const CLUSTER_APPS = `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  patches:
    - # Defaults for every child Kustomization
      patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: _
        spec:
          decryption:
            provider: sops
          patches:
            - patch: |-
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata:
                  name: _
                spec:
                  maxHistory: 3
              target:
                group: helm.toolkit.fluxcd.io
                kind: HelmRelease
      target:
        group: kustomize.toolkit.fluxcd.io
        kind: Kustomization
`

function appKs(name: string, extra = ''): string {
  return `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
spec:
  path: ./kubernetes/apps/ai/${name}/app
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  components:
    - ../../../../components/cache
  prune: true
  interval: 1h
  postBuild:
    substitute:
      APP: ${name}
  targetNamespace: ai
${extra}`
}

function appFiles(name: string): Record<string, string> {
  return {
    [`kubernetes/apps/ai/${name}/app/kustomization.yaml`]: 'resources:\n  - ./secret.sops.yaml\n  - ./deployment.yaml\n',
    [`kubernetes/apps/ai/${name}/app/secret.sops.yaml`]: `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
stringData:
  TOKEN: ENC[AES256_GCM,data:bm90IGEgcmVhbCBzZWNyZXQ=,iv:aXY=,tag:dGFn,type:str]
sops:
  age:
    - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2025-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  encrypted_regex: ^(data|stringData)$
  version: 3.9.4
`,
    [`kubernetes/apps/ai/${name}/app/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: app
          image: ghcr.io/example/${name}:1.2.3
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          resources:
            requests: { cpu: 10m, memory: 64Mi }
            limits: { cpu: 100m, memory: 128Mi }
          livenessProbe: { httpGet: { path: /healthz, port: 8080 } }
          readinessProbe: { httpGet: { path: /readyz, port: 8080 } }
`
  }
}

const ALERT = `apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: alertmanager
spec:
  providerRef:
    name: alertmanager
  eventSeverity: error
  eventSources:
    - kind: FluxInstance
      name: "*"
    - kind: Kustomization
      name: "*"
`

function homeOps(overrides: Record<string, string> = {}): string {
  return fileTree({
    'kubernetes/flux/cluster/ks.yaml': CLUSTER_APPS,
    'kubernetes/apps/kustomization.yaml': 'resources:\n  - ./ai\n',
    'kubernetes/apps/ai/kustomization.yaml':
      'namespace: ai\ncomponents:\n  - ../../components/alerts\nresources:\n  - ./litellm/ks.yaml\n  - ./memini/ks.yaml\n',
    'kubernetes/components/alerts/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ./alert.yaml\n',
    'kubernetes/components/alerts/alert.yaml': ALERT,
    'kubernetes/components/cache/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ./configmap.yaml\n',
    'kubernetes/components/cache/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP}-cache\ndata:\n  size: "64"\n',
    'kubernetes/apps/ai/litellm/ks.yaml': appKs('litellm'),
    'kubernetes/apps/ai/memini/ks.yaml': appKs('memini'),
    ...appFiles('litellm'),
    // A SOPS-encrypted HelmRelease, read as written by flux-sync-validation: its sops: block is no unknown field.
    'kubernetes/apps/ai/litellm/app/kustomization.yaml':
      'resources:\n  - ./secret.sops.yaml\n  - ./deployment.yaml\n  - ./helmrelease.sops.yaml\n',
    'kubernetes/apps/ai/litellm/app/helmrelease.sops.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: litellm
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: litellm
  values:
    masterKey: ENC[AES256_GCM,data:a2V5,iv:aXY=,tag:dGFn,type:str]
sops:
  lastmodified: "2025-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  encrypted_regex: ^(masterKey)$
  version: 3.9.4
`,
    ...appFiles('memini'),
    ...overrides
  })
}

/**
 * A child Kustomization that sets an image and patches its Deployment privileged, both in its own
 * spec. The parent here patches in `decryption` only: a parent patch that sets `spec.patches`
 * replaces the child's list (a strategic merge without a schema replaces lists), as Flux does.
 */
const DEFECTS = {
  'kubernetes/flux/cluster/ks.yaml':
    CLUSTER_APPS.slice(0, CLUSTER_APPS.indexOf('          patches:\n')) +
    CLUSTER_APPS.slice(CLUSTER_APPS.indexOf('      target:\n        group: kustomize')),
  'kubernetes/apps/ai/memini/ks.yaml': appKs(
    'memini',
    `  images:
    - name: ghcr.io/example/memini
      newTag: latest
  patches:
    - patch: |-
        - op: add
          path: /spec/template/spec/containers/0/securityContext/privileged
          value: true
      target:
        kind: Deployment
        name: memini
`
  )
}

/** An alias bomb in a child's inline patch (issue 20): refused before kustomize runs, at the patch in the child's ks.yaml. */
const BOMB = {
  'kubernetes/flux/cluster/ks.yaml': DEFECTS['kubernetes/flux/cluster/ks.yaml'],
  'kubernetes/apps/ai/memini/ks.yaml': appKs(
    'memini',
    `  patches:
    - patch: |-
${ALIAS_BOMB.split('\n')
  .map((line) => `        ${line}`)
  .join('\n')}
      target:
        kind: ConfigMap
`
  )
}

/**
 * A child Kustomization that renames what it applies (namePrefix, nameSuffix) and labels it
 * (commonMetadata, as Diaoul/home-ops labels every app): its health checks name the renamed
 * Deployment; the second names it as written, which the cluster never has.
 */
const AFFIXED = {
  'kubernetes/apps/ai/memini/ks.yaml': appKs(
    'memini',
    `  namePrefix: ai-
  nameSuffix: -v2
  commonMetadata:
    labels:
      app.kubernetes.io/name: memini
  healthChecks:
    - apiVersion: apps/v1
      kind: Deployment
      name: ai-memini-v2
      namespace: ai
    - apiVersion: apps/v1
      kind: Deployment
      name: memini
      namespace: ai
`
  )
}

const results = {} as Record<'clean' | 'defects' | 'bomb' | 'affixed', ValidateResult>
beforeAll(async () => {
  const [clean, defects, bomb, affixed] = await Promise.all(
    [homeOps(), homeOps(DEFECTS), homeOps(BOMB), homeOps(AFFIXED)].map((repoRoot) =>
      validateRepository({ repoRoot, checks: CHECK_NAMES, repository: 'org/home-ops' })
    )
  )
  results.clean = clean!
  results.defects = defects!
  results.bomb = bomb!
  results.affixed = affixed!
})

function findings(result: ValidateResult, severity: string): string[] {
  return result.findings.filter((f) => f.severity === severity).map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}`)
}

describe('home-ops shape: each path built as kustomize-controller builds it', () => {
  test('the SOPS secrets of children that the parent patches to decrypt, and the FluxInstance alert: no error, no warning', () => {
    expect(findings(results.clean, 'error')).toEqual([])
    expect(findings(results.clean, 'warning')).toEqual([])
  })

  test("the children's components are built in; two children taking the same component share a kustomize call without a clash", () => {
    expect(results.clean.roots.map((r) => [r.path, r.objects])).toEqual([
      ['kubernetes/apps', 3],
      ['kubernetes/apps/ai/litellm/app', 4],
      ['kubernetes/apps/ai/memini/app', 3]
    ])
    expect(results.clean.stats.batchSplits).toBe(0)
    // The cluster Kustomization's path first, then every child once, with what the parent patched in.
    expect(results.clean.stats.renderCalls).toBeLessThanOrEqual(3)
  })

  test("a value that a Kustomization's spec.images or spec.patches writes is reported at that entry, in its targetNamespace", () => {
    expect(findings(results.defects, 'error')).toEqual([
      'policy/mutable-image-tag kubernetes/apps/ai/memini/ks.yaml:22',
      'policy/privileged-container kubernetes/apps/ai/memini/ks.yaml:25'
    ])
    // The message names the path it was built from.
    for (const finding of results.defects.findings)
      expect(finding.message).toMatch(/^Deployment\/ai\/memini \(from kubernetes\/apps\/ai\/memini\/app\): /)
  })

  test("an alias bomb in a Kustomization's inline patch is refused at that patch, the line a user edits", () => {
    const refused = results.bomb.findings.filter((f) => f.ruleId === 'kustomize/render')
    expect(refused.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['kubernetes/apps/ai/memini/ks.yaml:21'])
    expect(refused[0]!.message).toMatch(
      /^kubernetes\/apps\/ai\/memini\/app does not build: spec\.patches\[0\]\.patch expands YAML aliases too far/
    )
  })

  test("a Kustomization's namePrefix, nameSuffix and commonMetadata are built in: its health checks see the renamed objects", () => {
    expect(findings(results.affixed, 'error')).toEqual(['flux/health-check-missing kubernetes/apps/ai/memini/ks.yaml:30'])
    expect(findings(results.affixed, 'warning')).toEqual([])
  })
})
