import type { Manifest } from '../manifests/manifest.js'
import { parseImageReference, type ImageReference } from '../tags/image-reference.js'
import type { YamlPath } from '../yaml-source.js'
import { field, isRecord, type ContainerRef, type PodSpec } from '../workloads/pod-spec.js'
import { effectiveResources, type ContainerDefaults } from '../workloads/resources.js'
import type { ResourceName } from '../workloads/quantity.js'

/** What a built-in rule looks at: one pod-bearing object, its pod spec and its containers. */
export interface PodTarget {
  manifest: Manifest
  spec: PodSpec
  specPath: YamlPath
  containers: ContainerRef[]
  /** LimitRange defaults of the object's namespace. */
  defaults: ContainerDefaults
}

/** One violation: the field at fault (or its nearest existing ancestor) and what is wrong. */
export interface Violation {
  path: YamlPath
  message: string
}

/** A built-in rule. Ids are stable: users configure, suppress and search by them. */
export interface BuiltinPolicyRule {
  id: string
  title: string
  check(target: PodTarget): Violation[]
}

const CAPABILITIES_ALLOWED_TO_ADD = new Set(['NET_BIND_SERVICE'])
const LONG_RUNNING = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'])

function describe(ref: ContainerRef): string {
  const kind = ref.kind === 'container' ? 'container' : ref.kind === 'initContainer' ? 'init container' : 'ephemeral container'
  return `${kind} '${ref.name}'`
}

/** A container's securityContext field, else the pod's (the container's value wins, as in Kubernetes). */
function effectiveSecurity(target: PodTarget, ref: ContainerRef, key: string): { value: unknown; path: YamlPath } {
  const own = field(ref.container, 'securityContext', key)
  if (own !== undefined) return { value: own, path: [...ref.path, 'securityContext', key] }
  const pod = field(target.spec, 'securityContext', key)
  if (pod !== undefined) return { value: pod, path: [...target.specPath, 'securityContext', key] }
  return { value: undefined, path: [...ref.path, 'securityContext'] }
}

function perContainer(
  target: PodTarget,
  filter: (ref: ContainerRef) => boolean,
  check: (ref: ContainerRef) => Violation | undefined
): Violation[] {
  return target.containers.filter(filter).flatMap((ref) => check(ref) ?? [])
}

const all = (): boolean => true
const withResources = (ref: ContainerRef): boolean => ref.kind !== 'ephemeralContainer'

function missingResources(target: PodTarget, which: 'requests' | 'limits'): Violation[] {
  const wanted: ResourceName[] = ['cpu', 'memory']
  return perContainer(target, withResources, (ref) => {
    const effective = effectiveResources(ref.container, target.defaults)[which]
    const missing = wanted.filter((resource) => effective[resource] === undefined)
    if (missing.length === 0) return undefined
    return {
      path: [...ref.path, 'resources'],
      message: `${describe(ref)} sets no ${missing.map((r) => `${r} ${which === 'requests' ? 'request' : 'limit'}`).join(' or ')}${target.defaults.source ? '' : ' and no LimitRange in its namespace gives a default'}`
    }
  })
}

function missingProbe(target: PodTarget, probe: 'readinessProbe' | 'livenessProbe'): Violation[] {
  if (!LONG_RUNNING.has(target.manifest.object.kind ?? '')) return []
  return perContainer(
    target,
    (ref) => ref.kind === 'container',
    (ref) => (isRecord(ref.container[probe]) ? undefined : { path: ref.path, message: `${describe(ref)} has no ${probe}` })
  )
}

function imageOf(ref: ContainerRef): ImageReference | undefined {
  if (typeof ref.container.image !== 'string') return undefined
  try {
    return parseImageReference(ref.container.image)
  } catch {
    return undefined // the kustomize check reports malformed references
  }
}

