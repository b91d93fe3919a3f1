import { parseAllDocuments } from 'yaml'
import { describe, expect, test } from 'vitest'
import { customSchemas, hasSchema, isBuiltInGroup, loadSchemas, validateObject } from '../src/schema.js'
import { describeEverywhere, FLUX_SCHEMAS, fullCrd, gotkComponentsYaml } from './full-crd.js'

const problems = (object: Record<string, unknown>, custom?: Parameters<typeof validateObject>[1]) =>
  validateObject(object, custom).map((p) => `${p.kind} ${p.path.join('.')}: ${p.message}`)

describe('CustomResourceDefinitions as controller-gen and flux bootstrap write them', () => {
  test('the full gotk-components.yaml (a description on every schema node, every JSONSchemaProps field) has no problem', async () => {
    const objects = parseAllDocuments(gotkComponentsYaml()).map((d) => d.toJS() as Record<string, unknown>)
    const text = gotkComponentsYaml()
    // The fixture is what it claims: descriptions deep in the schemas, and the other JSONSchemaProps fields.
    expect(text).toMatch(/\n {26,}description: /)
    for (const field of [
      'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-int-or-string',
      'x-kubernetes-list-map-keys',
      'x-kubernetes-validations',
      'x-kubernetes-map-type',
      'externalDocs',
      'nullable',
      'title',
      'example',
      'anyOf',
      'not:',
      'default',
      'pattern',
      'format',
      'additionalProperties'
    ]) {
      expect(text).toContain(field)
    }
    await loadSchemas(objects)
    expect(objects.flatMap((object) => problems(object))).toEqual([])
  })

  test('an unknown field in a schema is still found at any depth, beside the descriptions', async () => {
    const crd = fullCrd(FLUX_SCHEMAS[1]!)
    await loadSchemas([crd])
    const versions = (crd.spec as { versions: Array<{ schema: { openAPIV3Schema: Record<string, any> } }> }).versions
    const schema = versions[0]!.schema.openAPIV3Schema
    schema.properties.spec.properties.postBuild.properties.substituteFrom.items.properties.optional.descripton = 'typo'
    schema.properties.spec.properties.dependsOn['x-kubernetes-list-typ'] = 'map'
    expect(problems(crd)).toEqual([
      'unknown-field spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.dependsOn.x-kubernetes-list-typ: unknown field spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.dependsOn.x-kubernetes-list-typ (did you mean x-kubernetes-list-type?)',
      'unknown-field spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.postBuild.properties.substituteFrom.items.properties.optional.descripton: unknown field spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.postBuild.properties.substituteFrom.items.properties.optional.descripton (did you mean description?)'
    ])
    // The x-kubernetes-* markers belong to schemas, not to every object of a CRD.
    const clean = fullCrd(FLUX_SCHEMAS[1]!)
    const names = { ...(clean.spec as Record<string, any>).names, 'x-kubernetes-map-type': 'atomic' }
    expect(problems({ ...clean, spec: { ...(clean.spec as object), names } })).toEqual([
      'unknown-field spec.names.x-kubernetes-map-type: unknown field spec.names.x-kubernetes-map-type'
    ])
  })

  test.each<[string, Record<string, any>, string[]]>([
    [
      'a PriorityClass',
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 10, description: 'why' },
      []
    ],
    [
      'a GatewayClass',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'g' },
        spec: { controllerName: 'example.com/gw', description: 'why' }
      },
      ['spec']
    ],
    [
      'an Argo CD AppProject',
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: { description: 'why', sourceRepos: ['*'] } },
      ['spec']
    ]
  ])('%s may have the description field the models leave out of their validators', async (_what, object, at) => {
    await loadSchemas([object])
    expect(problems(object)).toEqual([])
    const typo = structuredClone(object)
    const holder = at.reduce((o: Record<string, any>, key) => o[key], typo)
    holder.descripton = holder.description
    delete holder.description
    const field = [...at, 'descripton'].join('.')
    expect(problems(typo)).toEqual([`unknown-field ${field}: unknown field ${field} (did you mean description?)`])
  })
})

