import type { EnvironmentConfig } from '../config/environments.js'
import { formatDuration } from '../config/durations.js'
import { UserError } from '../errors.js'
import { inertMarkdown } from '../markdown.js'
import { globMatches } from '../overlays/overlay-patterns.js'

/** A commit status as GitHub lists it (`GET /repos/{owner}/{repo}/commits/{ref}/statuses`). */
export interface CommitStatus {
  context: string
  state: 'success' | 'failure' | 'error' | 'pending'
  /** ISO time GitHub recorded the status. */
  createdAt: string
  description?: string | null | undefined
  targetUrl?: string | null | undefined
}

/** The statuses of one commit of the base branch. */
export interface CommitEvidence {
  sha: string
  /**
   * Every status of the commit, newest first as GitHub lists them (several per context: its
   * history). GitHub stamps a status to the second, so among statuses of one second the order is
   * what tells which came last.
   */
  statuses: CommitStatus[]
}

/**
 * What the config repo's history says about an environment: the commit that put what runs there
 * now (the newest one that changed its overlay on the base branch), and the statuses of that
 * commit and of the base branch's commits after it. Flux posts on the revision it applied, which
 * is the branch head when it looked, so a later commit can carry the evidence for an earlier one.
 */
export interface HealthEvidence {
  /** The newest base-branch commit that changed the overlay; undefined when there is none. */
  introducedBy: string | undefined
  /** The overlay that was looked at (repo path). */
  overlay: string
  /** From the base branch's head back to `introducedBy` (inclusive), newest first; the walk may stop early (`enoughEvidence`). */
  commits: CommitEvidence[]
  /** True when the walk was cut before `introducedBy` (too many commits since). */
  truncated: boolean
}

/**
 * `verified`: healthy for at least minSoak; `soaking`: healthy, not yet for minSoak; `pending`:
 * Flux is still at it; `failing`: Flux reported a failure; `missing`: no status of this
 * environment at all; `unchecked`: not looked at (no GitHub access, e.g. the CLI's dry run).
 */
export type VerificationState = 'verified' | 'soaking' | 'pending' | 'failing' | 'missing' | 'unchecked'

/** The verdict on an environment's health, for a promotion out of it and for the status table. */
export interface SourceVerification {
  environment: string
  /** Whether gitops.yaml requires it for promotions out of this environment. */
  required: boolean
  state: VerificationState
  /** The patterns, `{app}`/`{env}` filled in. */
  contexts: string[]
  /** The commit that put what runs there (the last change to the overlay on the base branch). */
  commit: string | undefined
  /** The commit whose statuses decided (the newest one with a status of this environment). */
  evidenceCommit: string | undefined
  /** The latest status per matching context on `evidenceCommit`. */
  statuses: CommitStatus[]
  /** Contexts of other statuses seen on the commits looked at (CI checks, other environments), for the message. */
  otherContexts: string[]
  /** Since when it has been healthy without a break (ISO), for `verified` and `soaking`. */
  healthySince: string | undefined
  minSoak: string | undefined
  /** When the soak time is over (ISO), for `soaking`. */
  readyAt: string | undefined
  /** Commits looked at. */
  commitsChecked: number
  /** One sentence for people. */
  summary: string
}

type CommitHealth = { state: 'success' | 'failure' | 'pending' | 'none'; latest: CommitStatus[]; since: string | undefined }

/** The contexts for one app's environment: `{app}` and `{env}` replaced in the patterns. */
export function verificationContexts(environment: EnvironmentConfig, app: string): string[] {
  return environment.verification.contexts.map((pattern) => pattern.replaceAll('{app}', app).replaceAll('{env}', environment.name))
}

/** Whether a status context is one of the patterns (`*` and `?` globs over the whole context). */
export function contextMatches(patterns: readonly string[], context: string): boolean {
  return patterns.some((pattern) => globMatches(pattern, context))
}

const byTime = (a: CommitStatus, b: CommitStatus) => a.createdAt.localeCompare(b.createdAt)

/**
 * One commit's health by the matching contexts: the latest status of each; failure if any
 * failed, pending if any is pending, success if all succeeded. `since` is when the last of them
 * turned (and stayed) success.
 */
