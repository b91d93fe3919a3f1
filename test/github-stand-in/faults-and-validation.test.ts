import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { startGitHubStandIn, type GitHubStandIn } from './index.ts'
import type { GitHubClient } from '@gitops-actions/github'
import { standInOctokit, type ThrottleLog } from './octokit.ts'
import { OpenApiReferee } from './openapi.ts'

// Fault injection against a real Octokit with the retry and throttling plugins, and the OpenAPI
// referee catching requests and responses that do not match GitHub's description.

const owner = 'org'
const repo = 'faults'

let hub: GitHubStandIn
let octokit: GitHubClient
let log: ThrottleLog

/** Commits files on top of `branch` through the git data API; returns the new commit and the parent it was built on. */
async function commitOn(branch: string, files: Record<string, string>): Promise<{ sha: string; parent: string }> {
  const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` })
  const { data: parent } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha })
  const tree = Object.entries(files).map(([path, content]) => ({ path, mode: '100644' as const, type: 'blob' as const, content }))
  const { data: newTree } = await octokit.rest.git.createTree({ owner, repo, base_tree: parent.tree.sha, tree })
  const { data: commit } = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: `change ${Object.keys(files).join(', ')}`,
    tree: newTree.sha,
    parents: [parent.sha]
  })
  return { sha: commit.sha, parent: parent.sha }
}

/** What open-promotion-pr does on a ref race: re-read, re-apply, update, a bounded number of times. */
async function commitWithRetry(branch: string, files: Record<string, string>, attempts = 3): Promise<{ sha: string; tries: number }> {
  for (let tries = 1; ; tries++) {
    const { sha } = await commitOn(branch, files)
    try {
      await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: false })
      return { sha, tries }
    } catch (error) {
      if ((error as { status?: number }).status !== 422 || tries >= attempts) throw error
    }
  }
}

beforeAll(async () => {
  hub = await startGitHubStandIn({
    repos: [{ name: `${owner}/${repo}`, files: { 'README.md': 'faults\n' } }],
    tokens: { ghs_test_token: 'promoter[bot]' },
    logViolations: false
  })
  log = { secondaryRateLimits: [], rateLimits: [] }
  octokit = standInOctokit(hub, { log })
})

beforeEach(() => {
  hub.clearFaults()
  hub.resetTraffic()
})

afterAll(async () => {
  expect(hub.violations).toEqual([])
  await hub.close()
})

describe('fault injection with Octokit retry and throttling', () => {
  test.each([500, 502] as const)('%i twice on a read: retried, then answered', async (status) => {
    const fault = hub.inject({ route: 'git/get-ref', times: 2, fault: { kind: 'status', status } })
    const { data } = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })
    expect(data.ref).toBe('refs/heads/main')
    expect(fault.fired).toBe(2)
    expect(hub.traffic.map((t) => [t.operationId, t.status, t.fault])).toEqual([
      ['git/get-ref', status, 'status'],
      ['git/get-ref', status, 'status'],
      ['git/get-ref', 200, undefined]
    ])
  })

  test('502 on a write that never reached the handler: the retried write lands once', async () => {
    hub.inject({ route: 'POST /repos/{owner}/{repo}/git/refs', fault: { kind: 'status', status: 502 } })
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/once', sha: main.object.sha })
    expect(hub.count('git/create-ref')).toBe(2)
    const { data: refs } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: 'heads/once' })
    expect(refs).toHaveLength(1)
  })

  test('403 secondary rate limit with Retry-After: the throttling plugin waits and retries; one pull request', async () => {
    const { sha } = await commitOn('main', { 'rate.txt': 'r\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/rate', sha })
    hub.inject({ route: 'pulls/create', fault: { kind: 'secondary-rate-limit', retryAfter: 3 } })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'rate', base: 'main', title: 'rate limited once' })
    expect(log.secondaryRateLimits.at(-1)).toMatchObject({ retryAfter: 3, method: 'POST' })
    expect(hub.traffic.filter((t) => t.operationId === 'pulls/create').map((t) => t.status)).toEqual([403, 201])
    expect((await hub.pulls(`${owner}/${repo}`)).filter((p) => p.head === 'rate').map((p) => p.number)).toEqual([pull.number])
  })

  test('403 primary rate limit (x-ratelimit-remaining: 0): onRateLimit, then retried', async () => {
    hub.inject({ route: 'repos/get', fault: { kind: 'rate-limit', retryAfter: 1 } })
    const before = log.rateLimits.length
    const { data } = await octokit.rest.repos.get({ owner, repo })
    expect(data.full_name).toBe(`${owner}/${repo}`)
    expect(log.rateLimits.length).toBe(before + 1)
  })

  test('connection reset: the request fails at the socket and is retried', async () => {
    hub.inject({ route: 'pulls/list', fault: { kind: 'reset' } })
    const { data } = await octokit.rest.pulls.list({ owner, repo })
    expect(data.map((p) => p.number)).toEqual(
      (await hub.pulls(`${owner}/${repo}`))
        .filter((p) => p.state === 'open')
        .map((p) => p.number)
        .reverse()
    )
    expect(hub.traffic.map((t) => [t.operationId, t.status, t.fault])).toEqual([
      ['pulls/list', 0, 'reset'],
      ['pulls/list', 200, undefined]
    ])
  })

  test('without retries, each fault reaches the caller with GitHub status and body', async () => {
    const bare = standInOctokit(hub, { retries: 0 })
    hub.inject({ route: 'repos/get', fault: { kind: 'status', status: 500 } })
    await expect(bare.rest.repos.get({ owner, repo })).rejects.toMatchObject({
      status: 500,
      response: { data: { message: 'Server Error' } }
    })
    hub.inject({ route: 'repos/get', fault: { kind: 'reset' } })
    await expect(bare.request('GET /repos/{owner}/{repo}', { owner, repo, request: { retries: 0 } })).rejects.toMatchObject({ status: 500 })
  })

  test('422 "Reference already exists" when another writer creates the branch first', async () => {
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })
    hub.inject({ route: 'git/create-ref', fault: { kind: 'ref-exists' } })
    await expect(
      octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/promote/myapp-to-staging', sha: main.object.sha })
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Reference already exists' } }
    })
    // The state agrees with the error: the branch is there.
    expect(await hub.branchHead(`${owner}/${repo}`, 'promote/myapp-to-staging')).toBe(main.object.sha)
  })

  test('non-fast-forward race: another writer moves the ref between read and update; re-read and re-apply loses nothing', async () => {
    const race = hub.inject({ route: 'git/update-ref', fault: { kind: 'race', files: { 'theirs.txt': 'theirs\n' } } })
    const { sha, tries } = await commitWithRetry('main', { 'ours.txt': 'ours\n' })
    expect(race.fired).toBe(1)
    expect(tries).toBe(2)
    expect(hub.traffic.filter((t) => t.operationId === 'git/update-ref').map((t) => t.status)).toEqual([422, 200])
    expect(await hub.branchHead(`${owner}/${repo}`, 'main')).toBe(sha)
    const { data: tree } = await octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: '1' })
    expect(tree.tree.map((e) => e.path)).toEqual(expect.arrayContaining(['ours.txt', 'theirs.txt']))
  })

  test('a base branch moved during a merge: 405 "Base branch was modified" reaches the caller unretried; merging again keeps both changes', async () => {
    const { sha } = await commitOn('main', { 'feature.txt': 'f\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/feature', sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'feature', base: 'main', title: 'feature' })
    hub.inject({ route: 'pulls/merge', fault: { kind: 'race', files: { 'hotfix.txt': 'h\n' } } })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Base branch was modified. Review and try the merge again.' } }
    })
    const { data: merged } = await octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })
    expect(hub.traffic.filter((t) => t.operationId === 'pulls/merge').map((t) => t.status)).toEqual([405, 200])
    const { data: tree } = await octokit.rest.git.getTree({ owner, repo, tree_sha: merged.sha, recursive: '1' })
    expect(tree.tree.map((e) => e.path)).toEqual(expect.arrayContaining(['feature.txt', 'hotfix.txt']))
  })

  test('after: N lets N matching calls through first', async () => {
    const fault = hub.inject({ route: 'repos/get', after: 2, fault: { kind: 'status', status: 500 } })
    for (let i = 0; i < 3; i++) await octokit.rest.repos.get({ owner, repo })
    expect(hub.traffic.map((t) => t.status)).toEqual([200, 200, 500, 200])
    expect(fault.seen).toBe(4)
  })
})

describe('authentication', () => {
  test.each([
    ['no Authorization header', undefined, 'Requires authentication'],
    ['an unknown token', 'token nope', 'Bad credentials']
  ])('%s → 401 %s', async (_name, authorization, message) => {
    const response = await fetch(`${hub.url}/repos/${owner}/${repo}`, { headers: authorization ? { authorization } : {} })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ message, status: '401' })
  })

  test('Bearer and token schemes both work', async () => {
    for (const scheme of ['Bearer', 'token']) {
      const response = await fetch(`${hub.url}/repos/${owner}/${repo}`, { headers: { authorization: `${scheme} ghs_test_token` } })
      expect(response.status).toBe(200)
      expect(response.headers.get('x-ratelimit-limit')).toBe('5000')
    }
  })
})

describe('the OpenAPI referee', () => {
  test.each([
    [
      'a wrong type',
      () =>
        octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref: 'refs/heads/typed', sha: 12345 as unknown as string }),
      'git/create-ref',
      '/sha must be string'
    ],
    [
      'a missing required property',
      () => octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { owner, repo, ref: 'heads/main', force: true } as never),
      'git/update-ref',
      "(root) must have required property 'sha'"
    ],
    [
      'a misspelt property GitHub would silently ignore',
      () =>
        octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
          owner,
          repo,
          pull_number: 1,
          merge_methd: 'squash'
        } as never),
      'pulls/merge',
      '(root): unknown property "merge_methd"'
    ],
    [
      'a value outside an enum',
      () => octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', { owner, repo, sha: 'a'.repeat(40), state: 'passed' as never }),
      'repos/create-commit-status',
      '/state must be equal to one of the allowed values: ["error","failure","pending","success"]'
    ],
    [
      'an unknown query parameter',
      () => octokit.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, status: 'open' }),
      'pulls/list',
      'query parameter "status" is not a parameter of pulls/list'
    ]
  ])('a malformed request (%s) is a recorded violation and a 422', async (_name, call, operationId, error) => {
    await expect(call()).rejects.toMatchObject({ status: 422 })
    const violation = hub.violations.pop()
    expect(violation).toMatchObject({ kind: 'request', operationId })
    expect(violation!.errors).toContain(error)
  })

  test('a route the stand-in does not serve is a violation (the action called something untested)', async () => {
    await expect(octokit.rest.repos.listReleases({ owner, repo })).rejects.toMatchObject({ status: 404 })
    expect(hub.violations.pop()).toMatchObject({ kind: 'unserved', method: 'GET', path: `/repos/${owner}/${repo}/releases` })
  })

  test('responses are judged too: nullable fields, required fields, formats', () => {
    const referee = new OpenApiReferee()
    const op = referee.operation('git/get-ref')
    const good = {
      ref: 'refs/heads/main',
      node_id: 'x',
      url: 'http://127.0.0.1/x',
      object: { type: 'commit', sha: 'a'.repeat(40), url: 'http://127.0.0.1/y' }
    }
    expect(referee.checkResponse(op, 200, good)).toEqual([])
    expect(referee.checkResponse(op, 200, { ...good, url: 'not a uri' })).toEqual(['/url must match format "uri"'])
    expect(referee.checkResponse(op, 200, { ref: 'refs/heads/main' })).toContain("(root) must have required property 'object'")
    expect(referee.checkResponse(op, 201, good)).toEqual([
      expect.stringContaining('status 201 is not a documented response of git/get-ref')
    ])
    const merge = referee.operation('pulls/merge')
    // The merge body is `nullable: true` in OpenAPI 3.0: null is a valid body.
    expect(referee.checkRequestBody(merge, null)).toEqual([])
    expect(referee.checkRequestBody(merge, { merge_method: 'fast-forward' })).not.toEqual([])
  })

  test('lists page with Link headers the way octokit.paginate follows them', async () => {
    const { sha } = await commitOn('main', { 'paged.txt': 'p\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/paged', sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'paged', base: 'main', title: 'paged' })
    for (let i = 0; i < 5; i++) await octokit.rest.issues.createComment({ owner, repo, issue_number: pull.number, body: `comment ${i}` })
    const first = await octokit.rest.issues.listComments({ owner, repo, issue_number: pull.number, per_page: 2 })
    expect(first.data).toHaveLength(2)
    expect(first.headers.link).toContain('rel="next"')
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pull.number, per_page: 2 })
    expect(all.map((c) => c.body)).toEqual([0, 1, 2, 3, 4].map((i) => `comment ${i}`))
  })
})
