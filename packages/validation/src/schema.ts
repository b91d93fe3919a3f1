import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { apiGroupOf, editDistance, nearestName, type KubeObject, type YamlPath } from '@gitops-actions/core'
import { RE2_ONLY, SCHEMA_MODULES, UNREAD_FIELDS, type SchemaModule } from './schema-catalog.js'
import { widenedByFluxOperator } from './flux-operator-kinds.js'

/**
 * Offline, strict schema validation of Kubernetes and Flux objects.
 *
 * kubernetes-models and the @kubernetes-models/* packages ship precompiled validators (ajv standalone
 * code) for every core kind, Flux CRD version, and the custom resources of the projects platform teams
 * use most (schema-catalog.ts lists them). They check types, enums and required fields but accept
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
  /**
   * The package and version whose schema found it, when that is another project's custom resource
   * (`@kubernetes-models/external-secrets@2.0.0`): the package may be older than what the cluster runs.
   */
  catalog?: string
}

type ModelValidate = (this: unknown) => void
type Shape = 'map' | 'free' | ReadonlySet<string>

interface KindEntry {
  apiVersion: string
  kind: string
  validate: ModelValidate
}

/** The catalog by apiVersion: the package modules that serve it (argoproj.io/v1alpha1 has two). */
const KINDS = new Map(SCHEMA_MODULES.map((module) => [module, new Set(module.kinds.split(' '))]))
const MODULES_BY_API_VERSION = new Map<string, SchemaModule[]>()
for (const module of SCHEMA_MODULES)
  MODULES_BY_API_VERSION.set(module.apiVersion, [...(MODULES_BY_API_VERSION.get(module.apiVersion) ?? []), module])

/** The groups Kubernetes itself serves and Flux's toolkit groups: there an unknown kind is a typo. */
const KNOWN_GROUPS = new Set(SCHEMA_MODULES.filter((m) => m.origin !== 'package').map((m) => apiGroupOf(m.apiVersion)))

function moduleFor(apiVersion: string, kind: string): SchemaModule | undefined {
  return MODULES_BY_API_VERSION.get(apiVersion)?.find((module) => KINDS.get(module)!.has(kind))
}

/** Validators of the modules loaded so far: module → kind → entry. */
const loaded = new Map<SchemaModule, Map<string, KindEntry>>()
const shapes = new Map<string, Map<string, Shape>>()

/**
 * Loads the validators for the apiVersions and kinds these objects use, before validateObject sees them.
 * Each apiVersion of a package is a module (a chunk of its own in the bundles), so a run that checks a
 * few Deployments loads apps/v1 and v1, not the tens of MB of every model.
 */
export async function loadSchemas(objects: Iterable<KubeObject>): Promise<void> {
  const wanted = new Set<SchemaModule>()
  for (const object of objects) {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') continue
    const module = moduleFor(object.apiVersion, object.kind)
    if (module && !loaded.has(module)) wanted.add(module)
  }
  await Promise.all(
    [...wanted].map(async (module) => {
      const namespace = await module.load()
      const entries = new Map<string, KindEntry>()
      for (const value of Object.values(namespace)) {
        const model = value as { apiVersion?: unknown; kind?: unknown; prototype?: { validate?: ModelValidate } }
        if (typeof value !== 'function' || model.apiVersion !== module.apiVersion || typeof model.kind !== 'string') continue
        if (model.prototype?.validate)
          entries.set(model.kind, { apiVersion: module.apiVersion, kind: model.kind, validate: model.prototype.validate })
      }
      loaded.set(module, entries)
    })
  )
}

/**
 * True for API groups whose kinds we know: those Kubernetes itself serves (as kubernetes-models ships
 * them: core, apps, networking.k8s.io…, not every group ending in .k8s.io) and Flux's toolkit groups.
 * There an unknown kind is a typo. Any other group (gateway.networking.k8s.io, cert-manager.io,
 * source.extensions.fluxcd.io…) is custom resources: checked when a schema is known, else not checked,
 * which is no error.
 */
export function isBuiltInGroup(apiVersion: string): boolean {
  return KNOWN_GROUPS.has(apiGroupOf(apiVersion))
}

/** The apiVersions that Kubernetes or Flux serve a kind as, in the models' order (custom resources of other packages left out). */
export function servedVersions(kind: string): string[] {
  return SCHEMA_MODULES.filter((module) => module.origin !== 'package' && KINDS.get(module)!.has(kind)).map((module) => module.apiVersion)
}

