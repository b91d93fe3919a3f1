import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import {
  isUserError,
  markerFromBody,
  newestReleasesFirst,
  AccessError,
  mentionParameter,
  RefRaceError,
  UserError,
  type BranchHead,
  type GitHubRequester,
  type OpenPullRequest,
  type PromotionMarker,
  type ReleaseTag
} from '@gitops-actions/core'
import { messageOf, statusOf } from '../github-errors.js'
import { describeGitHubFailure, GitHubCallError } from './github-call-error.js'

/** A repository on GitHub. */
export interface RepoId {
  owner: string
  repo: string
}

/** A GitHub answer turned into a message that says what to do, for the statuses users can fix. */
export function explainGitHubError(error: unknown, what: string, repo: RepoId): Error {
  // A call through GitHubRepo already says which call, what GitHub said and which permission it needs.
  if (error instanceof GitHubCallError) return error
  const status = statusOf(error)
  const where = `${repo.owner}/${repo.repo}`
  if (status === 401) return new AccessError('auth', `${what}: GitHub refused the token (401). Check ${mentionParameter('token')}.`)
  if (status === 403)
    return new AccessError(
      'auth',
      `${what}: the token may not do this in ${where} (403: ${messageOf(error)}). It needs contents: write and pull-requests: write (a GitHub App token for cross-repo promotions).`
    )
  if (status === 404) return new UserError(`${what}: ${where} or what it refers to was not found (404), or the token cannot see it`)
  return error instanceof Error ? error : new Error(String(error))
}

/**
 * The promotion's calls to the GitHub REST API, on the git data API (blobs, trees, commits,
 * refs) and pulls/issues/statuses. Each call is a single request; retries of transient failures
 * happen below (Octokit's retry and throttling plugins), races above (retryRefRaces).
 */
/** How many annotated release tags a promotion peels, newest version first (one request each). */
export const RELEASE_TAGS_PEELED = 20

export class GitHubRepo {
  /** Requests by operation, for the report and the benchmarks. */
  readonly calls: Record<string, number> = {}

  /** The client, counting each request here: for the calls made through packages/github. */
  readonly counted: GitHubRequester

  constructor(
    readonly github: GitHubRequester,
    readonly id: RepoId,
    /** How many times the client retries a 5xx (for messages). */
    readonly retries = 3
  ) {
    this.counted = {
      request: async (route, parameters) => {
        this.calls[route] = (this.calls[route] ?? 0) + 1
        try {
          return await github.request(route, parameters)
        } catch (error) {
          throw this.failure(error, route)
        }
      }
    }
  }

  private async call<T = any>(route: string, parameters: Record<string, unknown> = {}): Promise<{ status: number; data: T }> {
    return this.counted.request(route, { owner: this.id.owner, repo: this.id.repo, ...parameters })
  }

  /** A failed request as a clear error that keeps GitHub's status (see GitHubCallError). */
  private failure(error: unknown, route: string): unknown {
    if (error instanceof GitHubCallError || error instanceof RefRaceError || (isUserError(error) && statusOf(error) === undefined))
      return error
    return new GitHubCallError(describeGitHubFailure(error, route, `${this.id.owner}/${this.id.repo}`, this.retries), error)
  }

