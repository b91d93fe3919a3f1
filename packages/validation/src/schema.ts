import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { KubeObject, YamlPath } from '@gitops-actions/core'
import { SCHEMA_CATALOG } from './schema-catalog.js'

/**
 * Offline, strict schema validation of Kubernetes and Flux objects.
 *
 * kubernetes-models and @kubernetes-models/flux-cd ship precompiled validators (ajv standalone code)
 * for every core kind and Flux CRD version. They check types, enums and required fields but accept
 * unknown fields, which the API server (kubectl's strict field validation, Flux's server-side apply)
 * rejects. Strictness is added here without a second copy of the schemas: a compiled validator reads
 * every property its schema declares (`data.replicas !== undefined`) and enumerates the keys only of
 * map-typed objects. Running it once over a Proxy records, per object path, the declared property
 * names (or "map", or "free-form" when it reads nothing); any other key at that path is unknown.
 * The shapes are learned once per kind and path and cached, so the walk stays cheap.
 */

export type SchemaProblemKind = 'missing-type' | 'unknown-kind' | 'no-schema' | 'invalid' | 'unknown-field'

export interface SchemaProblem {
  kind: SchemaProblemKind
  /** Where in the object, for Manifest.locate. */
  path: YamlPath
  message: string
}

type ModelValidate = (this: unknown) => void
type Shape = 'map' | 'free' | ReadonlySet<string>

interface KindEntry {
  apiVersion: string
  kind: string
  validate: ModelValidate
}

/** Validators of the apiVersions loaded so far: apiVersion → kind → entry. */
const loaded = new Map<string, Map<string, KindEntry>>()
const shapes = new Map<string, Map<string, Shape>>()

/**
 * Loads the validators for the apiVersions these objects use, before validateObject sees them.
 * Each apiVersion is a module (a chunk of its own in the bundles), so a run that checks a few
 * Deployments loads apps/v1 and v1, not the 10 MB of every model.
 */
export async function loadSchemas(objects: Iterable<KubeObject>): Promise<void> {
  const wanted = new Set<string>()
  for (const object of objects) {
    const apiVersion = object.apiVersion
    if (typeof apiVersion === 'string' && SCHEMA_CATALOG.has(apiVersion) && !loaded.has(apiVersion)) wanted.add(apiVersion)
  }
  await Promise.all(
    [...wanted].map(async (apiVersion) => {
      const module = await SCHEMA_CATALOG.get(apiVersion)!.load()
      const entries = new Map<string, KindEntry>()
      for (const value of Object.values(module)) {
        const model = value as { apiVersion?: unknown; kind?: unknown; prototype?: { validate?: ModelValidate } }
        if (typeof value !== 'function' || model.apiVersion !== apiVersion || typeof model.kind !== 'string') continue
        if (model.prototype?.validate) entries.set(model.kind, { apiVersion, kind: model.kind, validate: model.prototype.validate })
      }
      loaded.set(apiVersion, entries)
    })
  )
}

/**
 * True for API groups whose kinds we know (core, apps, *.k8s.io…, Flux's toolkit groups), where an
 * unknown kind is a typo. Other fluxcd.io groups (source.extensions.fluxcd.io's ArtifactGenerator)
 * are CRDs like any other: without their CRD they are not checked, which is no error.
 */
export function isBuiltInGroup(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true
  const group = apiVersion.split('/')[0]!
  return !group.includes('.') || group.endsWith('.k8s.io') || (group.endsWith('.fluxcd.io') && servesGroup(group))
}

function servesGroup(group: string): boolean {
  for (const apiVersion of SCHEMA_CATALOG.keys()) if (apiVersion.startsWith(`${group}/`)) return true
  return false
}

/** The apiVersions that serve a kind, in the models' order. */
export function servedVersions(kind: string): string[] {
  return [...SCHEMA_CATALOG].filter(([, module]) => module.kinds.includes(kind)).map(([apiVersion]) => apiVersion)
}

