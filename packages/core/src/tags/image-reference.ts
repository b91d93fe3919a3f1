import { parameterError, UserError, type Subject } from '../errors.js'

/**
 * The grammar of distribution/reference (what every OCI registry and kustomize accept).
 * Tag: at most 128 characters, `[A-Za-z0-9_][A-Za-z0-9_.-]*`.
 */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/
const MAX_NAME_LENGTH = 255

export interface ImageReference {
  /** Registry host with optional port, when the name has one (`ghcr.io`, `localhost:5000`). */
  registry: string | undefined
  /** Repository path without the registry (`org/myapp`). */
  repository: string
  tag: string | undefined
  digest: string | undefined
}

/** Why a tag is invalid, or undefined when it is valid. */
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag is empty'
  if (tag.length > 128) return `the tag is ${tag.length} characters long; registries allow at most 128`
  if (!TAG.test(tag)) {
    const bad = [...tag].find((c, i) => !(i === 0 ? /[A-Za-z0-9_]/ : /[A-Za-z0-9_.-]/).test(c))
    return `the tag may only contain letters, digits, '_', '.' and '-' and must not start with '.' or '-' (found '${bad}')`
  }
  return undefined
}

export function isValidTag(tag: string): boolean {
  return tagProblem(tag) === undefined
}

/** Why an image name (without tag or digest) is invalid, or undefined. */
export function imageNameProblem(name: string): string | undefined {
  if (name === '') return 'the image name is empty'
  if (name.length > MAX_NAME_LENGTH) return `the image name is longer than ${MAX_NAME_LENGTH} characters`
  const parts = name.split('/')
  const first = parts[0]!
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (hasRegistry) {
    const [host, port, ...rest] = first.split(':')
    if (rest.length > 0 || !host!.split('.').every((c) => DOMAIN_COMPONENT.test(c)) || (port !== undefined && !/^\d+$/.test(port))) {
      return `'${first}' is not a valid registry host`
    }
  }
  const path = hasRegistry ? parts.slice(1) : parts
  const bad = path.find((component) => !COMPONENT.test(component))
  if (bad !== undefined) {
    return `'${bad}' is not a valid repository path component (lower-case letters, digits and single '.', '_', '__' or '-' separators)`
  }
  return undefined
}

/**
 * Parses `registry/path:tag@digest`; a UserError says what is wrong and names `what` (a text, or the
 * parameter the reference was given in, which the caller names).
 */
export function parseImageReference(reference: string, what: Subject = 'image reference'): ImageReference {
  const fail = (problem: string) =>
    typeof what === 'string'
      ? new UserError(`${what} '${reference}': ${problem}`)
      : parameterError(what.parameter, `'${reference}': ${problem}`)
  let rest = reference.trim()
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw fail(`'${digest}' is not a valid digest (expected e.g. sha256:<64 hex>)`)
  }
  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.indexOf(':', lastSlash + 1)
  if (colon >= 0) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    const problem = tagProblem(tag)
    if (problem) throw fail(problem)
  }
  const problem = imageNameProblem(rest)
  if (problem) throw fail(problem)
  const parts = rest.split('/')
  const first = parts[0]!
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')
  return {
    registry: hasRegistry ? first : undefined,
    repository: hasRegistry ? parts.slice(1).join('/') : rest,
    tag,
    digest
  }
}

/** Formats a reference back to text. */
export function formatImageReference(reference: ImageReference): string {
  let text = reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository
  if (reference.tag) text += `:${reference.tag}`
  if (reference.digest) text += `@${reference.digest}`
  return text
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

/**
 * An image name (no tag or digest) as the registry resolves it: Docker Hub's short forms spelt
 * out, so `nginx`, `library/nginx` and `docker.io/library/nginx` are one name, and
 * `kostiscodefresh/app` is `docker.io/kostiscodefresh/app`.
 */
export function canonicalImageName(name: string): string {
  const parts = name.split('/')
  const first = parts[0]!
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')
  const registry = !hasRegistry || DOCKER_HUB_HOSTS.has(first) ? 'docker.io' : first
  const path = hasRegistry ? parts.slice(1) : parts
  if (registry === 'docker.io' && path.length === 1) path.unshift('library')
  return `${registry}/${path.join('/')}`
}

/** True when two image names name the same repository (see canonicalImageName). */
export function sameImageName(a: string, b: string): boolean {
  return a === b || canonicalImageName(a) === canonicalImageName(b)
}

/** A set of image names that treats Docker Hub's spellings of one repository as one. */
export class ImageNameSet implements Iterable<string> {
  private readonly canonical = new Set<string>()
  /** The names as they were written, for messages and for kustomize, which matches them as written. */
  private readonly spellings = new Set<string>()
  constructor(names: Iterable<string> = []) {
    for (const name of names) this.add(name)
  }
  add(name: string): this {
    this.canonical.add(canonicalImageName(name))
    this.spellings.add(name)
    return this
  }
  has(name: string): boolean {
    return this.canonical.has(canonicalImageName(name))
  }
  [Symbol.iterator](): Iterator<string> {
    return this.spellings[Symbol.iterator]()
  }
}
