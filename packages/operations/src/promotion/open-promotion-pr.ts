import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  mentionParameter,
  bodyWithCommits,
  CODEOWNERS_LOCATIONS,
  comparePromotions,
  decidePromotion,
  describeTag,
  findCodeownersFile,
  GITOPS_CONFIG_FILES,
  isUserError,
  loadGitopsConfig,
  ownersOf,
  parseCodeowners,
  promotionCommitMessage,
  renderPrBody,
  resolveRoute,
  RefRaceError,
  retryRefRaces,
  markerFromCommitMessage,
  reviewersFromOwners,
  teamReviewerSlugs,
  silentLogger,
  parameterError,
  UserError,
  type Changelog,
  type Downgrade,
  type GateDecision,
  type GitHubRequester,
  type GitopsConfig,
  type Logger,
  type PromotionMode,
  type PromotionOperation,
  type SourceVerification,
  type WindowState
} from '@gitops-actions/core'
import { commitFiles, fetchCommits, GitError, gitMaybe, pushCommit } from '@gitops-actions/git'
import { healthEvidence } from '@gitops-actions/github'
import { explainGitHubError, GitHubRepo, type RepoId } from './github-repo.js'
import { planPromotion, type PromotionPlanRequest } from './plan-promotion.js'

/** The plan's request (route, tags, registry, clock) plus where and how the pull request is opened. */
export interface OpenPromotionPrRequest extends Omit<PromotionPlanRequest, 'releaseTags'> {
  /** `api`: commits through the git data API; `git`: commit and push from `checkout` (its remote `origin`). */
  commitMode?: 'api' | 'git'
  /** The config repository and its base branch. */
  repository: RepoId
  base: string
  /** A checkout of the config repo; without one the files the promotion needs are read through the API. */
  checkout?: string | undefined
  draft: boolean
  requestReviews: boolean
  /** The pull request's title instead of ours; `{app}`, `{from}`, `{to}` and `{tag}` are filled in. */
  title?: string | undefined
  /** Labels added beside ours (`promotion`, `env:<to>`). */
  labels?: readonly string[] | undefined
  /** Reviewers requested beside the CODEOWNERS owners (also when requestReviews is off): logins, and teams (`platform`, `org/platform`). */
  reviewers?: readonly string[] | undefined
  teamReviewers?: readonly string[] | undefined
  /**
   * As create-pull-request's delete-branch: when the target already runs the tag, the promotion branch
   * (and its open pull request) is removed; also the `promote/` branch of a pull request this run
   * closes as superseded. Auto-deploy branches, one per build, always go when superseded.
   */
  deleteBranch?: boolean | undefined
  /** `config`: gitops.yaml environments[].autoMerge decides. */
  autoMerge: 'config' | 'true' | 'false'
  mergeMethod: 'MERGE' | 'SQUASH' | 'REBASE'
  /** Statuses to post on the PR head (for PRs whose workflows a GITHUB_TOKEN cannot trigger). */
  headStatuses: Array<{ context: string; state: 'pending' | 'success' | 'failure' | 'error'; description: string }>
  /** The app's repository, for `{version}` from release tags and the changelog. */
  appRepository?: RepoId | undefined
  /** The GitHub client for the app repository, when it differs (another token); the config repo's by default. */
  appGithub?: GitHubRequester | undefined
  links: Array<{ label: string; url: string }>
  serverUrl: string
  /** Where the workflow run is, for status links. */
  runUrl?: string | undefined
  maxRaceAttempts?: number
}