function commitHealth(commit: CommitEvidence, patterns: readonly string[]): CommitHealth {
  const byContext = new Map<string, CommitStatus[]>()
  for (const status of commit.statuses) {
    if (!contextMatches(patterns, status.context)) continue
    byContext.set(status.context, [...(byContext.get(status.context) ?? []), status])
  }
  if (byContext.size === 0) return { state: 'none', latest: [], since: undefined }
  const latest: CommitStatus[] = []
  let since: string | undefined
  for (const newestFirst of byContext.values()) {
    // Oldest first by time; within one second the list order (newest first) decides: a stable sort of the reversed list.
    const history = newestFirst.reverse().sort(byTime)
    latest.push(history.at(-1)!)
    let first = history.length
    while (first > 0 && history[first - 1]!.state === 'success') first--
    if (first < history.length) {
      const turned = history[first]!.createdAt
      if (!since || turned > since) since = turned
    }
  }
  latest.sort((a, b) => a.context.localeCompare(b.context))
  const state = latest.some((s) => s.state === 'failure' || s.state === 'error')
    ? 'failure'
    : latest.some((s) => s.state === 'pending')
      ? 'pending'
      : 'success'
  return { state, latest, since: state === 'success' ? since : undefined }
}

/**
 * The verdict on `environment` for `app` from its evidence: the newest commit with a status of
 * this environment decides the state; a success counts from the oldest commit of the unbroken run
 * of successes back to the commit that put the tag there (commits without such a status do not
 * break the run; a failure or pending does), and is `verified` once that is minSoak ago.
 */
export function verifyEnvironment(input: {
  app: string
  environment: EnvironmentConfig
  evidence: HealthEvidence | undefined
  now: Date
}): SourceVerification {
  const { environment, evidence, now } = input
  const contexts = verificationContexts(environment, input.app)
  const base = {
    environment: environment.name,
    required: environment.verification.required,
    contexts,
    commit: evidence?.introducedBy,
    minSoak: environment.verification.minSoak,
    commitsChecked: evidence?.commits.length ?? 0
  }
  if (!evidence) {
    return {
      ...base,
      state: 'unchecked',
      evidenceCommit: undefined,
      statuses: [],
      otherContexts: [],
      healthySince: undefined,
      readyAt: undefined,
      summary: `${environment.name}: Flux's health evidence not checked (needs the config repository's commit statuses on GitHub)`
    }
  }
  const otherContexts = [
    ...new Set(evidence.commits.flatMap((c) => c.statuses.map((s) => s.context)).filter((c) => !contextMatches(contexts, c)))
  ].sort()
  let decisive: { commit: CommitEvidence; health: CommitHealth } | undefined
  let since: string | undefined
  for (const commit of evidence.commits) {
    const health = commitHealth(commit, contexts)
    if (health.state === 'none') continue
    if (!decisive) {
      decisive = { commit, health }
      if (health.state !== 'success') break
    } else if (health.state !== 'success') break
    if (health.since && (!since || health.since < since)) since = health.since
  }
  const where = evidence.introducedBy ? ` on ${evidence.introducedBy.slice(0, 7)}` : ''
  if (!decisive) {
    return {
      ...base,
      state: 'missing',
      evidenceCommit: undefined,
      statuses: [],
      otherContexts,
      healthySince: undefined,
      readyAt: undefined,
      summary: `${environment.name}: no status of ${contexts.join(', ')}${where}${evidence.commits.length > 1 ? ` or the ${evidence.commits.length - 1} commit(s) after it` : ''}`
    }
  }
  const statuses = decisive.health.latest
  const listed = statuses.map((s) => `${s.context} ${s.state}`).join(', ')
  const common = { ...base, evidenceCommit: decisive.commit.sha, statuses, otherContexts }
  if (decisive.health.state !== 'success') {
    const state = decisive.health.state === 'failure' ? 'failing' : 'pending'
    return {
      ...common,
      state,
      healthySince: undefined,
      readyAt: undefined,
      summary: `${environment.name}: ${state} on ${decisive.commit.sha.slice(0, 7)} (${listed})`
    }
  }
  const healthySince = since ?? statuses.map((s) => s.createdAt).sort()[0]!
  const soaked = now.getTime() - Date.parse(healthySince)
  const minSoakMs = environment.verification.minSoakMs
  const readyAt = new Date(Date.parse(healthySince) + minSoakMs).toISOString()
  // Without a soak time a success is enough, whatever the clocks of GitHub and the runner say.
  const soaking = minSoakMs > 0 && soaked < minSoakMs
  return {
    ...common,
    state: soaking ? 'soaking' : 'verified',
    healthySince,
    readyAt: soaking ? readyAt : undefined,
    summary: `${environment.name}: healthy since ${healthySince} (${formatDuration(Math.max(0, soaked))}${
      minSoakMs > 0 ? ` of ${environment.verification.minSoak}` : ''
    }) on ${decisive.commit.sha.slice(0, 7)} (${listed})`
  }
}

