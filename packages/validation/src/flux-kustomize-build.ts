import { isDeepStrictEqual } from 'node:util'
import {
  apiGroupOf,
  locationOf,
  manifestsFromYaml,
  parseYamlStream,
  toPlain,
  type Manifest,
  type SourceLocation,
  type YamlPath,
  type YamlSource
} from '@gitops-actions/core'
import type { FluxBuild } from '@gitops-actions/kustomize'
import { normalizeRepoPath } from './build-roots.js'
import { isClusterScoped, type FluxKustomization } from './flux.js'
import type { SourceFiles } from './source-files.js'

/**
 * What kustomize-controller adds to the build of each path a Flux Kustomization applies: its
 * `targetNamespace`, `namePrefix`/`nameSuffix`, `components`, `patches`, `images` and
 * `commonMetadata` (a home-ops cluster Kustomization patches
 * every child Kustomization with `decryption` and HelmRelease defaults; a tenant's Kustomization
 * puts everything in the tenant's namespace). The path is built with them by the real kustomize
 * (packages/kustomize flux-build.ts), so checks see what the cluster gets: the staging Deployment in
 * app-staging, the image Flux sets, the SOPS secrets of a child that a parent's patch makes decrypt.
 */
export interface PathBuild {
  build: FluxBuild
  /** The Kustomizations applying the path whose additions the build holds, for findings about what they wrote. */
  by: readonly FluxKustomization[]
}

type Field = keyof FluxBuild

/**
 * The build of each path that local Kustomizations apply with additions. A path applied by several
 * Kustomizations gets only what they all add alike: one that sets no targetNamespace beside one
 * that does means two different applies, and neither is the one render checked here.
 */
export function fluxBuilds(kustomizations: readonly FluxKustomization[]): Map<string, PathBuild> {
  const byPath = new Map<string, FluxKustomization[]>()
  for (const k of kustomizations) {
    if (k.path === undefined) continue
    byPath.set(k.path, [...(byPath.get(k.path) ?? []), k])
  }
  const result = new Map<string, PathBuild>()
  for (const [path, applying] of byPath) {
    const each = applying.map((k) => additionsOf(k, path))
    const build: FluxBuild = {}
    for (const field of ['namespace', 'components', 'patches', 'images', 'namePrefix', 'nameSuffix', 'commonMetadata'] as Field[]) {
      const values = each.map((additions) => additions[field])
      if (values[0] !== undefined && values.every((value) => isDeepStrictEqual(value, values[0])))
        Object.assign(build, { [field]: values[0] })
    }
    if (Object.keys(build).length > 0) result.set(path, { build, by: applying })
  }
  return result
}

/** Whether two builds of a path are the same. */
export function sameBuild(a: PathBuild | undefined, b: PathBuild | undefined): boolean {
  return isDeepStrictEqual(a?.build ?? {}, b?.build ?? {})
}

/**
 * Whether a build adds nothing to objects rendered without it: only a targetNamespace that every
 * namespaced object already has (an overlay that sets the same `namespace:`, as in the seed). A
 * render made before the Flux objects were read is then what Flux builds.
 */
export function addsNothing(build: PathBuild | undefined, objects: ReadonlyArray<{ object: Record<string, unknown> }>): boolean {
  if (!build) return true
  const { namespace, ...rest } = build.build
  if (Object.keys(rest).length > 0 || namespace === undefined) return false
  return objects.every(({ object }) => {
    const metadata = object.metadata as { namespace?: unknown } | undefined
    return metadata?.namespace === namespace || isClusterScoped(object.kind as string | undefined)
  })
}

/**
 * The paths of Kustomizations whose `spec.patches` patch Flux Kustomizations (a home-ops cluster
 * Kustomization giving every child `decryption` and HelmRelease defaults): their renders decide how
 * the children's paths are built, so they are built first and each child once.
 */
export function pathsPatchingKustomizations(kustomizations: readonly FluxKustomization[]): Set<string> {
  const paths = new Set<string>()
  for (const k of kustomizations) {
    const patches = (k.manifest.object.spec as { patches?: unknown } | undefined)?.patches
    if (k.path === undefined || !Array.isArray(patches)) continue
    const patchesKustomizations = patches.some((entry) => {
      const { patch, target } = (entry ?? {}) as { patch?: unknown; target?: { kind?: unknown } }
      return (
        target?.kind === 'Kustomization' ||
        (target?.kind === undefined && typeof patch === 'string' && /kind:\s*Kustomization\b/.test(patch))
      )
    })
    if (patchesKustomizations) paths.add(k.path)
  }
  return paths
}