/** Whether a packaged schema is known for apiVersion/kind. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return moduleFor(apiVersion, kind) !== undefined
}

/** The validator of a kind with a schema; its module must have been loaded (loadSchemas). */
function entryFor(apiVersion: string, kind: string): KindEntry | undefined {
  const module = moduleFor(apiVersion, kind)
  if (!module) return undefined
  const entry = loaded.get(module)?.get(kind)
  if (!entry) throw new Error(`the ${apiVersion} validators are not loaded: await loadSchemas() before validateObject()`)
  return entry
}

/** A CRD's schema for one served version (or a JSON schema given in gitops.yaml), compiled on first use. */
export interface CustomSchema {
  schema: Record<string, unknown>
  /**
   * Given in gitops.yaml's `schemas:` section: it describes what the cluster runs, so it takes the
   * place of a packaged model of the same apiVersion and kind. A CRD merely found in the repository
   * comes after the packaged models, as it always has (a trimmed stand-in must not hide their checks).
   */
  explicit?: boolean
  /** The file it was read from, when that is not a CRD (a JSON schema), for messages. */
  source?: string
  /** The compiled validator; null when the schema does not compile (compileError says why). */
  compiled?: ValidateFunction | null
  compileError?: string
}

const crdAjv = new Ajv({ allErrors: true, strict: false, validateFormats: false })

/** The openAPIV3Schema of each served version of these CRDs, keyed apiVersion/kind (null: the version has no schema). */
export function customSchemas(objects: readonly KubeObject[], options: { explicit?: boolean } = {}): Map<string, CustomSchema | null> {
  const result = new Map<string, CustomSchema | null>()
  for (const object of objects) {
    if (object.kind !== 'CustomResourceDefinition' || !String(object.apiVersion).startsWith('apiextensions.k8s.io/')) continue
    const spec = object.spec as
      | {
          group?: string
          names?: { kind?: string }
          validation?: { openAPIV3Schema?: unknown }
          versions?: Array<{ name?: string; schema?: { openAPIV3Schema?: unknown } }>
        }
      | undefined
    if (!spec?.group || !spec.names?.kind) continue
    for (const version of spec.versions ?? []) {
      const key = `${spec.group}/${version.name}/${spec.names.kind}`
      // apiextensions.k8s.io/v1beta1 CRDs may give one schema for every version.
      const schema = version.schema?.openAPIV3Schema ?? spec.validation?.openAPIV3Schema
      result.set(
        key,
        schema && typeof schema === 'object' ? { schema: schema as Record<string, unknown>, explicit: options.explicit } : null
      )
    }
  }
  return result
}

/**
 * Compiles a CRD schema once. A `pattern` that JavaScript cannot compile (Go's RE2 syntax such as
 * `(?i)` or `\z`) is left out rather than losing the whole schema.
 */
function compiled(crd: CustomSchema): ValidateFunction | null {
  if (crd.compiled !== undefined) return crd.compiled
  try {
    crd.compiled = crdAjv.compile(withoutBadPatterns(crd.schema) as Record<string, unknown>)
  } catch (error) {
    crd.compiled = null
    crd.compileError = (error as Error).message
  }
  return crd.compiled
}

function withoutBadPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutBadPatterns)
  if (!node || typeof node !== 'object') return node
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string' && !compilesAsRegExp(value)) continue
    if (key === 'default' || key === 'example' || key === 'enum' || key === 'x-kubernetes-validations') result[key] = value
    else if (key === 'properties' || key === 'patternProperties' || key === 'definitions' || key === 'dependencies')
      result[key] =
        value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutBadPatterns(v)])) : value
    else result[key] = withoutBadPatterns(value)
  }
  return result
}

function compilesAsRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u')
    return true
  } catch {
    return false
  }
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
  const crd = custom.get(key)
  if (crd?.explicit) return checkCustom(crd, object)
  const module = moduleFor(apiVersion, kind)
  // Another project's CRD in the repository is the version the cluster runs: it goes before our package of it.
  if (crd && module?.origin === 'package') return checkCustom(crd, object)
  const entry = entryFor(apiVersion, kind)
  if (entry) {
    const problems = [...invalid(entry, object), ...unknownFields(key, entry.validate, object)]
    return module?.source ? problems.map((problem) => ({ ...problem, catalog: module.source })) : problems
  }
  if (crd) return checkCustom(crd, object)
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
  const re2 = RE2_ONLY.get(key)
  if (re2) {
    return [
      {
        kind: 'no-schema',
        path: ['apiVersion'],
        message: `no schema for ${kind} (${apiVersion}): ${re2} gives it one only with Go's regular expressions, which validate-manifests cannot run, so the object is not checked (commit its CustomResourceDefinition, or list it in gitops.yaml schemas.crds, to check it)`
      }
    ]
  }
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
  const group = apiGroupOf(apiVersion)
  const candidates = SCHEMA_MODULES.filter((module) => apiGroupOf(module.apiVersion) === group).flatMap((module) =>
    [...KINDS.get(module)!].map((candidate) => ({ apiVersion: module.apiVersion, kind: candidate }))
  )
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
    return describeErrors(errors.filter((e) => !acceptedByTheCluster(object, e)))
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * What the packaged schemas refuse but the cluster takes: an enum value the Flux Operator adds to
 * Flux's CRDs, and base64 wrapped over lines (kustomize writes a generated Secret's long values
 * wrapped at 76 columns; the API server's decoder skips the line breaks).
 */