/**
 * Whether a walk over the commits (newest first) has seen enough to decide: a failure or pending
 * decides at once, and a success once it is verified; otherwise older commits may extend the run.
 */
export function enoughEvidence(input: { app: string; environment: EnvironmentConfig; evidence: HealthEvidence; now: Date }): boolean {
  const verdict = verifyEnvironment(input)
  return verdict.state === 'failing' || verdict.state === 'pending' || verdict.state === 'verified'
}

/**
 * The refusal of a promotion whose source environment is not verified: the commit, the statuses
 * seen, and what to do. Undefined when the promotion may go on.
 */
export function verificationRefusal(
  verification: SourceVerification,
  promotion: { app: string; tag: string; to: string; base: string; configFile: string | undefined }
): UserError | undefined {
  if (!verification.required || verification.state === 'verified' || verification.state === 'unchecked') return undefined
  const env = verification.environment
  const setting = `${promotion.configFile ?? 'gitops.yaml'} environments[${env}].verification`
  const commit = verification.commit ? verification.commit.slice(0, 7) : undefined
  const what = `Promoting ${promotion.app} ${promotion.tag} from ${env} to ${promotion.to} needs Flux's report that ${env} runs it healthy`
  const seen = verification.otherContexts.length > 0 ? ` Other statuses seen: ${verification.otherContexts.join(', ')}.` : ''
  const listed = verification.statuses.map((s) => `${s.context} ${s.state}${s.description ? ` ("${s.description}")` : ''}`).join(', ')
  let why: string
  switch (verification.state) {
    case 'missing':
      why = commit
        ? `commit ${commit} (the last change to ${env}'s overlay on ${promotion.base})${verification.commitsChecked > 1 ? ` and the ${verification.commitsChecked - 1} commit(s) after it have` : ' has'} no status matching ${verification.contexts.join(', ')}.${seen} Flux posts them with notification-controller (a github Provider and an Alert on the Kustomizations of ${env}); once it reports success, run the promotion again. If ${env}'s statuses have other names, set contexts in ${setting}; required: false turns the check off.`
        : `${promotion.base} has no commit that changed ${env}'s overlay, so there is nothing Flux can have verified.`
      break
    case 'pending':
      why = `Flux has not finished with commit ${verification.evidenceCommit!.slice(0, 7)}: ${listed}. Run the promotion again once it reports success.`
      break
    case 'failing':
      why = `Flux reports ${env} failing on commit ${verification.evidenceCommit!.slice(0, 7)}: ${listed}. Fix ${env} first (or promote the last healthy tag), then promote.`
      break
    case 'soaking':
      why = `it has been healthy since ${verification.healthySince} (commit ${verification.evidenceCommit!.slice(0, 7)}: ${listed}), and ${setting}.minSoak asks for ${verification.minSoak}: promote after ${verification.readyAt}.`
      break
  }
  return new UserError(`${what}: ${why}`)
}

/** The evidence as Markdown, for the PR body and the job summary. */
export function verificationMarkdown(verification: SourceVerification): string {
  const lines = [
    `**Health of ${verification.environment}:** ${verificationWord(verification.state)}${verification.required ? '' : ' (not required)'}`
  ]
  if (verification.state === 'unchecked') return lines[0]!
  if (verification.commit) lines[0] += ` — the last change to its overlay is \`${verification.commit.slice(0, 7)}\``
  if (verification.healthySince) {
    lines.push('', `Healthy since ${verification.healthySince}${verification.minSoak ? ` (minimum soak ${verification.minSoak})` : ''}.`)
  }
  if (verification.statuses.length > 0) {
    lines.push(
      '',
      `| status on \`${verification.evidenceCommit!.slice(0, 7)}\` | state | since | description |`,
      '| --- | --- | --- | --- |',
      ...verification.statuses.map(
        (s) => `| \`${s.context}\` | ${s.state} | ${s.createdAt} | ${s.description ? inertMarkdown(s.description, 140) : ''} |`
      )
    )
  } else lines.push('', `No status matching ${verification.contexts.map((c) => `\`${c}\``).join(', ')}.`)
  return lines.join('\n')
}

/** One word for a state, as the status table shows it. */
export function verificationWord(state: VerificationState): string {
  return {
    verified: 'verified',
    soaking: 'soaking',
    pending: 'pending',
    failing: 'failing',
    missing: 'unverified',
    unchecked: 'not checked'
  }[state]
}
