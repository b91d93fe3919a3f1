import type { GitopsConfig } from './gitops-config.js'

/**
 * The Kubernetes version the clusters run: top-level `kubernetes.version` in gitops.yaml, and
 * `environments[].kubernetesVersion` for an environment whose cluster runs another one. Checks
 * that depend on what the API server serves (validate-manifests' removed APIs) judge each object
 * against the version of the cluster it goes to.
 */
export interface KubernetesConfig {
  /** The version (`v1.29`) of environments that do not set their own, and of roots outside any environment; undefined: not known. */
  version: string | undefined
}

/** A cluster's Kubernetes version as a check uses it. */
export interface ClusterVersion {
  /** `v1.29` (a patch release in gitops.yaml is dropped: API removals happen in minor releases). */
  version: string
  /** 29 */
  minor: number
  /** Where gitops.yaml sets it, for messages: `kubernetes.version` or `environments[prod].kubernetesVersion`. */
  setBy: string
}

export interface KubernetesInput {
  version?: string | number
}

// A YAML number (`1.30` reads as 1.3) is accepted by the schema only to be refused with a clear
// message by kubernetesVersionProblem(): the schema's "must be string" would not say why.
const VERSION_VALUE = { type: ['string', 'number'] } as const

export const kubernetesSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'The Kubernetes version the clusters run (checks judge removed APIs against it).',
  properties: { version: VERSION_VALUE }
} as const

/** The schema of `environments[].kubernetesVersion`. */
export const environmentKubernetesVersionSchema = VERSION_VALUE

const VERSION = /^v?1\.(0|[1-9][0-9]{0,2})(?:\.(0|[1-9][0-9]*))?$/

/** Why a gitops.yaml Kubernetes version is not one, or undefined when it is; `written` is the value's text in the file. */
export function kubernetesVersionProblem(value: unknown, written = String(value)): string | undefined {
  if (typeof value === 'number') {
    return `${written} is a YAML number (${value}): write the version quoted, "${written}"`
  }
  if (typeof value !== 'string' || !VERSION.test(value.trim())) {
    return `'${String(value)}' is not a Kubernetes version: write the cluster's minor release, e.g. "1.29" (v1.29 and 1.29.4 are accepted too)`
  }
  return undefined
}

/** `1.29`, `v1.29`, `1.29.4` → `v1.29`; undefined for anything else (see kubernetesVersionProblem). */
export function normalizeKubernetesVersion(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const match = VERSION.exec(value.trim())
  return match ? `v1.${match[1]}` : undefined
}

/** The minor number of a `v1.29` version (also of the `removedIn` releases of the removed-API table). */
export function kubernetesMinor(version: string): number {
  const match = /^v?1\.([0-9]+)/.exec(version)
  if (!match) throw new Error(`not a Kubernetes version: ${version}`)
  return Number(match[1])
}

export function completeKubernetes(input: KubernetesInput | undefined): KubernetesConfig {
  return { version: normalizeKubernetesVersion(input?.version) }
}

/**
 * The Kubernetes version of the cluster an environment deploys to: its own `kubernetesVersion`,
 * else gitops.yaml's `kubernetes.version`; undefined when neither is set. Objects outside any
 * environment (cluster-wide Flux roots) take `kubernetes.version`.
 */
export function clusterVersion(config: GitopsConfig, environment: string | undefined): ClusterVersion | undefined {
  const file = config.file ?? 'gitops.yaml'
  const own = environment === undefined ? undefined : config.environments.find((e) => e.name === environment)
  if (own?.kubernetesVersion) {
    return {
      version: own.kubernetesVersion,
      minor: kubernetesMinor(own.kubernetesVersion),
      setBy: `${file} environments[${own.name}].kubernetesVersion`
    }
  }
  const version = config.kubernetes.version
  return version === undefined ? undefined : { version, minor: kubernetesMinor(version), setBy: `${file} kubernetes.version` }
}
