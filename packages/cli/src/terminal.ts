import { stripVTControlCharacters } from 'node:util'

/** Where a command writes, and whether it may use colour: injected so tests read the output. */
export interface Terminal {
  out(text: string): void
  err(text: string): void
  color: boolean
  /** Whether a progress line may be redrawn in place (stderr is a terminal). */
  interactive: boolean
  /** Redraws the one progress line on stderr (empty text clears it); used only when interactive. */
  status?(text: string): void
  env: NodeJS.ProcessEnv
  cwd: string
}

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const
export type Style = keyof typeof CODES

/** Paints text when colour is on (a TTY without NO_COLOR, or FORCE_COLOR). */
export function paint(terminal: Pick<Terminal, 'color'>, style: Style, text: string): string {
  if (!terminal.color) return text
  const [open, close] = CODES[style]
  return `\u001b[${open}m${text}\u001b[${close}m`
}

const OWN_STYLES = new Set(
  Object.values(CODES)
    .flat()
    .map((code) => `\u001b[${code}m`)
)
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][\s\S]*?(?:\u0007|\u001b\\|$)|\u001b[PX^_][\s\S]*?(?:\u001b\\|$)|\u001b[\s\S]?|[\u0080-\u009f]/g
// Escape itself is left to ESCAPE_SEQUENCE, which runs first: the only ones left are our colours.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g

/**
 * Text for the terminal with every control sequence a repository could smuggle in (object names,
 * messages, diffs) removed: OSC (titles, hyperlinks, clipboard), cursor movement, screen clearing,
 * carriage returns that overwrite a line. Only the colours paint() itself writes are kept.
 */
export function terminalSafe(text: string, keepColours = true): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(ESCAPE_SEQUENCE, (sequence) => (keepColours && OWN_STYLES.has(sequence) ? sequence : ''))
    .replace(CONTROL, '')
}

/** The process's terminal. */
export function processTerminal(): Terminal {
  const env = process.env
  const color = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : Boolean(process.stdout.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb'
  return {
    out: (text) => process.stdout.write(terminalSafe(text, color) + '\n'),
    err: (text) => process.stderr.write(terminalSafe(text, color) + '\n'),
    color,
    interactive: Boolean(process.stderr.isTTY),
    status: (text) => process.stderr.write(`\r\u001b[2K${terminalSafe(text)}`),
    env,
    cwd: process.cwd()
  }
}

/** A plain-text table with aligned columns (ANSI codes do not count toward widths). */
export function textTable(headings: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const visible = (text: string) => stripVTControlCharacters(text).length
  const widths = headings.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(widths[i]! - visible(c)))
      .join('  ')
      .trimEnd()
  return [line(headings), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/**
 * A progress line on stderr (`rendering 40/120 roots`), redrawn in place on a terminal and silent
 * elsewhere, so logs and pipes never see it.
 */
export function progress(terminal: Terminal, label: string, unit = ''): { update(done: number, total: number): void; end(): void } {
  const status = terminal.status
  if (!terminal.interactive || !status) return { update() {}, end() {} }
  let shown = false
  return {
    update: (done, total) => {
      shown = true
      status(`${label} ${done}/${total}${unit ? ` ${unit}` : ''}`)
    },
    end: () => {
      if (shown) status('')
    }
  }
}

/** `1 app`, `2 apps`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** A unified diff with removed lines red, added lines green and hunk headers cyan. */
export function paintDiff(terminal: Pick<Terminal, 'color'>, diff: string): string {
  if (!terminal.color) return diff
  return diff
    .split('\n')
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? paint(terminal, 'bold', line)
        : line.startsWith('+')
          ? paint(terminal, 'green', line)
          : line.startsWith('-')
            ? paint(terminal, 'red', line)
            : line.startsWith('@@')
              ? paint(terminal, 'cyan', line)
              : line
    )
    .join('\n')
}
