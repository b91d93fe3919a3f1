import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { GitHubClient } from '@gitops-actions/github'
import { isUserError, markerFromBody } from '@gitops-actions/core'
import { startGitHubStandIn, type FaultRule, type GitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { git } from '../../../test/harness/git-repo.js'
import { openPromotionPr, type OpenPromotionPrRequest } from '../src/promotion/open-promotion-pr.js'
import { configFixture } from './config-fixture.js'
import { fluxReports } from './flux-reports.js'
import { PromotionRequests } from './promotion-requests.js'

// What goes wrong on the way, against the stand-in over real bare repositories: a token without a
// permission, a branch rule, an outage past the retries, an unreachable git origin, failures after
// the pull request exists, and reviewers' edits on the promotion branch. Each ends in a clear
// error (never "a bug") or a warning with the pull request reported, and nothing half-written.

const owner = 'org'
const CONFIG = 'org/config-repo'
let hub: GitHubStandIn
let github: GitHubClient
const requests = new PromotionRequests(() => hub.url, { requestReviews: true })
const request = (overrides: Partial<OpenPromotionPrRequest>) => requests.next(overrides)

beforeAll(async () => {
  hub = await startGitHubStandIn({
    repos: [{ name: CONFIG, fromDir: configFixture(['web', 'api', 'jobs'], ['/apps/web/   @alice']) }],
    logViolations: true
  })
  github = standInOctokit(hub, { retries: 2 })
})

afterAll(async () => {
  expect(hub?.violations).toEqual([])
  await hub?.close()
})

beforeEach(() => hub?.clearFaults())

/** The run's error, which must be a UserError (an action reports it as an error, not as a bug). */
async function failure(overrides: Partial<OpenPromotionPrRequest>): Promise<string> {
  const pulls = (await hub.pulls(CONFIG)).length
  const error = await openPromotionPr(github, request(overrides)).catch((e: unknown) => e)
  expect(isUserError(error), String(error)).toBe(true)
  expect((await hub.pulls(CONFIG)).length).toBe(pulls)
  return (error as Error).message
}

describe('failures that are not bugs', { timeout: 180_000 }, () => {
  test.each<[string, FaultRule, RegExp]>([
    [
      '403 on a write names the permission',
      { route: 'git/create-tree', times: Infinity, fault: { kind: 'status', status: 403 } },
      /^The token may not do POST \/repos\/org\/config-repo\/git\/trees \(403: Resource not accessible by integration\)\. It needs contents: write on org\/config-repo/
    ],
    [
      '403 on opening the pull request names pull-requests: write',
      { route: 'pulls/create', times: Infinity, fault: { kind: 'status', status: 403 } },
      /^The token may not do POST \/repos\/org\/config-repo\/pulls \(403: Resource not accessible by integration\)\. It needs pull-requests: write.* The branch auto-deploy\/myapp-sha-[0-9a-f]+ holds the promotion's commit: once that is fixed, running the promotion again opens its pull request\./
    ],
    [
      'a repository rule refusing the branch names the rule',
      { route: 'git/create-ref', times: Infinity, fault: { kind: 'status', status: 422, message: 'Repository rule violations found' } },
      /^A branch rule of org\/config-repo refused POST \/repos\/org\/config-repo\/git\/refs \(422: Repository rule violations found\)\. Exempt the promotion's token/
    ],
    [
      '5xx past the retry budget is an outage',
      { route: 'git/create-commit', times: Infinity, fault: { kind: 'status', status: 502 } },
      /^GitHub answered 502 to POST \/repos\/org\/config-repo\/git\/commits, also when retried: an outage on GitHub's side \(https:\/\/www\.githubstatus\.com\)/
    ]
  ])('%s', async (_name, rule, message) => {
    const tag = `sha-${(requests.now / 60_000).toString(16).slice(-7)}`
    hub.inject(rule)
    expect(await failure({ tag })).toMatch(message)
    // Nothing half-written: no branch, or (when only the pull request was refused) the branch with the whole commit.
    const branch = await hub.branchHead(CONFIG, `auto-deploy/myapp-${tag}`)
    if (rule.route === 'pulls/create') {
      hub.clearFaults()
      expect(await openPromotionPr(github, request({ tag }))).toMatchObject({ operation: 'created', commitSha: branch })
    } else expect(branch).toBeUndefined()
  })

  test('an unreachable git origin (commit-mode git) names the remote and what git said', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'unreachable-'))
    git(clone, 'clone', '-q', hub.repoDir(CONFIG), '.')
    git(clone, 'remote', 'set-url', 'origin', 'http://127.0.0.1:9/config-repo.git')
    expect(await failure({ tag: 'sha-9999991', commitMode: 'git', checkout: clone })).toMatch(
      /^commit-mode git: fetching main from origin \(http:\/\/127\.0\.0\.1:9\/config-repo\.git\) of the checkout failed: .*(Failed to connect|Connection refused|Could not connect).*use commit-mode: api\./
    )
  })

  test('repeated 5xx on labels, reviewers and statuses after the PR exists: warnings, and the PR is reported', async () => {
    for (const route of ['issues/add-labels', 'pulls/request-reviewers', 'repos/create-commit-status']) {
      hub.inject({ route, times: Infinity, fault: { kind: 'status', status: 503 } })
    }
    const result = await openPromotionPr(
      github,
      request({ app: 'web', tag: 'sha-5050505', headStatuses: [{ context: 'ci', state: 'success', description: 'ok' }] })
    )
    expect(result).toMatchObject({ operation: 'created', prNumber: expect.any(Number), prUrl: expect.stringContaining('/pull/') })
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^Adding the labels promotion, env:dev failed, the pull request #\d+ is open all the same: GitHub answered 503 to POST .*\/labels, also when retried/
      ),
      expect.stringMatching(/^Requesting reviewers failed, the pull request #\d+ is open all the same: GitHub answered 503/),
      expect.stringMatching(/^Posting the status ci failed, the pull request #\d+ is open all the same: GitHub answered 503/)
    ])
    expect((await hub.pulls(CONFIG)).find((p) => p.number === result.prNumber)).toMatchObject({ state: 'open', labels: [] })
  })
})