function acceptedByTheCluster(object: KubeObject, error: ErrorObject): boolean {
  let value: unknown = object
  for (const key of error.instancePath.split('/').slice(1)) value = (value as Record<string, unknown> | undefined)?.[key]
  if (error.keyword === 'enum') return widenedByFluxOperator(object, error.instancePath, value)
  if (error.keyword === 'format' && (error.params as { format?: string }).format === 'byte')
    return typeof value === 'string' && /[\r\n]/.test(value) && BASE64.test(value.replace(/[\r\n]/g, ''))
  return false
}

function checkCustom(crd: CustomSchema, object: KubeObject): SchemaProblem[] {
  const validate = compiled(crd)
  if (!validate) {
    const from = crd.source ? ` (${crd.source})` : ''
    return [
      {
        kind: 'no-schema',
        path: ['kind'],
        message: `the schema of ${object.apiVersion}/${object.kind}${from} does not compile (${crd.compileError}), so the object is not checked`
      }
    ]
  }
  const { metadata: _m, ...rest } = object
  // The API server prunes a null at a field that is not nullable before it validates.
  const problems = validate(withoutPrunedNulls(rest, crd.schema)) ? [] : describeErrors(validate.errors ?? [])
  return [...problems, ...crdStructure(crd.schema, object)]
}

type SchemaNode = Record<string, unknown>

/** The node that describes a field of an object: its property, else additionalProperties when that is a schema. */
function fieldNode(node: SchemaNode | undefined, name: string): SchemaNode | undefined {
  const properties = node?.properties as Record<string, SchemaNode> | undefined
  if (properties && Object.prototype.hasOwnProperty.call(properties, name)) return properties[name]
  const additional = node?.additionalProperties
  return additional && typeof additional === 'object' ? (additional as SchemaNode) : undefined
}

function withoutPrunedNulls(value: unknown, node: SchemaNode | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutPrunedNulls(item, node?.items as SchemaNode | undefined))
  if (!value || typeof value !== 'object') return value
  const result: Record<string, unknown> = {}
  for (const [name, child] of Object.entries(value)) {
    const childNode = fieldNode(node, name)
    if (child === null && childNode?.nullable !== true) continue
    result[name] = withoutPrunedNulls(child, childNode)
  }
  return result
}

const EMBEDDED_RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata'])

/**
 * What ajv does not see in a structural schema: fields it does not declare (the API server prunes
 * them; strict field validation refuses them), `x-kubernetes-preserve-unknown-fields` (anything goes
 * below), `x-kubernetes-embedded-resource` (apiVersion, kind and metadata of an object inside),
 * `x-kubernetes-int-or-string` without an anyOf spelling it out.
 */
function crdStructure(schema: SchemaNode, object: KubeObject): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const walk = (value: unknown, node: SchemaNode | undefined, path: Array<string | number>): void => {
    if (!node || value === null || value === undefined) return
    if (node['x-kubernetes-int-or-string'] === true && !node.anyOf && !(typeof value === 'string' || Number.isInteger(value))) {
      problems.push({ kind: 'invalid', path, message: `${path.join('.') || '(the object)'} must be an integer or a string` })
      return
    }
    if (node['x-kubernetes-preserve-unknown-fields'] === true && !node.properties && !node.additionalProperties) return
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, node.items as SchemaNode | undefined, [...path, i]))
      return
    }
    if (typeof value !== 'object') return
    const properties = node.properties as Record<string, SchemaNode> | undefined
    const additional = node.additionalProperties
    const open = node['x-kubernetes-preserve-unknown-fields'] === true || additional === true || (!properties && !additional)
    const embedded = node['x-kubernetes-embedded-resource'] === true || path.length === 0
    for (const [name, child] of Object.entries(value)) {
      if (embedded && EMBEDDED_RESOURCE_FIELDS.has(name) && (name === 'metadata' || !properties?.[name])) continue
      const childNode = fieldNode(node, name)
      if (childNode) walk(child, childNode, [...path, name])
      else if (!open) {
        problems.push({
          kind: 'unknown-field',
          path: [...path, name],
          message: unknownFieldMessage([...path, name], new Set(Object.keys(properties ?? {})))
        })
      }
    }
  }
  walk(object, schema, [])
  return problems
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
    if (!trace.isArray && !shape!.has(path))
      shape!.set(path, trace.enumerated ? 'map' : trace.reads.size === 0 ? 'free' : declared(trace.reads))
    for (const [name, child] of trace.children)
      record(child, trace.isArray ? `${path}/[]` : trace.enumerated ? `${path}/*` : `${path}/${name}`)
  }
  record(root, '')
}

