import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

// ajv-formats is CommonJS: under Node its default import is the function itself, under some
// bundlers it is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv

/**
 * GitHub's REST description (@octokit/openapi, generated/api.github.com.json) as the referee of
 * every request and response the stand-in sees. The 13 MB file is parsed once per process; only
 * the operations the stand-in serves are turned into JSON Schema and compiled, on first use.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

/** One served operation, as the description defines it. */
export interface Operation {
  operationId: string
  method: string
  /** The path template, e.g. /repos/{owner}/{repo}/git/refs/{ref}. */
  path: string
  parameters: Parameter[]
  /** The request body's JSON schema (converted), when the operation takes one. */
  requestSchema?: JsonObject
  requestRequired: boolean
  /** Response schemas by status code ('default' included); `null` for a response without a JSON body. */
  responses: Map<string, JsonObject | null>
}

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required: boolean
  schema: JsonObject
}

interface RawSpec {
  openapi: string
  info: { version: string }
  paths: Record<string, Record<string, JsonObject>>
  components: { schemas: Record<string, JsonObject>; parameters: Record<string, JsonObject>; responses: Record<string, JsonObject> }
}

let spec: RawSpec | undefined

/** The parsed description; read from disk once per process. */
export function githubDescription(): RawSpec {
  if (!spec) {
    const require = createRequire(import.meta.url)
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json')
    spec = JSON.parse(readFileSync(file, 'utf8')) as RawSpec
  }
  return spec
}

const SCHEMA_ID = 'https://stand-in.invalid/api.github.com.json'
// Keywords of OpenAPI 3.0 that are not JSON Schema, or that only document.
const DROPPED = new Set(['example', 'examples', 'externalDocs', 'discriminator', 'xml', 'deprecated'])

/** Compiles and caches validators for the served operations of GitHub's description. */
export class OpenApiReferee {
  private readonly raw = githubDescription()
  private readonly ajv: Ajv
  private readonly definitions: Record<string, Json> = {}
  private readonly pending = new Set<string>()
  private readonly operations = new Map<string, Operation>()
  private readonly validators = new Map<string, ValidateFunction>()
  private definitionsAdded = false
  private index?: Map<string, { path: string; method: string; op: JsonObject; item: Record<string, JsonObject> }>
  private readonly formats = new Set(['uri-template', 'int64', 'uri', 'date-time', 'date', 'email'])

  constructor() {
    // inlineRefs: false compiles each referenced component once (simple-user appears dozens of
    // times in a pull request); inlining them all makes compiling take seconds.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, inlineRefs: false })
    addFormats(this.ajv)
  }

  /** The description's version, e.g. 1.1.4 (for reports). */
  get version(): string {
    return this.raw.info.version
  }

  /** The operation with this id; throws when the description has no such operation. */
  operation(operationId: string): Operation {
    const known = this.operations.get(operationId)
    if (known) return known
    if (!this.index) {
      this.index = new Map()
      for (const [path, item] of Object.entries(this.raw.paths)) {
        for (const [method, op] of Object.entries(item)) {
          const id = (op as JsonObject).operationId
          if (typeof id === 'string') this.index.set(id, { path, method, op: op as JsonObject, item })
        }
      }
    }
    const found = this.index.get(operationId)
    if (!found) throw new Error(`GitHub's REST description has no operation ${operationId}`)
    const operation = this.convertOperation(found.path, found.method, found.op, found.item)
    this.operations.set(operationId, operation)
    return operation
  }

  /** Converts the given operations now and registers their schemas with ajv in one go. */
  prepare(operationIds: readonly string[]): Operation[] {
    const operations = operationIds.map((id) => this.operation(id))
    this.flushDefinitions()
    return operations
  }

  /** Errors of a request body against its operation's schema (empty when valid). */
  checkRequestBody(op: Operation, body: unknown): string[] {
    if (body === undefined) return op.requestRequired ? ['the request has no body, but the operation requires one'] : []
    if (!op.requestSchema) return []
    return this.check(`${op.operationId} request`, op.requestSchema, body)
  }

