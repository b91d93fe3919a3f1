import type { KubeObject, Manifest, SourceLocation, YamlPath } from '@gitops-actions/core'
import type { ObjectOrigin } from '@gitops-actions/kustomize'
import type { Kustomization, RootClosure } from './kustomization.js'
import { selects, splitOutside, type SelectableObject, type Selector } from './kustomize-selector.js'
import {
  REPLICATED_KINDS,
  type JsonOperation,
  type PatchEntry,
  type ReplacementEntry,
  type TransformerEntries,
  type TransformerEntry
} from './transformer-entries.js'

/**
 * Which file and line wrote a value of a rendered object. kustomize's origin annotation names the
 * file an object came from (the base); what the kustomizations between that base and the build root
 * did to it (patches, JSON 6902 operations, images:, replicas:, namespace:, replacements) it does
 * not say: `buildMetadata: [transformerAnnotations]` lists every transformer that ran over every
 * object, whether it changed anything or not, and never which entry or field. So the entries are
 * replayed here, as far as locating needs: the levels an object passes through from its base to the
 * root, the entries of each that select it, and for a field the last one that set it (a value) or
 * the first that made it (a map or list item: the base's container stays the base's when a patch
 * only adds an env var to it).
 */

/** A kustomization's entries as they apply to one object, with the object's identity at that point. */
export interface AppliedLevel {
  kustomization: Kustomization
  /** Reached as a component of another kustomization of the build. */
  component: boolean
  entries: TransformerEntry[]
  /** What selectors see of the object when these entries run. */
  object: SelectableObject
}

interface Registered {
  source: Manifest
  origin: ObjectOrigin | undefined
  levels?: AppliedLevel[] | null
}

/** Merge keys kustomize's strategic merge uses for the lists of pod specs (containers, env, ports, volumes, mounts). */
const MERGE_KEYS = ['name', 'mountPath', 'containerPort', 'devicePath', 'ip', 'port']

/** The provenance of the objects of one build root. */
export class RootProvenance {
  private readonly byDir = new Map<string, Kustomization>()
  private readonly parents = new Map<string, { parent: Kustomization; component: boolean }>()
  private readonly components = new Map<string, Kustomization[]>()
  private readonly registered = new WeakMap<Manifest, Registered>()
  /** The root's objects as rendered, in order. */
  readonly objects: Manifest[] = []
  /** Objects whose base document was not found: what selects them is unknown. */
  unplaced = 0

  constructor(
    readonly root: string,
    readonly closure: RootClosure,
    readonly transformers: TransformerEntries
  ) {
    for (const kustomization of closure.kustomizations) this.byDir.set(kustomization.dir, kustomization)
    for (const kustomization of closure.kustomizations) {
      const components: Kustomization[] = []
      for (const ref of kustomization.refs) {
        if ((ref.kind !== 'resource' && ref.kind !== 'component') || ref.target === undefined) continue
        const child = this.byDir.get(ref.target)
        if (!child || child === kustomization) continue
        if (!this.parents.has(child.dir)) this.parents.set(child.dir, { parent: kustomization, component: ref.kind === 'component' })
        if (ref.kind === 'component') components.push(child)
      }
      this.components.set(kustomization.dir, components)
    }
  }

  /**
   * A rendered object as a Manifest whose `locate` answers with the entry that wrote the field;
   * `source` is the object's document in its base (its origin).
   */
  manifest(rendered: Manifest, source: Manifest | undefined, origin: ObjectOrigin | undefined): Manifest {
    if (!source) {
      this.unplaced++
      return rendered
    }
    const located: Manifest = {
      ...rendered,
      locate: (path, at) => this.locate(located, path, at)
    }
    this.registered.set(located, { source, origin })
    this.objects.push(located)
    return located
  }

  /** The document a rendered object of this root was made from (its base). */
  written(manifest: Manifest): Manifest | undefined {
    return this.registered.get(manifest)?.source
  }

  /** The levels an object of this root passed through, innermost first; undefined when its origin is unknown (a remote base). */
  levels(manifest: Manifest): AppliedLevel[] | undefined {
    const registered = this.registered.get(manifest)
    if (!registered) return undefined
    if (registered.levels === undefined) registered.levels = this.computeLevels(manifest.object, registered) ?? null
    return registered.levels ?? undefined
  }

