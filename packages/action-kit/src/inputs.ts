import * as core from '@actions/core'
import { parameterError } from '@gitops-actions/core'
import { parseBoolean, parseChoice, parseInteger, parseList } from './input-parsing.js'

/**
 * Typed readers for action inputs. Each reads `INPUT_<NAME>` as the runner sets it; action.yml
 * supplies defaults, so an empty value means "not given".
 */

/** A string input; undefined when empty. */
export function optionalString(name: string): string | undefined {
  const value = core.getInput(name).trim()
  return value === '' ? undefined : value
}

/** A string input that must be given. */
export function requiredString(name: string): string {
  const value = optionalString(name)
  if (value === undefined) throw parameterError(name, 'required and not supplied')
  return value
}

/** A boolean input; action.yml must give it a default. */
export function booleanInput(name: string): boolean {
  return parseBoolean(name, core.getInput(name) || 'false')
}

export function choiceInput<T extends string>(name: string, choices: readonly T[]): T
export function choiceInput<T extends string>(name: string, choices: readonly T[], optional: true): T | undefined
export function choiceInput<T extends string>(name: string, choices: readonly T[], optional = false): T | undefined {
  const value = optionalString(name)
  if (value === undefined) {
    if (optional) return undefined
    throw parameterError(name, `required and not supplied. Valid values are: ${choices.join(', ')}`)
  }
  return parseChoice(name, value, choices)
}

/** A whole-number input within bounds; undefined when empty. */
export function integerInput(name: string, bounds?: { min?: number; max?: number }): number | undefined {
  const value = optionalString(name)
  return value === undefined ? undefined : parseInteger(name, value, bounds)
}

/** A multi-line list input (one item per line, `#` comments allowed). */
export function listInput(name: string): string[] {
  return parseList(core.getInput(name))
}

/** A secret input: masked in the log from here on, whatever prints it. */
export function secretInput(name: string): string | undefined {
  const value = optionalString(name)
  if (value !== undefined) core.setSecret(value)
  return value
}

/** A repository input (owner/name); undefined when empty. */
export function repositoryInput(name: string): { owner: string; repo: string } | undefined {
  const value = optionalString(name)
  if (value === undefined) return undefined
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(value)
  if (!match) throw parameterError(name, `'${value}' is not a repository (owner/name)`)
  return { owner: match[1]!, repo: match[2]! }
}

/**
 * A string input that was released under other names (`formerNames`, still declared in action.yml):
 * the input `name`, else the first former name given, with one warning saying which name to use.
 * `defaultValue` is action.yml's default of `name`: the runner fills it in when it is not given, so a
 * former name given explicitly wins over it. Both names given with different values is a mistake.
 */
export function renamedString(name: string, formerNames: readonly string[], defaultValue = ''): string | undefined {
  const current = core.getInput(name).trim()
  for (const former of formerNames) {
    const value = core.getInput(former).trim()
    if (value === '') continue
    if (current !== '' && current !== defaultValue && current !== value) {
      throw parameterError(name, `'${current}' and the former name '${former}' ('${value}') disagree: give only '${name}'`)
    }
    core.warning(`Input '${former}' is deprecated: write '${name}' instead (it means the same).`)
    return value
  }
  return current === '' ? undefined : current
}
