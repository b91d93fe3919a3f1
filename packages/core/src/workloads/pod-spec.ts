import type { KubeObject } from '../manifests/manifest.js'
import type { YamlPath } from '../yaml-source.js'

/** Kinds whose objects carry a pod template, and where it is. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec']
}

/** The kinds that run pods (the checks' "pod-bearing kinds"). */
export const POD_BEARING_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS)

/** Loosely typed pod spec: the checks read only what they need and tolerate anything else. */
export type PodSpec = Record<string, unknown>
export type Container = Record<string, unknown>

export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer'

/** One container of a pod spec, with the path to it inside the object. */
export interface ContainerRef {
  container: Container
  kind: ContainerKind
  name: string
  /** e.g. ['spec','template','spec','initContainers',0] */
  path: YamlPath
  /** An init container with `restartPolicy: Always` runs beside the app containers for the pod's life. */
  sidecar: boolean
}

/** The pod spec of a pod-bearing object and its path, or undefined for other kinds or a missing spec. */
export function podSpecOf(object: KubeObject): { spec: PodSpec; path: YamlPath } | undefined {
  const path = object.kind === undefined ? undefined : POD_SPEC_PATHS[object.kind]
  if (!path) return undefined
  let node: unknown = object
  for (const key of path) {
    if (!isRecord(node)) return undefined
    node = node[key]
  }
  return isRecord(node) ? { spec: node, path } : undefined
}

const LISTS: ReadonlyArray<[string, ContainerKind]> = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer']
]

/** Every container of a pod spec: init containers, then app containers, then ephemeral containers. */
export function containersOf(spec: PodSpec, specPath: YamlPath): ContainerRef[] {
  const refs: ContainerRef[] = []
  for (const [field, kind] of LISTS) {
    const list = spec[field]
    if (!Array.isArray(list)) continue
    list.forEach((container, index) => {
      if (!isRecord(container)) return
      refs.push({
        container,
        kind,
        name: typeof container.name === 'string' ? container.name : `#${index}`,
        path: [...specPath, field, index],
        sidecar: kind === 'initContainer' && container.restartPolicy === 'Always'
      })
    })
  }
  return refs
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A nested field of loosely typed data, or undefined. */
export function field(value: unknown, ...path: string[]): unknown {
  let node = value
  for (const key of path) {
    if (!isRecord(node)) return undefined
    node = node[key]
  }
  return node
}