function additionsOf(k: FluxKustomization, path: string): FluxBuild {
  const spec = (k.manifest.object.spec ?? {}) as Record<string, unknown>
  const additions: FluxBuild = {}
  if (typeof spec.targetNamespace === 'string' && spec.targetNamespace !== '') additions.namespace = spec.targetNamespace
  // Components are relative to spec.path; a path inside an artifact has no such place in the checkout.
  if (Array.isArray(spec.components) && spec.components.length > 0 && k.artifact === undefined) {
    const components = spec.components.filter((c): c is string => typeof c === 'string')
    additions.components = components.map((c) => normalizeRepoPath(`${path}/${c}`))
  }
  if (Array.isArray(spec.patches) && spec.patches.length > 0) additions.patches = spec.patches
  if (Array.isArray(spec.images) && spec.images.length > 0) additions.images = spec.images
  if (typeof spec.namePrefix === 'string' && spec.namePrefix !== '') additions.namePrefix = spec.namePrefix
  if (typeof spec.nameSuffix === 'string' && spec.nameSuffix !== '') additions.nameSuffix = spec.nameSuffix
  const metadata = spec.commonMetadata as { labels?: unknown; annotations?: unknown } | undefined
  const strings = (value: unknown): Record<string, string> | undefined =>
    value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
      ? Object.fromEntries(Object.entries(value).map(([key, v]) => [key, String(v)]))
      : undefined
  const labels = strings(metadata?.labels)
  const annotations = strings(metadata?.annotations)
  if (labels || annotations) additions.commonMetadata = { ...(labels && { labels }), ...(annotations && { annotations }) }
  return additions
}

/**
 * Findings about a value that a Kustomization's `spec.patches` or `spec.images` wrote belong at that
 * entry of the Kustomization, not at the base file the object came from: the manifests of a path
 * built with additions locate such fields there.
 */
export function locateFluxAdditions(manifests: readonly Manifest[], pathBuild: PathBuild | undefined, files: SourceFiles): Manifest[] {
  if (!pathBuild || (!pathBuild.build.patches && !pathBuild.build.images)) return [...manifests]
  const writers = pathBuild.by.flatMap((k) => writersOf(k, files))
  if (writers.length === 0) return [...manifests]
  return manifests.map((manifest) => {
    const mine = writers.filter((writer) => writer.applies(manifest))
    if (mine.length === 0) return manifest
    return {
      ...manifest,
      locate: (path: YamlPath, at?: 'value' | 'key') => {
        for (const writer of [...mine].reverse()) {
          const location = writer.locate(manifest, path, at)
          if (location) return location
        }
        return manifest.locate(path, at)
      }
    }
  })
}

interface Writer {
  applies(manifest: Manifest): boolean
  locate(manifest: Manifest, path: YamlPath, at?: 'value' | 'key'): SourceLocation | undefined
}

function writersOf(k: FluxKustomization, files: SourceFiles): Writer[] {
  const spec = (k.manifest.object.spec ?? {}) as { patches?: unknown; images?: unknown }
  const writers: Writer[] = []
  if (Array.isArray(spec.patches)) {
    for (const [index, entry] of spec.patches.entries()) {
      const writer = patchWriter(k.manifest, index, entry, files)
      if (writer) writers.push(writer)
    }
  }
  if (Array.isArray(spec.images)) {
    for (const [index, entry] of spec.images.entries()) {
      const writer = imageWriter(k.manifest, index, entry)
      if (writer) writers.push(writer)
    }
  }
  return writers
}

