import type { Commit } from 'conventional-commits-parser'
import { DEFAULT_RELEASE_RULES, parseCommitMessage, ruleRelease, type Preset, type ReleaseRule, type ReleaseType } from './release-rules.js'

export type Bump = ReleaseType | 'none'

const rank: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 }

export interface BumpReason {
  sha: string
  header: string
  bump: ReleaseType
}

export interface BumpResult {
  bump: Bump
  /** The commits that decided the bump, strongest first. */
  reasons: BumpReason[]
  /** Commits left out before the analysis: `[skip release]`, or reverted by a later commit in the range (with the revert). */
  skipped: Array<{ sha: string; header: string; why: 'skip-release' | 'reverted' | 'revert' }>
  /** Headers with a `!` before the colon that the preset does not read as breaking (angular), for hints. */
  unreadBreaking: string[]
}

export interface ReleaseAnalysis {
  /** How messages are parsed; semantic-release's default is angular. */
  preset: Preset
  /** Rules tried before the default ones (commit-analyzer's `releaseRules`). */
  releaseRules: readonly ReleaseRule[]
}

export const DEFAULT_RELEASE_ANALYSIS: ReleaseAnalysis = { preset: 'angular', releaseRules: [] }

// semantic-release drops these before any plugin sees the commits.
const BANG_HEADER = /^\w+(?:\([^)]*\))?!: /

const SKIP_RELEASE = /\[skip\s+release]|\[release\s+skip]/i

/** What one commit message releases on its own (reverts are judged as reverts, not against the range). */
export function bumpOfMessage(message: string, analysis: ReleaseAnalysis = DEFAULT_RELEASE_ANALYSIS): Bump {
  return releaseOf(parseCommitMessage(message, analysis.preset), analysis) || 'none'
}

function releaseOf(commit: Commit, analysis: ReleaseAnalysis): ReleaseType | false | null | undefined {
  let release = analysis.releaseRules.length > 0 ? ruleRelease(analysis.releaseRules, commit) : undefined
  if (release === undefined) release = ruleRelease(DEFAULT_RELEASE_RULES, commit)
  return release
}

/**
 * The release a range of commits calls for, as semantic-release's commit-analyzer decides it:
 * commits newest first (git log order); empty messages and `[skip release]` commits left out; a
 * commit reverted by a later commit of the range left out with its revert; then each commit's
 * release by the custom rules, or by the default rules when no custom rule matched it; the
 * highest wins. Only a commit's own message counts: the `* feat: …` lines of a squash merge's
 * body are not commits (a `BREAKING CHANGE:` footer in it is).
 */
export function bumpFromCommits(
  commits: ReadonlyArray<{ sha: string; message: string }>,
  analysis: ReleaseAnalysis = DEFAULT_RELEASE_ANALYSIS
): BumpResult {
  const skipped: BumpResult['skipped'] = []
  const parsed: Array<{ sha: string; commit: Commit }> = []
  for (const { sha, message } of commits) {
    if (!message.trim()) continue
    const commit = parseCommitMessage(message, analysis.preset)
    if (SKIP_RELEASE.test(message)) skipped.push({ sha, header: commit.header ?? '', why: 'skip-release' })
    else parsed.push({ sha, commit })
  }
  const reasons: BumpReason[] = []
  const unreadBreaking: string[] = []
  for (const { sha, commit } of withoutReverted(parsed, skipped)) {
    const release = releaseOf(commit, analysis)
    if (release) reasons.push({ sha, header: commit.header ?? '', bump: release })
    if (release !== 'major' && BANG_HEADER.test(commit.header ?? '')) unreadBreaking.push(commit.header!)
  }
  reasons.sort((a, b) => rank[b.bump] - rank[a.bump])
  return { bump: reasons[0]?.bump ?? 'none', reasons, skipped, unreadBreaking }
}

/**
 * conventional-commits-filter's rule, which commit-analyzer applies: a revert and the commit it
 * reverts (same header, same hash) cancel out when both are in the range; a revert whose commit
 * is older than the range stays (and releases a patch by default).
 */
function withoutReverted(
  commits: ReadonlyArray<{ sha: string; commit: Commit }>,
  skipped: BumpResult['skipped']
): Array<{ sha: string; commit: Commit }> {
  const open = new Map<{ sha: string; commit: Commit }, boolean>()
  const cancelled = new Set<{ sha: string; commit: Commit }>()
  for (const entry of commits) {
    const revert = [...open.keys()].find((r) => revertMatches(r.commit.revert!, entry))
    if (revert) {
      open.delete(revert)
      cancelled.add(revert).add(entry)
      skipped.push({ sha: revert.sha, header: revert.commit.header ?? '', why: 'revert' })
      skipped.push({ sha: entry.sha, header: entry.commit.header ?? '', why: 'reverted' })
    } else if (entry.commit.revert) {
      open.set(entry, true)
    }
  }
  return commits.filter((entry) => !cancelled.has(entry))
}

function revertMatches(revert: Record<string, string | null>, entry: { sha: string; commit: Commit }): boolean {
  const fields: Record<string, unknown> = { ...entry.commit, hash: entry.sha }
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : value)
  return Object.entries(revert).every(([key, value]) => text(fields[key]) === text(value))
}

export function strongerBump(a: Bump, b: Bump): Bump {
  return rank[a] >= rank[b] ? a : b
}