export interface OpenPromotionPrResult {
  operation: PromotionOperation
  mode: PromotionMode
  app: string
  from: string | undefined
  to: string
  skipped: string[]
  image: string
  /** The tag promoted (what runs in `from`, or the new build). */
  sourceTag: string
  /** The tag written to the target overlay. */
  tag: string
  digest: string | undefined
  previousTag: string | undefined
  previousDigest: string | undefined
  retagged: boolean
  gate: GateDecision
  /** Flux's health evidence for `from` (when gitops.yaml requires it there). */
  verification: SourceVerification | undefined
  /** Set when the promotion moves `to` back to an older version (allow-downgrade was given). */
  downgrade: Downgrade | undefined
  branch: string
  title: string
  commitSha: string | undefined
  prNumber: number | undefined
  prUrl: string | undefined
  /** Older PRs of the same app and env this one closed. */
  supersededPrs: number[]
  /** delete-branch: the promotion branch had nothing left to change and was deleted (its open pull request closed, `closedPr`). */
  branchDeleted?: boolean
  closedPr?: boolean
  /** The newer promotion that made this one unnecessary (operation superseded). */
  supersededBy: { number: number | undefined; url: string | undefined; tag: string } | undefined
  files: string[]
  /** Unified diff of the files. */
  diff: string
  /** Unified diff of the overlay's kustomize render. */
  renderedDiff: string
  body: string
  window: WindowState
  labels: string[]
  reviewers: { users: string[]; teams: string[]; refused: string | undefined }
  autoMerge: 'enabled' | 'off' | string
  dryRun: boolean
  /** GitHub API requests this promotion made. */
  apiRequests: number
  raceRetries: number
  /** Optional steps that failed after the pull request was opened (labels, reviewers, statuses, closing older PRs). */
  warnings?: string[]
}

/** Where an app's files live: the common folder of its base and overlays (`apps/myapp/`). */
export function appRoot(config: GitopsConfig, app: string): string {
  const a = config.layout.base.replaceAll('{app}', app).split('/')
  const b = config.layout.overlay.replaceAll('{app}', app).split('/')
  const common: string[] = []
  for (let i = 0; i < Math.min(a.length, b.length) && a[i] === b[i] && !a[i]!.includes('{'); i++) common.push(a[i]!)
  return common.length === 0 ? '' : `${common.join('/')}/`
}

/**
 * Opens (or updates) the pull request that moves an app's image into an environment: plans the
 * overlay edit through bump-overlay's planner, verifies it with a real render, checks the
 * promotion gate, re-tags in the registry, commits through the git data API, and keeps one PR
 * per promotion — safe to run twice, and safe against a concurrent run.
 */
