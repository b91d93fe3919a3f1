import type { JSONSchemaType } from 'ajv'

/**
 * The `drift` section of gitops.yaml: which differences between neighbouring environments'
 * rendered overlays are expected, so that the drift report shows only the others.
 */
export interface DriftConfig {
  /**
   * Field paths whose differences are expected, by object kind (`*` for every kind). A path is
   * dot-separated keys; `[key]` holds a key with dots or names an item of a list of named
   * items (`spec.template.spec.containers[myapp].env[LOG_LEVEL].value`); `*` matches any one key.
   * A path covers everything below it (`data` covers every key of a ConfigMap).
   */
  expected: Record<string, string[]>
}

/**
 * Replicas, autoscaling bounds and config values differ between environments by design, and so
 * does the version label, which moves with the image tag.
 */
export const DEFAULT_DRIFT: DriftConfig = {
  expected: {
    '*': ['metadata.labels[app.kubernetes.io/version]', 'spec.template.metadata.labels[app.kubernetes.io/version]'],
    Deployment: ['spec.replicas'],
    StatefulSet: ['spec.replicas'],
    HorizontalPodAutoscaler: ['spec.minReplicas', 'spec.maxReplicas'],
    ConfigMap: ['data.*']
  }
}

/** One key (`replicas`) or a bracketed one (`[app.kubernetes.io/name]`, `[myapp]`, `[*]`). */
const SEGMENT = '(?:[^.\\[\\]\\s]+|\\[[^\\[\\]]+\\])'
export const DRIFT_PATH_PATTERN = `^${SEGMENT}(?:\\.[^.\\[\\]\\s]+|\\[[^\\[\\]]+\\])*$`

export const driftSchema: JSONSchemaType<{ expected?: Record<string, string[]> }> = {
  type: 'object',
  additionalProperties: false,
  description: 'Expected differences between neighbouring environments, left out of drift reports.',
  properties: {
    expected: {
      type: 'object',
      nullable: true,
      required: [],
      propertyNames: { pattern: '^(\\*|[A-Za-z][A-Za-z0-9]*)$', description: 'a kind (e.g. Deployment) or *' },
      additionalProperties: {
        type: 'array',
        items: { type: 'string', pattern: DRIFT_PATH_PATTERN, description: 'a field path such as spec.replicas or metadata.labels[app]' }
      }
    }
  }
}

/** The drift section with its default: a user's `drift.expected` replaces the default list whole. */
export function completeDrift(input: { expected?: Record<string, string[]> } | undefined): DriftConfig {
  return { expected: input?.expected ?? structuredClone(DEFAULT_DRIFT.expected) }
}

/** Splits a drift path into its keys: `a.b[c.d][*]` → ['a', 'b', 'c.d', '*']. */
export function driftPathKeys(path: string): string[] {
  return [...path.matchAll(/\[([^\]]+)\]|([^.[\]]+)/g)].map((m) => (m[1] ?? m[2])!)
}
