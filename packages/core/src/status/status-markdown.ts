import { markdownTable } from '../markdown.js'
import { verificationWord, type SourceVerification, type VerificationState } from '../promotion/verification.js'
import type { EnvironmentDrift, ObjectDifference } from './drift.js'
import type {
  AppEnvironmentStatus,
  AppStatus,
  EnvironmentStatus,
  ImageStatus,
  PromotionState,
  PromotionStep
} from './environment-status.js'
import { mermaidBlock, renderPromotionDiagram, type PromotionHighlight } from './promotion-diagram.js'

export interface StatusMarkdownOptions {
  /** The promotion a pull request or job is about: highlighted in the diagram and the table, its drift shown alone. */
  highlight?: PromotionHighlight | undefined
  /** Only these apps (default: all). */
  apps?: readonly string[] | undefined
  /** Heading level of the section (default 3: `###`). */
  headingLevel?: number | undefined
  /** At most this many lines of drift (default 200); the rest is counted, not listed. */
  maxDriftLines?: number | undefined
}

const STATE_ICON: Record<PromotionState, string> = {
  'in-sync': '✅',
  behind: '⏳',
  ahead: '⬆️',
  differs: '↔️',
  unknown: '❔'
}

/**
 * The status for a job summary or a pull request body: the promotion chain as a Mermaid diagram,
 * the app × environment table, problems with the overlays, and drift between neighbouring
 * environments (only the highlighted step's, when there is one).
 */
export function renderStatusMarkdown(status: EnvironmentStatus, options: StatusMarkdownOptions = {}): string {
  const level = '#'.repeat(Math.min(6, Math.max(1, options.headingLevel ?? 3)))
  const apps = status.apps.filter((a) => !options.apps || options.apps.includes(a.app))
  const highlight = options.highlight
  const parts = [`${level} Environments`]
  if (apps.length === 0) {
    parts.push(`No apps found: no directory matches the overlay layout ${code(status.overlayLayout)}.`)
    return parts.join('\n\n') + '\n'
  }
  const diagramApps = highlight && apps.some((a) => a.app === highlight.app) ? [highlight.app] : apps.map((a) => a.app)
  parts.push(mermaidBlock(renderPromotionDiagram({ ...status, apps }, { highlight, apps: diagramApps })))
  parts.push(statusTableMarkdown(apps, status.environments, highlight))
  const problems = apps.flatMap((a) => a.environments.flatMap((e) => e.problems.map((p) => `- **${a.app}** in ${e.environment}: ${p}`)))
  if (problems.length > 0) parts.push(`${level}# Problems\n\n${problems.join('\n')}`)
  if (status.drift) parts.push(driftMarkdown(status.drift, apps, highlight, level, options.maxDriftLines ?? 200))
  return parts.join('\n\n') + '\n'
}

/** The app × environment table alone, as markdown. */
export function statusTableMarkdown(apps: readonly AppStatus[], environments: readonly string[], highlight?: PromotionHighlight): string {
  const rows = apps.map((app) => [
    highlight?.app === app.app ? `**${app.app}** (promoting ${highlight.from} → ${highlight.to})` : `**${app.app}**`,
    ...environments.map((name, i) => {
      const cell = app.environments.find((e) => e.environment === name)
      return cell ? cellMarkdown(cell, i > 0 ? app.steps[i - 1] : undefined) : ' '
    })
  ])
  return markdownTable(['app', ...environments], rows)
}

function cellMarkdown(cell: AppEnvironmentStatus, step: PromotionStep | undefined): string {
  if (!cell.present) return '_no overlay_'
  const several = cell.images.length > 1
  const lines = cell.images.map((image) => imageLine(image, several))
  if (cell.images.length === 0) lines.push('_no image set_')
  if (step) lines.push(`${STATE_ICON[step.state]} ${step.detail}`)
  if (cell.health) lines.push(healthLine(cell.health))
  if (cell.problems.length > 0) lines.push(`⚠️ ${cell.problems.length === 1 ? 'a problem' : `${cell.problems.length} problems`} (below)`)
  return lines.join('\n')
}

const HEALTH_ICON: Record<VerificationState, string> = {
  verified: '✅',
  soaking: '⏳',
  pending: '🔄',
  failing: '❌',
  missing: '❔',
  unchecked: '❔'
}

