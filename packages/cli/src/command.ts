import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UserError } from '@gitops-actions/core'
import type { Terminal } from './terminal.js'

/**
 * Exit codes scripts can rely on, as `flux diff` sets them: 0 nothing found, 1 found (findings,
 * drift), 2 and above an error that kept the command from answering. EXIT_CODES documents them.
 */
export const EXIT = {
  ok: 0,
  /** The check found findings (at --fail-on or worse), or drift (--fail-on-drift). */
  failed: 1,
  /** The command line itself is wrong: an unknown option, a missing or malformed flag. */
  usage: 2,
  /** The input is wrong: the directory, a file in it (gitops.yaml, a kustomization, YAML), or a value that does not fit them. */
  input: 3,
  /** The network or a credential failed: a server out of reach, a token refused or without the permission. */
  access: 4,
  /** A bug in gitops-actions. */
  internal: 70
} as const

/** What each exit code means, for --help and the README. */
export const EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [EXIT.ok, 'success: nothing found'],
  [EXIT.failed, 'findings: a check failed (errors, or warnings with --fail-on warning), or drift with --fail-on-drift'],
  [EXIT.usage, 'usage error: unknown option, missing or malformed flag'],
  [EXIT.input, 'input error: the directory, gitops.yaml or another file in it, or a value that does not fit them (printed as file:line)'],
  [EXIT.access, 'network or authentication error: a server out of reach, a token refused or lacking a permission'],
  [EXIT.internal, 'internal error: a bug in gitops-actions (please report it)']
]

/** The kind of error an exit code stands for, as --json prints it. */
export type ErrorKind = 'usage' | 'input' | 'network' | 'auth' | 'internal'

export interface CommandOption {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  description: string
  default?: string | boolean
  /** Names this option was released under before: still accepted, with a note on stderr naming this one. */
  formerNames?: readonly string[]
}

export interface Command {
  name: string
  summary: string
  usage: string
  options: Record<string, CommandOption>
  /**
   * How this command names the parameters that shared code reports mistakes in (UserError.parameter,
   * by the action's input name), where its option has another name: e.g. { overlays: '--overlay' }.
   */
  parameterNames?: Record<string, string>
  /** Runs with parsed options and positionals (former option names already folded into today's); returns the exit code. */
  run(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }, terminal: Terminal): Promise<number>
}

/** Thrown for a wrong command line; the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Options every command has. */
export const COMMON_OPTIONS: Record<string, CommandOption> = {
  json: { type: 'boolean', description: 'Print the result as JSON on stdout, for scripts.', default: false },
  help: { type: 'boolean', short: 'h', description: 'Show this help.', default: false }
}

/** Parses a command's arguments strictly: unknown options are usage errors naming them. */
export type CommandArgs = Parameters<Command['run']>[0]

export function parseCommandArgs(command: Command, argv: string[]): CommandArgs & { formerNamesUsed: string[] } {
  const options: ParseArgsConfig['options'] = {}
  for (const [name, option] of Object.entries({ ...command.options, ...COMMON_OPTIONS })) {
    options[name] = { type: option.type, ...(option.short ? { short: option.short } : {}), ...(option.multiple ? { multiple: true } : {}) }
    for (const former of option.formerNames ?? []) options[former] = { type: option.type, ...(option.multiple ? { multiple: true } : {}) }
  }
  let parsed: CommandArgs
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    parsed = { values: values as CommandArgs['values'], positionals }
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''))
  }
  const formerNamesUsed: string[] = []
  for (const [name, option] of Object.entries(command.options)) {
    for (const former of option.formerNames ?? []) {
      const value = parsed.values[former]
      if (value === undefined) continue
      delete parsed.values[former]
      const current = parsed.values[name]
      if (current !== undefined && JSON.stringify(current) !== JSON.stringify(value)) {
        throw new UsageError(`--${former} is the former name of --${name}, and the two disagree: give --${name} only`)
      }
      parsed.values[name] = value
      formerNamesUsed.push(`--${former} is now --${name}; the old name still works`)
    }
  }
  return { ...parsed, formerNamesUsed }
}

/** The --help text of a command. */
export function commandHelp(command: Command): string {
  const rows = Object.entries({ ...command.options, ...COMMON_OPTIONS }).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ' <value>' : ''}`
    const fallback = option.default !== undefined && option.default !== false ? ` (default: ${option.default})` : ''
    const former = option.formerNames?.length ? ` Formerly ${option.formerNames.map((f) => `--${f}`).join(', ')} (still accepted).` : ''
    return `  ${flag.padEnd(30)} ${option.description}${fallback}${former}`
  })
  return [`${command.summary}`, '', `Usage: gitops-actions ${command.usage}`, '', 'Options:', ...rows].join('\n')
}

/**
 * The options that pick an app and one of its environments: --app, -e/--environment and --env.
 * `environment` describes this command's use of it and its default, if it has one.
 */
export function appEnvironmentOptions(environment: { description: string; default?: string }): Record<string, CommandOption> {
  return {
    app: { type: 'string', description: 'App name (as in apps/<app>/ of the config repo).' },
    environment: { type: 'string', short: 'e', ...environment },
    env: { type: 'string', description: 'Same as --environment.' }
  }
}

/** The values of appEnvironmentOptions(); the environment falls back to `defaultEnvironment`. */
export function appEnvironmentValues(
  values: Record<string, unknown>,
  defaultEnvironment?: string
): { app: string | undefined; environment: string | undefined } {
  return {
    app: stringOption(values, 'app'),
    environment: stringOption(values, 'environment') ?? stringOption(values, 'env') ?? defaultEnvironment
  }
}

/**
 * How the CLI names a parameter that a mistake is in (UserError.parameter): the command's option
 * (--to), else the name the command maps it to, else the parameter as the action names it.
 */
export function parameterName(command: Command, parameter: string): string {
  return command.parameterNames?.[parameter] ?? (parameter in command.options ? `--${parameter}` : `'${parameter}'`)
}

/** A string option's value, or its default. */
export function stringOption(values: Record<string, unknown>, name: string, fallback?: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : fallback
}

/** A string option that must be one of `choices`; the usage error lists them. */
export function choiceOption<T extends string>(values: Record<string, unknown>, name: string, choices: readonly T[], fallback: T): T {
  const value = stringOption(values, name, fallback)!
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} '${value}' is not valid. Valid values are: ${choices.join(', ')}`)
  }
  return value as T
}

/** A comma-separated (or repeated) option as a list, blanks dropped. */
export function listOption(values: Record<string, unknown>, name: string): string[] {
  const value = values[name]
  const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : []
  return items
    .flatMap((item: string) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean)
}

/** The `[dir]` argument (default: the current directory), which must be a directory (`what` says which checkout). */
export function repoDirectory(terminal: { cwd: string }, positionals: readonly string[], what = 'the config repo checkout'): string {
  if (positionals.length > 1) throw new UsageError(`expected at most one directory, got: ${positionals.join(' ')}`)
  const dir = resolve(terminal.cwd, positionals[0] ?? '.')
  let isDirectory = false
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch {
    // Missing: reported below.
  }
  if (!isDirectory) throw new UserError(`${positionals[0] ?? dir} is not a directory: give ${what}`)
  return dir
}