/** The built-in rules, on by default; docs/policy-rules.md explains each and its kube-linter and Polaris counterparts. */
export const BUILTIN_POLICY_RULES: readonly BuiltinPolicyRule[] = [
  {
    id: 'privileged-container',
    title: 'Privileged container',
    check: (target) =>
      perContainer(target, all, (ref) =>
        field(ref.container, 'securityContext', 'privileged') === true
          ? {
              path: [...ref.path, 'securityContext', 'privileged'],
              message: `${describe(ref)} runs privileged: it has every capability and the host's devices`
            }
          : undefined
      )
  },
  {
    id: 'host-namespace',
    title: "Shares the host's namespaces",
    check: (target) =>
      (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((key) => target.spec[key] === true)
        .map((key) => ({
          path: [...target.specPath, key],
          message: `${key}: true shares the node's ${key.slice(4)} namespace with the pod`
        }))
  },
  {
    id: 'host-path-volume',
    title: 'hostPath volume',
    check: (target) =>
      (Array.isArray(target.spec.volumes) ? target.spec.volumes : []).flatMap((volume, index) =>
        isRecord(volume) && volume.hostPath !== undefined
          ? [
              {
                path: [...target.specPath, 'volumes', index, 'hostPath'],
                message: `volume '${String(volume.name)}' mounts the node's ${String(field(volume, 'hostPath', 'path') ?? 'filesystem')}`
              }
            ]
          : []
      )
  },
  {
    id: 'host-port',
    title: 'hostPort',
    check: (target) =>
      target.containers.flatMap((ref) =>
        (Array.isArray(ref.container.ports) ? ref.container.ports : []).flatMap((port, index) =>
          isRecord(port) && port.hostPort !== undefined && port.hostPort !== 0
            ? [{ path: [...ref.path, 'ports', index, 'hostPort'], message: `${describe(ref)} binds host port ${String(port.hostPort)}` }]
            : []
        )
      )
  },
  {
    id: 'added-capabilities',
    title: 'Added Linux capabilities',
    check: (target) =>
      perContainer(target, all, (ref) => {
        const added = field(ref.container, 'securityContext', 'capabilities', 'add')
        const extra = (Array.isArray(added) ? added : [])
          .map(String)
          .filter((c) => !CAPABILITIES_ALLOWED_TO_ADD.has(c.replace(/^CAP_/, '')))
        return extra.length === 0
          ? undefined
          : {
              path: [...ref.path, 'securityContext', 'capabilities', 'add'],
              message: `${describe(ref)} adds capabilities ${extra.join(', ')} (only NET_BIND_SERVICE is allowed, as in the restricted Pod Security Standard)`
            }
      })
  },
  {
    id: 'privilege-escalation',
    title: 'allowPrivilegeEscalation not false',
    check: (target) =>
      perContainer(target, all, (ref) => {
        const value = field(ref.container, 'securityContext', 'allowPrivilegeEscalation')
        if (value === false) return undefined
        return value === true
          ? {
              path: [...ref.path, 'securityContext', 'allowPrivilegeEscalation'],
              message: `${describe(ref)} sets allowPrivilegeEscalation: true`
            }
          : {
              path: [...ref.path, 'securityContext'],
              message: `${describe(ref)} does not set allowPrivilegeEscalation: false (Kubernetes allows escalation by default)`
            }
      })
  },
  {
    id: 'run-as-root',
    title: 'May run as root',
    check: (target) =>
      perContainer(target, all, (ref) => {
        const nonRoot = effectiveSecurity(target, ref, 'runAsNonRoot')
        const user = effectiveSecurity(target, ref, 'runAsUser')
        if (user.value === 0) return { path: user.path, message: `${describe(ref)} sets runAsUser: 0 (root)` }
        if (nonRoot.value === true) return undefined
        if (typeof user.value === 'number' && user.value > 0) return undefined
        return nonRoot.value === false
          ? { path: nonRoot.path, message: `${describe(ref)} sets runAsNonRoot: false` }
          : { path: nonRoot.path, message: `${describe(ref)} may run as root: set runAsNonRoot: true (pod or container securityContext)` }
      })
  },
  {
    id: 'missing-seccomp-profile',
    title: 'No seccomp profile',
    check: (target) =>
      perContainer(target, all, (ref) => {
        const profile = effectiveSecurity(target, ref, 'seccompProfile')
        const type = field(profile.value, 'type')
        if (type === 'RuntimeDefault' || type === 'Localhost') return undefined
        return type === 'Unconfined'
          ? { path: [...profile.path, 'type'], message: `${describe(ref)} runs with seccompProfile Unconfined` }
          : {
              path: profile.path,
              message: `${describe(ref)} has no seccomp profile: set seccompProfile.type: RuntimeDefault (pod or container securityContext)`
            }
      })
  },
  {
    id: 'mutable-image-tag',
    title: 'latest or missing image tag',
    check: (target) =>
      perContainer(target, all, (ref) => {
        const image = imageOf(ref)
        if (!image || image.digest) return undefined
        if (image.tag === undefined) {
          return {
            path: [...ref.path, 'image'],
            message: `${describe(ref)} image ${String(ref.container.image)} has no tag, which means latest`
          }
        }
        return image.tag === 'latest'
          ? { path: [...ref.path, 'image'], message: `${describe(ref)} image ${String(ref.container.image)} uses the mutable tag latest` }
          : undefined
      })
  },
  { id: 'missing-requests', title: 'No CPU or memory requests', check: (target) => missingResources(target, 'requests') },
  { id: 'missing-limits', title: 'No CPU or memory limits', check: (target) => missingResources(target, 'limits') },
  { id: 'missing-readiness-probe', title: 'No readiness probe', check: (target) => missingProbe(target, 'readinessProbe') },
  { id: 'missing-liveness-probe', title: 'No liveness probe', check: (target) => missingProbe(target, 'livenessProbe') }
]
