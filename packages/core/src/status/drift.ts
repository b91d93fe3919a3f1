import { driftPathKeys, type DriftConfig } from '../config/drift.js'
import { apiGroupOf, type KubeObject } from '../manifests/manifest.js'
import { parseYamlStream, toPlain } from '../yaml-source.js'
import type { PatchSetting } from './overlay-images.js'

/** One environment's side of a drift comparison: its rendered overlay and what makes it its own. */
export interface RenderedEnvironment {
  environment: string
  /** The namespace the overlay deploys to, with `{app}`/`{env}` replaced; normalised away before comparing. */
  namespace: string
  /** The `kustomize build` output. */
  yaml: string
  /** Patches of the kustomizations this side does not share with the other (its overlay, its own components). */
  patches?: readonly PatchSetting[]
}

export type Side = 'from' | 'to'

/** Patch files one environment applies to an object and the other environment does not. */
export interface PatchesOnlyIn {
  side: Side
  environment: string
  /** The patch files as written in the kustomization (`resources-patch.yaml`), or `inline`. */
  sources: string[]
}

/** A field that differs, at a path written as drift.expected paths are (`spec.template.spec.containers[myapp].env[MODE].value`). */
export interface FieldDifference {
  path: string
  /** `changed`: both sides have it with different values; `only-from`/`only-to`: one side lacks it. */
  change: 'changed' | 'only-from' | 'only-to'
  /** The value on each side as short JSON text; absent on the side that lacks the field. */
  from?: string
  to?: string
}

/** One object that differs between the two environments beyond what is expected. */
export interface ObjectDifference {
  /** `Kind/name` with generated-name hashes removed. */
  object: string
  kind: string
  name: string
  /** `both`, or the side that has the object when the other lacks it. */
  presence: 'both' | 'only-from' | 'only-to'
  /** Unexpected differences in the object (empty when it exists on one side only). */
  fields: FieldDifference[]
  /** Patches of this object that one side applies and the other lacks (compared by file name), per side. */
  patchesOnlyIn?: PatchesOnlyIn[]
}

/** What differs between two neighbouring environments of one app, besides the image tag and the expected. */
export interface EnvironmentDrift {
  app: string
  from: string
  to: string
  objects: ObjectDifference[]
  /** How many differences were left out because drift.expected (or the image tag rule) covers them. */
  expectedDifferences: number
}

interface Key {
  key: string
  /** Written `[key]`: an item of a list of named items, or a key that needs brackets. */
  bracket: boolean
}

const GENERATED_SUFFIX = /-[2-9bcdfghkmt]{10}$/
const POD_SPEC_PARENTS = new Set(['containers', 'initContainers', 'ephemeralContainers'])
const MAX_VALUE_TEXT = 120

/**
 * Compares two rendered overlays of one app. Namespaces (`app-dev` vs `app-staging`) and the
 * hash suffixes of generated ConfigMaps and Secrets are normalised away first; container images
 * are compared without their tag or digest (promotion moves those); differences at paths that
 * `drift.expected` lists for the object's kind (or for `*`) are counted, not reported.
 */