/**
 * The fields a type declares: those its validator reads, and those the models' generator left out
 * of the validator (a CRD schema's `description` and `x-kubernetes-*` at every depth, PriorityClass's
 * `description`…), which schema-catalog.ts lists by the fields that are read.
 */
function declared(reads: ReadonlySet<string>): ReadonlySet<string> {
  const unread = UNREAD_FIELDS.get([...reads].sort().join(' '))
  return unread ? new Set([...reads, ...unread]) : reads
}

/**
 * Where a CRD holds JSONSchemaProps. The schema is recursive (properties.*.items.properties.*…) and the
 * models type `items`, `additionalProperties` and `additionalItems` as free-form (JSONSchemaPropsOrArray,
 * OrBool), so their validators read nothing below them. Every schema node is walked with the shape of
 * the root node instead, at any depth.
 */
const SCHEMA_ROOTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['apiextensions.k8s.io/v1/CustomResourceDefinition', ['/spec/versions/[]/schema/openAPIV3Schema']],
  [
    'apiextensions.k8s.io/v1beta1/CustomResourceDefinition',
    ['/spec/validation/openAPIV3Schema', '/spec/versions/[]/schema/openAPIV3Schema']
  ]
])
/** JSONSchemaProps fields that hold schemas: a map of them, one (or, for items, a list), or a list. */
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies'])
const SUBSCHEMAS = new Set(['items', 'additionalProperties', 'additionalItems', 'not', 'allOf', 'anyOf', 'oneOf'])

function unknownFields(key: string, validate: ModelValidate, object: KubeObject): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const schemaRoots = SCHEMA_ROOTS.get(key) ?? []
  let learned = false
  const walk = (value: Record<string, unknown>, shapePath: string, path: Array<string | number>, schemaRoot?: string): void => {
    let shape = shapes.get(key)?.get(shapePath)
    if (shape === undefined && !learned) {
      learned = true
      learn(key, validate, object)
      shape = shapes.get(key)?.get(shapePath)
    }
    if (shape === undefined || shape === 'free') return
    const root = schemaRoot ?? (schemaRoots.includes(shapePath) ? shapePath : undefined)
    for (const [name, child] of Object.entries(value)) {
      if (shape !== 'map' && !shape.has(name)) {
        problems.push({ kind: 'unknown-field', path: [...path, name], message: unknownFieldMessage([...path, name], shape) })
        continue
      }
      if (root && SUBSCHEMA_MAPS.has(name) && child && typeof child === 'object' && !Array.isArray(child)) {
        for (const [entry, schema] of Object.entries(child)) visitSchema(schema, root, [...path, name, entry])
      } else if (root && SUBSCHEMAS.has(name)) {
        visitSchema(child, root, [...path, name])
      } else {
        visit(child, shape === 'map' ? `${shapePath}/*` : `${shapePath}/${name}`, [...path, name])
      }
    }
  }
  const visit = (child: unknown, shapePath: string, path: Array<string | number>): void => {
    if (Array.isArray(child)) {
      child.forEach((item, index) => visit(item, `${shapePath}/[]`, [...path, index]))
    } else if (child && typeof child === 'object') {
      walk(child as Record<string, unknown>, shapePath, path)
    }
  }
  // A schema node, or a list of them (allOf, items as a tuple); booleans and string lists (dependencies) are not nodes.
  const visitSchema = (child: unknown, root: string, path: Array<string | number>): void => {
    if (Array.isArray(child)) child.forEach((item, index) => visitSchema(item, root, [...path, index]))
    else if (child && typeof child === 'object') walk(child as Record<string, unknown>, root, path, root)
  }
  walk(object as Record<string, unknown>, '', [])
  return problems
}

function unknownFieldMessage(path: ReadonlyArray<string | number>, known: ReadonlySet<string>): string {
  const near = nearestName(String(path[path.length - 1]), known)
  return `unknown field ${path.join('.')}${near ? ` (did you mean ${near}?)` : ''}`
}
