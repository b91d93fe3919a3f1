import type { Manifest } from '../manifests/manifest.js'
import { containersOf, field, isRecord, type Container, type ContainerRef, type PodSpec } from './pod-spec.js'
import { parseQuantity, quantityProblem, RESOURCE_NAMES, type ResourceName } from './quantity.js'

/** Quantities in nano-units per resource; a resource that is absent was not set. */
export type ResourceAmounts = Partial<Record<ResourceName, bigint>>

/** The defaults a namespace's LimitRange objects give containers that do not set their own. */
export interface ContainerDefaults {
  /** Default limits (`default`, else `max`). */
  limits: ResourceAmounts
  /** Default requests (`defaultRequest`, else the default limit). */
  requests: ResourceAmounts
  /** The LimitRange they come from, for messages. */
  source: Manifest | undefined
}

const NO_DEFAULTS: ContainerDefaults = { limits: {}, requests: {}, source: undefined }

/**
 * Container defaults per namespace, from `LimitRange` objects of type Container, applying the API's
 * own defaulting: an unset `defaultRequest` takes `default`, an unset `default` takes `max`. When a
 * namespace has several LimitRanges, the first that sets a resource wins.
 */
export function limitRangeDefaults(
  manifests: readonly Manifest[],
  namespaceOf: (manifest: Manifest) => string
): Map<string, ContainerDefaults> {
  const byNamespace = new Map<string, ContainerDefaults>()
  for (const manifest of manifests) {
    if (manifest.object.kind !== 'LimitRange') continue
    const limits = field(manifest.object, 'spec', 'limits')
    if (!Array.isArray(limits)) continue
    const namespace = namespaceOf(manifest)
    const defaults = byNamespace.get(namespace) ?? { limits: {}, requests: {}, source: manifest }
    for (const item of limits) {
      if (!isRecord(item) || item.type !== 'Container') continue
      for (const resource of RESOURCE_NAMES) {
        const limit = amount(field(item, 'default', resource)) ?? amount(field(item, 'max', resource))
        const request = amount(field(item, 'defaultRequest', resource)) ?? limit
        if (limit !== undefined && defaults.limits[resource] === undefined) defaults.limits[resource] = limit
        if (request !== undefined && defaults.requests[resource] === undefined) defaults.requests[resource] = request
      }
    }
    byNamespace.set(namespace, defaults)
  }
  return byNamespace
}

function amount(value: unknown): bigint | undefined {
  return value === undefined || quantityProblem(value) ? undefined : parseQuantity(value)
}

/** What a container ends up with once admitted, and where each value came from. */
export interface EffectiveResources {
  requests: ResourceAmounts
  limits: ResourceAmounts
  /** Resources whose request or limit came from a LimitRange rather than the container. */
  defaulted: { requests: ResourceName[]; limits: ResourceName[] }
}

/**
 * A container's requests and limits as the API server admits them: an unset request takes the
 * container's own limit (API defaulting), else the LimitRange default request; an unset limit takes
 * the LimitRange default. Values that are not valid quantities are treated as unset (the schema
 * check reports them).
 */
export function effectiveResources(container: Container, defaults: ContainerDefaults = NO_DEFAULTS): EffectiveResources {
  const result: EffectiveResources = { requests: {}, limits: {}, defaulted: { requests: [], limits: [] } }
  for (const resource of RESOURCE_NAMES) {
    const ownLimit = amount(field(container, 'resources', 'limits', resource))
    const ownRequest = amount(field(container, 'resources', 'requests', resource))
    const limit = ownLimit ?? defaults.limits[resource]
    const request = ownRequest ?? ownLimit ?? defaults.requests[resource]
    if (limit !== undefined) result.limits[resource] = limit
    if (request !== undefined) result.requests[resource] = request
    if (ownLimit === undefined && limit !== undefined) result.defaulted.limits.push(resource)
    if (ownRequest === undefined && ownLimit === undefined && request !== undefined) result.defaulted.requests.push(resource)
  }
  return result
}

/**
 * A pod's effective requests and limits by the Kubernetes rule (including sidecar init containers,
 * KEP-753): the larger of (a) the sum of app containers and all sidecars and (b) for each regular
 * init container, itself plus the sidecars started before it; plus `spec.overhead`. Ephemeral
 * containers have no resources.
 */
export function podResources(
  spec: PodSpec,
  defaults: ContainerDefaults = NO_DEFAULTS
): { requests: ResourceAmounts; limits: ResourceAmounts } {
  const containers = containersOf(spec, [])
  return {
    requests: podTotal(containers, defaults, 'requests', field(spec, 'overhead')),
    limits: podTotal(containers, defaults, 'limits', field(spec, 'overhead'))
  }
}

function podTotal(
  containers: readonly ContainerRef[],
  defaults: ContainerDefaults,
  which: 'requests' | 'limits',
  overhead: unknown
): ResourceAmounts {
  const total: ResourceAmounts = {}
  for (const resource of RESOURCE_NAMES) {
    let sidecars = 0n
    let initPeak = 0n
    let app = 0n
    let any = false
    for (const ref of containers) {
      if (ref.kind === 'ephemeralContainer') continue
      const value = effectiveResources(ref.container, defaults)[which][resource]
      if (value !== undefined) any = true
      const v = value ?? 0n
      if (ref.kind === 'container') app += v
      else if (ref.sidecar) sidecars += v
      else if (sidecars + v > initPeak) initPeak = sidecars + v
    }
    const extra = amount(field(overhead, resource))
    if (!any && extra === undefined) continue
    const steady = app + sidecars
    total[resource] = (steady > initPeak ? steady : initPeak) + (extra ?? 0n)
  }
  return total
}
