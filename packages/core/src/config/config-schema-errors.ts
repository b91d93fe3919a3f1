import type { ErrorObject } from 'ajv'
import { UserError } from '../errors.js'
import { didYouMean } from '../names.js'
import { locationOf, type YamlSource } from '../yaml-source.js'

/**
 * gitops.yaml's schema errors in our words, at file:line: the key path as YAML reads it
 * (`environments[0].name`), the value found, what was expected (a pattern's `description` from the
 * schema, never the regular expression), and "did you mean" for an unknown key or value.
 */
export function configSchemaError(source: YamlSource, errors: readonly ErrorObject[]): UserError {
  const error = mostSpecific(errors)
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')))
  const where = path.length === 0 ? 'gitops.yaml' : configKeyPath(path)
  const params = error.params as Record<string, unknown>
  const schema = (error.parentSchema ?? {}) as { description?: string; properties?: object }
  const value = error.data
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty)
      const allowed = Object.keys(schema.properties ?? {})
      return new UserError(
        `${where}: unknown key '${extra}'${didYouMean(extra, allowed)}; valid keys: ${allowed.join(', ')}`,
        locationOf(source, [...path, extra], 'key')
      )
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String)
      return new UserError(
        `${where}: ${shown(value)} is not one of ${allowed.join(', ')}${typeof value === 'string' ? didYouMean(value, allowed) : ''}`,
        locationOf(source, path)
      )
    }
    case 'pattern': {
      // A key checked by propertyNames: the error names the key, and the key is where to look.
      const key = error.propertyName
      const expected = schema.description ?? 'of the form this setting takes'
      if (key !== undefined)
        return new UserError(`${where}: the key '${key}' is not ${expected}`, locationOf(source, [...path, key], 'key'))
      return new UserError(`${where}: ${shown(value)} is not ${expected}`, locationOf(source, path))
    }
    case 'type':
      return new UserError(`${where}: expected ${typeNames(params.type)}, found ${shown(value)}`, locationOf(source, path))
    case 'required':
      return new UserError(`${where}: '${String(params.missingProperty)}' is required`, locationOf(source, path))
    case 'minItems':
      return new UserError(`${where}: needs at least ${plural(Number(params.limit), 'entry', 'entries')}`, locationOf(source, path))
    case 'maxItems':
      return new UserError(`${where}: takes at most ${plural(Number(params.limit), 'entry', 'entries')}`, locationOf(source, path))
    case 'minLength':
      return new UserError(
        `${where}: ${Number(params.limit) === 1 ? 'must not be empty' : `needs at least ${params.limit} characters`}`,
        locationOf(source, path)
      )
    case 'maxLength':
      return new UserError(`${where}: is longer than ${params.limit} characters`, locationOf(source, path))
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return new UserError(`${where}: ${shown(value)} is ${COMPARISON[error.keyword]} ${String(params.limit)}`, locationOf(source, path))
    default:
      return new UserError(
        `${where}: ${shown(value)} is not valid here${schema.description ? ` (expected ${schema.description})` : ''}`,
        locationOf(source, path)
      )
  }
}

const COMPARISON: Record<string, string> = {
  minimum: 'below the minimum',
  maximum: 'above the maximum',
  exclusiveMinimum: 'not above',
  exclusiveMaximum: 'not below'
}

/** Wrappers (propertyNames, anyOf, if) say less than the error inside them; the deepest path says most. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  const wrappers = new Set(['propertyNames', 'anyOf', 'oneOf', 'allOf', 'if', 'not'])
  const inner = errors.filter((e) => !wrappers.has(e.keyword))
  return [...(inner.length > 0 ? inner : errors)].sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!
}

/** `environments[0].name`, `drift.expected["apps/v1"]`: a gitops.yaml key path as a reader finds it in the file. */
export function configKeyPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : /^[A-Za-z_][\w-]*$/.test(part) ? `${i === 0 ? '' : '.'}${part}` : `[${JSON.stringify(part)}]`
    )
    .join('')
}

function typeNames(type: unknown): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping (key: value)',
    null: 'nothing'
  }
  const types = String(type)
    .split(',')
    .map((t) => names[t] ?? t)
  return types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types.join('')
}

/** A value as the message quotes it: scalars as written, collections by kind. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 79)}…` : value}'`
  return String(value)
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}