  /** Total requests made. */
  get requestCount(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0)
  }

  /** The commit a branch points at, or undefined when there is no such branch. */
  async branchSha(branch: string): Promise<string | undefined> {
    try {
      const { data } = await this.call('GET /repos/{owner}/{repo}/git/ref/{ref}', { ref: `heads/${branch}` })
      return data.object.sha as string
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw explainGitHubError(error, `Reading the branch ${branch}`, this.id)
    }
  }

  async commit(sha: string): Promise<{ sha: string; tree: string; message: string; author: string; parents: string[] }> {
    const { data } = await this.call('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { commit_sha: sha })
    return {
      sha: data.sha,
      tree: data.tree.sha,
      message: data.message,
      author: data.author?.name ?? 'unknown',
      parents: (data.parents as Array<{ sha: string }>).map((p) => p.sha)
    }
  }

  async branchHead(branch: string): Promise<BranchHead | undefined> {
    const sha = await this.branchSha(branch)
    if (!sha) return undefined
    const commit = await this.commit(sha)
    return { sha, message: commit.message, author: commit.author, parents: commit.parents }
  }

  /** Every file of a tree: path → blob sha (and mode). A truncated tree is an error (too large to read this way). */
  async treeFiles(treeSha: string): Promise<Map<string, { sha: string; mode: string }>> {
    const { data } = await this.call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { tree_sha: treeSha, recursive: '1' })
    if (data.truncated) {
      throw new UserError(
        `${this.id.owner}/${this.id.repo} has too many files to read through the API; check it out with actions/checkout and give its path as ${mentionParameter('working-directory')}`
      )
    }
    const files = new Map<string, { sha: string; mode: string }>()
    for (const entry of data.tree as Array<{ path: string; type: string; sha: string; mode: string }>) {
      if (entry.type === 'blob') files.set(entry.path, { sha: entry.sha, mode: entry.mode })
    }
    return files
  }

  async blobText(sha: string): Promise<string> {
    const { data } = await this.call('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { file_sha: sha })
    return data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content
  }

  /**
   * Writes the files of a tree whose paths pass `select` under `dir`: a snapshot of the part of
   * the repository a render needs, when there is no checkout. Symlinks (mode 120000) and
   * submodules are skipped, as a checkout would never follow them out of the repo either.
   */
  async snapshot(
    files: ReadonlyMap<string, { sha: string; mode: string }>,
    dir: string,
    select: (path: string) => boolean
  ): Promise<string[]> {
    const written: string[] = []
    const wanted = [...files].filter(([path, entry]) => select(path) && entry.mode !== '120000' && entry.mode !== '160000')
    const queue = [...wanted]
    await Promise.all(
      Array.from({ length: Math.min(4, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [path, entry] = next
          const target = join(dir, path)
          mkdirSync(dirname(target), { recursive: true })
          writeFileSync(target, await this.blobText(entry.sha))
          written.push(path)
        }
      })
    )
    return written.sort()
  }

  /**
   * A commit of `files` (path → new text) over the tree of `baseTree`, with `parents`. Blobs and
   * trees are content-addressed, so a retried request cannot create a duplicate.
   */
  async createCommit(input: {
    baseTree: string
    files: ReadonlyArray<{ path: string; text: string }>
    parents: string[]
    message: string
  }): Promise<string> {
    const tree = await this.call('POST /repos/{owner}/{repo}/git/trees', {
      base_tree: input.baseTree,
      tree: input.files.map((file) => ({ path: file.path, mode: '100644', type: 'blob', content: file.text }))
    })
    const commit = await this.call('POST /repos/{owner}/{repo}/git/commits', {
      message: input.message,
      tree: tree.data.sha,
      parents: input.parents
    })
    return commit.data.sha as string
  }

  /**
   * Points a branch at a commit that descends from its current head (or creates it). Never a
   * force update: when another writer got there first, GitHub refuses (422) and this throws a
   * RefRaceError so the caller reads the branch again and re-applies.
   */
  async advanceBranch(branch: string, sha: string, exists: boolean): Promise<void> {
    try {
      if (exists) await this.call('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ref: `heads/${branch}`, sha, force: false })
      else await this.call('POST /repos/{owner}/{repo}/git/refs', { ref: `refs/heads/${branch}`, sha })
    } catch (error) {
      // A repository rule or protected branch also answers 422: that is a refusal to explain, not a race to retry.
      if (statusOf(error) === 422 && !/rule|protected branch/i.test(messageOf(error))) {
        // A retried create whose first try succeeded also lands here: the re-read sees our commit and is done.
        throw new RefRaceError(`${exists ? 'update' : 'creation'} of ${branch} refused: ${messageOf(error)}`)
      }
      throw explainGitHubError(error, `Writing the branch ${branch}`, this.id)
    }
  }

  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.call('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { ref: `heads/${branch}` })
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 422) throw error
    }
  }

  /** Open pull requests into `base`, every page. */
  async openPullRequests(base: string): Promise<Array<OpenPullRequest & { nodeId: string; headSha: string }>> {
    const result: Array<OpenPullRequest & { nodeId: string; headSha: string }> = []
    for (let page = 1; page <= 20; page++) {
      const { data } = await this.call('GET /repos/{owner}/{repo}/pulls', { state: 'open', base, per_page: 100, page })
      for (const pr of data as any[]) {
        result.push({
          number: pr.number,
          url: pr.html_url,
          branch: pr.head.ref,
          title: pr.title,
          body: pr.body ?? '',
          draft: Boolean(pr.draft),
          marker: pr.head.repo?.full_name === `${this.id.owner}/${this.id.repo}` ? markerFromBody(pr.body) : undefined,
          nodeId: pr.node_id,
          headSha: pr.head.sha
        })
      }
      if ((data as unknown[]).length < 100) break
    }
    return result
  }

  /**
   * Opens a PR. If one already exists for the branch (GitHub's 422, e.g. a retried request whose
   * first try went through), that one is returned instead of a duplicate.
   */
  async createPullRequest(input: {
    branch: string
    base: string
    title: string
    body: string
    draft: boolean
  }): Promise<{ number: number; url: string; nodeId: string; existed: boolean; marker?: PromotionMarker | undefined }> {
    try {
      const { data } = await this.call('POST /repos/{owner}/{repo}/pulls', {
        head: input.branch,
        base: input.base,
        title: input.title,
        body: input.body,
        draft: input.draft,
        maintainer_can_modify: false
      })
      return { number: data.number, url: data.html_url, nodeId: data.node_id, existed: false }
    } catch (error) {
      if (statusOf(error) !== 422) {
        const failure = explainGitHubError(error, `Opening the pull request for ${input.branch}`, this.id)
        if (!isUserError(failure)) throw failure
        throw new UserError(
          `${failure.message} The branch ${input.branch} holds the promotion's commit: once that is fixed, running the promotion again opens its pull request.`
        )
      }
      const existing = (await this.openPullRequests(input.base)).find((pr) => pr.branch === input.branch)
      if (!existing) throw new UserError(`GitHub refused the pull request for ${input.branch}: ${messageOf(error)}`)
      return { number: existing.number, url: existing.url, nodeId: existing.nodeId, existed: true, marker: existing.marker }
    }
  }

  async updatePullRequest(number: number, fields: { title?: string; body?: string; state?: 'closed' }): Promise<void> {
    await this.call('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { pull_number: number, ...fields })
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { issue_number: number, labels })
  }

  /** Requests reviews; GitHub's refusals (the author, a non-collaborator) are returned, not thrown. */
  async requestReviewers(number: number, reviewers: string[], teamReviewers: string[]): Promise<string | undefined> {
    if (reviewers.length === 0 && teamReviewers.length === 0) return undefined
    try {
      await this.call('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        pull_number: number,
        reviewers,
        team_reviewers: teamReviewers
      })
      return undefined
    } catch (error) {
      if (statusOf(error) === 422) return messageOf(error)
      throw this.failure(error, 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers')
    }
  }

  /**
   * Comments once: a comment carrying `key` is not posted again, so a retried run (or a retried
   * request whose answer was lost) leaves one comment.
   */
  async commentOnce(number: number, key: string, body: string): Promise<boolean> {
    const marker = `<!-- ${key} -->`
    const existing = await this.comments(number)
    if (existing.some((c) => c.includes(marker))) return false
    try {
      await this.github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: this.id.owner,
        repo: this.id.repo,
        issue_number: number,
        body: `${marker}\n${body}`,
        request: { retries: 0 }
      })
      this.calls['POST /repos/{owner}/{repo}/issues/{issue_number}/comments'] =
        (this.calls['POST /repos/{owner}/{repo}/issues/{issue_number}/comments'] ?? 0) + 1
      return true
    } catch (error) {
      // Not retried blindly: the first try may have landed. Look, then post if it did not.
      if ((await this.comments(number)).some((c) => c.includes(marker))) return true
      if (statusOf(error) !== undefined && statusOf(error)! < 500)
        throw this.failure(error, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments')
      await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: number, body: `${marker}\n${body}` })
      return true
    }
  }

  private async comments(number: number): Promise<string[]> {
    const bodies: string[] = []
    for (let page = 1; page <= 10; page++) {
      const { data } = await this.call('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        issue_number: number,
        per_page: 100,
        page
      })
      bodies.push(...(data as Array<{ body?: string }>).map((c) => c.body ?? ''))
      if ((data as unknown[]).length < 100) break
    }
    return bodies
  }

  async setStatus(
    sha: string,
    status: { context: string; state: 'pending' | 'success' | 'failure' | 'error'; description: string; targetUrl?: string | undefined }
  ): Promise<void> {
    await this.call('POST /repos/{owner}/{repo}/statuses/{sha}', {
      sha,
      context: status.context,
      state: status.state,
      description: status.description.slice(0, 140),
      ...(status.targetUrl ? { target_url: status.targetUrl } : {})
    })
  }

  /** Turns on auto-merge (GraphQL; REST has no call for it). Returns why not, when GitHub refuses. */
  async enableAutoMerge(nodeId: string, method: 'MERGE' | 'SQUASH' | 'REBASE', headSha: string | undefined): Promise<string | undefined> {
    try {
      const { data } = await this.github.request('POST /graphql', {
        query:
          'mutation($id: ID!, $method: PullRequestMergeMethod!, $head: GitObjectID) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method, expectedHeadOid: $head}) { pullRequest { number } } }',
        // expectedHeadOid: merge only the commit this run reviewed into the PR, not one pushed after it.
        variables: { id: nodeId, method, head: headSha ?? null }
      })
      this.calls['POST /graphql'] = (this.calls['POST /graphql'] ?? 0) + 1
      const errors = (data as { errors?: Array<{ message: string }> }).errors
      return errors?.length ? errors.map((e) => e.message).join('; ') : undefined
    } catch (error) {
      return messageOf(error)
    }
  }

  /**
   * Release tags (`<prefix><semver>`), with the commit each names. A lightweight tag costs nothing
   * beyond the one listing; an annotated tag costs a request to peel, so only the newest
   * RELEASE_TAGS_PEELED of them are read: the versions a promotion can be about (an older build
   * shows no version rather than costing a request per tag ever cut).
   */
  async releaseTags(prefix: string): Promise<ReleaseTag[]> {
    let refs: Array<{ ref: string; object: { sha: string; type: string } }>
    try {
      refs = (await this.call('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', { ref: `tags/${prefix}` })).data
    } catch (error) {
      throw explainGitHubError(error, `Reading the release tags of ${this.id.owner}/${this.id.repo}`, this.id)
    }
    const tags: ReleaseTag[] = []
    let peeled = 0
    for (const { name, object } of newestReleasesFirst(
      refs.map((ref) => ({ name: ref.ref.replace(/^refs\/tags\//, ''), object: ref.object })),
      prefix
    )) {
      if (object.type !== 'tag') tags.push({ name, sha: object.sha })
      else if (peeled++ < RELEASE_TAGS_PEELED)
        tags.push({ name, sha: (await this.call('GET /repos/{owner}/{repo}/git/tags/{tag_sha}', { tag_sha: object.sha })).data.object.sha })
    }
    return tags
  }

  /** A commit named by a possibly short id, via the git data API; undefined when absent. */
  async findCommit(sha: string): Promise<{ sha: string; message: string; author: string; parents: string[] } | undefined> {
    try {
      return await this.commit(sha)
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 422) return undefined
      throw error
    }
  }
}
