import {
  basicError,
  isoNow,
  nodeId,
  repoApiUrl,
  repoHtmlUrl,
  repository,
  simpleUser,
  team,
  validationError,
  type Actor
} from '../objects.ts'
import { HttpError, type Context, type Handler, type PullState, type RepoState, type StandInCore } from '../state.ts'
import { labelBody } from './issues.ts'
import { mergeBlockers } from './protection.ts'
import { organizationHasTeams, teamExists } from './teams.ts'

/**
 * Pull requests over the bare repository: the head and base are live branches, mergeability is
 * git merge-tree, and a merge really moves the base branch (compare-and-swap, so a concurrent
 * push to the base makes the merge fail as GitHub's does).
 */

const DOCS = 'https://docs.github.com/rest/pulls/pulls'

/** A pull request as tests see it through hub.pulls(). */
export interface PullView {
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  merged: boolean
  draft: boolean
  user: string
  head: string
  base: string
  /** The head commit (live while open, frozen when closed). */
  headSha: string | undefined
  mergeCommitSha: string | null
  labels: string[]
  requestedReviewers: string[]
  requestedTeams: string[]
  autoMerge: { mergeMethod: string; enabledBy: string } | null
}

export async function pullView(repo: RepoState, pull: PullState): Promise<PullView> {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    merged: pull.mergedAt !== null,
    draft: pull.draft,
    user: pull.user.login,
    head: pull.headRef,
    base: pull.baseRef,
    headSha: await headSha(repo, pull),
    mergeCommitSha: pull.mergeCommitSha,
    labels: [...pull.labels],
    requestedReviewers: [...pull.requestedReviewers],
    requestedTeams: [...pull.requestedTeams],
    autoMerge: pull.autoMerge ? { mergeMethod: pull.autoMerge.mergeMethod, enabledBy: pull.autoMerge.enabledBy.login } : null
  }
}

async function headSha(repo: RepoState, pull: PullState): Promise<string | undefined> {
  return pull.closedHeadSha ?? (await repo.git.resolveRef(`refs/heads/${pull.headRef}`))
}

async function baseSha(repo: RepoState, pull: PullState): Promise<string | undefined> {
  return pull.closedBaseSha ?? (await repo.git.resolveRef(`refs/heads/${pull.baseRef}`))
}

export function findPull(repo: RepoState, number: string | number): PullState {
  const pull = repo.pulls.find((p) => p.number === Number(number))
  if (!pull) throw new HttpError(404, basicError('Not Found', 404, DOCS))
  return pull
}

