import { describeObject, type KubeObject } from './manifest.js'

/** One container of a rendered object and the image it runs. */
export interface ContainerImage {
  /** `Kind/namespace/name` of the object. */
  object: string
  container: string
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  list: string
  image: string
  /** Path of the `image` field inside the object, for locating it. */
  path: Array<string | number>
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers']

/**
 * Every container image of an object, wherever its pod template sits (Pod, Deployment, Job,
 * CronJob, custom resources embedding a PodSpec).
 */
export function containerImages(object: KubeObject): ContainerImage[] {
  const found: ContainerImage[] = []
  const walk = (value: unknown, path: Array<string | number>) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i]))
      return
    }
    if (value === null || typeof value !== 'object') return
    for (const [key, child] of Object.entries(value)) {
      if (CONTAINER_LISTS.includes(key) && Array.isArray(child)) {
        child.forEach((container: unknown, i) => {
          const c = container as { name?: unknown; image?: unknown } | null
          if (c && typeof c.image === 'string') {
            found.push({
              object: describeObject(object),
              container: String(c.name ?? i),
              list: key,
              image: c.image,
              path: [...path, key, i, 'image']
            })
          }
        })
      } else walk(child, [...path, key])
    }
  }
  walk(object, [])
  return found
}

/** Splits an image reference as it appears in a manifest into name, tag and digest (no validation). */
export function splitImageReference(reference: string): { name: string; tag: string | undefined; digest: string | undefined } {
  let rest = reference
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  const colon = rest.indexOf(':', rest.lastIndexOf('/') + 1)
  return colon >= 0 ? { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest } : { name: rest, tag: undefined, digest }
}