  /** Errors of query and path parameters (strings from the URL, coerced by their schema). */
  checkParameters(op: Operation, path: Record<string, string>, query: URLSearchParams): string[] {
    const errors: string[] = []
    const queryNames = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name))
    for (const name of new Set(query.keys())) {
      if (!queryNames.has(name)) errors.push(`query parameter "${name}" is not a parameter of ${op.operationId}`)
    }
    for (const parameter of op.parameters) {
      if (parameter.in !== 'query' && parameter.in !== 'path') continue
      const raw = parameter.in === 'path' ? path[parameter.name] : (query.get(parameter.name) ?? undefined)
      if (raw === undefined) {
        if (parameter.required) errors.push(`${parameter.in} parameter "${parameter.name}" is required`)
        continue
      }
      const value = coerce(raw, parameter.schema)
      for (const e of this.check(`${op.operationId} ${parameter.in}:${parameter.name}`, parameter.schema, value)) {
        errors.push(`${parameter.in} parameter "${parameter.name}"=${JSON.stringify(raw)}: ${e}`)
      }
    }
    return errors
  }

  /** Errors of a response against the operation's schema for its status code. */
  checkResponse(op: Operation, status: number, body: unknown): string[] {
    const code = String(status)
    if (!op.responses.has(code) && !op.responses.has('default')) {
      return [`status ${status} is not a documented response of ${op.operationId} (documented: ${[...op.responses.keys()].join(', ')})`]
    }
    const schema = op.responses.has(code) ? op.responses.get(code) : op.responses.get('default')
    if (!schema) {
      // The description leaves some error statuses without a body (delete-ref's 422), yet GitHub
      // sends its usual error object there: accept that one shape, nothing else.
      if (body === undefined || (status >= 400 && isErrorBody(body))) return []
      return [`status ${status} of ${op.operationId} has no body in the description, but one was sent`]
    }
    if (body === undefined) return [`status ${status} of ${op.operationId} must have a JSON body`]
    return this.check(`${op.operationId} ${code}`, schema, body)
  }

  private check(key: string, schema: JsonObject, value: unknown): string[] {
    let validate = this.validators.get(key)
    if (!validate) {
      // Re-registering the definitions drops ajv's compiled references: routes() prepares every
      // served operation up front so this happens once.
      if (!this.definitionsAdded || this.pending.size > 0) this.flushDefinitions()
      validate = this.ajv.compile({ ...schema })
      this.validators.set(key, validate)
    }
    if (validate(value)) return []
    const errors = validate.errors ?? []
    // "must be null" and "must match a schema in anyOf" only echo how `nullable` was translated;
    // the other errors say what is wrong.
    const telling = errors.filter(
      (e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null')
    )
    return (telling.length > 0 ? telling : errors).map(describeError).filter((e, i, all) => all.indexOf(e) === i)
  }

  /** Converts every pending component schema (and what they reference) and (re)registers them with ajv. */
  private flushDefinitions(): void {
    while (this.pending.size > 0) {
      const [name] = this.pending
      this.pending.delete(name!)
      const source = this.raw.components.schemas[name!]
      if (!source) throw new Error(`GitHub's description references a missing schema ${name}`)
      this.definitions[name!] = this.convertSchema(source)
    }
    if (this.definitionsAdded) this.ajv.removeSchema(SCHEMA_ID)
    for (const format of this.formats) if (!this.ajv.formats[format]) this.ajv.addFormat(format, true)
    this.ajv.addSchema({ $id: SCHEMA_ID, definitions: this.definitions } as object)
    this.definitionsAdded = true
    // Compiled validators keep working: ajv resolved their references when they were compiled.
  }

  private convertOperation(path: string, method: string, op: JsonObject, item: Record<string, JsonObject>): Operation {
    const parameters: Parameter[] = []
    const rawParameters = [...((item.parameters as Json[] | undefined) ?? []), ...((op.parameters as Json[] | undefined) ?? [])]
    for (const p of rawParameters) {
      const parameter = this.deref(p as JsonObject)
      parameters.push({
        name: parameter.name as string,
        in: parameter.in as Parameter['in'],
        required: parameter.required === true,
        schema: this.convertSchema((parameter.schema as JsonObject | undefined) ?? {})
      })
    }
    let requestSchema: JsonObject | undefined
    let requestRequired = false
    if (op.requestBody) {
      const body = this.deref(op.requestBody as JsonObject)
      requestRequired = body.required === true
      const content = body.content as Record<string, JsonObject> | undefined
      const json = content?.['application/json']
      if (json?.schema) requestSchema = closeObject(this.convertSchema(json.schema as JsonObject))
    }
    const responses = new Map<string, JsonObject | null>()
    for (const [code, value] of Object.entries((op.responses as Record<string, JsonObject>) ?? {})) {
      const response = this.deref(value)
      const content = response.content as Record<string, JsonObject> | undefined
      const json = content?.['application/json'] ?? content?.['application/scim+json']
      responses.set(code, json?.schema ? this.convertSchema(json.schema as JsonObject) : null)
    }
    return {
      operationId: op.operationId as string,
      method: method.toUpperCase(),
      path,
      parameters,
      requestSchema,
      requestRequired,
      responses
    }
  }

  /** Follows a $ref to components/parameters, components/responses or components/requestBodies. */
  private deref(node: JsonObject): JsonObject {
    let current = node
    for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
      const [, , section, name] = (current.$ref as string).split('/')
      const target = (this.raw.components as unknown as Record<string, Record<string, JsonObject>>)[section!]?.[name!]
      if (!target) throw new Error(`GitHub's description has a dangling reference ${current.$ref as string}`)
      current = target
    }
    return current
  }

  /**
   * OpenAPI 3.0 schema → JSON Schema (draft 7): component references point into one shared
   * definitions document, `nullable: true` becomes "or null", and documentation-only keywords go.
   */
  private convertSchema(node: Json): JsonObject {
    return this.convert(node) as JsonObject
  }

  private convert(node: Json): Json {
    if (Array.isArray(node)) return node.map((n) => this.convert(n))
    if (node === null || typeof node !== 'object') return node
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/components/schemas/', '')
      if (name === node.$ref) throw new Error(`Unexpected schema reference ${node.$ref}`)
      if (!(name in this.definitions)) {
        this.definitions[name] = {}
        this.pending.add(name)
      }
      return { $ref: `${SCHEMA_ID}#/definitions/${encodeURIComponent(name)}` }
    }
    const out: JsonObject = {}
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED.has(key) || key.startsWith('x-') || key === 'nullable') continue
      if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
        // Property names are data, not keywords: convert each value, keep every name.
        out.properties = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, this.convert(schema)]))
      } else if (key === 'format' && typeof value === 'string') {
        this.formats.add(value)
        out.format = value
      } else {
        out[key] = this.convert(value)
      }
    }
    if (node.nullable === true) return { anyOf: [{ type: 'null' }, out] }
    return out
  }
}

/**
 * GitHub ignores body properties it does not know; the stand-in reports them, because a misspelt
 * property (`merge_methd`) is a bug that real GitHub would hide.
 */
function closeObject(schema: JsonObject): JsonObject {
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) {
    return { ...schema, additionalProperties: false }
  }
  // A nullable body (pulls/merge) arrives here as anyOf [null, object].
  if (Array.isArray(schema.anyOf) && schema.anyOf.length === 2 && (schema.anyOf[0] as JsonObject).type === 'null') {
    return { ...schema, anyOf: [schema.anyOf[0]!, closeObject(schema.anyOf[1] as JsonObject)] }
  }
  return schema
}

function isErrorBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
}

function coerce(raw: string, schema: JsonObject): unknown {
  const type = schema.type
  if (type === 'integer' || type === 'number') return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw
  return raw
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '(root)'
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`
  }
  if (error.keyword === 'enum')
    return `${where} ${error.message}: ${JSON.stringify((error.params as { allowedValues: unknown }).allowedValues)}`
  return `${where} ${error.message}`
}
