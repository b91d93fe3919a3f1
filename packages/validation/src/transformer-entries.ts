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
import { isBuiltinConfig, type PluginConfig } from '@gitops-actions/kustomize'
import { imageEntries, type Kustomization } from './kustomization.js'
import { readSelector, type Selector } from './kustomize-selector.js'
import type { SourceFiles } from './source-files.js'

/**
 * What a kustomization changes in the objects it builds, entry by entry, in the order kustomize
 * applies them (patches, legacy patchesStrategicMerge and patchesJson6902, namespace, name
 * prefix/suffix, replicas, images, replacements, then the builtin transformer configs its
 * `transformers:` lists: PatchTransformer, ImageTagTransformer, …), each with the line it is written
 * at. Provenance reads them to find which entry wrote a value; the unmatched-target check, to find
 * entries that select nothing.
 */

/** What every entry says of where it comes from. */
interface EntryOrigin {
  /** The builtin transformer config that holds it (`PatchTransformer 'scale'`); undefined for the kustomization's own fields. */
  via?: string | undefined
}

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

export interface PatchEntry extends EntryOrigin {
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

export interface ImageTransform extends EntryOrigin {
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

export interface ReplicasTransform extends EntryOrigin {
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

export interface ReplacementEntry extends EntryOrigin {
  type: 'replacement'
  index: number
  location: SourceLocation
  source: Selector | undefined
  targets: ReplacementTarget[]
}

export interface NamespaceTransform extends EntryOrigin {
  type: 'namespace'
  namespace: string
  location: SourceLocation
}

export interface NameAffix extends EntryOrigin {
  type: 'name-affix'
  prefix: string
  suffix: string
}

export type TransformerEntry = PatchEntry | ImageTransform | ReplicasTransform | ReplacementEntry | NamespaceTransform | NameAffix

/** A kustomization's data, or a transformer config's read as a kustomization's fields. */
interface FieldShape {
  source: YamlSource
  data: Record<string, unknown>
  /** Where the source writes what `data` holds at a path. */
  real: (path: YamlPath) => YamlPath
  lineOffset: number
}

/**
 * A builtin transformer config as the kustomization fields it does the work of (a PatchTransformer
 * is one `patches:` entry), with the way back to where the config writes each. Undefined for kinds
 * that change nothing the checks follow (labels, annotations) and for plugins that are not builtin.
 */
function builtinShape(config: PluginConfig): Pick<FieldShape, 'data' | 'real'> | undefined {
  if (!isBuiltinConfig(config)) return undefined
  // ['patches', 0, 'target'] → ['target']: the config is the one entry.
  const entry = (path: YamlPath, rename: Record<string, string> = {}) => {
    const [field, ...rest] = path.slice(2)
    return field === undefined ? [] : [rename[String(field)] ?? field, ...rest]
  }
  switch (config.kind) {
    case 'PatchTransformer':
      return { data: { patches: [{ path: config.path, patch: config.patch, target: config.target }] }, real: (path) => entry(path) }
    case 'PatchJson6902Transformer':
      return {
        data: { patches: [{ path: config.path, patch: config.jsonOp, target: config.target }] },
        real: (path) => entry(path, { patch: 'jsonOp' })
      }
    case 'PatchStrategicMergeTransformer': {
      const paths = Array.isArray(config.paths) ? (config.paths as unknown[]) : []
      const inline = typeof config.patches === 'string' ? [config.patches] : []
      return {
        data: { patchesStrategicMerge: [...paths, ...inline] },
        real: (path) => {
          const index = path[1] as number
          return index < paths.length ? ['paths', index] : ['patches']
        }
      }
    }
    case 'ImageTagTransformer':
      return { data: { images: [config.imageTag] }, real: (path) => ['imageTag', ...path.slice(2)] }
    case 'ReplicaCountTransformer':
      return { data: { replicas: [config.replica] }, real: (path) => ['replica', ...path.slice(2)] }
    case 'NamespaceTransformer':
      return {
        data: { namespace: (config.metadata as { namespace?: unknown } | undefined)?.namespace },
        real: () => ['metadata', 'namespace']
      }
    case 'PrefixSuffixTransformer':
    case 'PrefixTransformer':
    case 'SuffixTransformer':
      return { data: { namePrefix: config.prefix, nameSuffix: config.suffix }, real: (path) => path }
    case 'ReplacementTransformer':
      return { data: { replacements: config.replacements }, real: (path) => path }
    default:
      return undefined
  }
}

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
    const entries = this.fields(kustomization.dir, { source, data, real: (path) => path, lineOffset: 0 })
    // kustomize runs the transformers: configs after the kustomization's own fields, in their order.
    ;(Array.isArray(data.transformers) ? (data.transformers as unknown[]) : []).forEach((item, index) => {
      if (typeof item === 'string') entries.push(...this.configured(kustomization, item, index))
    })
    return entries
  }

