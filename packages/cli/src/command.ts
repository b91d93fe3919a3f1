import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Terminal } from './terminal.js'

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The check found errors, or the user's repository or input is wrong. */
  failed: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** A bug in gitops-actions. */
  internal: 70
} as const

export interface CommandOption {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  description: string
  default?: string | boolean
}

export interface Command {
  name: string
  summary: string
  usage: string
  options: Record<string, CommandOption>
  /** Runs with parsed options and positionals; returns the exit code. */
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

export function parseCommandArgs(command: Command, argv: string[]): CommandArgs {
  const options: ParseArgsConfig['options'] = {}
  for (const [name, option] of Object.entries({ ...command.options, ...COMMON_OPTIONS })) {
    options[name] = { type: option.type, ...(option.short ? { short: option.short } : {}), ...(option.multiple ? { multiple: true } : {}) }
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    return { values: values as CommandArgs['values'], positionals }
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''))
  }
}

/** The --help text of a command. */
export function commandHelp(command: Command): string {
  const rows = Object.entries({ ...command.options, ...COMMON_OPTIONS }).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ' <value>' : ''}`
    const fallback = option.default !== undefined && option.default !== false ? ` (default: ${option.default})` : ''
    return `  ${flag.padEnd(30)} ${option.description}${fallback}`
  })
  return [`${command.summary}`, '', `Usage: gitops-actions ${command.usage}`, '', 'Options:', ...rows].join('\n')
}

/** A string option's value, or its default. */
export function stringOption(values: Record<string, unknown>, name: string, fallback?: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : fallback
}