/** Flux's verdict on the cell: `✅ verified since 2026-01-05T10:00:00Z (a1b2c3d)`. */
function healthLine(health: SourceVerification): string {
  const commit = health.evidenceCommit ? ` (${health.evidenceCommit.slice(0, 7)})` : ''
  const since = health.healthySince ? ` since ${health.healthySince}` : ''
  const until = health.readyAt ? `, soaked at ${health.readyAt}` : ''
  return `${HEALTH_ICON[health.state]} ${verificationWord(health.state)}${since}${until}${commit}`
}

const VERSION_SOURCES: Partial<Record<NonNullable<ImageStatus['versionFrom']>, string>> = {
  label: ' (label)',
  'release-tag': ' (release tag)',
  'oci-label': ' (image label)'
}

function imageLine(image: ImageStatus, withName: boolean): string {
  const what = image.tag ?? (image.digest ? image.digest.slice(0, 19) + '…' : 'no tag')
  const facts = [
    image.version ? `version ${image.version}${(image.versionFrom && VERSION_SOURCES[image.versionFrom]) ?? ''}` : undefined,
    image.commit ? `commit ${image.commit.slice(0, 7)}` : undefined
  ]
    .filter(Boolean)
    .join(', ')
  return `${withName ? `${image.name}: ` : ''}${code(what)}${facts ? ` (${facts})` : ''}`
}

function driftMarkdown(
  drift: readonly EnvironmentDrift[],
  apps: readonly AppStatus[],
  highlight: PromotionHighlight | undefined,
  level: string,
  maxLines: number
): string {
  const names = new Set(apps.map((a) => a.app))
  const pairs = drift.filter(
    (d) => names.has(d.app) && (!highlight || (d.app === highlight.app && d.from === highlight.from && d.to === highlight.to))
  )
  const sections = [`${level}# Drift between environments`]
  const drifting = pairs.filter((d) => d.objects.length > 0)
  if (drifting.length === 0) {
    const scope = highlight ? `${highlight.from} and ${highlight.to}` : 'neighbouring environments'
    sections.push(`No drift between ${scope} besides image tags and the differences gitops.yaml expects (\`drift.expected\`).`)
  }
  let budget = maxLines
  let left = 0
  for (const pair of drifting) {
    const lines = pair.objects.flatMap((o) => objectMarkdown(o, pair).split('\n'))
    if (budget <= 0) {
      left += lines.length
      continue
    }
    const shown = lines.slice(0, budget)
    left += lines.length - shown.length
    budget -= shown.length
    sections.push(
      `**${pair.app}: ${pair.from} → ${pair.to}** (${pair.expectedDifferences} expected difference${pair.expectedDifferences === 1 ? '' : 's'} left out)\n\n` +
        shown.join('\n')
    )
  }
  // Pull request bodies are limited to 65,536 characters: a long drift list is cut, and says so.
  if (left > 0)
    sections.push(`_… ${left} more drift line${left === 1 ? '' : 's'} not shown; \`gitops-actions status --json\` lists them all._`)
  return sections.join('\n\n')
}

function objectMarkdown(object: ObjectDifference, pair: EnvironmentDrift): string {
  if (object.presence !== 'both') {
    const has = object.presence === 'only-from' ? pair.from : pair.to
    const lacks = object.presence === 'only-from' ? pair.to : pair.from
    return `- ${code(object.object)} exists in ${has} only; ${lacks} has no such object`
  }
  const lines = [`- ${code(object.object)}`]
  for (const patches of object.patchesOnlyIn ?? []) {
    const other = patches.side === 'from' ? pair.to : pair.from
    lines.push(`  - ${patches.environment} patches it with ${patches.sources.map(code).join(', ')}; ${other} has no such patch`)
  }
  for (const field of object.fields) {
    if (field.change === 'changed') lines.push(`  - ${code(field.path)}: ${pair.from} ${code(field.from!)}, ${pair.to} ${code(field.to!)}`)
    else if (field.change === 'only-from') lines.push(`  - ${code(field.path)} set in ${pair.from} only (${code(field.from!)})`)
    else lines.push(`  - ${code(field.path)} set in ${pair.to} only (${code(field.to!)})`)
  }
  return lines.join('\n')
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`'
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}
