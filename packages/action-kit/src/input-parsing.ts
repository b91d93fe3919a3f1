import { parameterError } from '@gitops-actions/core'

/*
 * A bad input is a UserError carrying the input's name (parameterError): runAction prefixes it
 * "Input 'x': ", so messages here say only what is wrong and, where there is a list, the valid values.
 */

const TRUE_VALUES = ['true', 'True', 'TRUE']
const FALSE_VALUES = ['false', 'False', 'FALSE']

/** YAML 1.2 core-schema booleans, the set @actions/core accepts, with an error that lists them. */
export function parseBoolean(input: string, raw: string): boolean {
  const value = raw.trim()
  if (TRUE_VALUES.includes(value)) return true
  if (FALSE_VALUES.includes(value)) return false
  throw parameterError(input, `'${raw}' is not valid. Valid values are: true, false`)
}

/** One of a fixed list of values, compared case-sensitively as GitHub passes them. */
export function parseChoice<T extends string>(input: string, raw: string, choices: readonly T[]): T {
  const value = raw.trim()
  if ((choices as readonly string[]).includes(value)) return value as T
  throw parameterError(input, `'${raw}' is not valid. Valid values are: ${choices.join(', ')}`)
}

/** A whole number within bounds. */
export function parseInteger(input: string, raw: string, bounds: { min?: number; max?: number } = {}): number {
  const value = raw.trim()
  const number = /^-?\d+$/.test(value) ? Number(value) : Number.NaN
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const range = bounds.min !== undefined || bounds.max !== undefined ? ` between ${min} and ${max}` : ''
    throw parameterError(input, `'${raw}' is not valid. Expected a whole number${range}`)
  }
  return number
}

/**
 * A list given one item per line (or comma-separated on one line): blank lines and `#` comments are
 * dropped, each item trimmed.
 */
export function parseList(raw: string): string[] {
  const lines = raw.includes('\n') ? raw.split(/\r?\n/) : raw.split(',')
  return lines.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
}
