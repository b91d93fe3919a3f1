import { randomBytes } from 'node:crypto'

/**
 * The runner acts on any log line that starts with `::` once leading whitespace is trimmed
 * (`::error file=…::`, `::add-mask::`, `::stop-commands::`), and on `##[name]` anywhere in a line.
 * Text from the repository or the app repo (diffs, commit subjects, messages quoting a file) is
 * printed between `::stop-commands::<token>` and `::<token>::` with a fresh random token the text
 * does not contain, so the runner shows it and acts on none of it.
 */
const COMMAND_LIKE = /^\s*::|##\[/mu

/** The text as it may be printed to the runner's log: itself when no line could be a command, else fenced. */
export function inertLogText(text: string): string {
  if (!COMMAND_LIKE.test(text)) return text
  let token: string
  do token = randomBytes(16).toString('hex')
  while (text.includes(token))
  return `::stop-commands::${token}\n${text}\n::${token}::`
}
