import { existsSync } from 'node:fs'
import {
  computeVersion,
  type Preset,
  planTags,
  tagSafe,
  templateNeedsVersion,
  templateTable,
  timestampParts,
  UserError,
  type BumpReason,
  type FluxImagePolicyFilter,
  type VersionResult
} from '@gitops-actions/core'
import { commitsBetween, commitTime, isGitRepository, isShallow, resolveCommit, tagsMergedInto } from '@gitops-actions/git'

export interface ComputeTagRequest {
  /** The app repository checkout. */
  cwd: string
  /** The revision to tag (the PR head on pull requests; see action-kit's eventCommit). */
  revision: string
  app: string
  environment: string
  images: string[]
  /** User templates by environment, over the seed's defaults. */
  templates: Record<string, string>
  /** Alias templates; undefined for the environment's defaults. */
  aliases: string[] | undefined
  shaLength: number
  timestampSource: 'commit' | 'now'
  /** An explicit version instead of one computed from history. */
  version: string | undefined
  releaseTagPrefix: string
  prerelease: string
  initialVersion: string
  /** How commits decide the release; unset fields come from the checkout's gitops.yaml `versioning`, else semantic-release's defaults. */
  preset?: Preset
  /** commit-analyzer's releaseRules as YAML or JSON text (an input, a CLI option). */
  releaseRules?: string
  paths: string[]
  branch: string | undefined
  pullRequest: number | undefined
  runId: string | undefined
  /** Web URL of the repository, for the OCI source label. */
  sourceUrl: string | undefined
  /** The clock, for timestamp-source now. */
  now?: () => Date
}

export interface ComputeTagResult {
  app: string
  environment: string
  tag: string
  template: string
  aliases: string[]
  tags: string[]
  labels: string[]
  sha: string
  shortSha: string
  timestamp: string
  version: string
  previousVersion: string
  previousTag: string
  bump: VersionResult['bump']
  bumpReasons: BumpReason[]
  /** Commits left out of the analysis: `[skip release]`, and reverts that cancel a commit of the same range. */
  skippedCommits: VersionResult['skipped']
  /** The preset the commits were read with. */
  preset: Preset
  fluxImagePolicy: FluxImagePolicyFilter | null
}

const NO_VERSION: VersionResult = {
  version: '',
  previousVersion: '',
  previousTag: undefined,
  bump: 'none',
  reasons: [],
  skipped: [],
  analyzed: 0,
  unreadBreaking: [],
  preset: 'angular',
  released: false,
  unchanged: false
}

/** Computes an image's tags for an environment from a real app repository checkout. */
export async function computeTag(request: ComputeTagRequest): Promise<ComputeTagResult> {
  if (!existsSync(request.cwd) || !(await isGitRepository(request.cwd))) {
    throw new UserError(
      `'${request.cwd}' is not a git checkout. Run actions/checkout (with fetch-depth: 0 for versions) before compute-tag.`
    )
  }
  const sha = await resolveCommit(request.cwd, request.revision)
  const templates = templateTable(request.templates)
  const version = await readVersion(request, sha, templateNeedsVersion(templates, request.environment, request.aliases))
  const created = request.timestampSource === 'commit' ? await commitTime(request.cwd, sha) : (request.now ?? (() => new Date()))()
  const shortSha = sha.slice(0, request.shaLength)
  const plan = planTags({
    environment: request.environment,
    images: request.images,
    templates,
    aliasTemplates: request.aliases,
    values: {
      app: request.app,
      env: request.environment,
      sha: shortSha,
      'long-sha': sha,
      ...timestampParts(created),
      version: version.version,
      branch: request.branch ? tagSafe(request.branch) : '',
      pr: request.pullRequest?.toString() ?? '',
      run: request.runId ?? ''
    },
    labels: { title: request.app, revision: sha, created, source: request.sourceUrl }
  })
  return {
    app: request.app,
    environment: request.environment,
    tag: plan.tag,
    template: plan.template,
    aliases: plan.aliases,
    tags: plan.tags,
    labels: plan.labels,
    sha,
    shortSha,
    timestamp: timestampParts(created).timestamp,
    version: version.version,
    previousVersion: version.previousVersion,
    previousTag: version.previousTag ?? '',
    bump: version.bump,
    bumpReasons: version.reasons,
    skippedCommits: version.skipped,
    preset: version.preset,
    fluxImagePolicy: plan.fluxImagePolicy ?? null
  }
}

async function readVersion(request: ComputeTagRequest, head: string, needed: boolean): Promise<VersionResult> {
  const settings = async () =>
    (await import('./versioning-settings.js')).releaseAnalysisOf(request.cwd, request.preset, request.releaseRules)
  // A malformed release-rules input is an error even on runs that compute no version.
  const given = request.releaseRules !== undefined ? await settings() : undefined
  if (request.version !== undefined) return { ...NO_VERSION, version: request.version }
  if (await isShallow(request.cwd)) {
    if (!needed) return NO_VERSION
    throw new UserError(
      `The checkout is shallow, so the version cannot be computed from release tags and conventional commits. Set 'fetch-depth: 0' on actions/checkout, or give 'version'.`
    )
  }
  const version = await computeVersion(
    {
      head,
      prefix: request.releaseTagPrefix,
      prerelease: request.prerelease,
      initialVersion: request.initialVersion,
      analysis: given ?? (await settings())
    },
    {
      releaseTags: () => tagsMergedInto(request.cwd, head, `${request.releaseTagPrefix}*`),
      commitsSince: (since) => commitsBetween(request.cwd, since, head, request.paths)
    }
  )
  if (needed && version.unchanged) throw nothingToRelease(version)
  return version
}

function nothingToRelease(version: VersionResult): UserError {
  const lines = [
    `No commit since ${version.previousTag} calls for a release (${version.analyzed} commit(s) read with the ${version.preset} preset: feat → minor; fix, perf and reverts → patch; a BREAKING CHANGE footer → major), so there is no new version: tagging this commit ${version.version} again would make a mutable tag.`
  ]
  if (version.unreadBreaking.length > 0) {
    lines.push(
      `'${version.unreadBreaking[0]}'${version.unreadBreaking.length > 1 ? ` and ${version.unreadBreaking.length - 1} more` : ''} use '!', which the angular preset does not read as breaking: set 'preset: conventionalcommits' to count it.`
    )
  }
  const cancelled = version.skipped.filter((s) => s.why === 'reverted').length
  if (cancelled > 0) lines.push(`${cancelled} commit(s) were reverted within the range and do not count.`)
  lines.push(`Tag a release commit, add a release rule ('release-rules') for the commits you want released, or give 'version'.`)
  return new UserError(lines.join(' '))
}