  private computeLevels(object: KubeObject, { source, origin }: Registered): AppliedLevel[] | undefined {
    if (!origin || origin.repo !== undefined) return undefined
    const entry = this.closure.kustomizations.find(
      (k) =>
        (origin.configuredIn !== undefined && k.file === origin.configuredIn) ||
        (origin.path !== undefined && k.refs.some((ref) => ref.kind === 'resource' && ref.target === origin.path))
    )
    if (!entry) return undefined
    const groups: Kustomization[] = []
    const seen = new Set<string>()
    const addWithComponents = (kustomization: Kustomization, skip?: Kustomization): void => {
      if (seen.has(kustomization.dir)) return
      seen.add(kustomization.dir)
      for (const child of this.components.get(kustomization.dir) ?? []) if (child !== skip) addWithComponents(child)
      groups.push(kustomization)
    }
    let previous: Kustomization | undefined
    for (let level: Kustomization | undefined = entry; level && !seen.has(level.dir); level = this.parents.get(level.dir)?.parent) {
      addWithComponents(level, previous)
      previous = level
    }

    const written = source.object
    let name = written.metadata?.name ?? ''
    let namespace = written.metadata?.namespace ?? ''
    const final = object.metadata ?? {}
    return groups.map((kustomization) => {
      const component = this.parents.get(kustomization.dir)?.component === true
      const entries = this.transformers.of(kustomization)
      const view: SelectableObject = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        names: unique([written.metadata?.name ?? '', name, final.name ?? '']),
        namespaces: unique([namespace, final.namespace ?? '', namespace === '' ? 'default' : namespace]),
        labels: [written.metadata?.labels ?? {}, final.labels ?? {}],
        annotations: [written.metadata?.annotations ?? {}, final.annotations ?? {}]
      }
      for (const e of entries) {
        if (e.type === 'name-affix') name = `${e.prefix}${name}${e.suffix}`
        if (e.type === 'namespace' && final.namespace !== undefined) namespace = e.namespace
      }
      return { kustomization, component, entries, object: view }
    })
  }

  private locate(manifest: Manifest, path: YamlPath, at: 'value' | 'key' | undefined): SourceLocation {
    const registered = this.registered.get(manifest)!
    const { source } = registered
    const levels = this.levels(manifest)
    const rendered = manifest.object as unknown
    const base = mapPath(source.object, rendered, path)
    if (!levels) return source.locate(base.docPath, at)
    const claims: Claim[] = [{ order: 0, depth: base.depth, replaces: false, locate: (a) => source.locate(base.docPath, a) }]
    let order = 0
    for (const level of levels) {
      for (const entry of level.entries) {
        order++
        const claim = claimOf(entry, level.object, rendered, path, order)
        if (claim) claims.push(claim)
      }
    }
    const depth = Math.max(...claims.map((c) => c.depth))
    if (depth === 0) return source.locate(path, at)
    const candidates = claims.filter((c) => c.depth === depth)
    const node = valueAt(rendered, path.slice(0, depth))
    const leaf = depth === path.length && isLeaf(node)
    const winner = leaf ? candidates[candidates.length - 1]! : (candidates.filter((c) => c.replaces).pop() ?? candidates[0]!)
    return winner.locate(at)
  }
}

interface Claim {
  /** Application order: 0 is the base, higher ran later. */
  order: number
  /** How much of the path it holds. */
  depth: number
  /** It set the node wholesale (a JSON 6902 add or replace), discarding what was there. */
  replaces: boolean
  locate(at: 'value' | 'key' | undefined): SourceLocation
}

