import { errorMessage, formatLocation, isUserError, userErrorText } from '@gitops-actions/core'
import { COMMON_OPTIONS, EXIT, UsageError, commandHelp, parameterName, parseCommandArgs, type Command } from './command.js'
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
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Options for every command: ${Object.keys(COMMON_OPTIONS)
      .map((o) => `--${o}`)
      .join(', ')}`,
    "Run 'gitops-actions <command> --help' for a command's options.",
    '',
    `Exit codes: ${EXIT.ok} success, ${EXIT.failed} failed check or repository/input error, ${EXIT.usage} usage error, ${EXIT.internal} internal error.`
  ].join('\n')
}

/** Runs the CLI with arguments (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    terminal.out(overview())
    return name ? EXIT.ok : EXIT.usage
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    terminal.err(`gitops-actions: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}`)
    return EXIT.usage
  }
  try {
    const args = parseCommandArgs(command, [...rest])
    if (args.values.help) {
      terminal.out(commandHelp(command))
      return EXIT.ok
    }
    return await command.run(args, terminal)
  } catch (error) {
    if (error instanceof UsageError) {
      terminal.err(`gitops-actions ${command.name}: ${error.message}\nUsage: gitops-actions ${command.usage}`)
      return EXIT.usage
    }
    if (isUserError(error)) {
      const where = error.location ? `${formatLocation(error.location)}: ` : ''
      terminal.err(`${paint(terminal, 'red', 'error')}: ${where}${userErrorText(error, (parameter) => parameterName(command, parameter))}`)
      return EXIT.failed
    }
    const stack = error instanceof Error && error.stack ? error.stack : errorMessage(error)
    terminal.err(`gitops-actions ${command.name} failed unexpectedly; this is a bug in gitops-actions, please report it.\n${stack}`)
    return EXIT.internal
  }
}
