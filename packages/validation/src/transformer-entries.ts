import { posix } from 'node:path'
import { isScalar, Scalar } from 'yaml'
import {
  isUserError,
  locationOf,
  parseYamlStream,
  toPlain,
  type SourceLocation,
  type YamlPath,
  type YamlSource
} from '@gitops-actions/core'
import type { Kustomization } from './kustomization.js'
import { readSelector, type Selector } from './kustomize-selector.js'
import type { SourceFiles } from './source-files.js'

/**
 * What a kustomization changes in the objects it builds, entry by entry, in the order kustomize
 * applies them (patches, legacy patchesStrategicMerge and patchesJson6902, namespace, name
 * prefix/suffix, replicas, images, replacements), each with the line it is written at. Provenance
 * reads them to find which entry wrote a value; the unmatched-target check, to find entries that
 * select nothing.
 */

/** One document of a strategic-merge patch, or one operation of a JSON 6902 patch, with its lines. */
export interface PatchDocument {
  value: unknown
  locate(path: YamlPath, at?: 'value' | 'key'): SourceLocation
}

export interface JsonOperation {
  op: string
  /** The JSON pointer's segments, unescaped. */
  path: string[]
  value: unknown
  /** The place of a path inside `value` (the operation's own line when there is no value). */
  locate(path: YamlPath, at?: 'value' | 'key'): SourceLocation
}

export type PatchBody = { format: 'strategic-merge'; documents: PatchDocument[] } | { format: 'json6902'; operations: JsonOperation[] }

export interface PatchEntry {
  type: 'patch'
  /** `patches`, `patchesStrategicMerge` or `patchesJson6902`. */
  field: string
  index: number
  /** The entry in the kustomization. */
  location: SourceLocation
  target: Selector | undefined
  /** Where the target is written (the entry when there is none). */
  targetLocation: SourceLocation
  /** The patch file, for a `path:` entry. */
  file: string | undefined
  /** Parsed on first use; undefined when it cannot be read (reported elsewhere). */
  body(): PatchBody | undefined
}

export interface ImageTransform {
  type: 'image'
  name: string
  newName: string | undefined
  /** Whether it sets the tag or digest (an entry that only renames leaves them to others). */
  setsTag: boolean
  /** The value it sets (newTag, else digest, else newName). */
  location: SourceLocation
  /** The entry itself. */
  entryLocation: SourceLocation
}

export interface ReplicasTransform {
  type: 'replicas'
  name: string
  /** Its count. */
  location: SourceLocation
  entryLocation: SourceLocation
}

export interface ReplacementTarget {
  select: Selector | undefined
  reject: Selector[]
  fieldPaths: Array<{ path: string; location: SourceLocation }>
  location: SourceLocation
}

export interface ReplacementEntry {
  type: 'replacement'
  index: number
  location: SourceLocation
  source: Selector | undefined
  targets: ReplacementTarget[]
}

export interface NamespaceTransform {
  type: 'namespace'
  namespace: string
  location: SourceLocation
}

export interface NameAffix {
  type: 'name-affix'
  prefix: string
  suffix: string
}

export type TransformerEntry = PatchEntry | ImageTransform | ReplicasTransform | ReplacementEntry | NamespaceTransform | NameAffix

/** Kinds whose spec.replicas kustomize's `replicas:` sets. */
export const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']

/** Reads and caches the entries of kustomizations and the patches they name, once per run. */
export class TransformerEntries {
  private readonly byFile = new Map<string, TransformerEntry[]>()
  private readonly patchFiles = new Map<string, PatchBody | undefined>()

  constructor(private readonly files: SourceFiles) {}

  of(kustomization: Kustomization): TransformerEntry[] {
    let entries = this.byFile.get(kustomization.file)
    if (!entries) this.byFile.set(kustomization.file, (entries = this.read(kustomization)))
    return entries
  }