describe('custom resources against a CRD schema', () => {
  const widgets = fullCrd({
    group: 'example.com',
    kind: 'Widget',
    plural: 'widgets',
    version: 'v1',
    spec: {
      type: 'object',
      properties: {
        port: { 'x-kubernetes-int-or-string': true },
        size: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, pattern: '^(?i)[0-9]+(m|g)$' },
        values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        workload: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } }
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        owner: { type: 'string', nullable: true },
        limits: { type: 'object', properties: { cpu: { type: 'string' } } }
      }
    }
  })
  const custom = customSchemas([widgets])
  const widget = (spec: Record<string, unknown>) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { a: 'b' } },
    spec
  })

  test('the structural markers are honoured', () => {
    const good = widget({
      port: 'http',
      size: 3,
      values: { anything: { goes: [1] } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { whatever: true } },
      workload: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { x: 'y' } }, spec: { replicas: 2 } },
      labels: { team: 'a', tier: 'b' },
      owner: null,
      // Not nullable: the API server prunes the null before it validates.
      limits: null
    })
    expect(problems(good, custom)).toEqual([])
  })

  test('what the schema refuses is found at its path', () => {
    const bad = widget({
      port: 1.5,
      size: true,
      workload: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replica: 2 } },
      labels: { team: 1 },
      limits: { cpus: '1' },
      colour: 'red'
    })
    expect(problems(bad, custom)).toEqual([
      'invalid spec.size: spec.size must be integer or string',
      'invalid spec.labels.team: spec.labels.team must be string',
      'invalid spec.port: spec.port must be an integer or a string',
      'unknown-field spec.workload.spec.replica: unknown field spec.workload.spec.replica (did you mean replicas?)',
      'unknown-field spec.limits.cpus: unknown field spec.limits.cpus (did you mean cpu?)',
      'unknown-field spec.colour: unknown field spec.colour'
    ])
  })

  test("another project's CRD in the repository, or one given in gitops.yaml, goes before its packaged model: it is the release the cluster runs", async () => {
    const certificates = fullCrd({
      group: 'cert-manager.io',
      kind: 'Certificate',
      plural: 'certificates',
      version: 'v1',
      spec: {
        type: 'object',
        properties: {
          secretName: { type: 'string' },
          issuerRef: { type: 'object', properties: { name: { type: 'string' } } },
          newField: { type: 'string' }
        }
      }
    })
    const certificate = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'c' },
      spec: { secretName: 's', issuerRef: { name: 'ca' }, newField: 'x' }
    }
    await loadSchemas([certificate])
    // The packaged model (older than that release) alone: unknown, and said to be the package's verdict.
    expect(validateObject(certificate)).toEqual([
      expect.objectContaining({ kind: 'unknown-field', path: ['spec', 'newField'], catalog: '@kubernetes-models/cert-manager@6.0.0' })
    ])
    expect(problems(certificate, customSchemas([certificates]))).toEqual([])
    expect(problems(certificate, customSchemas([certificates], { explicit: true }))).toEqual([])
  })

  test("a trimmed copy of Flux's CRD in the repository does not hide the packaged schema's checks; one given in gitops.yaml replaces it", async () => {
    const trimmed = fullCrd({
      group: 'kustomize.toolkit.fluxcd.io',
      kind: 'Kustomization',
      plural: 'kustomizations',
      version: 'v1',
      spec: {
        type: 'object',
        properties: { path: { type: 'string' }, intervall: { type: 'string' }, prune: { type: 'boolean' }, sourceRef: { type: 'object' } }
      }
    })
    const kustomization = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      spec: { intervall: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } }
    }
    await loadSchemas([kustomization])
    const found = validateObject(kustomization, customSchemas([trimmed]))
    expect(found.map((p) => [p.kind, p.path.join('.'), p.catalog])).toContainEqual(['unknown-field', 'spec.intervall', undefined])
    expect(problems(kustomization, customSchemas([trimmed], { explicit: true }))).toEqual([])
  })
})

describe('API groups: only what Kubernetes itself serves is built in', () => {
  test.each([
    ['v1', true],
    ['apps/v1', true],
    ['networking.k8s.io/v1', true],
    ['rbac.authorization.k8s.io/v1', true],
    ['source.toolkit.fluxcd.io/v1', true],
    ['gateway.networking.k8s.io/v1', false],
    ['snapshot.storage.k8s.io/v1', false],
    ['metrics.k8s.io/v1beta1', false],
    ['policy.networking.k8s.io/v1alpha1', false],
    ['multicluster.x-k8s.io/v1alpha1', false],
    ['cert-manager.io/v1', false]
  ])('%s: %s', (apiVersion, builtIn) => {
    expect(isBuiltInGroup(apiVersion)).toBe(builtIn)
  })

  test.each([
    ['snapshot.storage.k8s.io/v1', 'VolumeSnapshot'],
    ['metrics.k8s.io/v1beta1', 'PodMetrics'],
    ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy'],
    ['multicluster.x-k8s.io/v1alpha1', 'ServiceExport'],
    // A kind or version newer than the packaged models: not checked, not an error.
    ['gateway.networking.k8s.io/v1', 'FutureRoute'],
    ['gateway.networking.k8s.io/v9', 'HTTPRoute']
  ])('%s %s has no schema: a warning, not an error', async (apiVersion, kind) => {
    const object = { apiVersion, kind, metadata: { name: 'x' }, spec: {} }
    await loadSchemas([object])
    expect(validateObject(object).map((p) => p.kind)).toEqual(['no-schema'])
  })
})

