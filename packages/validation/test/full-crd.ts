import { stringify } from 'yaml'

/**
 * CustomResourceDefinitions in the shape controller-gen writes them and `flux bootstrap` commits
 * them in gotk-components.yaml: a `description` on every schema node at every depth, `title`,
 * `default`, `enum`, `format`, `pattern`, `anyOf` for int-or-string, `x-kubernetes-*` markers,
 * `nullable`, `additionalProperties`, `items`, `example`, `externalDocs`, printer columns with
 * descriptions. The compact schemas below are written by us after the Flux APIs; fullCrd() adds
 * what the real files carry everywhere, so tests never see a trimmed CRD.
 */

type Node = Record<string, unknown>

/** Adds a description to every schema node, recursively through properties, items, additionalProperties and the combinators. */
export function describeEverywhere(node: Node, path = 'the object'): Node {
  const result: Node = {
    description: `${path[0]!.toUpperCase()}${path.slice(1)} as the API documents it.\nIt spans several lines, as the Go doc comments do.`,
    ...node
  }
  if (node.properties) {
    result.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, Node>).map(([name, child]) => [name, describeEverywhere(child, `${path}.${name}`)])
    )
  }
  if (node.items && typeof node.items === 'object') result.items = describeEverywhere(node.items as Node, `${path}[]`)
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    result.additionalProperties = describeEverywhere(node.additionalProperties as Node, `${path}.*`)
  }
  if (node.not) result.not = describeEverywhere(node.not as Node, `not ${path}`)
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(node[key])) result[key] = (node[key] as Node[]).map((child, i) => describeEverywhere(child, `${path} (${key} ${i})`))
  }
  return result
}

const duration = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' }
const localRef = { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, 'x-kubernetes-map-type': 'atomic' }
const crossRef = {
  type: 'object',
  required: ['kind', 'name'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string', enum: ['OCIRepository', 'GitRepository', 'Bucket', 'ExternalArtifact'] },
    name: { type: 'string', maxLength: 253, minLength: 1 },
    namespace: { type: 'string', maxLength: 63, minLength: 1 }
  }
}
const conditions = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time' },
      message: { type: 'string', maxLength: 32768 },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      type: {
        type: 'string',
        maxLength: 316,
        pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$'
      }
    }
  }
}
const status = {
  type: 'object',
  default: { observedGeneration: -1 },
  properties: {
    conditions,
    lastHandledReconcileAt: { type: 'string' },
    observedGeneration: { type: 'integer', format: 'int64' }
  }
}