/** A `spec.patches` entry: a strategic merge patch or JSON 6902 operations, in a block under `patch:`. */
function patchWriter(kustomization: Manifest, index: number, entry: unknown, files: SourceFiles): Writer | undefined {
  if (!entry || typeof entry !== 'object') return undefined
  const { patch, target } = entry as { patch?: unknown; target?: Record<string, unknown> }
  if (typeof patch !== 'string') return undefined
  let documents: Manifest[]
  try {
    documents = manifestsFromYaml(patch, kustomization.location.file)
  } catch {
    documents = []
  }
  const operations = jsonOperations(patch)
  const at = kustomization.locate(['spec', 'patches', index, 'patch'])
  // A block scalar's text starts on the line after `patch: |`: line n of the text is at.line + n.
  const blockStart = /[|>][-+0-9]*\s*(#.*)?$/.test(files.text(at.file)?.split('\n')[(at.line ?? 1) - 1] ?? '') ? at.line : undefined
  const textLine = (line: number | undefined): SourceLocation =>
    blockStart !== undefined && line !== undefined ? { file: at.file, line: blockStart + line } : at
  const matchesTarget = (manifest: Manifest): boolean => {
    const object = manifest.object
    if (target && typeof target === 'object') {
      if (typeof target.kind === 'string' && target.kind !== object.kind) return false
      if (typeof target.group === 'string' && target.group !== apiGroupOf(object.apiVersion)) return false
      if (typeof target.name === 'string' && !matchesName(target.name, object.metadata?.name ?? '')) return false
      if (typeof target.namespace === 'string' && !matchesName(target.namespace, object.metadata?.namespace ?? '')) return false
      return true
    }
    return documents.some((d) => d.object.kind === object.kind && d.object.metadata?.name === object.metadata?.name)
  }
  return {
    applies: matchesTarget,
    locate(manifest, path) {
      if (operations) {
        const operation = operations.findLast((op) => op.path.length > 0 && startsWith(path, op.path))
        return operation ? textLine(operation.line) : undefined
      }
      const document = documents.find(
        (d) => target || (d.object.kind === manifest.object.kind && d.object.metadata?.name === manifest.object.metadata?.name)
      )
      if (!document || !has(document.object, path)) return undefined
      return textLine(document.locate(path).line)
    }
  }
}

/** An `images:` entry sets the image of every container whose image has its name. */
function imageWriter(kustomization: Manifest, index: number, entry: unknown): Writer | undefined {
  if (!entry || typeof entry !== 'object') return undefined
  const { name, newName, newTag, digest } = entry as Record<string, unknown>
  if (typeof name !== 'string') return undefined
  const written = typeof newName === 'string' ? newName : name
  const field = digest !== undefined ? 'digest' : newTag !== undefined ? 'newTag' : 'newName'
  const setsImage = (value: unknown) => typeof value === 'string' && imageName(value) === written
  return {
    applies: () => true,
    locate(manifest, path) {
      if (path[path.length - 1] !== 'image' || !setsImage(valueAt(manifest.object, path))) return undefined
      return kustomization.locate(['spec', 'images', index, field])
    }
  }
}

interface Operation {
  path: YamlPath
  /** Line of the operation in the patch text (1-based). */
  line: number
}

/** JSON 6902 operations, when the patch is a list of them. */
function jsonOperations(patch: string): Operation[] | undefined {
  let source: YamlSource | undefined
  try {
    source = parseYamlStream(patch, 'patch')[0]
  } catch {
    return undefined
  }
  const items = source ? toPlain(source) : undefined
  if (!Array.isArray(items) || !items.every((op) => op && typeof op === 'object' && 'op' in op)) return undefined
  return items.map((op: { path?: unknown }, index) => ({
    path:
      typeof op.path === 'string'
        ? op.path
            .split('/')
            .slice(1)
            .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
            .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
        : [],
    line: locationOf(source!, [index]).line ?? 1
  }))
}

function startsWith(path: YamlPath, prefix: YamlPath): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => String(path[index]) === String(key))
}

function has(object: unknown, path: YamlPath): boolean {
  let node: unknown = object
  for (const key of path) {
    if (!node || typeof node !== 'object' || !(String(key) in node)) return false
    node = (node as Record<string, unknown>)[String(key)]
  }
  return true
}

function valueAt(object: unknown, path: YamlPath): unknown {
  let node: unknown = object
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[String(key)]
  }
  return node
}

function imageName(image: string): string {
  const withoutDigest = image.split('@')[0]!
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/**
 * A target's name or namespace: kustomize reads it as a Go regular expression. Only the location of
 * findings depends on it here, so a pattern is taken to match rather than run (no user regex in
 * JavaScript's backtracking engine); a plain name must match exactly.
 */
function matchesName(pattern: string, value: string): boolean {
  return /[\\^$.|?*+()[\]{}]/.test(pattern) || pattern === value
}