  private read(kustomization: Kustomization): TransformerEntry[] {
    const { source } = kustomization
    const data = (toPlain(source) ?? {}) as Record<string, unknown>
    const list = (key: string): unknown[] => (Array.isArray(data[key]) ? (data[key] as unknown[]) : [])
    const at = (path: YamlPath, place?: 'key') => locationOf(source, path, place)
    const entries: TransformerEntry[] = []
    const patch = (field: string, index: number, entry: { path?: unknown; patch?: unknown; target?: unknown }): void => {
      const base = [field, index]
      const file =
        typeof entry.path === 'string' && entry.path !== '' ? posix.normalize(posix.join(kustomization.dir || '.', entry.path)) : undefined
      const inline = typeof entry.patch === 'string' ? entry.patch : undefined
      entries.push({
        type: 'patch',
        field,
        index,
        location: at(file ? [...base, 'path'] : base),
        target: readSelector(entry.target),
        targetLocation: entry.target ? at([...base, 'target'], 'key') : at(base),
        file,
        body: file
          ? () => this.patchFile(file)
          : once(() => (inline !== undefined ? inlinePatch(source, [...base, 'patch'], inline) : undefined))
      })
    }
    list('patches').forEach((entry, index) => {
      if (entry && typeof entry === 'object') patch('patches', index, entry)
    })
    list('patchesStrategicMerge').forEach((entry, index) => {
      if (typeof entry !== 'string') return
      if (entry.includes('\n')) {
        entries.push({
          type: 'patch',
          field: 'patchesStrategicMerge',
          index,
          location: at(['patchesStrategicMerge', index]),
          target: undefined,
          targetLocation: at(['patchesStrategicMerge', index]),
          file: undefined,
          body: once(() => inlinePatch(source, ['patchesStrategicMerge', index], entry))
        })
      } else patch('patchesStrategicMerge', index, { path: entry })
    })
    list('patchesJson6902').forEach((entry, index) => {
      if (entry && typeof entry === 'object') patch('patchesJson6902', index, entry)
    })
    if (typeof data.namespace === 'string' && data.namespace !== '')
      entries.push({ type: 'namespace', namespace: data.namespace, location: at(['namespace']) })
    const prefix = typeof data.namePrefix === 'string' ? data.namePrefix : ''
    const suffix = typeof data.nameSuffix === 'string' ? data.nameSuffix : ''
    if (prefix || suffix) entries.push({ type: 'name-affix', prefix, suffix })
    list('replicas').forEach((entry, index) => {
      const name = (entry as { name?: unknown } | null)?.name
      if (typeof name === 'string')
        entries.push({ type: 'replicas', name, location: at(['replicas', index, 'count']), entryLocation: at(['replicas', index]) })
    })
    for (const image of kustomization.images) {
      const setsTag = image.newTag !== undefined || image.digest !== undefined
      const key = image.newTag !== undefined ? 'newTag' : image.digest !== undefined ? 'digest' : 'newName'
      entries.push({
        type: 'image',
        name: image.name,
        newName: image.newName,
        setsTag,
        location: at([...image.path, key]),
        entryLocation: at(image.path)
      })
    }
    list('replacements').forEach((entry, index) => {
      if (!entry || typeof entry !== 'object') return
      const targets = (entry as { targets?: unknown }).targets
      entries.push({
        type: 'replacement',
        index,
        location: at(['replacements', index]),
        source: readSelector((entry as { source?: unknown }).source),
        targets: Array.isArray(targets)
          ? targets.map((target, t) =>
              replacementTarget(target, (path, place) => at(['replacements', index, 'targets', t, ...path], place))
            )
          : []
      })
    })
    return entries
  }

  private patchFile(file: string): PatchBody | undefined {
    if (this.patchFiles.has(file)) return this.patchFiles.get(file)
    const text = this.files.text(file)
    let body: PatchBody | undefined
    if (text !== undefined) {
      try {
        body = patchBody(parseYamlStream(text, file), 0)
      } catch (error) {
        if (!isUserError(error)) throw error
      }
    }
    this.patchFiles.set(file, body)
    return body
  }
}

function replacementTarget(target: unknown, at: (path: YamlPath, place?: 'key') => SourceLocation): ReplacementTarget {
  const t = (target ?? {}) as { select?: unknown; reject?: unknown; fieldPaths?: unknown }
  return {
    select: readSelector(t.select),
    reject: Array.isArray(t.reject) ? t.reject.map(readSelector).filter((s): s is Selector => s !== undefined) : [],
    fieldPaths: Array.isArray(t.fieldPaths)
      ? t.fieldPaths.flatMap((path, index) => (typeof path === 'string' ? [{ path, location: at(['fieldPaths', index]) }] : []))
      : [],
    location: t.select ? at(['select'], 'key') : at([])
  }
}

/** A JSON 6902 patch is a YAML or JSON list of operations; anything else is a strategic-merge patch. */
function patchBody(sources: YamlSource[], lineOffset: number): PatchBody {
  const shift = (location: SourceLocation): SourceLocation =>
    lineOffset === 0
      ? location
      : {
          file: location.file,
          line: (location.line ?? 1) + lineOffset,
          endLine: location.endLine === undefined ? undefined : location.endLine + lineOffset
        }
  const values = sources.map((source) => ({ source, value: toPlain(source) }))
  if (values.length === 1 && Array.isArray(values[0]!.value)) {
    const { source, value } = values[0]!
    const operations: JsonOperation[] = []
    ;(value as unknown[]).forEach((operation, index) => {
      const op = operation as { op?: unknown; path?: unknown; value?: unknown; from?: unknown }
      if (typeof op?.op !== 'string' || typeof op.path !== 'string') return
      const hasValue = 'value' in op
      operations.push({
        op: op.op,
        path: pointerSegments(op.path),
        value: op.value,
        locate: (path, at) => shift(locationOf(source, hasValue ? [index, 'value', ...path] : [index], at))
      })
    })
    return { format: 'json6902', operations }
  }
  return {
    format: 'strategic-merge',
    documents: values
      .filter(({ value }) => value !== null && typeof value === 'object' && !Array.isArray(value))
      .map(({ source, value }) => ({ value, locate: (path, at) => shift(locationOf(source, path, at)) }))
  }
}

/**
 * An inline patch (`patch: |-` in the kustomization) is parsed on its own, its lines shifted to
 * where the block stands in the kustomization.
 */
function inlinePatch(source: YamlSource, path: YamlPath, text: string): PatchBody | undefined {
  const node = source.document.getIn(path, true)
  if (!isScalar(node) || !node.range) return undefined
  const header = source.lineCounter.linePos(node.range[0]).line
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED
  try {
    return patchBody(parseYamlStream(text, source.file), block ? header : header - 1)
  } catch (error) {
    if (!isUserError(error)) throw error
    return undefined
  }
}

/** An inline patch is parsed the first time a finding or the unmatched-target check asks for it, once. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => (made ??= { value: make() }).value
}

/** `/spec/template/spec/containers/0/image` → its segments (`~1` is `/`, `~0` is `~`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return []
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
}