export function compareRenderedEnvironments(
  app: string,
  from: RenderedEnvironment,
  to: RenderedEnvironment,
  drift: DriftConfig
): EnvironmentDrift {
  const left = normalisedObjects(from)
  const right = normalisedObjects(to)
  const patched = { from: patchTargets(from.patches ?? []), to: patchTargets(to.patches ?? []) }
  const result: EnvironmentDrift = { app, from: from.environment, to: to.environment, objects: [], expectedDifferences: 0 }
  const ids = [...new Set([...left.keys(), ...right.keys()])].sort()
  for (const id of ids) {
    const a = left.get(id)
    const b = right.get(id)
    const object = (a ?? b)!
    const kind = object.kind ?? '(no kind)'
    const name = object.metadata?.name ?? '(no name)'
    const described = `${kind}/${name}`
    if (!a || !b) {
      result.objects.push({ object: described, kind, name, presence: a ? 'only-from' : 'only-to', fields: [] })
      continue
    }
    const differences: Difference[] = []
    diffValues(a, b, [], differences)
    const patterns = [...(drift.expected[kind] ?? []), ...(drift.expected['*'] ?? [])].map(driftPathKeys)
    const unexpected = differences.filter((d) => !leaves(d).every((leaf) => patterns.some((pattern) => covers(pattern, leaf))))
    result.expectedDifferences += differences.length - unexpected.length
    if (unexpected.length === 0) continue
    const entry: ObjectDifference = {
      object: described,
      kind,
      name,
      presence: 'both',
      fields: unexpected.map(({ keys: _keys, raw: _raw, ...field }) => field)
    }
    const oneSided = oneSidedPatches(kind, name, patched, from.environment, to.environment)
    if (oneSided.length > 0) entry.patchesOnlyIn = oneSided
    result.objects.push(entry)
  }
  return result
}

/** The objects of a render by normalised identity, with the namespace and generated-name hashes taken out. */
function normalisedObjects(side: RenderedEnvironment): Map<string, KubeObject> {
  const objects = parseYamlStream(side.yaml, `${side.environment} render`)
    .map((source) => toPlain(source))
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !Array.isArray(o))
  const renamed = new Map<string, string>()
  for (const object of objects) {
    const name = object.metadata?.name
    if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && name && GENERATED_SUFFIX.test(name)) {
      renamed.set(name, name.replace(GENERATED_SUFFIX, ''))
    }
  }
  const namespace = new RegExp(`(?<![a-z0-9-])${side.namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9-])`, 'g')
  const normalise = (value: unknown): unknown => {
    if (typeof value === 'string') return renamed.get(value) ?? value.replace(namespace, '{namespace}')
    if (Array.isArray(value)) return value.map(normalise)
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(namespace, '{namespace}'), normalise(v)]))
    }
    return value
  }
  const byId = new Map<string, KubeObject>()
  for (const object of objects) {
    const normal = normalise(object) as KubeObject
    byId.set(`${apiGroupOf(normal.apiVersion)}/${normal.kind ?? ''}/${normal.metadata?.name ?? ''}`, normal)
  }
  return byId
}

/** A difference with its path as keys and, for a field on one side only, the value there. */
type Difference = FieldDifference & { keys: Key[]; raw?: unknown }

function diffValues(a: unknown, b: unknown, keys: Key[], out: Difference[]): void {
  if (isContainerImage(keys) && typeof a === 'string' && typeof b === 'string') {
    if (imageName(a) !== imageName(b)) out.push({ path: formatPath(keys), keys, change: 'changed', from: imageName(a), to: imageName(b) })
    return
  }
  if (isMap(a) && isMap(b)) return diffEntries(a, b, keys, out, false)
  if (Array.isArray(a) && Array.isArray(b)) {
    // Lists of named items (containers, env, ports, volumes) are compared by name, not position.
    if (namedItems(a) && namedItems(b)) return diffEntries(byName(a), byName(b), keys, out, true)
    if (a.every(isScalar) && b.every(isScalar) && a.length !== b.length) {
      out.push({ path: formatPath(keys), keys, change: 'changed', from: short(a), to: short(b) })
      return
    }
    const indexed = (list: unknown[]) => Object.fromEntries(list.map((item, i) => [String(i), item]))
    return diffEntries(indexed(a), indexed(b), keys, out, true)
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: formatPath(keys), keys, change: 'changed', from: short(a), to: short(b) })
}