/** Flux's main kinds, in the shape of their v1/v2 APIs (a subset of fields, every node as the real ones carry it). */
export const FLUX_SCHEMAS: Array<{ group: string; kind: string; plural: string; version: string; spec: Node }> = [
  {
    group: 'source.toolkit.fluxcd.io',
    kind: 'GitRepository',
    plural: 'gitrepositories',
    version: 'v1',
    spec: {
      type: 'object',
      required: ['interval', 'url'],
      properties: {
        interval: duration,
        url: { type: 'string', pattern: '^(http|https|ssh)://.*$' },
        ref: {
          type: 'object',
          properties: {
            branch: { type: 'string' },
            tag: { type: 'string' },
            semver: { type: 'string' },
            name: { type: 'string' },
            commit: { type: 'string' }
          }
        },
        secretRef: localRef,
        timeout: { ...duration, default: '60s' },
        ignore: { type: 'string', nullable: true },
        suspend: { type: 'boolean' },
        recurseSubmodules: { type: 'boolean' },
        include: {
          type: 'array',
          items: {
            type: 'object',
            required: ['repository'],
            properties: { repository: localRef, fromPath: { type: 'string' }, toPath: { type: 'string' } }
          }
        },
        verify: {
          type: 'object',
          required: ['secretRef'],
          properties: { mode: { type: 'string', default: 'HEAD', enum: ['head', 'HEAD', 'Tag', 'TagAndHEAD'] }, secretRef: localRef }
        },
        provider: { type: 'string', enum: ['generic', 'azure', 'github'] }
      },
      'x-kubernetes-validations': [
        {
          message: 'serviceAccountName can only be set when provider is azure',
          rule: "!has(self.serviceAccountName) || self.provider == 'azure'"
        }
      ]
    }
  },
  {
    group: 'kustomize.toolkit.fluxcd.io',
    kind: 'Kustomization',
    plural: 'kustomizations',
    version: 'v1',
    spec: {
      type: 'object',
      required: ['interval', 'prune', 'sourceRef'],
      properties: {
        interval: duration,
        path: { type: 'string' },
        prune: { type: 'boolean' },
        sourceRef: crossRef,
        targetNamespace: { type: 'string', maxLength: 63, minLength: 1 },
        dependsOn: {
          type: 'array',
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, namespace: { type: 'string' } } }
        },
        postBuild: {
          type: 'object',
          properties: {
            substitute: { type: 'object', additionalProperties: { type: 'string' } },
            substituteFrom: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kind', 'name'],
                properties: {
                  kind: { type: 'string', enum: ['Secret', 'ConfigMap'] },
                  name: { type: 'string' },
                  optional: { type: 'boolean', default: false }
                }
              }
            }
          }
        },
        patches: {
          type: 'array',
          items: {
            type: 'object',
            required: ['patch'],
            properties: {
              patch: { type: 'string' },
              target: {
                type: 'object',
                properties: {
                  group: { type: 'string' },
                  kind: { type: 'string' },
                  name: { type: 'string' },
                  labelSelector: { type: 'string' }
                }
              }
            }
          }
        },
        healthChecks: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'name'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              name: { type: 'string' },
              namespace: { type: 'string' }
            }
          }
        },
        timeout: { ...duration },
        wait: { type: 'boolean' },
        decryption: {
          type: 'object',
          required: ['provider'],
          properties: { provider: { type: 'string', enum: ['sops'] }, secretRef: localRef }
        }
      }
    }
  },
  {
    group: 'helm.toolkit.fluxcd.io',
    kind: 'HelmRelease',
    plural: 'helmreleases',
    version: 'v2',
    spec: {
      type: 'object',
      required: ['interval'],
      properties: {
        interval: duration,
        chart: {
          type: 'object',
          required: ['spec'],
          properties: {
            metadata: { type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string' } } } },
            spec: {
              type: 'object',
              required: ['chart', 'sourceRef'],
              properties: {
                chart: { type: 'string', maxLength: 2048, minLength: 1 },
                version: { type: 'string', default: '*' },
                sourceRef: {
                  ...crossRef,
                  properties: { ...crossRef.properties, kind: { type: 'string', enum: ['HelmRepository', 'GitRepository', 'Bucket'] } }
                },
                interval: duration
              }
            }
          }
        },
        chartRef: crossRef,
        releaseName: { type: 'string', maxLength: 53, minLength: 1 },
        targetNamespace: { type: 'string' },
        install: {
          type: 'object',
          properties: {
            createNamespace: { type: 'boolean' },
            crds: { type: 'string', enum: ['Skip', 'Create', 'CreateReplace'] },
            remediation: { type: 'object', properties: { retries: { type: 'integer' } } }
          }
        },
        maxHistory: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
        values: { 'x-kubernetes-preserve-unknown-fields': true },
        valuesFrom: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'name'],
            properties: {
              kind: { type: 'string', enum: ['Secret', 'ConfigMap'] },
              name: { type: 'string', maxLength: 253, minLength: 1 },
              valuesKey: { type: 'string', maxLength: 253, pattern: '^[\\-._a-zA-Z0-9]+$' },
              targetPath: { type: 'string', maxLength: 250, pattern: '^([a-zA-Z0-9_\\-.\\\\\\/]|\\[[0-9]{1,5}\\])+$' },
              optional: { type: 'boolean' }
            }
          }
        },
        postRenderers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kustomize: {
                type: 'object',
                properties: {
                  patches: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { patch: { type: 'string' }, target: { type: 'object', properties: { kind: { type: 'string' } } } }
                    }
                  }
                }
              }
            }
          }
        }
      },
      'x-kubernetes-validations': [
        {
          message: 'either chart or chartRef must be set',
          rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))'
        }
      ]
    }
  },
  {
    group: 'source.toolkit.fluxcd.io',
    kind: 'HelmRepository',
    plural: 'helmrepositories',
    version: 'v1',
    spec: {
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^(http|https|oci)://.*$' },
        interval: duration,
        type: { type: 'string', enum: ['default', 'oci'] },
        secretRef: localRef,
        certSecretRef: localRef,
        passCredentials: { type: 'boolean' },
        timeout: duration
      }
    }
  }
]

