import { inertMarkdown } from '../markdown.js'
import { markerComment, type PromotionMarker } from './conventions.js'
import type { WindowState } from './deployment-window.js'
import { describeDowngrade, type Downgrade } from './downgrade.js'
import { verificationMarkdown, type SourceVerification } from './verification.js'
import type { GateDecision, PromotionRoute } from './promotion-plan.js'

/** GitHub refuses a pull request body longer than this many characters. */
export const PR_BODY_LIMIT = 65_536

export interface ChangelogCommit {
  sha: string
  /** First line of the message. */
  subject: string
  author: string | undefined
  url: string | undefined
}

export interface Changelog {
  /** `org/app-repo` */
  repository: string
  fromSha: string
  toSha: string
  /** Newest first. */
  commits: ChangelogCommit[]
  /** GitHub's compare view, e.g. https://github.com/org/app/compare/a...b */
  compareUrl: string | undefined
  /** Commits GitHub counted but did not list (the compare API lists at most 250). */
  more: number
}

export interface PrBodyInput {
  marker: PromotionMarker
  route: PromotionRoute
  image: string
  gate: GateDecision
  /** Flux's health evidence for the source environment, when it was required. */
  verification?: SourceVerification | undefined
  /** A move back to an older version (allowed with allow-downgrade). */
  downgrade?: Downgrade | undefined
  previous: { tag: string | undefined; digest: string | undefined }
  next: { tag: string; digest: string | undefined }
  /** Files changed, repo paths. */
  files: string[]
  /** The unified diff of `kustomize build` of the overlay, before → after. */
  renderedDiff: string | undefined
  /** Why there is no rendered diff, when there is none. */
  renderNote?: string | undefined
  /** Markdown of the app's environments (renderStatusMarkdown: promotion chain, tags, drift). */
  environments?: string | undefined
  changelog: Changelog | undefined
  window: WindowState
  /** Whether `to` is the last environment (prod): the body gets the production checklist. */
  lastEnvironment: boolean
  /** Links to where the promotion came from: app commit, app PR, workflow run. */
  links: Array<{ label: string; url: string }>
  /** Whether the checks are posted by this action on the PR head (GITHUB_TOKEN caveat). */
  notes?: string[]
}

const code = (text: string | undefined) => (text ? `\`${text.replace(/`/g, "'")}\`` : '—')

/**
 * The PR body: what moves where (tags and digests), the gate's proof, the files, the rendered
 * kustomize diff, the app changelog, and for the last environment a checklist with the rollback
 * plan and the deployment window. The diff is cut (at a line) so the whole body stays within
 * GitHub's 65,536-character limit; everything else is small and bounded.
 */
export function renderPrBody(input: PrBodyInput, limit = PR_BODY_LIMIT): string {
  const { route, marker } = input
  const from = route.from?.name
  const head: string[] = [markerComment(marker), '']
  head.push(
    route.mode === 'auto-deploy'
      ? `Deploys a new build of **${marker.app}** to **${route.to.name}**.`
      : `Promotes **${marker.app}** from **${from}** to **${route.to.name}**.`
  )
  if (route.skipped.length > 0) head.push('', `> [!WARNING]\n> This promotion skips ${route.skipped.join(', ')} (allow-skip).`)
  if (input.downgrade) head.push('', `> [!WARNING]\n> **Downgrade:** ${describeDowngrade(input.downgrade)} (allow-downgrade).`)
  head.push(
    '',
    `| | ${route.to.name} now | ${route.to.name} after this PR |`,
    '| --- | --- | --- |',
    `| image | ${code(input.image)} | ${code(input.image)} |`,
    `| tag | ${code(input.previous.tag)} | ${code(input.next.tag)} |`,
    `| digest | ${code(input.previous.digest)} | ${code(input.next.digest)} |`,
    '',
    `**Gate:** ${input.gate.explanation}`
  )
  if (input.verification) head.push('', verificationMarkdown(input.verification))
  if (input.links.length > 0) head.push('', input.links.map((l) => `[${l.label}](${l.url})`).join(' · '))
  head.push('', '**Files:**', ...input.files.map((f) => `- \`${f}\``))
  if (input.environments) head.push('', input.environments.trimEnd())

  const tail: string[] = []
  if (input.changelog) tail.push('', ...renderChangelog(input.changelog))
  if (isLastEnvironment(input)) tail.push('', ...renderChecklist(input))
  if (input.window.restricted) {
    tail.push(
      '',
      input.window.open
        ? `**Deployment window:** open now (${input.window.windows.join('; ')}).`
        : `**Deployment window:** closed (${input.window.windows.join('; ')}); the \`deployment-window\` status stays pending${input.window.nextOpen ? ` until ${input.window.nextOpen.toISOString()}` : ''}.`
    )
  }
  for (const note of input.notes ?? []) tail.push('', note)
  tail.push('', '<sub>Opened by gitops-actions/open-promotion-pr. Running it again updates this PR; a newer promotion closes it.</sub>')

  const before = head.join('\n')
  const after = tail.join('\n')
  const title = `\n\n<details open><summary>Rendered diff: <code>kustomize build</code> of the ${route.to.name} overlay</summary>\n\n`
  if (!input.renderedDiff) {
    const note = `\n\n**Rendered diff:** ${input.renderNote ?? 'the rendered manifests do not change.'}`
    return fit(before + note + after, limit)
  }
  const budget = limit - before.length - after.length - title.length - 200
  const diff = trimDiff(input.renderedDiff, budget)
  return fit(`${before}${title}\`\`\`\`diff\n${diff}\n\`\`\`\`\n\n</details>${after}`, limit)
}

