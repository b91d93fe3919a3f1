import semver from 'semver'
import type { Preset } from './release-rules.js'
import { parameterError } from '../errors.js'
import {
  bumpFromCommits,
  DEFAULT_RELEASE_ANALYSIS,
  type Bump,
  type BumpReason,
  type BumpResult,
  type ReleaseAnalysis
} from './version-bump.js'

export interface ReleaseTag {
  name: string
  /** The commit the tag points at. */
  sha: string
}

/**
 * `tags` whose names are `<prefix><semver>`, each with its version, newest first (others dropped):
 * the order releases are read in, and in which to look up what an annotated tag points at when
 * only the recent ones can be afforded.
 */
export function newestReleasesFirst<T extends { name: string }>(tags: readonly T[], prefix: string): Array<T & { version: semver.SemVer }> {
  const parsed: Array<T & { version: semver.SemVer }> = []
  for (const tag of tags) {
    if (!tag.name.startsWith(prefix)) continue
    const version = semver.parse(tag.name.slice(prefix.length))
    if (version) parsed.push({ ...tag, version })
  }
  return parsed.sort((a, b) => semver.rcompare(a.version, b.version))
}

/** Where version facts come from; the action reads them from git, tests from fixtures. */
export interface VersionHistorySource {
  /** Every tag with the release prefix reachable from the commit being tagged (not only the newest 100). */
  releaseTags(): Promise<ReleaseTag[]>
  /** Commits since `sinceSha` (all history when undefined), filtered to the monorepo paths. */
  commitsSince(sinceSha: string | undefined): Promise<Array<{ sha: string; message: string }>>
}

export interface VersionRequest {
  head: string
  prefix: string
  /** Pre-release identifier (e.g. `rc`) to make `1.3.0-rc.2` style versions; empty for stable. */
  prerelease: string
  /** The first version when no release tag exists and commits call for one. */
  initialVersion: string
  /** How commits decide the release (semantic-release's commit-analyzer defaults when absent). */
  analysis?: ReleaseAnalysis
}

export interface VersionResult {
  version: string
  previousVersion: string
  previousTag: string | undefined
  bump: Bump
  reasons: BumpReason[]
  /** Commits the analysis left out (`[skip release]`, reverted within the range). */
  skipped: BumpResult['skipped']
  /** Commits since the previous release that were analysed. */
  analyzed: number
  /** Headers written as breaking (`feat!:`) that the preset does not read as breaking. */
  unreadBreaking: string[]
  /** The preset the commits were read with. */
  preset: Preset
  /** True when the commit is itself a release tag: the version is that tag's. */
  released: boolean
  /** True when no commit since the previous release calls for a new version. */
  unchanged: boolean
}

interface ParsedTag extends ReleaseTag {
  version: semver.SemVer
}

/**
 * The next semantic version from conventional commits since the last stable release tag.
 * A commit that already carries a release tag keeps that version, so re-runs agree.
 */
export async function computeVersion(request: VersionRequest, source: VersionHistorySource): Promise<VersionResult> {
  if (!semver.valid(request.initialVersion)) {
    throw parameterError('initial-version', `'${request.initialVersion}' is not a semantic version`)
  }
  const analysis = request.analysis ?? DEFAULT_RELEASE_ANALYSIS
  const tags = newestReleasesFirst(await source.releaseTags(), request.prefix)
  const onHead = tags.find((tag) => tag.sha === request.head && (request.prerelease ? true : tag.version.prerelease.length === 0))
  const stable = tags.filter((tag) => tag.version.prerelease.length === 0)
  const base = stable[0]
  if (onHead) {
    const previous = tags.find((tag) => semver.lt(tag.version, onHead.version) && tag.version.prerelease.length === 0)
    return {
      version: onHead.version.version,
      previousVersion: previous?.version.version ?? '',
      previousTag: previous?.name,
      bump: 'none',
      reasons: [],
      skipped: [],
      analyzed: 0,
      unreadBreaking: [],
      preset: analysis.preset,
      released: true,
      unchanged: false
    }
  }
  const commits = await source.commitsSince(base?.sha)
  const { bump, reasons, skipped, unreadBreaking } = bumpFromCommits(commits, analysis)
  // The first release is the initial version whatever the commits say.
  let next = base ? (bump === 'none' ? base.version.version : semver.inc(base.version, bump)!) : request.initialVersion
  if (request.prerelease && (bump !== 'none' || !base)) {
    next = nextPrerelease(next, request.prerelease, tags)
  }
  return {
    version: next,
    previousVersion: base?.version.version ?? '',
    previousTag: base?.name,
    bump,
    reasons,
    skipped,
    analyzed: commits.length,
    unreadBreaking,
    preset: analysis.preset,
    released: false,
    unchanged: base !== undefined && bump === 'none'
  }
}

function nextPrerelease(version: string, identifier: string, tags: readonly ParsedTag[]): string {
  if (!/^[0-9A-Za-z-]+$/.test(identifier)) {
    throw parameterError('prerelease', `'${identifier}' is not a valid pre-release identifier (letters, digits and '-')`)
  }
  const numbers = tags
    .filter(
      (tag) => `${tag.version.major}.${tag.version.minor}.${tag.version.patch}` === version && tag.version.prerelease[0] === identifier
    )
    .map((tag) => Number(tag.version.prerelease[1] ?? 0))
  const n = numbers.length > 0 ? Math.max(...numbers) + 1 : 1
  return `${version}-${identifier}.${n}`
}
