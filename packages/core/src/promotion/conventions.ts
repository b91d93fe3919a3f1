import { parameterError } from '../errors.js'
import type { PromotionMode } from './promotion-plan.js'

/**
 * What identifies a promotion on GitHub: carried in the PR body (an HTML comment) and in the
 * commit message (trailers), so a later run can tell its own work from a person's and an older
 * promotion from a newer one.
 */
export interface PromotionMarker {
  app: string
  env: string
  /** The tag deployed to `env`. */
  tag: string
  mode: PromotionMode
  /** When the promotion was asked for (ISO 8601); orders two promotions of the same app and env. */
  requestedAt: string
  /** In commit trailers: the base commit the promotion was applied to. */
  base?: string
  /**
   * In the PR body: the commits this action wrote on the branch (newest last). A branch head is
   * the action's own only if its SHA is here: an amended or cherry-picked commit keeps the message,
   * never the SHA.
   */
  commits?: string[]
}

/** At most this many of the action's commits are kept in the PR body's marker. */
const KEPT_COMMITS = 20

/** The body with its marker listing `commits` too (the ones it listed before first, no repeats). */
export function bodyWithCommits(body: string, marker: PromotionMarker, commits: readonly string[]): string {
  const known = [...new Set([...(markerFromBody(body)?.commits ?? []), ...(marker.commits ?? []), ...commits])].slice(-KEPT_COMMITS)
  const comment = markerComment({ ...marker, commits: known })
  return BODY_MARKER.test(body) ? body.replace(BODY_MARKER, () => comment) : `${comment}\n${body}`
}

export interface PromotionNames {
  branch: string
  commitMessage: string
  title: string
}

/** A ref-safe version of a tag for branch names (`..` and a `.lock` ending are not allowed in refs). */
function refSafe(text: string): string {
  return text
    .replace(/\.{2,}/g, '.')
    .replace(/\.lock$/i, '-lock')
    .replace(/\.$/, '')
}

/**
 * The seed's conventions. Auto-deploy: branch `auto-deploy/<app>-<tag>`, commit and title
 * `deploy: <app> <tag> to <env>`. Promote: branch `promote/<app>-to-<env>`, commit
 * `promote: <app> <tag> to <env>`, title `Promote <app> <tag> to <env>`. An auto-deploy branch is
 * per build, a promotion branch per app and environment (a newer promotion updates it).
 */
export function promotionNames(marker: Pick<PromotionMarker, 'app' | 'env' | 'tag' | 'mode'>): PromotionNames {
  const { app, env, tag } = marker
  if (marker.mode === 'auto-deploy') {
    const subject = `deploy: ${app} ${tag} to ${env}`
    return { branch: `auto-deploy/${app}-${refSafe(tag)}`, commitMessage: subject, title: subject }
  }
  return { branch: `promote/${app}-to-${env}`, commitMessage: `promote: ${app} ${tag} to ${env}`, title: `Promote ${app} ${tag} to ${env}` }
}

const BODY_MARKER = /<!-- gitops-actions:promotion (\{.*?\}) -->/
const TRAILER = 'Gitops-Actions-Promotion'

/** The hidden line at the top of a PR body. */
export function markerComment(marker: PromotionMarker): string {
  return `<!-- gitops-actions:promotion ${JSON.stringify(marker)} -->`
}

/** The promotion a PR body describes, or undefined for PRs not opened by this action. */
export function markerFromBody(body: string | null | undefined): PromotionMarker | undefined {
  const match = BODY_MARKER.exec(body ?? '')
  return match ? parseMarker(match[1]!) : undefined
}

/** The commit message of a promotion commit: the subject, a body line, and the marker trailer. */
export function promotionCommitMessage(subject: string, marker: PromotionMarker, detail: string): string {
  return `${subject}\n\n${detail}\n\n${TRAILER}: ${JSON.stringify(marker)}\n`
}

/** The promotion a commit was made for, or undefined for a commit this action did not make. */
export function markerFromCommitMessage(message: string): PromotionMarker | undefined {
  const line = message.split('\n').find((l) => l.startsWith(`${TRAILER}: `))
  return line ? parseMarker(line.slice(TRAILER.length + 2)) : undefined
}

function parseMarker(json: string): PromotionMarker | undefined {
  try {
    const value = JSON.parse(json) as Partial<PromotionMarker>
    if (
      typeof value.app === 'string' &&
      typeof value.env === 'string' &&
      typeof value.tag === 'string' &&
      typeof value.requestedAt === 'string' &&
      (value.mode === 'auto-deploy' || value.mode === 'promote') &&
      (value.commits === undefined ||
        (Array.isArray(value.commits) && value.commits.every((c) => typeof c === 'string' && /^[0-9a-f]{40}$/.test(c))))
    ) {
      return value as PromotionMarker
    }
  } catch {
    // not ours
  }
  return undefined
}

/**
 * Orders two promotions of the same app and environment: the later request wins, the tag breaks
 * ties. Every run compares the same way, so concurrent runs agree on which one survives.
 */
export function comparePromotions(a: PromotionMarker, b: PromotionMarker): number {
  if (a.requestedAt !== b.requestedAt) return a.requestedAt < b.requestedAt ? -1 : 1
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0
}

/** Labels every promotion PR carries. */
export function promotionLabels(env: string): string[] {
  return ['promotion', `env:${env}`]
}

/**
 * Team reviewers as given (`platform`, `org/platform`, `@org/platform`), as the slugs GitHub's
 * reviewer API takes. A team of another organization than the repository's is refused: GitHub would
 * request the same slug in the repository's organization, a different team.
 */
export function teamReviewerSlugs(values: readonly string[], repositoryOwner: string): string[] {
  return values.map((value) => {
    const match = /^@?(?:([a-z0-9][a-z0-9-]*)\/)?([a-z0-9][a-z0-9_.-]*)$/i.exec(value.trim())
    if (!match) throw parameterError('team-reviewers', `'${value}' is not a team slug (e.g. platform or org/platform)`)
    const [, org, slug] = match
    if (org !== undefined && org.toLowerCase() !== repositoryOwner.toLowerCase())
      throw parameterError(
        'team-reviewers',
        `'${value}' is a team of ${org}: GitHub requests reviews only from teams of the repository's organization (${repositoryOwner})`
      )
    return slug!
  })
}

/** Who to ask for review: the code owners of the changed paths, as GitHub's reviewer API wants them. */
export function reviewersFromOwners(owners: readonly string[], repositoryOwner: string): { reviewers: string[]; teamReviewers: string[] } {
  const reviewers = new Set<string>()
  const teamReviewers = new Set<string>()
  for (const owner of owners) {
    if (!owner.startsWith('@')) continue // e-mail owners cannot be requested by address
    const name = owner.slice(1)
    const slash = name.indexOf('/')
    if (slash < 0) reviewers.add(name)
    // GitHub only takes teams of the repository's own organization.
    else if (name.slice(0, slash).toLowerCase() === repositoryOwner.toLowerCase()) teamReviewers.add(name.slice(slash + 1))
  }
  return { reviewers: [...reviewers].sort(), teamReviewers: [...teamReviewers].sort() }
}