describe("kinds whose packaged schema needs Go's regular expressions", () => {
  test('a PrometheusRule is not checked, and the warning says why and how to check it; its CRD in the repository checks it', async () => {
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'Down', expr: 'up == 0' }] }], grups: [] }
    }
    await loadSchemas([rule])
    expect(problems(rule)).toEqual([
      "no-schema apiVersion: no schema for PrometheusRule (monitoring.coreos.com/v1): @kubernetes-models/prometheus-operator@6.0.0 gives it one only with Go's regular expressions, which validate-manifests cannot run, so the object is not checked (commit its CustomResourceDefinition, or list it in gitops.yaml schemas.crds, to check it)"
    ])
    const crd = fullCrd({
      group: 'monitoring.coreos.com',
      kind: 'PrometheusRule',
      plural: 'prometheusrules',
      version: 'v1',
      spec: {
        type: 'object',
        properties: { groups: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }
      }
    })
    expect(problems(rule, customSchemas([crd]))).toEqual(['unknown-field spec.grups: unknown field spec.grups (did you mean groups?)'])
  })
})

describe('packaged schemas of the custom resources platform teams use most', () => {
  const route = (rule: Record<string, unknown>) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'app' },
    spec: {
      parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }],
      hostnames: ['web.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }], ...rule }]
    }
  })

  test.each<[string, Record<string, unknown>, string[]]>([
    ['a valid HTTPRoute', route({}), []],
    [
      'an HTTPRoute with a typo',
      route({ timeout: { request: '10s' } }),
      ['unknown-field spec.rules.0.timeout: unknown field spec.rules.0.timeout (did you mean timeouts?)']
    ],
    [
      'a Gateway',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'public' },
        spec: {
          gatewayClassName: 'cilium',
          listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, allowedRoutes: { namespaces: { from: 'All' } } }]
        }
      },
      []
    ],
    [
      'a GRPCRoute',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GRPCRoute',
        metadata: { name: 'g' },
        spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'grpc', port: 9000 }] }] }
      },
      []
    ],
    [
      'a ReferenceGrant',
      {
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: 'r' },
        spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'app' }], to: [{ group: '', kind: 'Service' }] }
      },
      []
    ],
    [
      'a cert-manager Certificate with a typo',
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'c' },
        spec: { secretName: 'tls', dnsName: ['a.example.com'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } }
      },
      ['unknown-field spec.dnsName: unknown field spec.dnsName (did you mean dnsNames?)']
    ],
    [
      'a ServiceMonitor',
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 's' },
        spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'http', interval: '30s' }] }
      },
      []
    ],
    [
      'an Argo CD Application and an Argo Rollout share argoproj.io/v1alpha1',
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'a' },
        spec: {
          project: 'default',
          source: { repoURL: 'https://example.com/r.git', path: 'apps', targetRevision: 'HEAD' },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'a' }
        }
      },
      []
    ],
    [
      'an ExternalSecret with a wrong type',
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'e' },
        spec: { refreshInterval: 1, secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, target: { name: 't' } }
      },
      ['invalid spec.refreshInterval: spec.refreshInterval must be string']
    ]
  ])('%s', async (_what, object, expected) => {
    expect(hasSchema(String(object.apiVersion), String(object.kind))).toBe(true)
    await loadSchemas([object])
    expect(problems(object)).toEqual(expected)
  })

  test('a Rollout loads beside an Application of the same apiVersion', async () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'r' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'r' } },
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'r' }
      }
    }
    await loadSchemas([rollout])
    expect(problems(rollout)).toEqual([])
    expect(problems({ ...rollout, spec: { ...rollout.spec, strategy: { canary: { step: [] } } } })).toEqual([
      'unknown-field spec.strategy.canary.step: unknown field spec.strategy.canary.step (did you mean steps?)'
    ])
  })

  test('describeEverywhere leaves no schema node without a description', () => {
    const walk = (node: Record<string, any>): number =>
      (node.description ? 0 : 1) +
      Object.values((node.properties as Record<string, any>) ?? {}).reduce((n: number, child) => n + walk(child), 0) +
      (node.items ? walk(node.items) : 0)
    expect(walk(describeEverywhere(FLUX_SCHEMAS[2]!.spec))).toBe(0)
  })
})