function claimOf(entry: TransformerEntry, object: SelectableObject, rendered: unknown, path: YamlPath, order: number): Claim | undefined {
  switch (entry.type) {
    case 'patch':
      return patchClaim(entry, object, rendered, path, order)
    case 'image': {
      const image = valueAt(rendered, path)
      const container = path[path.length - 3]
      if (!entry.setsTag || path[path.length - 1] !== 'image' || typeof image !== 'string') return undefined
      if (container !== 'containers' && container !== 'initContainers') return undefined
      const name = imageName(image)
      if (name !== entry.name && name !== entry.newName) return undefined
      return { order, depth: path.length, replaces: false, locate: () => entry.location }
    }
    case 'replicas':
      if (path.length !== 2 || path[0] !== 'spec' || path[1] !== 'replicas') return undefined
      if (!REPLICATED_KINDS.includes(object.kind ?? '') || !object.names.includes(entry.name)) return undefined
      return { order, depth: 2, replaces: false, locate: () => entry.location }
    case 'namespace':
      if (path.length !== 2 || path[0] !== 'metadata' || path[1] !== 'namespace') return undefined
      return valueAt(rendered, path) === entry.namespace ? { order, depth: 2, replaces: false, locate: () => entry.location } : undefined
    case 'replacement':
      return replacementClaim(entry, object, rendered, path, order)
    default:
      return undefined
  }
}

/** Whether a patch entry applies to the object (its target, or for a strategic-merge patch without one, the document's own kind and name). */
export function patchSelects(entry: PatchEntry, object: SelectableObject, document?: unknown): boolean {
  if (entry.target) return selects(entry.target, object)
  const meta = (document as KubeObject | undefined)?.metadata
  const own: Selector = {
    kind: (document as KubeObject | undefined)?.kind,
    name: meta?.name !== undefined ? escapeRegex(meta.name) : undefined,
    namespace: meta?.namespace !== undefined ? escapeRegex(meta.namespace) : undefined
  }
  return own.kind !== undefined && selects(own, object)
}

function patchClaim(entry: PatchEntry, object: SelectableObject, rendered: unknown, path: YamlPath, order: number): Claim | undefined {
  if (entry.target && !selects(entry.target, object)) return undefined
  const body = entry.body()
  if (!body) return undefined
  let best: Claim | undefined
  if (body.format === 'strategic-merge') {
    if (identifying(path)) return undefined
    for (const document of body.documents) {
      if (!patchSelects(entry, object, document.value)) continue
      const mapped = mapPath(document.value, rendered, path)
      if (mapped.depth > 0 && (!best || mapped.depth >= best.depth))
        best = { order, depth: mapped.depth, replaces: false, locate: (at) => document.locate(mapped.docPath, at) }
    }
    return best
  }
  if (!entry.target) return undefined
  for (const operation of body.operations) {
    const claim = operationClaim(operation, rendered, path, order)
    if (claim && (!best || claim.depth >= best.depth)) best = claim
  }
  return best
}

/** A strategic-merge patch names the object it patches by these; it does not write them. */
function identifying(path: YamlPath): boolean {
  const [first, second] = path
  if (path.length === 1) return first === 'apiVersion' || first === 'kind'
  return path.length === 2 && first === 'metadata' && (second === 'name' || second === 'namespace')
}

/** A JSON 6902 operation holds the path when its pointer leads to it or to an ancestor of it. */
function operationClaim(operation: JsonOperation, rendered: unknown, path: YamlPath, order: number): Claim | undefined {
  if (!['add', 'replace', 'copy', 'move'].includes(operation.op)) return undefined
  const pointer = operation.path
  if (pointer.length === 0 || pointer.length > path.length) return undefined
  for (const [index, segment] of pointer.entries()) {
    const key = path[index]!
    if (typeof key === 'number') {
      if (segment === '-') {
        const list = valueAt(rendered, path.slice(0, index))
        const element = Array.isArray(list) ? list[key] : undefined
        const named = (operation.value as { name?: unknown } | undefined)?.name
        const same =
          index === pointer.length - 1 &&
          (named !== undefined
            ? (element as { name?: unknown } | undefined)?.name === named
            : Array.isArray(list) && key === list.length - 1)
        if (!same) return undefined
      } else if (segment !== String(key)) return undefined
    } else if (segment !== key) return undefined
  }
  const withValue = operation.op === 'add' || operation.op === 'replace'
  const inner = withValue
    ? mapPath(operation.value, valueAt(rendered, path.slice(0, pointer.length)), path.slice(pointer.length))
    : undefined
  return {
    order,
    depth: pointer.length + (inner?.depth ?? 0),
    replaces: true,
    locate: (at) => operation.locate(inner?.docPath ?? [], at)
  }
}

