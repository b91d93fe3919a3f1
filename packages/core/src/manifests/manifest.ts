import { isMap } from 'yaml'
import type { SourceLocation } from '../source-location.js'
import { locationOf, parseYamlStream, toPlain, type YamlPath, type YamlSource } from '../yaml-source.js'

/** A Kubernetes object as plain data. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata?: {
    name?: string
    namespace?: string
    annotations?: Record<string, string>
    labels?: Record<string, string>
    [key: string]: unknown
  }
  [key: string]: unknown
}

/**
 * One object that a check looks at, with the way back to the user's file and line. Objects from a
 * kustomize render point at the file kustomize says they came from (origin annotations); objects
 * read directly point at their own document.
 */
export interface Manifest {
  object: KubeObject
  /** Where the object starts. */
  location: SourceLocation
  /** The build root (e.g. `apps/myapp/overlays/prod`) whose render produced it; the file itself when read directly. */
  root: string
  /** The environment of that root, when the gitops.yaml layout tells it. */
  environment?: string | undefined
  /**
   * The place of a field (e.g. ['spec','template','spec','containers',0,'image']), or of its nearest
   * ancestor; `'key'` places a map entry at its key's line (an unknown field whose value is a block).
   */
  locate(path: YamlPath, at?: 'value' | 'key'): SourceLocation
}

/** The API group of an apiVersion (`apps/v1` → `apps`; the core group `v1` → ''). */
export function apiGroupOf(apiVersion: unknown): string {
  const text = typeof apiVersion === 'string' ? apiVersion : ''
  const slash = text.lastIndexOf('/')
  return slash < 0 ? '' : text.slice(0, slash)
}

/** A stable identity for duplicate detection: group/kind/namespace/name. */
export function objectId(object: KubeObject): string {
  const group = apiGroupOf(object.apiVersion)
  return `${group}/${object.kind ?? '?'}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`
}

/** Human-readable `Kind/namespace/name` for messages. */
export function describeObject(object: KubeObject): string {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : ''
  return `${object.kind ?? '(no kind)'}/${ns}${object.metadata?.name ?? '(no name)'}`
}

/**
 * `describeObject`, and for an object a kustomize build produced, the build root it was seen in
 * (`Deployment/web (from apps/web/overlays/prod)`): a base's object is rendered once per overlay, and
 * a finding must say which one. An object read from its own file says nothing more.
 */
export function describeManifest(manifest: Manifest): string {
  const what = describeObject(manifest.object)
  if (manifest.root === manifest.location.file) return what
  return `${what} (from ${manifest.root === '' ? 'the repository root' : manifest.root})`
}

/** A Manifest for one parsed YAML document. */
export function manifestFromDocument(source: YamlSource, root: string, environment?: string): Manifest {
  return {
    object: (toPlain(source) ?? {}) as KubeObject,
    location: locationOf(source, []),
    root,
    environment,
    locate: (path, at) => locationOf(source, path, at)
  }
}

/** Every object of a YAML stream, each pointing at its own lines. `List` kinds are not expanded. */
export function manifestsFromYaml(text: string, file: string, root = file, environment?: string): Manifest[] {
  return parseYamlStream(text, file)
    .filter((source) => isMap(source.document.contents))
    .map((source) => manifestFromDocument(source, root, environment))
}