/** A CRD object as controller-gen writes it, for one schema of FLUX_SCHEMAS (or any of that shape). */
export function fullCrd(def: { group: string; kind: string; plural: string; version: string; spec: Node }): Record<string, unknown> {
  const openAPIV3Schema = describeEverywhere(
    {
      type: 'object',
      title: def.kind,
      externalDocs: { description: 'The API reference', url: `https://example.org/docs/${def.plural}` },
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: { ...def.spec, example: { interval: '10m' } },
        status
      },
      not: { required: ['status', 'spec'], properties: { spec: { type: 'null' } } }
    },
    def.kind
  )
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      annotations: { 'controller-gen.kubebuilder.io/version': 'v0.19.0' },
      labels: {
        'app.kubernetes.io/component': 'controller',
        'app.kubernetes.io/instance': 'flux-system',
        'app.kubernetes.io/part-of': 'flux'
      },
      name: `${def.plural}.${def.group}`
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        shortNames: [def.kind.slice(0, 2).toLowerCase()]
      },
      scope: 'Namespaced',
      versions: [
        {
          additionalPrinterColumns: [
            { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
            { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
            {
              jsonPath: '.status.conditions[?(@.type=="Ready")].message',
              name: 'Status',
              type: 'string',
              description: 'Why it is (not) ready',
              priority: 1
            }
          ],
          name: def.version,
          schema: { openAPIV3Schema },
          served: true,
          storage: true,
          subresources: { status: {} }
        }
      ]
    }
  }
}

/** gotk-components.yaml as `flux bootstrap` commits it: the Namespace, every CRD in full, a controller. */
export function gotkComponentsYaml(): string {
  const documents: unknown[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'flux-system',
        labels: { 'app.kubernetes.io/instance': 'flux-system', 'pod-security.kubernetes.io/warn': 'restricted' }
      }
    },
    ...FLUX_SCHEMAS.map(fullCrd),
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'flux-critical' },
      value: 1000000,
      globalDefault: false,
      description: 'Flux controllers keep running under node pressure.'
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'source-controller', namespace: 'flux-system', labels: { 'app.kubernetes.io/component': 'source-controller' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'source-controller' } },
        template: {
          metadata: { labels: { app: 'source-controller' } },
          spec: {
            priorityClassName: 'flux-critical',
            containers: [
              {
                name: 'manager',
                image: 'ghcr.io/fluxcd/source-controller:v1.7.0',
                args: ['--events-addr=http://notification-controller.flux-system.svc.cluster.local./', '--watch-all-namespaces=true'],
                ports: [{ containerPort: 9090, name: 'http', protocol: 'TCP' }],
                resources: { limits: { cpu: '1000m', memory: '1Gi' }, requests: { cpu: '50m', memory: '64Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  seccompProfile: { type: 'RuntimeDefault' }
                }
              }
            ]
          }
        }
      }
    }
  ]
  return (
    '---\n# This manifest was generated by flux. DO NOT EDIT.\n# Flux Version: v2.7.0\n# Components: source-controller,kustomize-controller,helm-controller,notification-controller\n' +
    documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')
  )
}