  /** The entries of builtin transformer configs in one `transformers:` item (a file, or an inline block). */
  private configured(kustomization: Kustomization, item: string, index: number): TransformerEntry[] {
    const inline = item.includes('\n')
    const file = inline ? kustomization.file : posix.normalize(posix.join(kustomization.dir || '.', item))
    const text = inline ? item : this.files.text(file)
    const lineOffset = inline ? blockOffset(kustomization.source, ['transformers', index]) : 0
    if (text === undefined || lineOffset === undefined) return []
    let sources: YamlSource[]
    try {
      sources = parseYamlStream(text, file)
    } catch (error) {
      if (!isUserError(error)) throw error
      return [] // kustomize refuses the build and says why
    }
    return sources.flatMap((source) => {
      const config = toPlain(source) as PluginConfig | null
      const shape = config && typeof config === 'object' ? builtinShape(config) : undefined
      if (!shape) return []
      const name = (config!.metadata as { name?: unknown } | undefined)?.name
      const via = `${String(config!.kind)}${typeof name === 'string' ? ` '${name}'` : ''}`
      return this.fields(kustomization.dir, { source, ...shape, lineOffset }, via)
    })
  }

  /**
   * The entries of a kustomization's fields, or of a builtin transformer config read as those
   * fields (`real` maps a field's path to where the config writes it; an inline config's lines are
   * `lineOffset` below its text's).
   */
  private fields(dir: string, shape: FieldShape, via?: string): TransformerEntry[] {
    const { source, data, real, lineOffset } = shape
    const list = (key: string): unknown[] => (Array.isArray(data[key]) ? (data[key] as unknown[]) : [])
    const at = (path: YamlPath, place?: 'key') => shiftLines(locationOf(source, real(path), place), lineOffset)
    const entries: TransformerEntry[] = []
    const patch = (field: string, index: number, entry: { path?: unknown; patch?: unknown; target?: unknown }): void => {
      const base = [field, index]
      const file = typeof entry.path === 'string' && entry.path !== '' ? posix.normalize(posix.join(dir || '.', entry.path)) : undefined
      const inline = typeof entry.patch === 'string' ? entry.patch : undefined
      entries.push({
        type: 'patch',
        field,
        index,
        via,
        location: at(file ? [...base, 'path'] : base),
        target: readSelector(entry.target),
        targetLocation: entry.target ? at([...base, 'target'], 'key') : at(base),
        file,
        body: file
          ? () => this.patchFile(file)
          : once(() => (inline !== undefined ? inlinePatch(source, real([...base, 'patch']), inline, lineOffset) : undefined))
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
          via,
          location: at(['patchesStrategicMerge', index]),
          target: undefined,
          targetLocation: at(['patchesStrategicMerge', index]),
          file: undefined,
          body: once(() => inlinePatch(source, real(['patchesStrategicMerge', index]), entry, lineOffset))
        })
      } else patch('patchesStrategicMerge', index, { path: entry })
    })
    list('patchesJson6902').forEach((entry, index) => {
      if (entry && typeof entry === 'object') patch('patchesJson6902', index, entry)
    })
    if (typeof data.namespace === 'string' && data.namespace !== '')
      entries.push({ type: 'namespace', namespace: data.namespace, location: at(['namespace']), via })
    const prefix = typeof data.namePrefix === 'string' ? data.namePrefix : ''
    const suffix = typeof data.nameSuffix === 'string' ? data.nameSuffix : ''
    if (prefix || suffix) entries.push({ type: 'name-affix', prefix, suffix, via })
    list('replicas').forEach((entry, index) => {
      const name = (entry as { name?: unknown } | null)?.name
      if (typeof name === 'string')
        entries.push({ type: 'replicas', name, location: at(['replicas', index, 'count']), entryLocation: at(['replicas', index]), via })
    })
    for (const image of imageEntries(data)) {
      const setsTag = image.newTag !== undefined || image.digest !== undefined
      const key = image.newTag !== undefined ? 'newTag' : image.digest !== undefined ? 'digest' : 'newName'
      entries.push({
        type: 'image',
        name: image.name,
        newName: image.newName,
        setsTag,
        location: at([...image.path, key]),
        entryLocation: at(image.path),
        via
      })
    }
    list('replacements').forEach((entry, index) => {
      if (!entry || typeof entry !== 'object') return
      const targets = (entry as { targets?: unknown }).targets
      entries.push({
        type: 'replacement',
        index,
        via,
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
  const shift = (location: SourceLocation): SourceLocation => shiftLines(location, lineOffset)
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
 * where the block stands in the kustomization (and, in an inline transformer config, by where that stands).
 */
function inlinePatch(source: YamlSource, path: YamlPath, text: string, lineOffset = 0): PatchBody | undefined {
  const offset = blockOffset(source, path)
  if (offset === undefined) return undefined
  try {
    return patchBody(parseYamlStream(text, source.file), offset + lineOffset)
  } catch (error) {
    if (!isUserError(error)) throw error
    return undefined
  }
}

/** How far below its own lines a string's text stands in the file: line n of a block scalar's text is at line offset + n. */
function blockOffset(source: YamlSource, path: YamlPath): number | undefined {
  const node = source.document.getIn(path, true)
  if (!isScalar(node) || !node.range) return undefined
  const header = source.lineCounter.linePos(node.range[0]).line
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED
  return block ? header : header - 1
}

function shiftLines(location: SourceLocation, lineOffset: number): SourceLocation {
  if (lineOffset === 0) return location
  return {
    file: location.file,
    line: (location.line ?? 1) + lineOffset,
    endLine: location.endLine === undefined ? undefined : location.endLine + lineOffset
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
