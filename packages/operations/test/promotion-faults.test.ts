import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { GitHubClient } from '@gitops-actions/github'
import { promotionCommitMessage, type PromotionMarker } from '@gitops-actions/core'
import { startGitHubStandIn, type FaultRule, type GitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { openPromotionPr, type OpenPromotionPrRequest } from '../src/promotion/open-promotion-pr.js'
import { configFixture } from './config-fixture.js'
import { fluxReports } from './flux-reports.js'
import { PromotionRequests } from './promotion-requests.js'

// Faults and races against the stand-in: whatever fails on the way, a promotion ends with exactly
// one open PR per app and environment, at the newest tag, with its branch holding that tag, and
// nothing duplicated (no second PR, no second comment) or lost (no older tag winning).

const owner = 'org'
const CONFIG = 'org/config-repo'
let hub: GitHubStandIn
let github: GitHubClient
const requests = new PromotionRequests(() => hub.url)
const request = (overrides: Partial<OpenPromotionPrRequest>) => requests.next(overrides)

async function openFor(app: string, env: string) {
  return (await hub.pulls(CONFIG)).filter(
    (p) => p.state === 'open' && (p.head.startsWith(`auto-deploy/${app}-`) || p.head === `promote/${app}-to-${env}`)
  )
}

async function overlayTag(ref: string, app: string, env: string): Promise<string> {
  const { data } = await github.rest.repos.getContent({
    owner,
    repo: 'config-repo',
    path: `apps/${app}/overlays/${env}/kustomization.yaml`,
    ref
  })
  return /newTag: "?([^"\s]+)"?/.exec(Buffer.from((data as { content: string }).content, 'base64').toString('utf8'))![1]!
}

/** After every promotion: one open PR for the app in dev, at `tag`, labelled, with one comment per closed PR at most. */
async function expectOnePr(app: string, tag: string) {
  const open = await openFor(app, 'dev')
  expect(open.map((p) => p.title)).toEqual([`deploy: ${app} ${tag} to dev`])
  expect(open[0]!.labels).toEqual(['promotion', 'env:dev'])
  expect(await overlayTag(open[0]!.head, app, 'dev')).toBe(tag)
  for (const pr of await hub.pulls(CONFIG)) {
    const comments = hub.comments(CONFIG, pr.number)
    expect(new Set(comments.map((c) => c.body)).size).toBe(comments.length)
  }
  expect(new Set((await hub.pulls(CONFIG)).map((p) => p.head)).size).toBe((await hub.pulls(CONFIG)).length)
}

/** Deploys a tag to an app's dev and merges the PR, so dev runs it on main. */
async function mergeAutoDeploy(app: string, tag: string): Promise<void> {
  const result = await openPromotionPr(github, request({ app, tag }))
  await github.rest.pulls.merge({ owner, repo: 'config-repo', pull_number: result.prNumber!, merge_method: 'squash' })
  // Flux applies the merge and reports dev healthy, which promotions out of dev need (examples/config-repo/gitops.yaml).
  await fluxReports(hub, github, { repository: CONFIG, app, env: 'dev', state: 'success' })
}

beforeAll(async () => {
  hub = await startGitHubStandIn({ repos: [{ name: CONFIG, fromDir: configFixture(['web', 'api', 'jobs']) }], logViolations: true })
  github = standInOctokit(hub)
})

afterAll(async () => {
  expect(hub?.violations).toEqual([])
  await hub?.close()
})