function diffEntries(a: Record<string, unknown>, b: Record<string, unknown>, keys: Key[], out: Difference[], bracket: boolean): void {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  if (!bracket) names.sort()
  for (const key of names) {
    const next = [...keys, { key, bracket: bracket || !/^[A-Za-z_$][\w$-]*$/.test(key) }]
    if (!(key in b)) out.push({ path: formatPath(next), keys: next, change: 'only-from', from: short(a[key]), raw: a[key] })
    else if (!(key in a)) out.push({ path: formatPath(next), keys: next, change: 'only-to', to: short(b[key]), raw: b[key] })
    else diffValues(a[key], b[key], next, out)
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value)
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object'
}

/** A list whose items all have a distinct string `name`: containers, env, ports, volumes… */
function namedItems(list: readonly unknown[]): boolean {
  if (list.length === 0) return false
  const names = list.map((item) => (isMap(item) && typeof item.name === 'string' ? item.name : undefined))
  return names.every((n) => n !== undefined) && new Set(names).size === names.length
}

function byName(list: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(list.map((item) => [(item as { name: string }).name, item]))
}

function isContainerImage(keys: readonly Key[]): boolean {
  return keys.length >= 3 && keys.at(-1)!.key === 'image' && POD_SPEC_PARENTS.has(keys.at(-3)!.key)
}

/** An image reference without its tag and digest. */
function imageName(reference: string): string {
  const withoutDigest = reference.split('@')[0]!
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.indexOf(':', slash + 1)
  return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest
}

function formatPath(keys: readonly Key[]): string {
  return keys.map((k, i) => (k.bracket ? `[${k.key}]` : i === 0 ? k.key : `.${k.key}`)).join('')
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text
}

/**
 * The paths a difference touches: itself for a changed value; every leaf below it for a field
 * one side lacks, so that `metadata.labels` missing on one side is expected exactly when each
 * of its labels is.
 */
function leaves(difference: Difference): Key[][] {
  if (difference.change === 'changed') return [difference.keys]
  const found: Key[][] = []
  const walk = (value: unknown, keys: Key[]) => {
    const entries = isMap(value)
      ? Object.entries(value)
      : Array.isArray(value)
        ? Object.entries(namedItems(value) ? byName(value) : value)
        : []
    if (entries.length === 0) found.push(keys)
    for (const [key, child] of entries) walk(child, [...keys, { key, bracket: true }])
  }
  walk(difference.raw, difference.keys)
  return found
}

/** Whether a drift.expected pattern (its keys) covers a difference at `keys`: a prefix match, `*` for any one key. */
function covers(pattern: readonly string[], keys: readonly Key[]): boolean {
  if (pattern.length > keys.length) return false
  return pattern.every((p, i) => p === '*' || p === keys[i]!.key)
}

function patchTargets(patches: readonly PatchSetting[]): Map<string, string[]> {
  const targets = new Map<string, string[]>()
  for (const patch of patches) {
    for (const target of patch.targets) targets.set(target, [...(targets.get(target) ?? []), patch.source])
  }
  return targets
}

function oneSidedPatches(
  kind: string,
  name: string,
  patched: { from: Map<string, string[]>; to: Map<string, string[]> },
  fromEnvironment: string,
  toEnvironment: string
): PatchesOnlyIn[] {
  const lookup = (map: Map<string, string[]>) => [
    ...new Set([...(map.get(`${kind}/${name}`) ?? []), ...(map.get(`${kind}/*`) ?? []), ...(map.get(`*/${name}`) ?? [])])
  ]
  const a = lookup(patched.from)
  const b = lookup(patched.to)
  const fileName = (source: string) => source.split('/').at(-1)!
  const onlyA = a.filter((source) => !b.some((other) => fileName(other) === fileName(source)))
  const onlyB = b.filter((source) => !a.some((other) => fileName(other) === fileName(source)))
  const result: PatchesOnlyIn[] = []
  if (onlyA.length > 0) result.push({ side: 'from', environment: fromEnvironment, sources: onlyA })
  if (onlyB.length > 0) result.push({ side: 'to', environment: toEnvironment, sources: onlyB })
  return result
}