function replacementClaim(
  entry: ReplacementEntry,
  object: SelectableObject,
  rendered: unknown,
  path: YamlPath,
  order: number
): Claim | undefined {
  for (const target of entry.targets) {
    if (target.select && !selects(target.select, object)) continue
    if (target.reject.some((reject) => selects(reject, object))) continue
    for (const fieldPath of target.fieldPaths) {
      const segments = fieldPathSegments(fieldPath.path)
      if (segments.length > path.length) continue
      if (segments.every((segment, index) => fieldSegmentMatches(segment, path[index]!, valueAt(rendered, path.slice(0, index)))))
        return { order, depth: segments.length, replaces: true, locate: () => fieldPath.location }
    }
  }
  return undefined
}

/** `spec.template.spec.containers.[name=web].image` → its segments; dots inside brackets stay. */
export function fieldPathSegments(fieldPath: string): string[] {
  return splitOutside(fieldPath, '.', '[', ']').filter((s) => s !== '')
}

function fieldSegmentMatches(segment: string, key: string | number, parent: unknown): boolean {
  if (segment === '*') return true
  const selector = /^\[([^=\]]+)=([^\]]*)\]$/.exec(segment)
  if (selector) {
    const element = Array.isArray(parent) && typeof key === 'number' ? parent[key] : undefined
    return element !== null && typeof element === 'object' && String((element as Record<string, unknown>)[selector[1]!]) === selector[2]
  }
  return String(key) === segment
}

/**
 * How far a path of the rendered object leads into a document (a base or a strategic-merge patch),
 * and the path there in the document's own terms: a list item is found by its merge key (a
 * container by name), so an item that a patch inserted before it does not shift it.
 */
export function mapPath(document: unknown, rendered: unknown, path: YamlPath): { depth: number; docPath: Array<string | number> } {
  const docPath: Array<string | number> = []
  let doc = document
  let node = rendered
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(doc) || !Array.isArray(node)) break
      const index = counterpart(doc, node, key)
      if (index < 0) break
      docPath.push(index)
      doc = doc[index]
      node = node[key]
    } else {
      if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !Object.hasOwn(doc, key)) break
      docPath.push(key)
      doc = (doc as Record<string, unknown>)[key]
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined
    }
  }
  return { depth: docPath.length, docPath }
}

function counterpart(list: readonly unknown[], renderedList: readonly unknown[], index: number): number {
  const element = renderedList[index]
  if (element && typeof element === 'object' && !Array.isArray(element)) {
    for (const key of MERGE_KEYS) {
      const value = (element as Record<string, unknown>)[key]
      if (value === undefined) continue
      const same = (item: unknown) => item !== null && typeof item === 'object' && (item as Record<string, unknown>)[key] === value
      // The item at the same place first: a key is not unique in every list (valuesFrom names one ConfigMap twice).
      if (same(list[index])) return index
      const found = list.findIndex(same)
      // A name a transformer changed (a generated ConfigMap's hash, a prefix) is not found by name: by place, then.
      if (found >= 0 || list.length !== renderedList.length) return found
      break
    }
  }
  return list.length === renderedList.length ? index : -1
}

function valueAt(value: unknown, path: YamlPath): unknown {
  let node = value
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined
    node = (node as Record<string | number, unknown>)[key]
  }
  return node
}

/** A value that a later write replaces as a whole: a scalar, or a list of scalars (args, command). */
function isLeaf(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  return Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')
}

/** Roots for a message: `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`. */
export function seenIn(roots: readonly string[]): string {
  const listed = roots.length > 4 ? [...roots.slice(0, 3), `${roots.length - 3} more`] : roots
  return listed.length < 2 ? (listed[0] ?? '') : `${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}`
}

/** The image's name without tag or digest, as kustomize's images: entries name it. */
export function imageName(image: string): string {
  return image.replace(/@.*$/, '').replace(/:[^/:]*$/, '')
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