/** Whether a schema is known for apiVersion/kind. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return SCHEMA_CATALOG.get(apiVersion)?.kinds.includes(kind) ?? false
}

/** The validator of a kind with a schema; its apiVersion must have been loaded (loadSchemas). */
function entryFor(apiVersion: string, kind: string): KindEntry | undefined {
  if (!hasSchema(apiVersion, kind)) return undefined
  const entry = loaded.get(apiVersion)?.get(kind)
  if (!entry) throw new Error(`the ${apiVersion} validators are not loaded: await loadSchemas() before validateObject()`)
  return entry
}

/** A CRD's schema for one served version, compiled on first use. */
export interface CustomSchema {
  validate: ValidateFunction
  schema: Record<string, unknown>
}

const crdAjv = new Ajv({ allErrors: true, strict: false, validateFormats: false })

/** Compiles the openAPIV3Schema of each served version of CRDs found in the repo, keyed apiVersion/kind. */
export function customSchemas(objects: readonly KubeObject[]): Map<string, CustomSchema | null> {
  const result = new Map<string, CustomSchema | null>()
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition' || !String(object.apiVersion).startsWith('apiextensions.k8s.io/')) continue
    const spec = object.spec as
      { group?: string; names?: { kind?: string }; versions?: Array<{ name?: string; schema?: { openAPIV3Schema?: unknown } }> } | undefined
    if (!spec?.group || !spec.names?.kind) continue
    for (const version of spec.versions ?? []) {
      const key = `${spec.group}/${version.name}/${spec.names.kind}`
      const schema = version.schema?.openAPIV3Schema
      if (!schema || typeof schema !== 'object') {
        result.set(key, null)
        continue
      }
      try {
        result.set(key, { validate: crdAjv.compile(schema), schema: schema as Record<string, unknown> })
      } catch {
        result.set(key, null)
      }
    }
  }
  return result
}

/** Every problem with one object: missing type, unknown kind, schema violations, unknown fields. */
export function validateObject(object: KubeObject, custom: ReadonlyMap<string, CustomSchema | null> = new Map()): SchemaProblem[] {
  const missing = (['apiVersion', 'kind'] as const).filter((key) => typeof object[key] !== 'string' || object[key] === '')
  if (missing.length > 0) {
    return [{ kind: 'missing-type', path: [], message: `the object has no ${missing.join(' and no ')}` }]
  }
  const apiVersion = object.apiVersion!
  const kind = object.kind!
  const key = `${apiVersion}/${kind}`
  const entry = entryFor(apiVersion, kind)
  if (entry) return [...invalid(entry, object), ...unknownFields(key, entry.validate, object)]
  const crd = custom.get(key)
  if (crd) return [...crdInvalid(crd, object), ...crdUnknownFields(crd.schema, object)]
  if (crd === null) {
    return [
      {
        kind: 'no-schema',
        path: ['kind'],
        message: `the CustomResourceDefinition for ${key} has no schema, so ${kind} objects are not checked`
      }
    ]
  }
  if (isBuiltInGroup(apiVersion)) return [{ kind: 'unknown-kind', path: ['kind'], message: unknownKindMessage(apiVersion, kind) }]
  return [
    {
      kind: 'no-schema',
      path: ['apiVersion'],
      message: `no schema for ${kind} (${apiVersion}): its CustomResourceDefinition is not in this repository, so the object is not checked`
    }
  ]
}

function unknownKindMessage(apiVersion: string, kind: string): string {
  const served = servedVersions(kind)
  if (served.length > 0) return `${kind} is not served as ${apiVersion}; Kubernetes serves it as ${served.join(', ')}`
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : ''
  const candidates = [...SCHEMA_CATALOG]
    .filter(([served]) => (served.includes('/') ? served.split('/')[0] : '') === group)
    .flatMap(([served, module]) => module.kinds.map((candidate) => ({ apiVersion: served, kind: candidate })))
  const near = candidates
    .map((candidate) => ({ candidate, distance: editDistance(candidate.kind.toLowerCase(), kind.toLowerCase()) }))
    .filter((c) => c.distance <= Math.max(2, Math.floor(kind.length / 4)))
    .sort((a, b) => a.distance - b.distance)[0]
  const hint = near ? `; did you mean ${near.candidate.kind} (${near.candidate.apiVersion})?` : ''
  return `${apiVersion} has no kind ${kind}${hint}`
}

