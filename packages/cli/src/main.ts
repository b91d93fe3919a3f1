import { stripVTControlCharacters } from 'node:util'
import {
  errorMessage,
  formatLocation,
  isAccessError,
  isUserError,
  SUITE_VERSION,
  userErrorText,
  type SourceLocation
} from '@gitops-actions/core'
import { accessFailure } from '@gitops-actions/github'
import {
  COMMON_OPTIONS,
  EXIT,
  EXIT_CODES,
  UsageError,
  type ErrorKind,
  commandHelp,
  parameterName,
  parseCommandArgs,
  type Command
} from './command.js'
import { bumpCommand } from './commands/bump.js'
import { promoteCommand } from './commands/promote.js'
import { protectCommand } from './commands/protect.js'
import { statusCommand } from './commands/status.js'
import { tagCommand } from './commands/tag.js'
import { validateCommand } from './commands/validate.js'
import { paint, type Terminal } from './terminal.js'

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [validateCommand, statusCommand, tagCommand, bumpCommand, promoteCommand, protectCommand]

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'gitops-actions: the GitOps actions on your machine.',
    '',
    'Usage: gitops-actions <command> [options]',
    '       gitops-actions --version',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Options for every command: ${Object.keys(COMMON_OPTIONS)
      .map((o) => `--${o}`)
      .join(', ')}`,
    "Run 'gitops-actions <command> --help' for a command's options.",
    '',
    'Exit codes:',
    ...EXIT_CODES.map(([code, meaning]) => `  ${String(code).padStart(2)}  ${meaning}`)
  ].join('\n')
}

/** Runs the CLI with arguments (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  const [name, ...rest] = argv
  const report = (kind: ErrorKind, code: number, message: string, location?: SourceLocation) => {
    terminal.err(message)
    if (wantsJson(argv))
      terminal.out(JSON.stringify({ error: { kind, exitCode: code, message: stripVTControlCharacters(message), location } }, null, 2))
    return code
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (!name) return report('usage', EXIT.usage, overview())
    terminal.out(overview())
    return EXIT.ok
  }
  if (name === '--version') {
    terminal.out(SUITE_VERSION)
    return EXIT.ok
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    return report('usage', EXIT.usage, `gitops-actions: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`)
  }
  try {
    const { formerNamesUsed, ...args } = parseCommandArgs(command, [...rest])
    if (args.values.help) {
      terminal.out(commandHelp(command))
      return EXIT.ok
    }
    for (const note of formerNamesUsed) terminal.err(`gitops-actions ${command.name}: ${note}`)
    return await command.run(args, terminal)
  } catch (caught) {
    if (caught instanceof UsageError) {
      return report('usage', EXIT.usage, `gitops-actions ${command.name}: ${caught.message}\nUsage: gitops-actions ${command.usage}`)
    }
    const error = accessFailure(caught, ACCESS_SETTINGS) ?? caught
    if (isUserError(error)) {
      const where = error.location ? `${formatLocation(error.location)}: ` : ''
      const text = `${paint(terminal, 'red', 'error')}: ${where}${userErrorText(error, (parameter) => parameterName(command, parameter))}`
      return isAccessError(error) ? report(error.kind, EXIT.access, text) : report('input', EXIT.input, text, error.location)
    }
    const stack = caught instanceof Error && caught.stack ? caught.stack : errorMessage(caught)
    return report(
      'internal',
      EXIT.internal,
      `gitops-actions ${command.name} failed unexpectedly; this is a bug in gitops-actions, please report it.\n${stack}`
    )
  }
}

/** How the CLI names the settings behind a network or token failure. */
const ACCESS_SETTINGS = { token: '--token, GITHUB_TOKEN or GH_TOKEN', apiUrl: '--api-url or GITHUB_API_URL' }

/** --json or --output json (-o json) anywhere on the command line: then every exit path prints JSON, errors too. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      arg === '--json' || arg === '--output=json' || arg === '-ojson' || ((arg === '--output' || arg === '-o') && argv[i + 1] === 'json')
  )
}
