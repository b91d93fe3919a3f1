import { beforeAll, describe, expect, test } from 'vitest'
import { fileTree } from '../../../test/harness/file-tree.js'
import { validateRepository, type ValidateResult } from '../src/index.js'
import { loadSchemas, validateObject } from '../src/schema.js'

/**
 * False errors seen on vaskozl/home-infra, in its shape: a secretGenerator over a SOPS-encrypted
 * env file (Flux decrypts it), whose long values kustomize writes as base64 wrapped at 76 columns,
 * which the API server's decoder reads (every key was `must match format "byte"`); a fluent-bit
 * config with repeated keys that a configMapGenerator reads as data (a "duplicate key" that also
 * kept the whole cluster directory from being built); a SOPS-encrypted Secret in a directory that
 * no Flux Kustomization applies (nothing says how it is decrypted). And from Diaoul/home-ops: an
 * Alert watching the Flux Operator's FluxInstance, a kind the operator adds to Flux's CRDs.
 */

const ENCRYPTED = `ENC[AES256_GCM,data:${'q'.repeat(120)},iv:${'i'.repeat(43)}=,tag:${'t'.repeat(22)}==,type:str]`

const SOPS_SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: oidc
stringData:
  client-secret: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]
sops:
  lastmodified: "2025-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.10.2
`

let result: ValidateResult
beforeAll(async () => {
  const repoRoot = fileTree({
    'cluster/ai/rekon/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ai
resources:
  - configmap.yaml
secretGenerator:
  - name: rekon-env
    envs:
      - claude.enc.env
`,
    'cluster/ai/rekon/claude.enc.env': `LOG_LEVEL=info\nAUTH_SECRET=${ENCRYPTED}\nsops_mac=${ENCRYPTED}\nsops_version=3.10.2\n`,
    'cluster/ai/rekon/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rekon\ndata:\n  a: b\n',
    'cluster/logging/fluent-bit/kustomization.yaml':
      'namespace: logging\nconfigMapGenerator:\n  - name: fluent-bit-config\n    files:\n      - config/fluent-bit.yaml\n',
    'cluster/logging/fluent-bit/config/fluent-bit.yaml': `pipeline:
  filters:
    - name: modify
      match: kube.*
      rename: 'k_labels_app.kubernetes.io/instance app'
      rename: 'k_labels_app.kubernetes.io/name     app'
`,
    'cluster/argo-workflows/kustomization.yaml': 'namespace: argo-workflows\nresources:\n  - oidc-secret.enc.yaml\n',
    'cluster/argo-workflows/oidc-secret.enc.yaml': SOPS_SECRET,
    // Applied by Flux without decryption: the sops: block would reach the API server.
    'cluster/plain/kustomization.yaml': 'resources:\n  - secret.enc.yaml\n',
    'cluster/plain/secret.enc.yaml': SOPS_SECRET,
    'cluster/flux-system/plain.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: plain
  namespace: flux-system
spec:
  interval: 10m
  path: ./cluster/plain
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`
  })
  result = await validateRepository({ repoRoot, checks: ['kustomize'] })
})

describe('what the cluster accepts although the packaged schema does not say so', () => {
  test("a generated Secret's long values wrapped over lines, generator data and an unapplied SOPS secret: only the Secret Flux applies undecrypted is an error", () => {
    expect(result.roots.map((r) => [r.path, r.reasons.join('+'), r.objects])).toEqual([
      ['cluster/ai/rekon', 'discovered', 2],
      ['cluster/argo-workflows', 'discovered', 1],
      ['cluster/logging/fluent-bit', 'discovered', 1],
      ['cluster/plain', 'flux', 1]
    ])
    expect(result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.location?.file}:${f.location?.line}`)).toEqual([
      'error kustomize/unknown-field cluster/plain/secret.enc.yaml:7'
    ])
  })

  test('base64 that is wrong stays an error', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!\n' } }
    await loadSchemas([secret])
    expect(validateObject(secret).map((p) => p.message)).toEqual(['data.a must match format "byte"'])
  })

  test.each([
    ['FluxInstance', []],
    ['ResourceSet', []],
    ['FluxInstanse', ['spec.eventSources.0.kind must be one of:']]
  ])('an Alert watching %s', async (kind, messages) => {
    const alert = {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: 'alertmanager' },
      spec: { providerRef: { name: 'alertmanager' }, eventSources: [{ kind, name: '*' }] }
    }
    await loadSchemas([alert])
    expect(validateObject(alert).map((p) => p.message.slice(0, messages[0]?.length ?? 0))).toEqual(messages)
  })
})