function invalid(entry: KindEntry, object: KubeObject): SchemaProblem[] {
  try {
    entry.validate.call(object)
    return []
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors
    if (!errors) throw error
    return describeErrors(errors)
  }
}

function crdInvalid(crd: CustomSchema, object: KubeObject): SchemaProblem[] {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = object
  return crd.validate(rest) ? [] : describeErrors(crd.validate.errors ?? [])
}

/** Groups ajv's errors by place, so `anyOf` alternatives read as one sentence. */
function describeErrors(errors: readonly ErrorObject[]): SchemaProblem[] {
  const byPath = new Map<string, ErrorObject[]>()
  for (const error of errors) {
    const where =
      error.keyword === 'required'
        ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`
        : error.instancePath
    byPath.set(where, [...(byPath.get(where) ?? []), error])
  }
  const problems: SchemaProblem[] = []
  for (const [where, group] of byPath) {
    const path = where.split('/').slice(1).map(pathSegment)
    const field = path.length > 0 ? path.join('.') : '(the object)'
    let message: string
    const required = group.find((e) => e.keyword === 'required')
    if (required) {
      message = `required field ${field} is missing`
    } else {
      const types = group.filter((e) => e.keyword === 'type').map((e) => (e.params as { type: string }).type)
      const other = group.filter((e) => e.keyword !== 'type' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
      const parts = [...(types.length > 0 ? [`must be ${[...new Set(types)].join(' or ')}`] : []), ...other.map(describeError)]
      message = `${field} ${parts.length > 0 ? parts.join('; ') : 'is invalid'}`
    }
    problems.push({ kind: 'invalid', path: required ? path.slice(0, -1).concat(path.slice(-1)) : path, message })
  }
  return problems
}

function describeError(error: ErrorObject): string {
  if (error.keyword === 'enum') return `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
  if (error.keyword === 'pattern') return `must match ${(error.params as { pattern: string }).pattern}`
  return error.message ?? error.keyword
}

function pathSegment(part: string): string | number {
  const text = part.replace(/~1/g, '/').replace(/~0/g, '~')
  return /^\d+$/.test(text) ? Number(text) : text
}

interface Trace {
  reads: Set<string>
  enumerated: boolean
  isArray: boolean
  children: Map<string, Trace>
}

/** Runs the compiled validator over a Proxy and records what it reads at each path. */
function learn(key: string, validate: ModelValidate, object: KubeObject): void {
  const newTrace = (isArray: boolean): Trace => ({ reads: new Set(), enumerated: false, isArray, children: new Map() })
  const wrap = (value: object, trace: Trace): object =>
    new Proxy(value, {
      get(target, property, receiver) {
        const child: unknown = Reflect.get(target, property, receiver)
        if (typeof property !== 'string') return child
        if (!trace.isArray) trace.reads.add(property)
        if (child && typeof child === 'object' && Object.prototype.hasOwnProperty.call(target, property)) {
          let childTrace = trace.children.get(property)
          if (!childTrace) trace.children.set(property, (childTrace = newTrace(Array.isArray(child))))
          return wrap(child, childTrace)
        }
        return child
      },
      ownKeys(target) {
        trace.enumerated = true
        return Reflect.ownKeys(target)
      }
    })
  const root = newTrace(false)
  try {
    validate.call(wrap(object, root))
  } catch {
    // Schema errors are reported by invalid(); here only the reads matter.
  }
  let shape = shapes.get(key)
  if (!shape) shapes.set(key, (shape = new Map()))
  const record = (trace: Trace, path: string): void => {
    if (!trace.isArray && !shape!.has(path)) shape!.set(path, trace.enumerated ? 'map' : trace.reads.size === 0 ? 'free' : trace.reads)
    for (const [name, child] of trace.children)
      record(child, trace.isArray ? `${path}/[]` : trace.enumerated ? `${path}/*` : `${path}/${name}`)
  }
  record(root, '')
}

/**
 * Fields of a CRD's JSONSchemaProps that the models leave out, though every real CRD uses them
 * (Flux's own gotk-components.yaml among them).
 */
const SCHEMA_EXTENSIONS = new Set([
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations'
])

function unknownFields(key: string, validate: ModelValidate, object: KubeObject): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const schemaExtensions = key.startsWith('apiextensions.k8s.io/')
  let learned = false
  const walk = (value: Record<string, unknown>, shapePath: string, path: Array<string | number>): void => {
    let shape = shapes.get(key)?.get(shapePath)
    if (shape === undefined && !learned) {
      learned = true
      learn(key, validate, object)
      shape = shapes.get(key)?.get(shapePath)
    }
    if (shape === undefined || shape === 'free') return
    for (const [name, child] of Object.entries(value)) {
      if (shape !== 'map' && !shape.has(name) && !(schemaExtensions && SCHEMA_EXTENSIONS.has(name))) {
        problems.push({
          kind: 'unknown-field',
          path: [...path, name],
          message: unknownFieldMessage([...path, name], schemaExtensions ? new Set([...shape, ...SCHEMA_EXTENSIONS]) : shape)
        })
        continue
      }
      const childPath = shape === 'map' ? `${shapePath}/*` : `${shapePath}/${name}`
      visit(child, childPath, [...path, name])
    }
  }
  const visit = (child: unknown, shapePath: string, path: Array<string | number>): void => {
    if (Array.isArray(child)) {
      child.forEach((item, index) => visit(item, `${shapePath}/[]`, [...path, index]))
    } else if (child && typeof child === 'object') {
      walk(child as Record<string, unknown>, shapePath, path)
    }
  }
  walk(object as Record<string, unknown>, '', [])
  return problems
}