export async function openPromotionPr(github: GitHubRequester, request: OpenPromotionPrRequest): Promise<OpenPromotionPrResult> {
  const logger = request.logger ?? silentLogger
  const repo = new GitHubRepo(github, request.repository)
  const where = `${request.repository.owner}/${request.repository.repo}`
  const teamReviewers = teamReviewerSlugs(request.teamReviewers ?? [], request.repository.owner)
  let baseSha = await repo.branchSha(request.base)
  if (!baseSha) throw parameterError('base', `${where} has no branch '${request.base}'`)
  if (request.commitMode === 'git' && !request.checkout)
    throw parameterError('commit-mode', `git pushes from a checkout; give its location as ${mentionParameter('working-directory')}`)

  const work = mkdtempSync(join(tmpdir(), 'promotion-'))
  try {
    // The files the promotion reads and renders: a copy of the checkout, or a snapshot of the app's folder from the API.
    if (request.checkout) {
      cpSync(request.checkout, work, { recursive: true, filter: (source) => !source.split(/[\\/]/).includes('.git') })
    } else {
      const files = await repo.treeFiles((await repo.commit(baseSha)).tree)
      await repo.snapshot(files, work, (path) => (GITOPS_CONFIG_FILES as readonly string[]).includes(path))
      const root = appRoot(loadGitopsConfig(work), request.app)
      await repo.snapshot(files, work, (path) => path.startsWith(root) || (CODEOWNERS_LOCATIONS as readonly string[]).includes(path))
    }
    const appRepo = request.appRepository && new GitHubRepo(request.appGithub ?? github, request.appRepository)
    const evidenceHead = baseSha
    const planned = await planPromotion(work, {
      ...request,
      logger,
      baseBranch: request.base,
      releaseTags: appRepo ? () => appRepo.releaseTags(request.releaseTagPrefix) : undefined,
      healthEvidence: ({ overlay, enough }) =>
        healthEvidence(repo.counted, request.repository, { branch: request.base, overlay, head: evidenceHead, enough }).catch((error) => {
          throw explainGitHubError(error, `Reading the commit statuses of ${request.base} (Flux's health evidence)`, request.repository)
        })
    })
    const { config, route, image, source, gate, verification, downgrade, target, digest, retagged, previous, marker, names, window } =
      planned
    const title = request.title
      ? request.title
          .replaceAll('{app}', request.app)
          .replaceAll('{from}', route.from?.name ?? 'build')
          .replaceAll('{to}', route.to.name)
          .replaceAll('{tag}', target.tag)
      : names.title
    const labels = [...new Set([...planned.labels, ...(request.labels ?? [])])]
    const plan = planned.update
    const targetOverlay = planned.overlay
    const base: Omit<OpenPromotionPrResult, 'operation' | 'body' | 'renderedDiff'> = {
      mode: route.mode,
      app: request.app,
      from: route.from?.name,
      to: route.to.name,
      skipped: route.skipped,
      image,
      sourceTag: gate.tag,
      tag: target.tag,
      digest,
      previousTag: previous.tag,
      previousDigest: previous.digest,
      retagged,
      gate,
      verification,
      downgrade,
      branch: names.branch,
      title,
      commitSha: undefined,
      prNumber: undefined,
      prUrl: undefined,
      supersededPrs: [],
      supersededBy: undefined,
      files: planned.files,
      diff: planned.diff,
      window,
      labels,
      reviewers: { users: [], teams: [], refused: undefined },
      autoMerge: 'off',
      dryRun: request.dryRun,
      apiRequests: 0,
      raceRetries: 0
    }
    if (!plan.changed) {
      logger.info(`${targetOverlay} already runs ${target.tag}: nothing to promote.`)
      const result: OpenPromotionPrResult = { ...base, operation: 'unchanged', body: '', renderedDiff: '', apiRequests: 0 }
      // delete-branch, as create-pull-request means it: a promotion branch with nothing left to change goes, and its pull request
      // with it. Only when its head is this promotion of the tag that runs now: a newer promotion written there meanwhile (a run
      // at the same time), or a person's commit, stays.
      if (request.deleteBranch && !request.dryRun) {
        const head = await repo.branchHead(names.branch)
        const stale = head && (await repo.openPullRequests(request.base)).find((p) => p.branch === names.branch)
        // Ours by SHA where the pull request records the commits this action wrote; by the message only where it records none.
        const known = stale?.marker?.commits
        const promoted = head && (!known || known.includes(head.sha)) ? markerFromCommitMessage(head.message) : undefined
        if (promoted && promoted.app === marker.app && promoted.env === marker.env && promoted.tag === target.tag) {
          if (stale) {
            await repo.commentOnce(
              stale.number,
              `gitops-actions:already-running:${target.tag}`,
              `${route.to.name} already runs ${target.tag}: nothing left to promote, so this pull request and its branch are closed.`
            )
            await repo.updatePullRequest(stale.number, { state: 'closed' })
            result.prNumber = stale.number
            result.prUrl = stale.url
            result.closedPr = true
          }
          await repo.deleteBranch(names.branch)
          result.branchDeleted = true
        } else if (head) {
          logger.info(
            `${names.branch} holds ${promoted ? `a promotion of ${promoted.tag}` : 'a commit of its own'}: delete-branch leaves it.`
          )
        }
      }
      result.apiRequests = repo.requestCount
      return result
    }
    const rendered = planned.renderedDiff

    const changelog = await readChangelog(appRepo, previous.tag, gate.tag, route, request, logger)
    const lastEnvironment = config.environments.at(-1)!.name === route.to.name
    const body = renderPrBody({
      marker,
      route,
      image: source?.image ?? image,
      gate,
      verification,
      downgrade,
      previous,
      next: { tag: target.tag, digest },
      files: base.files,
      renderedDiff: rendered,
      environments: planned.environments,
      changelog,
      window,
      lastEnvironment,
      links: request.links,
      notes:
        request.headStatuses.length > 0
          ? [`Statuses posted on the head by the promotion run: ${request.headStatuses.map((s) => `\`${s.context}\``).join(', ')}.`]
          : []
    })
    const owners = request.requestReviews ? reviewersFromOwners(codeOwnersOf(work, base.files), request.repository.owner) : undefined
    const wanted = {
      reviewers: [...new Set([...(owners?.reviewers ?? []), ...(request.reviewers ?? [])])],
      teamReviewers: [...new Set([...(owners?.teamReviewers ?? []), ...teamReviewers])]
    }

    if (request.dryRun) {
      const open = await repo.openPullRequests(request.base)
      const decision = decidePromotion({
        ours: marker,
        branch: names.branch,
        baseSha,
        head: await repo.branchHead(names.branch),
        knownCommits: open.find((p) => p.branch === names.branch)?.marker?.commits,
        openPullRequests: open,
        body,
        title
      })
      logger.info(
        `Dry run: would ${decision.kind === 'proceed' ? decision.operation.replace(/d$/, '') : decision.kind} ${names.branch}; nothing written.`
      )
      return {
        ...base,
        operation: decision.kind === 'proceed' ? decision.operation : 'superseded',
        body,
        renderedDiff: rendered,
        reviewers: { users: wanted.reviewers, teams: wanted.teamReviewers, refused: undefined },
        apiRequests: repo.requestCount
      }
    }

    const editedFiles = plan.edits.filter((e) => e.before !== e.after)
    let raceRetries = -1
    const outcome = await retryRefRaces(
      `Promotion of ${request.app} to ${route.to.name}`,
      async () => {
        raceRetries++
        const currentBase = (await repo.branchSha(request.base)) ?? baseSha!
        const baseCommit = await repo.commit(currentBase)
        if (currentBase !== baseSha || request.checkout) await checkEditsStillApply(repo, baseCommit.tree, editedFiles, request.base)
        baseSha = currentBase
        const head = await repo.branchHead(names.branch)
        const open = await repo.openPullRequests(request.base)
        const decision = decidePromotion({
          ours: marker,
          branch: names.branch,
          baseSha,
          head,
          knownCommits: open.find((p) => p.branch === names.branch)?.marker?.commits,
          openPullRequests: open,
          body,
          title
        })
        if (decision.kind === 'stop') throw new UserError(decision.reason)
        if (decision.kind === 'superseded') return { decision, commitSha: undefined, open }
        let commitSha = head?.sha
        if (decision.write) {
          const commit = {
            baseTree: baseCommit.tree,
            files: editedFiles.map((e) => ({ path: e.path, text: e.after })),
            parents: decision.parents,
            message: promotionCommitMessage(
              names.commitMessage,
              { ...marker, base: baseSha },
              `${gate.explanation}\n${previous.tag ?? '(none)'} → ${target.tag}`
            )
          }
          if (request.commitMode === 'git') {
            commitSha = await commitAndPush(request.checkout!, request.base, names.branch, commit)
          } else {
            commitSha = await repo.createCommit(commit)
            await repo.advanceBranch(names.branch, commitSha, head !== undefined)
          }
          logger.info(`${names.branch} → ${commitSha.slice(0, 7)}`)
        }
        return { decision, commitSha, open }
      },
      { logger, maxAttempts: request.maxRaceAttempts ?? 5 }
    )

    if (outcome.decision.kind === 'superseded') {
      const by = outcome.decision.by
      logger.info(`A newer promotion of ${request.app} to ${route.to.name} (${by.marker.tag}) is already open: nothing written.`)
      return {
        ...base,
        operation: 'superseded',
        supersededBy: { number: by.pullRequest?.number, url: by.pullRequest?.url, tag: by.marker.tag },
        body,
        renderedDiff: rendered,
        apiRequests: repo.requestCount,
        raceRetries
      }
    }
    const decision = outcome.decision
    let prNumber: number
    let prUrl: string
    let nodeId: string
    let operation: PromotionOperation = decision.operation
    const warnings: string[] = []
    // Once the pull request exists, what follows is optional: a failure is a warning, and the PR is still reported.
    const optional = async <T>(what: string, step: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await step()
      } catch (error) {
        if (!isUserError(error)) throw error
        const message = `${what} failed, the pull request #${prNumber} is open all the same: ${(error as Error).message}`
        logger.warning(message)
        warnings.push(message)
        return undefined
      }
    }
    // The body's marker lists the commits this action wrote on the branch, which is how a later run knows its own (by SHA).
    const ours = outcome.commitSha ? [outcome.commitSha] : []
    let finalBody = bodyWithCommits(body, marker, ours)
    const existing = decision.pullRequest && outcome.open.find((p) => p.number === decision.pullRequest!.number)
    if (existing) {
      prNumber = existing.number
      prUrl = existing.url
      nodeId = existing.nodeId
      finalBody = bodyWithCommits(body, marker, [...(existing.marker?.commits ?? []), ...ours])
      if (operation === 'updated')
        await optional('Updating its title and body', () => repo.updatePullRequest(prNumber, { title, body: finalBody }))
    } else {
      const created = await repo.createPullRequest({
        branch: names.branch,
        base: request.base,
        title,
        body: finalBody,
        draft: request.draft
      })
      prNumber = created.number
      prUrl = created.url
      nodeId = created.nodeId
      if (created.existed) {
        operation = 'updated'
        finalBody = bodyWithCommits(body, marker, [...(created.marker?.commits ?? []), ...ours])
        await optional('Updating its title and body', () => repo.updatePullRequest(prNumber, { title, body: finalBody }))
      }
    }
    const result: OpenPromotionPrResult = {
      ...base,
      operation,
      body: finalBody,
      renderedDiff: rendered,
      commitSha: outcome.commitSha,
      prNumber,
      prUrl,
      raceRetries,
      warnings
    }
    if (operation !== 'unchanged') {
      await optional(`Adding the labels ${labels.join(', ')}`, () => repo.addLabels(prNumber, labels))
      if (wanted.reviewers.length > 0 || wanted.teamReviewers.length > 0) {
        const refused = await optional('Requesting reviewers', () =>
          repo.requestReviewers(prNumber, wanted.reviewers, wanted.teamReviewers)
        )
        if (refused) logger.warning(`Reviewers not requested: ${refused}`)
        result.reviewers = { users: wanted.reviewers, teams: wanted.teamReviewers, refused }
      }
      const autoMerge = request.autoMerge === 'config' ? route.to.autoMerge : request.autoMerge === 'true'
      if (autoMerge && !request.draft) {
        const refused = await repo.enableAutoMerge(nodeId, request.mergeMethod, outcome.commitSha)
        result.autoMerge = refused ? `not enabled: ${refused}` : 'enabled'
        if (refused) logger.warning(`Auto-merge was not enabled on #${prNumber}: ${refused}`)
      }
    }
    const headSha = outcome.commitSha
    if (headSha) {
      if (window.restricted) {
        await optional('Posting the deployment-window status', () =>
          repo.setStatus(headSha, {
            context: 'deployment-window',
            state: window.open ? 'success' : 'pending',
            description: window.open
              ? `Inside the deployment window (${window.windows[0]})`
              : `Outside the deployment window; next opens ${window.nextOpen?.toISOString() ?? 'not within a week'}`,
            targetUrl: request.runUrl
          })
        )
      }
      for (const status of request.headStatuses) {
        await optional(`Posting the status ${status.context}`, () => repo.setStatus(headSha, { ...status, targetUrl: request.runUrl }))
      }
    }

    // Older promotions of the same app and env: closed, pointing here.
    for (const older of decision.supersedes) {
      await optional(`Closing the older promotion #${older.number}`, async () => {
        await repo.commentOnce(
          older.number,
          `gitops-actions:superseded-by:${prNumber}`,
          `Superseded by #${prNumber} (${target.tag}), a newer promotion of ${request.app} to ${route.to.name}.`
        )
        await repo.updatePullRequest(older.number, { state: 'closed' })
        result.supersededPrs.push(older.number)
        if (older.branch.startsWith('auto-deploy/') || request.deleteBranch) await repo.deleteBranch(older.branch)
      })
    }
    // A concurrent newer promotion may have opened meanwhile on another branch: then this one steps back.
    const newer = (
      (await optional('Looking for a newer promotion opened meanwhile', () => repo.openPullRequests(request.base))) ?? []
    ).find(
      (p) =>
        p.branch !== names.branch &&
        p.marker &&
        p.marker.app === marker.app &&
        p.marker.env === marker.env &&
        comparePromotions(p.marker, marker) > 0
    )
    if (newer) {
      await optional(`Closing #${prNumber} for the newer #${newer.number}`, async () => {
        await repo.commentOnce(
          prNumber,
          `gitops-actions:superseded-by:${newer.number}`,
          `Superseded by #${newer.number} (${newer.marker!.tag}), a newer promotion of ${request.app} to ${route.to.name}.`
        )
        await repo.updatePullRequest(prNumber, { state: 'closed' })
        if (names.branch.startsWith('auto-deploy/') || request.deleteBranch) await repo.deleteBranch(names.branch)
        result.operation = 'superseded'
        result.supersededBy = { number: newer.number, url: newer.url, tag: newer.marker!.tag }
      })
    }
    result.apiRequests = repo.requestCount + (appRepo && appRepo !== repo ? appRepo.requestCount : 0)
    return result
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * commit-mode git: the same commit (same parents, same tree) made with git plumbing in the
 * checkout and pushed to `origin` without force; a rejected push is a lost race, read again.
 */
async function commitAndPush(
  cwd: string,
  base: string,
  branch: string,
  commit: { baseTree: string; files: ReadonlyArray<{ path: string; text: string }>; parents: string[]; message: string }
): Promise<string> {
  // An origin that cannot be reached (network, credentials) is the user's to fix, not a bug: say which remote and what git said.
  const reach = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step()
    } catch (error) {
      if (!(error instanceof GitError)) throw error
      const said = (error.stderr || error.message).trim().split('\n').filter(Boolean).slice(-2).join(' ')
      const url = (await gitMaybe(cwd, ['remote', 'get-url', 'origin']))?.trim() ?? '(no origin remote)'
      throw new UserError(
        `commit-mode git: ${what} origin (${url}) of the checkout failed: ${said}. Check that origin is reachable and that the checkout's credentials may push (contents: write), or use commit-mode: api.`
      )
    }
  }
  await reach(`fetching ${base} from`, () => fetchCommits(cwd, 'origin', [`refs/heads/${base}`]))
  await gitMaybe(cwd, ['fetch', '--quiet', '--no-tags', 'origin', `refs/heads/${branch}`])
  for (const sha of [...commit.parents, commit.baseTree]) {
    if ((await gitMaybe(cwd, ['cat-file', '-e', sha])) === undefined)
      throw new RefRaceError(`${sha.slice(0, 7)} is not in the checkout yet`)
  }
  const sha = await commitFiles(cwd, commit)
  if ((await reach(`pushing ${branch} to`, () => pushCommit(cwd, 'origin', sha, branch))) === 'rejected')
    throw new RefRaceError(`push of ${branch} rejected (not a fast-forward)`)
  return sha
}