function isLastEnvironment(input: PrBodyInput): boolean {
  return input.lastEnvironment
}

/** Cuts a diff at a line boundary to `budget` characters, saying how much was left out. */
export function trimDiff(diff: string, budget: number): string {
  if (diff.length <= budget) return diff.replace(/\n$/, '')
  const lines = diff.split('\n')
  let used = 0
  let kept = 0
  const noteRoom = 120
  for (const line of lines) {
    if (used + line.length + 1 > budget - noteRoom) break
    used += line.length + 1
    kept++
  }
  const omitted = lines.length - kept
  return `${lines.slice(0, kept).join('\n')}\n… ${omitted} more lines cut to fit GitHub's ${PR_BODY_LIMIT}-character limit; the job summary has the whole diff`
}

function fit(body: string, limit: number): string {
  if (body.length <= limit) return body
  // Only a pathological changelog or file list gets here: cut, keeping the marker at the top.
  const note = '\n\n_… cut to fit GitHub’s limit._'
  return body.slice(0, limit - note.length) + note
}

const MAX_CHANGELOG = 50

function renderChangelog(changelog: Changelog): string[] {
  const lines = [`**Changes in ${changelog.repository}** (${changelog.fromSha.slice(0, 7)} → ${changelog.toSha.slice(0, 7)}):`, '']
  if (changelog.commits.length === 0) lines.push('_No app commits between the two versions._')
  for (const commit of changelog.commits.slice(0, MAX_CHANGELOG)) {
    const sha = commit.url ? `[${commit.sha.slice(0, 7)}](${commit.url})` : commit.sha.slice(0, 7)
    // Subjects and author names are the app repo's words: inert text, never markup (inertMarkdown).
    lines.push(`- ${sha} ${inertMarkdown(commit.subject)}${commit.author ? ` (${inertMarkdown(commit.author, 60)})` : ''}`)
  }
  const more = changelog.more + Math.max(0, changelog.commits.length - MAX_CHANGELOG)
  if (more > 0) lines.push(`- … and ${more} more${changelog.compareUrl ? `: [compare](${changelog.compareUrl})` : ''}`)
  else if (changelog.compareUrl) lines.push('', `[Compare](${changelog.compareUrl})`)
  return lines
}

function renderChecklist(input: PrBodyInput): string[] {
  const rollback = input.previous.tag
    ? `Rollback plan: the previous tag is ${code(input.previous.tag)}${input.previous.digest ? ` (${code(input.previous.digest)})` : ''}; reverting this PR, or promoting that tag again, restores it.`
    : 'Rollback plan: there was no previous tag in this overlay; the rollback is reverting this PR.'
  const window = !input.window.restricted
    ? 'Deployment window: none configured for this environment in gitops.yaml.'
    : input.window.open
      ? `Deployment window: open now (${input.window.windows.join('; ')}).`
      : `Deployment window: closed now (${input.window.windows.join('; ')})${input.window.nextOpen ? `; next opens ${input.window.nextOpen.toISOString()}` : ''}. Merge only inside it.`
  return [
    '**Production checklist**',
    '',
    `- [ ] Production readiness: ${code(input.gate.tag)} ran in ${input.route.from?.name ?? 'the previous environment'} and its checks are green.`,
    `- [ ] ${rollback}`,
    `- [ ] ${window}`
  ]
}