function unknownFieldMessage(path: ReadonlyArray<string | number>, known: ReadonlySet<string>): string {
  const name = String(path[path.length - 1])
  const near = [...known]
    .map((candidate) => ({ candidate, distance: editDistance(candidate.toLowerCase(), name.toLowerCase()) }))
    .filter((c) => c.distance <= Math.max(1, Math.floor(name.length / 3)))
    .sort((a, b) => a.distance - b.distance)[0]
  return `unknown field ${path.join('.')}${near ? ` (did you mean ${near.candidate}?)` : ''}`
}

/** Unknown fields against a CRD's structural schema (properties, additionalProperties, preserve-unknown-fields). */
function crdUnknownFields(schema: Record<string, unknown>, object: KubeObject): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const walk = (value: unknown, node: Record<string, unknown> | undefined, path: Array<string | number>): void => {
    if (!node || node['x-kubernetes-preserve-unknown-fields'] === true) return
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, node.items as Record<string, unknown> | undefined, [...path, i]))
      return
    }
    if (!value || typeof value !== 'object') return
    const properties = node.properties as Record<string, Record<string, unknown>> | undefined
    const additional = node.additionalProperties
    for (const [name, child] of Object.entries(value)) {
      if (path.length === 0 && (name === 'apiVersion' || name === 'kind' || name === 'metadata')) continue
      if (properties?.[name]) walk(child, properties[name], [...path, name])
      else if (additional && typeof additional === 'object') walk(child, additional as Record<string, unknown>, [...path, name])
      else if (properties && additional !== true) {
        problems.push({
          kind: 'unknown-field',
          path: [...path, name],
          message: unknownFieldMessage([...path, name], new Set(Object.keys(properties)))
        })
      }
    }
  }
  walk(object, schema, [])
  return problems
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}
