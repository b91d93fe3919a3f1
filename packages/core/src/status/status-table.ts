import { verificationWord, type VerificationState } from '../promotion/verification.js'
import type { EnvironmentDrift } from './drift.js'
import type { AppEnvironmentStatus, EnvironmentStatus, PromotionState, PromotionStep } from './environment-status.js'

export interface StatusTableOptions {
  /** ANSI colours (for a terminal that is a TTY and has no NO_COLOR). */
  color: boolean
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m'
}

const STATE: Record<PromotionState, { mark: string; color: keyof typeof ANSI }> = {
  'in-sync': { mark: '= in sync', color: 'green' },
  behind: { mark: '< behind', color: 'yellow' },
  ahead: { mark: '> ahead', color: 'magenta' },
  differs: { mark: '~ differs', color: 'cyan' },
  unknown: { mark: '? unknown', color: 'dim' }
}

/**
 * The status as plain text for a terminal (`gitops-actions status`): one row per app, one column
 * per environment with its tag and how it stands against the environment before it; then the
 * problems and the drift, one line each. Colours only when asked for.
 */
export function renderStatusTable(status: EnvironmentStatus, options: StatusTableOptions): string {
  const paint = (color: keyof typeof ANSI, text: string) => (options.color ? `${ANSI[color]}${text}${ANSI.reset}` : text)
  if (status.apps.length === 0) return `No apps found: no directory matches the overlay layout ${status.overlayLayout}.\n`
  const header = ['APP', ...status.environments.map((e) => e.toUpperCase())].map((h) => [paint('bold', h)])
  const rows: string[][][] = [header]
  for (const app of status.apps) {
    rows.push([
      [app.app],
      ...status.environments.map((name, i) => {
        const cell = app.environments.find((e) => e.environment === name)
        return cell ? cellLines(cell, i > 0 ? app.steps[i - 1] : undefined, paint) : ['']
      })
    ])
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => Math.max(...row[column]!.map(visibleLength)))))
  const out: string[] = []
  for (const row of rows) {
    const height = Math.max(...row.map((cell) => cell.length))
    for (let line = 0; line < height; line++) {
      out.push(
        row
          .map((cell, column) => pad(cell[line] ?? '', widths[column]!))
          .join('  ')
          .trimEnd()
      )
    }
  }
  const problems = status.apps.flatMap((a) =>
    a.environments.flatMap((e) => e.problems.map((p) => `${paint('red', 'problem')} ${a.app}/${e.environment}: ${p}`))
  )
  if (problems.length > 0) out.push('', ...problems)
  if (status.drift) out.push('', ...driftLines(status.drift, paint))
  return out.join('\n') + '\n'
}

function cellLines(
  cell: AppEnvironmentStatus,
  step: PromotionStep | undefined,
  paint: (c: keyof typeof ANSI, t: string) => string
): string[] {
  if (!cell.present) return [paint('dim', 'no overlay')]
  const lines = cell.images.map(
    (i) => (cell.images.length > 1 ? `${i.name}:` : '') + (i.tag ?? (i.digest ? i.digest.slice(0, 19) : 'no tag'))
  )
  if (lines.length === 0) lines.push(paint('dim', 'no image set'))
  if (step) {
    const { mark, color } = STATE[step.state]
    const distance = step.images.find((i) => i.distance)?.distance
    lines.push(paint(color, distance ? `${mark} ${distance.count} ${distance.part}` : mark))
  }
  if (cell.health) {
    const { mark, color } = HEALTH[cell.health.state]
    lines.push(paint(color, `${mark} ${verificationWord(cell.health.state)}`))
  }
  if (cell.problems.length > 0) lines.push(paint('red', `! ${cell.problems.length} problem${cell.problems.length === 1 ? '' : 's'}`))
  return lines
}

/** Flux's verdict on a cell, as the table marks it. */
const HEALTH: Record<VerificationState, { mark: string; color: keyof typeof ANSI }> = {
  verified: { mark: '✓', color: 'green' },
  soaking: { mark: '◷', color: 'cyan' },
  pending: { mark: '…', color: 'yellow' },
  failing: { mark: '✗', color: 'red' },
  missing: { mark: '?', color: 'dim' },
  unchecked: { mark: '?', color: 'dim' }
}

function driftLines(drift: readonly EnvironmentDrift[], paint: (c: keyof typeof ANSI, t: string) => string): string[] {
  const lines: string[] = []
  for (const pair of drift) {
    if (pair.objects.length === 0) {
      lines.push(`${paint('green', 'no drift')} ${pair.app} ${pair.from} → ${pair.to}`)
      continue
    }
    for (const object of pair.objects) {
      const where = `${paint('yellow', 'drift')} ${pair.app} ${pair.from} → ${pair.to}: ${object.object}`
      if (object.presence !== 'both') {
        lines.push(`${where} exists in ${object.presence === 'only-from' ? pair.from : pair.to} only`)
        continue
      }
      for (const patches of object.patchesOnlyIn ?? [])
        lines.push(`${where} patched with ${patches.sources.join(', ')} in ${patches.environment} only`)
      for (const field of object.fields) {
        const values =
          field.change === 'changed'
            ? `${pair.from} ${field.from}, ${pair.to} ${field.to}`
            : `set in ${field.change === 'only-from' ? pair.from : pair.to} only: ${field.from ?? field.to}`
        lines.push(`${where} ${field.path}: ${values}`)
      }
    }
  }
  return lines
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g

function visibleLength(text: string): number {
  return [...text.replace(ANSI_PATTERN, '')].length
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)))
}