/**
 * Before committing on a base that moved (or when the files came from a checkout), the files the
 * promotion edits must still hold what the edit was planned on; otherwise someone changed the
 * overlay meanwhile and the promotion must be planned again.
 */
async function checkEditsStillApply(
  repo: GitHubRepo,
  tree: string,
  edits: ReadonlyArray<{ path: string; before: string }>,
  base: string
): Promise<void> {
  const files = await repo.treeFiles(tree)
  for (const edit of edits) {
    const remote = files.get(edit.path)
    if (!remote || remote.sha !== gitBlobSha(edit.before)) {
      throw new UserError(
        `${edit.path} on ${base} is not what the promotion was planned on (the checkout is behind ${base}, or the overlay changed meanwhile). Check out ${base} again and re-run.`,
        { file: edit.path }
      )
    }
  }
}

function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  // git's blob id: sha1 over "blob <size>\0" and the content.
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}

function codeOwnersOf(dir: string, paths: readonly string[]): string[] {
  const file = findCodeownersFile(dir)
  if (!file) return []
  const codeowners = parseCodeowners(readFileSync(join(dir, file), 'utf8'), file)
  return [...new Set(paths.flatMap((path) => ownersOf(codeowners, path)))]
}

async function readChangelog(
  appRepo: GitHubRepo | undefined,
  previousTag: string | undefined,
  tag: string,
  route: ReturnType<typeof resolveRoute>,
  request: OpenPromotionPrRequest,
  logger: Logger
): Promise<Changelog | undefined> {
  if (!appRepo || !previousTag) return undefined
  const fromSha = describeTag(previousTag, route.to, request.app).sha
  const toSha = describeTag(tag, route.from ?? route.to, request.app).sha
  if (!fromSha || !toSha) return undefined
  try {
    const { data } = await appRepo.github.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      owner: appRepo.id.owner,
      repo: appRepo.id.repo,
      basehead: `${fromSha}...${toSha}`,
      per_page: 100
    })
    const commits = (
      data.commits as Array<{
        sha: string
        html_url?: string
        commit: { message: string; author?: { name?: string } }
        author?: { login?: string }
      }>
    )
      .map((c) => ({
        sha: c.sha,
        subject: c.commit.message.split('\n')[0]!,
        author: c.author?.login ?? c.commit.author?.name,
        url: c.html_url
      }))
      .reverse()
    return {
      repository: `${appRepo.id.owner}/${appRepo.id.repo}`,
      fromSha,
      toSha,
      commits,
      compareUrl: data.html_url,
      more: Math.max(0, (data.total_commits ?? commits.length) - commits.length)
    }
  } catch (error) {
    logger.warning(
      `No changelog: comparing ${fromSha}...${toSha} in ${appRepo.id.owner}/${appRepo.id.repo} failed (${(error as Error).message})`
    )
    return undefined
  }
}