/** The pull-request-simple shape (lists, requested reviewers). */
async function pullSimple(core: StandInCore, repo: RepoState, pull: PullState): Promise<Record<string, unknown>> {
  const api = repoApiUrl(core.urls, repo.record)
  const html = repoHtmlUrl(core.urls, repo.record)
  const url = `${api}/pulls/${pull.number}`
  const head = await headSha(repo, pull)
  const base = await baseSha(repo, pull)
  const openIssues = repo.pulls.filter((p) => p.state === 'open').length
  const repoBody = repository(core.urls, repo.record, repo.pushedAt, openIssues)
  const side = (ref: string, sha: string | undefined) => ({
    label: `${repo.record.owner.login}:${ref}`,
    ref,
    sha: sha ?? '0000000000000000000000000000000000000000',
    user: simpleUser(core.urls, repo.record.owner),
    repo: repoBody
  })
  return {
    url,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: `${html}/pull/${pull.number}`,
    diff_url: `${html}/pull/${pull.number}.diff`,
    patch_url: `${html}/pull/${pull.number}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${head ?? ''}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(core.urls, pull.user),
    body: pull.body,
    labels: pull.labels.map((name) => labelBody(core, repo, repo.labels.get(name.toLowerCase())!)),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pull.requestedReviewers.map((login) => simpleUser(core.urls, core.actorFor(login))),
    requested_teams: pull.requestedTeams.map((slug) => team(core.urls, repo.record.owner, slug)),
    head: side(pull.headRef, head),
    base: side(pull.baseRef, base),
    _links: {
      self: { href: url },
      html: { href: `${html}/pull/${pull.number}` },
      issue: { href: `${api}/issues/${pull.number}` },
      comments: { href: `${api}/issues/${pull.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${head ?? ''}` }
    },
    author_association: 'MEMBER',
    auto_merge: pull.autoMerge
      ? {
          enabled_by: simpleUser(core.urls, pull.autoMerge.enabledBy),
          merge_method: pull.autoMerge.mergeMethod,
          commit_title: pull.autoMerge.commitTitle,
          commit_message: pull.autoMerge.commitMessage
        }
      : null,
    draft: pull.draft
  }
}

/** Whether the pull request can merge, and why not (GitHub's mergeable_state vocabulary). */
async function mergeability(
  repo: RepoState,
  pull: PullState
): Promise<{ mergeable: boolean | null; state: string; tree?: string; head?: string; base?: string; blockers: string[] }> {
  const head = await headSha(repo, pull)
  const base = await baseSha(repo, pull)
  if (pull.state === 'closed' || !head || !base) return { mergeable: null, state: 'unknown', blockers: [] }
  const tree = await repo.git.mergeTrees(base, head)
  if (!tree) return { mergeable: false, state: 'dirty', head, base, blockers: [] }
  const blockers = await mergeBlockers(repo, pull.baseRef, head)
  if (pull.draft) return { mergeable: true, state: 'draft', tree, head, base, blockers }
  return { mergeable: true, state: blockers.length > 0 ? 'blocked' : 'clean', tree, head, base, blockers }
}

/** GitHub's mergeable_state for an open pull request (clean, blocked, dirty, draft, unknown). */
export async function mergeabilityState(repo: RepoState, pull: PullState): Promise<string> {
  return (await mergeability(repo, pull)).state
}

/**
 * Merges the open pull requests with auto-merge enabled that have become clean (called after a
 * status is posted), as GitHub does once the required checks pass.
 */
export async function runAutoMerges(core: StandInCore, repo: RepoState): Promise<void> {
  for (const pull of repo.pulls.filter((p) => p.state === 'open' && p.autoMerge)) {
    if ((await mergeability(repo, pull)).state !== 'clean') continue
    const auto = pull.autoMerge!
    await mergePull(core, repo, pull, auto.enabledBy, {
      method: auto.mergeMethod,
      title: auto.commitTitle || undefined,
      message: auto.commitMessage || undefined
    })
  }
}

const MAX_BODY = 65536

function checkBodyLength(body: unknown): void {
  if (typeof body === 'string' && body.length > MAX_BODY) {
    throw new HttpError(
      422,
      validationError('Validation Failed', [
        { resource: 'PullRequest', field: 'body', code: 'custom', message: `body is too long (maximum is ${MAX_BODY} characters)` }
      ])
    )
  }
}

/** The full pull-request shape (get, create, update). */
/** Commits and line counts of a pull request (git rev-list and diff from the merge base). */
async function pullStats(repo: RepoState, head: string | undefined, base: string | undefined): Promise<NonNullable<PullState['stats']>> {
  const stats = { commits: 0, additions: 0, deletions: 0, changedFiles: 0 }
  if (!head || !base) return stats
  const [count, numstat] = await Promise.all([
    repo.git.git(['rev-list', '--count', head, `^${base}`]),
    repo.git.git(['diff', '--numstat', `${base}...${head}`])
  ])
  stats.commits = Number(count.trim()) || 0
  for (const line of numstat.split('\n').filter(Boolean)) {
    const [a, d] = line.split('\t')
    stats.additions += Number(a) || 0
    stats.deletions += Number(d) || 0
    stats.changedFiles++
  }
  return stats
}

async function pullFull(core: StandInCore, repo: RepoState, pull: PullState): Promise<Record<string, unknown>> {
  const [simple, stats, merge] = await Promise.all([
    pullSimple(core, repo, pull),
    pull.stats ?? pullStats(repo, await headSha(repo, pull), await baseSha(repo, pull)),
    mergeability(repo, pull)
  ])
  const { commits, additions, deletions, changedFiles } = stats
  return {
    ...simple,
    merged: pull.mergedAt !== null,
    mergeable: merge.mergeable,
    rebaseable: merge.mergeable,
    mergeable_state: merge.state,
    merged_by: pull.mergedBy ? simpleUser(core.urls, pull.mergedBy) : null,
    comments: repo.comments.filter((c) => c.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits,
    additions,
    deletions,
    changed_files: changedFiles
  }
}

/** `owner:branch` or `branch` → branch, for this repository (cross-fork heads are not modelled). */
function headBranch(repo: RepoState, head: string): string | undefined {
  const colon = head.indexOf(':')
  if (colon < 0) return head
  return head.slice(0, colon).toLowerCase() === repo.record.owner.login.toLowerCase() ? head.slice(colon + 1) : undefined
}

const create: Handler = async ({ core, repo, body, actor }) => {
  const head = headBranch(repo, body.head)
  const invalid = (field: string) =>
    new HttpError(
      422,
      validationError('Validation Failed', [{ resource: 'PullRequest', field, code: 'invalid' }], `${DOCS}#create-a-pull-request`)
    )
  const custom = (message: string) =>
    new HttpError(
      422,
      validationError('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message }], `${DOCS}#create-a-pull-request`)
    )
  checkBodyLength(body.body)
  if (body.issue !== undefined) throw custom('Converting an issue into a pull request is not supported by the stand-in.')
  if (typeof body.title !== 'string' || body.title.trim() === '')
    throw new HttpError(422, validationError('Validation Failed', [{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]))
  const headCommit = head ? await repo.git.resolveRef(`refs/heads/${head}`) : undefined
  if (!head || !headCommit) throw invalid('head')
  const baseCommit = await repo.git.resolveRef(`refs/heads/${body.base}`)
  if (!baseCommit) throw invalid('base')
  const existing = repo.pulls.find((p) => p.state === 'open' && p.headRef === head && p.baseRef === body.base)
  if (existing) throw custom(`A pull request already exists for ${repo.record.owner.login}:${head}.`)
  if ((await pullStats(repo, headCommit, baseCommit)).commits === 0) throw custom(`No commits between ${body.base} and ${head}`)
  const now = isoNow()
  const pull: PullState = {
    number: repo.nextNumber++,
    id: core.nextId(),
    title: body.title,
    body: body.body ?? null,
    state: 'open',
    draft: body.draft === true,
    user: actor,
    headRef: head,
    baseRef: body.base,
    labels: [],
    requestedReviewers: [],
    requestedTeams: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
    maintainerCanModify: body.maintainer_can_modify ?? false,
    autoMerge: null
  }
  repo.pulls.push(pull)
  return {
    status: 201,
    body: await pullFull(core, repo, pull),
    headers: { location: `${repoApiUrl(core.urls, repo.record)}/pulls/${pull.number}` }
  }
}

const list: Handler = async ({ core, repo, query }) => {
  const state = query.get('state') ?? 'open'
  const head = query.get('head')
  const base = query.get('base')
  let pulls = repo.pulls.filter((p) => state === 'all' || p.state === state)
  // Like GitHub, a head filter without the `owner:` prefix is ignored (every pull request comes back).
  if (head?.includes(':')) {
    const branch = headBranch(repo, head)
    pulls = pulls.filter((p) => p.headRef === branch)
  }
  if (base) pulls = pulls.filter((p) => p.baseRef === base)
  const sort = query.get('sort') ?? 'created'
  const direction = query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')
  const key = (p: PullState) => (sort === 'updated' ? p.updatedAt : p.createdAt) + String(p.number).padStart(8, '0')
  pulls = [...pulls].sort((a, b) => (direction === 'asc' ? key(a).localeCompare(key(b)) : key(b).localeCompare(key(a))))
  return { status: 200, body: await Promise.all(pulls.map((p) => pullSimple(core, repo, p))) }
}

const get: Handler = async ({ core, repo, params }) => {
  return { status: 200, body: await pullFull(core, repo, findPull(repo, params.pull_number!)) }
}

const update: Handler = async ({ core, repo, params, body }) => {
  const pull = findPull(repo, params.pull_number!)
  checkBodyLength(body.body)
  if (pull.mergedAt && body.state === 'open') {
    throw new HttpError(
      422,
      validationError('Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'state cannot be changed. The pull request cannot be reopened because it has been merged.'
        }
      ])
    )
  }
  if (body.base !== undefined && !(await repo.git.resolveRef(`refs/heads/${body.base}`))) {
    throw new HttpError(422, validationError('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]))
  }
  const now = isoNow()
  if (body.title !== undefined) pull.title = body.title
  if (body.body !== undefined) pull.body = body.body
  if (body.base !== undefined) pull.baseRef = body.base
  if (body.maintainer_can_modify !== undefined) pull.maintainerCanModify = body.maintainer_can_modify
  if (body.state === 'closed' && pull.state === 'open') {
    pull.closedHeadSha = await headSha(repo, pull)
    pull.closedBaseSha = await baseSha(repo, pull)
    pull.stats = await pullStats(repo, pull.closedHeadSha, pull.closedBaseSha)
    pull.state = 'closed'
    pull.closedAt = now
    pull.autoMerge = null
  } else if (body.state === 'open' && pull.state === 'closed') {
    if (!(await repo.git.resolveRef(`refs/heads/${pull.headRef}`))) {
      throw new HttpError(
        422,
        validationError('Validation Failed', [
          { resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The head branch was deleted.' }
        ])
      )
    }
    const duplicate = repo.pulls.find((p) => p !== pull && p.state === 'open' && p.headRef === pull.headRef && p.baseRef === pull.baseRef)
    if (duplicate) {
      throw new HttpError(
        422,
        validationError('Validation Failed', [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.record.owner.login}:${pull.headRef}.`
          }
        ])
      )
    }
    pull.state = 'open'
    pull.closedAt = null
    delete pull.closedHeadSha
    delete pull.closedBaseSha
    delete pull.stats
  }
  pull.updatedAt = now
  return { status: 200, body: await pullFull(core, repo, pull) }
}

/** Merges a pull request into its base; shared by the REST route and auto-merge. */
export async function mergePull(
  core: StandInCore,
  repo: RepoState,
  pull: PullState,
  actor: Actor,
  options: {
    method?: 'merge' | 'squash' | 'rebase'
    title?: string
    message?: string
    sha?: string
    beforeRefUpdate?: () => Promise<void>
  } = {}
): Promise<string> {
  const docs = `${DOCS}#merge-a-pull-request`
  const notAllowed = (message: string) => new HttpError(405, { message, documentation_url: docs })
  if (pull.state !== 'open') throw notAllowed('Pull Request is not mergeable')
  const merge = await mergeability(repo, pull)
  if (options.sha && merge.head && options.sha !== merge.head) {
    throw new HttpError(409, { message: 'Head branch was modified. Review and try the merge again.', documentation_url: docs })
  }
  if (pull.draft) throw notAllowed('Pull Request is still a draft')
  if (!merge.tree || !merge.head || !merge.base) throw notAllowed('Pull Request is not mergeable')
  if (merge.blockers.length > 0) throw notAllowed(merge.blockers.join('\n'))
  const now = isoNow()
  const who = { name: actor.login, email: `${actor.id}+${actor.login}@users.noreply.stand-in.invalid`, date: now }
  const method = options.method ?? 'merge'
  let sha: string
  if (method === 'merge') {
    const title = options.title ?? `Merge pull request #${pull.number} from ${repo.record.owner.login}/${pull.headRef}`
    sha = await repo.git.commitTree(merge.tree, [merge.base, merge.head], `${title}\n\n${options.message ?? pull.title}\n`, who, who)
  } else if (method === 'squash') {
    const title = options.title ?? `${pull.title} (#${pull.number})`
    sha = await repo.git.commitTree(merge.tree, [merge.base], options.message ? `${title}\n\n${options.message}\n` : `${title}\n`, who, who)
  } else {
    // Rebase: replay each commit of the head onto the base, keeping authors.
    sha = merge.base
    const mergeBase = await repo.git.mergeBase(merge.base, merge.head)
    for (const commit of [...(await repo.git.revList(merge.head, mergeBase))].reverse()) {
      const original = await repo.git.readCommit(commit)
      const tree = original.parents[0] ? await repo.git.threeWayTree(original.parents[0], sha, commit) : undefined
      if (!tree) throw notAllowed('This branch can\u2019t be rebased')
      sha = await repo.git.commitTree(tree, [sha], original.message, original.author, who)
    }
  }
  const stats = await pullStats(repo, merge.head, merge.base)
  await options.beforeRefUpdate?.()
  if (!(await repo.git.compareAndSwapRef(`refs/heads/${pull.baseRef}`, sha, merge.base))) {
    throw notAllowed('Base branch was modified. Review and try the merge again.')
  }
  core.signedCommits.add(sha)
  repo.pushedAt = now
  pull.closedHeadSha = merge.head
  pull.stats = stats
  pull.closedBaseSha = sha
  pull.state = 'closed'
  pull.closedAt = now
  pull.mergedAt = now
  pull.updatedAt = now
  pull.mergeCommitSha = sha
  pull.mergedBy = actor
  pull.autoMerge = null
  return sha
}

const mergeRoute: Handler = async ({ core, repo, params, body, actor, beforeRefUpdate }) => {
  const pull = findPull(repo, params.pull_number!)
  const sha = await mergePull(core, repo, pull, actor, {
    method: body?.merge_method,
    title: body?.commit_title,
    message: body?.commit_message,
    sha: body?.sha,
    beforeRefUpdate
  })
  return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } }
}

const requestReviewers: Handler = async ({ core, repo, params, body }) => {
  const pull = findPull(repo, params.pull_number!)
  const reviewers = (body.reviewers as string[] | undefined) ?? []
  const teams = ((body.team_reviewers as string[] | undefined) ?? []).map((t) => t.replace(/^[^/]+\//, ''))
  if (reviewers.length === 0 && teams.length === 0) {
    throw new HttpError(
      422,
      validationError('Invalid request.\n\nNo subschema in "anyOf" matched.', [], `${DOCS}#request-reviewers-for-a-pull-request`)
    )
  }
  const org = repo.record.owner.login
  const unknown = organizationHasTeams(core, org) ? teams.filter((t) => !teamExists(core, org, t)) : []
  if (unknown.length > 0) {
    throw new HttpError(
      422,
      validationError(
        `Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the ${org}/${repo.record.name} repository.`,
        [],
        `${DOCS}#request-reviewers-for-a-pull-request`
      )
    )
  }
  if (reviewers.some((r) => r.toLowerCase() === pull.user.login.toLowerCase())) {
    throw new HttpError(
      422,
      validationError('Review cannot be requested from pull request author.', [], `${DOCS}#request-reviewers-for-a-pull-request`)
    )
  }
  for (const r of reviewers) if (!pull.requestedReviewers.includes(r)) pull.requestedReviewers.push(r)
  for (const t of teams) if (!pull.requestedTeams.includes(t)) pull.requestedTeams.push(t)
  pull.updatedAt = isoNow()
  return { status: 201, body: await pullSimple(core, repo, pull) }
}

const listRequestedReviewers: Handler = async ({ core, repo, params }: Context) => {
  const pull = findPull(repo, params.pull_number!)
  return {
    status: 200,
    body: {
      users: pull.requestedReviewers.map((login) => simpleUser(core.urls, core.actorFor(login))),
      teams: pull.requestedTeams.map((slug) => team(core.urls, repo.record.owner, slug))
    }
  }
}

export const pullRoutes: Record<string, Handler> = {
  'pulls/create': create,
  'pulls/list': list,
  'pulls/get': get,
  'pulls/update': update,
  'pulls/merge': mergeRoute,
  'pulls/request-reviewers': requestReviewers,
  'pulls/list-requested-reviewers': listRequestedReviewers
}
