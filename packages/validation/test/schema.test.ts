import { describe, expect, test } from 'vitest'
import { customSchemas, loadSchemas, validateObject } from '../src/schema.js'

const deployment = (spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, annotations: { 'any/key': 'x' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'ghcr.io/org/web:v1',
            ports: [{ containerPort: 8080, name: 'http' }],
            resources: { limits: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': 1 } },
            ...container
          }
        ],
        volumes: [{ name: 'tmp', emptyDir: {} }]
      }
    },
    ...spec
  }
})

const flux = (spec: Record<string, unknown>) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'apps', namespace: 'flux-system' },
  spec: { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, ...spec }
})

describe('validateObject: strict, offline', () => {
  test.each([
    ['a clean Deployment (maps, quantities, int-or-string)', deployment(), []],
    [
      'a clean Service with a named targetPort',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } },
      []
    ],
    ['a clean ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { any: 'key' } }, []],
    ['a Flux Kustomization with postBuild.substitute (a map)', flux({ postBuild: { substitute: { cluster: 'dev' } } }), []],
    [
      'a HelmRelease with free-form values',
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'r' },
        spec: {
          interval: '5m',
          chart: { spec: { chart: 'redis', sourceRef: { kind: 'HelmRepository', name: 'bitnami' } } },
          values: { anything: { goes: [1, 2] } }
        }
      },
      []
    ],
    ['spec.replica', deployment({ replica: 3 }), ['unknown-field spec.replica unknown field spec.replica (did you mean replicas?)']],
    [
      'a typo deep in a container',
      deployment({}, { imagePullPolcy: 'Always' }),
      [
        'unknown-field spec.template.spec.containers.0.imagePullPolcy unknown field spec.template.spec.containers.0.imagePullPolcy (did you mean imagePullPolicy?)'
      ]
    ],
    ['a wrong type', deployment({ replicas: 'two' }), ['invalid spec.replicas spec.replicas must be integer']],
    [
      'a missing required field',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ targetPort: 80 }] } },
      ['invalid spec.ports.0.port required field spec.ports.0.port is missing']
    ],
    ['an unknown field in a Flux object', flux({ prun: true }), ['unknown-field spec.prun unknown field spec.prun (did you mean prune?)']],
    ['no kind', { apiVersion: 'v1', metadata: { name: 'x' } }, ['missing-type  the object has no kind']],
    ['no apiVersion and no kind', { metadata: { name: 'x' } }, ['missing-type  the object has no apiVersion and no kind']],
    [
      'a misspelt core kind',
      { apiVersion: 'v1', kind: 'ConfigMapp', metadata: { name: 'x' } },
      ['unknown-kind kind v1 has no kind ConfigMapp; did you mean ConfigMap (v1)?']
    ],
    [
      'a custom resource without its CRD',
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } },
      [
        'no-schema apiVersion no schema for Widget (example.com/v1): its CustomResourceDefinition is not in this repository, so the object is not checked'
      ]
    ]
  ])('%s', async (_what, object, expected) => {
    await loadSchemas([object])
    expect(validateObject(object).map((p) => `${p.kind} ${p.path.join('.')} ${p.message}`)).toEqual(expected)
  })

  test('custom resources are checked against a CRD from the repository', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { size: { type: 'integer' }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }
                  }
                }
              }
            }
          },
          { name: 'v2' }
        ]
      }
    }
    const custom = customSchemas([crd])
    const widget = (apiVersion: string, spec: unknown) => ({ apiVersion, kind: 'Widget', metadata: { name: 'w' }, spec })
    expect(validateObject(widget('example.com/v1', { size: 2, extra: { free: true } }), custom)).toEqual([])
    expect(validateObject(widget('example.com/v1', { size: 'big', sise: 1 }), custom).map((p) => p.message)).toEqual([
      'spec.size must be integer',
      'unknown field spec.sise (did you mean size?)'
    ])
    expect(validateObject(widget('example.com/v2', {}), custom).map((p) => [p.kind, p.message])).toEqual([
      ['no-schema', 'the CustomResourceDefinition for example.com/v2/Widget has no schema, so Widget objects are not checked']
    ])
  })

  test("a CRD's schema may use the x-kubernetes-* extensions (as gotk-components.yaml does); a misspelt one is unknown", async () => {
    const spec = (extension: string) => ({
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'has(self.chart) || has(self.chartRef)', message: 'chart or chartRef' }],
      properties: {
        values: { type: 'object', [extension]: true },
        dependsOn: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
        maxHistory: { 'x-kubernetes-int-or-string': true }
      }
    })
    const version = (extension: string) => ({
      name: 'v2',
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: spec(extension) } } }
    })
    const crd = (extension: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'helmreleases.helm.toolkit.fluxcd.io' },
      spec: {
        group: 'helm.toolkit.fluxcd.io',
        names: { kind: 'HelmRelease', plural: 'helmreleases' },
        scope: 'Namespaced',
        versions: [version(extension)]
      }
    })
    await loadSchemas([crd('x')])
    expect(validateObject(crd('x-kubernetes-preserve-unknown-fields'))).toEqual([])
    expect(validateObject(crd('x-kubernetes-preserve-unknown-field')).map((p) => p.message)).toEqual([
      'unknown field spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.values.x-kubernetes-preserve-unknown-field (did you mean x-kubernetes-preserve-unknown-fields?)'
    ])
  })

  test("a kind of a fluxcd.io group that has no schema here (source-watcher's ArtifactGenerator) is not checked, not unknown", () => {
    const generator = { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator', metadata: { name: 'g' }, spec: {} }
    expect(validateObject(generator).map((p) => [p.kind, p.message])).toEqual([
      [
        'no-schema',
        'no schema for ArtifactGenerator (source.extensions.fluxcd.io/v1beta1): its CustomResourceDefinition is not in this repository, so the object is not checked'
      ]
    ])
    // A typo in one of Flux's own groups stays an error.
    expect(validateObject({ ...generator, apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepositry' }).map((p) => p.kind)).toEqual([
      'unknown-kind'
    ])
  })

  test('shapes learned from one object do not hide unknown fields in the next', async () => {
    await loadSchemas([deployment()])
    expect(validateObject(deployment())).toEqual([])
    const second = deployment({ strategy: { type: 'RollingUpdate', rollingUpdte: {} } })
    expect(validateObject(second).map((p) => p.path.join('.'))).toEqual(['spec.strategy.rollingUpdte'])
  })

  test('validators load per apiVersion, and validating before loading is a programming error that names the fix', async () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } } } }
    }
    expect(() => validateObject(cronJob)).toThrow('the batch/v1 validators are not loaded: await loadSchemas() before validateObject()')
    await loadSchemas([cronJob, { apiVersion: 'example.com/v1', kind: 'Widget' }, { kind: 'NoApiVersion' }])
    expect(validateObject(cronJob)).toEqual([])
    expect(validateObject({ ...cronJob, spec: { ...cronJob.spec, schedul: 'x' } }).map((p) => p.message)).toEqual([
      'unknown field spec.schedul (did you mean schedule?)'
    ])
  })
})