describe('faults', { timeout: 180_000 }, () => {
  test.each<[string, FaultRule]>([
    ['500 on create-commit', { route: 'git/create-commit', fault: { kind: 'status', status: 500 } }],
    ['502 on pulls/create', { route: 'pulls/create', fault: { kind: 'status', status: 502 } }],
    [
      '403 secondary rate limit with Retry-After on create-tree',
      { route: 'git/create-tree', fault: { kind: 'secondary-rate-limit', retryAfter: 2 } }
    ],
    ['connection reset on get-ref', { route: 'git/get-ref', fault: { kind: 'reset' }, after: 1 }],
    ['connection reset on the supersede comment', { route: 'issues/create-comment', fault: { kind: 'reset' } }],
    ['422 reference already exists (someone created our branch first)', { route: 'git/create-ref', fault: { kind: 'ref-exists' } }],
    ['primary rate limit on pulls/list', { route: 'pulls/list', fault: { kind: 'rate-limit', retryAfter: 1 } }]
  ])('%s: one PR, nothing duplicated or lost', async (_name, rule) => {
    const tag = `sha-${(requests.now / 60_000).toString(16).slice(-7)}`
    const handle = hub.inject(rule)
    const result = await openPromotionPr(github, request({ tag }))
    expect(handle.fired).toBe(1)
    expect(result.operation).toBe('created')
    await expectOnePr('myapp', tag)
  })

  test('a concurrent run of an older promotion moves the branch first: re-read, re-applied on top', async () => {
    // promote: api's staging branch; the race writes an older promotion's commit on top before our update.
    await mergeAutoDeploy('api', 'sha-1111111')
    const first = await openPromotionPr(github, request({ mode: 'promote', app: 'api', to: 'staging', keepTag: true }))
    expect(first.operation).toBe('created')
    const older: PromotionMarker = {
      app: 'api',
      env: 'staging',
      tag: 'sha-0000000',
      mode: 'promote',
      requestedAt: '2020-01-01T00:00:00.000Z'
    }
    const handle = hub.inject({
      route: 'git/update-ref',
      fault: {
        kind: 'race',
        message: promotionCommitMessage('promote: api sha-0000000 to staging', older, 'x'),
        files: { 'apps/api/NOTE': 'older\n' }
      }
    })
    const second = await openPromotionPr(github, request({ mode: 'promote', app: 'api', to: 'staging' }))
    expect(handle.fired).toBe(1)
    expect(second).toMatchObject({ operation: 'updated', prNumber: first.prNumber, raceRetries: 1 })
    expect(second.tag).toBe('api-staging-1111111')
    expect(await overlayTag('promote/api-to-staging', 'api', 'staging')).toBe(second.tag)
    expect((await openFor('api', 'staging')).filter((p) => p.head === 'promote/api-to-staging').map((p) => p.number)).toEqual([
      first.prNumber
    ])
  })

  test("a concurrent writer that is a person: the re-read stops, the person's commit stays", async () => {
    const handle = hub.inject({ route: 'git/update-ref', fault: { kind: 'race', message: 'fix: by hand' } })
    const head = await hub.branchHead(CONFIG, 'promote/api-to-staging')
    await expect(openPromotionPr(github, request({ mode: 'promote', app: 'api', to: 'staging', keepTag: true }))).rejects.toThrow(
      /did not make/
    )
    expect(handle.fired).toBe(1)
    const now = await hub.branchHead(CONFIG, 'promote/api-to-staging')
    expect(now).not.toBe(head)
    const { data } = await github.rest.git.getCommit({ owner, repo: 'config-repo', commit_sha: now! })
    expect(data.message).toBe('fix: by hand')
  })
})

describe('concurrency', { timeout: 240_000 }, () => {
  test('two promotions of different apps at once both land', async () => {
    const [a, b] = await Promise.all([
      openPromotionPr(github, request({ app: 'web', tag: 'sha-aaaaaa1' })),
      openPromotionPr(github, request({ app: 'api', tag: 'sha-bbbbbb2' }))
    ])
    expect([a.operation, b.operation]).toEqual(['created', 'created'])
    await expectOnePr('web', 'sha-aaaaaa1')
    await expectOnePr('api', 'sha-bbbbbb2')
  })

  test('two auto-deploys of the same app at once end with one PR, at the newer tag', async () => {
    const older = request({ app: 'web', tag: 'sha-ccccc01' })
    const newer = request({ app: 'web', tag: 'sha-ccccc02' })
    const results = await Promise.all([openPromotionPr(github, newer), openPromotionPr(github, older)])
    expect(results.map((r) => r.operation).sort()).toEqual(expect.arrayContaining(['created']))
    await expectOnePr('web', 'sha-ccccc02')
  })

  test('two promotions of the same app and env on one branch at once: one PR, the newer tag, no lost update', async () => {
    await mergeAutoDeploy('jobs', 'sha-2222222')
    const older = request({ mode: 'promote', app: 'jobs', to: 'staging' })
    const newer = request({ mode: 'promote', app: 'jobs', to: 'staging', keepTag: true })
    const results = await Promise.all([openPromotionPr(github, newer), openPromotionPr(github, older)])
    const open = (await openFor('jobs', 'staging')).filter((p) => p.head === 'promote/jobs-to-staging')
    expect(open.map((p) => p.title)).toEqual(['Promote jobs sha-2222222 to staging'])
    expect(results[0].tag).toBe('sha-2222222')
    expect(await overlayTag('promote/jobs-to-staging', 'jobs', 'staging')).toBe('sha-2222222')
  })
})