describe("reviewers' edits on the promotion branch", { timeout: 240_000 }, () => {
  /** A clone of the promotion branch, where a reviewer works. */
  function reviewerClone(branch: string): string {
    const clone = mkdtempSync(join(tmpdir(), 'reviewer-'))
    git(clone, 'clone', '-q', '-b', branch, hub.repoDir(CONFIG), '.')
    return clone
  }
  const edit = (clone: string, path: string) => writeFileSync(join(clone, path), `${readFileSync(join(clone, path), 'utf8')}# reviewed\n`)
  /** `tag` merged into dev, reported healthy there by Flux, and its promotion to staging opened by this action. */
  async function promotedToStaging(app: string, tag: string) {
    await github.rest.pulls.merge({
      owner,
      repo: 'config-repo',
      pull_number: (await openPromotionPr(github, request({ app, tag }))).prNumber!,
      merge_method: 'squash'
    })
    await fluxReports(hub, github, { repository: CONFIG, app, env: 'dev', state: 'success' })
    return openPromotionPr(github, request({ mode: 'promote', app, to: 'staging' }))
  }

  test('our own commit is known by its SHA: a second run is unchanged; an amended commit is never overwritten', async () => {
    const first = await promotedToStaging('api', 'sha-1212121')
    const pr = (await hub.pulls(CONFIG)).find((p) => p.number === first.prNumber)!
    expect(markerFromBody(pr.body)?.commits).toEqual([first.commitSha])
    expect(await openPromotionPr(github, request({ mode: 'promote', app: 'api', to: 'staging' }))).toMatchObject({
      operation: 'unchanged',
      commitSha: first.commitSha
    })

    // A reviewer amends the bot's commit, message and all, and force-pushes.
    const clone = reviewerClone('promote/api-to-staging')
    edit(clone, 'apps/api/overlays/staging/kustomization.yaml')
    git(clone, 'commit', '-q', '-a', '--amend', '--no-edit')
    git(clone, 'push', '-q', '--force', 'origin', 'promote/api-to-staging')
    const amended = git(clone, 'rev-parse', 'HEAD')
    const message = await failure({ mode: 'promote', app: 'api', to: 'staging' })
    expect(message).toMatch(
      new RegExp(
        `^The branch promote/api-to-staging has a commit that gitops-actions did not make \\(${amended.slice(0, 7)} by .*\\): it carries a promotion's message, but its pull request #${first.prNumber} records the commits this action wrote \\(${first.commitSha!.slice(0, 7)}\\), and this is not one of them`
      )
    )
    expect(await hub.branchHead(CONFIG, 'promote/api-to-staging')).toBe(amended)
  })

  test('a cherry-picked commit on top of a reviewer’s fix is never overwritten either', async () => {
    const first = await promotedToStaging('jobs', 'sha-3434343')
    // The reviewer rebuilds the branch: a fix of their own on main's head, then the bot's commit cherry-picked with its message.
    const clone = reviewerClone('promote/jobs-to-staging')
    git(clone, 'checkout', '-q', '-B', 'promote/jobs-to-staging', 'origin/main')
    edit(clone, 'apps/jobs/overlays/staging/hpa-patch.yaml')
    git(clone, 'commit', '-q', '-a', '-m', 'fix: staging HPA')
    git(clone, 'cherry-pick', first.commitSha!)
    git(clone, 'push', '-q', '--force', 'origin', 'promote/jobs-to-staging')
    const picked = git(clone, 'rev-parse', 'HEAD')
    expect(await failure({ mode: 'promote', app: 'jobs', to: 'staging' })).toMatch(
      /has a commit that gitops-actions did not make .* amended or cherry-picked/
    )
    expect(await hub.branchHead(CONFIG, 'promote/jobs-to-staging')).toBe(picked)
  })
})
