import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { GitHubClient } from '@gitops-actions/github'
import { isUserError, markerFromCommitMessage } from '@gitops-actions/core'
import { RegistryClient } from '@gitops-actions/oci'
import { mermaidBlocks, parseFlowchart } from '../../../test/harness/mermaid.js'
import { startGitHubStandIn, type GitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { pushImage, startRegistry, tinyImage, type TestRegistry } from '../../../test/harness/oci-registry.js'
import { openPromotionPr, type OpenPromotionPrRequest } from '../src/promotion/open-promotion-pr.js'
import { ociLabelVersions } from '../src/status/status-sources.js'
import { configFixture } from './config-fixture.js'
import { fluxReports as reportFlux } from './flux-reports.js'
import { PromotionRequests } from './promotion-requests.js'
import { git } from '../../../test/harness/git-repo.js'

// The promotion end to end: bump-overlay's planner and real kustomize on the example config repo,
// the GitHub side through Octokit (retry + throttling plugins) against the stand-in, whose every
// request and response is checked against GitHub's OpenAPI description, and Debian's
// docker-registry for digests and re-tags. Each describe block uses its own app so the blocks do
// not see each other's pull requests.

const owner = 'org'
const CONFIG = 'org/config-repo'
const APP_REPO = 'org/app-repo'
const APPS = ['myapp', 'web', 'api', 'jobs', 'shop', 'pay']

let hub: GitHubStandIn
let github: GitHubClient
let registry: TestRegistry
/** Commits of the app repo, oldest first; the last one carries the release tag v1.3.0. */
let appCommits: string[]

const requests = new PromotionRequests(() => hub.url, { requestReviews: true, autoMerge: 'config' })
const request = (overrides: Partial<OpenPromotionPrRequest>) => requests.next(overrides)

async function pullsOf(app: string, state: 'open' | 'closed' | 'all' = 'open') {
  return (await hub.pulls(CONFIG)).filter(
    (p) => (state === 'all' || p.state === state) && new RegExp(`^(auto-deploy/${app}-|promote/${app}-to-)`).test(p.head)
  )
}

async function fileAt(ref: string, path: string): Promise<string> {
  const { data } = await github.rest.repos.getContent({ owner, repo: 'config-repo', path, ref })
  return Buffer.from((data as { content: string }).content, 'base64').toString('utf8')
}

/** Flux's notification-controller reports `<app>-<env>` on a commit of the config repo (main's head by default). */
const fluxReports = (app: string, env: string, state: 'success' | 'failure' | 'pending', sha?: string) =>
  reportFlux(hub, github, { repository: CONFIG, app, env, state, sha })

async function mergePr(number: number): Promise<void> {
  await github.rest.pulls.merge({ owner, repo: 'config-repo', pull_number: number, merge_method: 'squash' })
}

beforeAll(async () => {
  hub = await startGitHubStandIn({
    repos: [
      { name: CONFIG, fromDir: configFixture(APPS.slice(1), ['/apps/web/   @org/web-team @alice']) },
      { name: APP_REPO, files: { 'README.md': '# app\n' } }
    ],
    logViolations: true
  })
  github = standInOctokit(hub)
  registry = await startRegistry()
  // The app repo: three commits after the initial one, the last released as v1.3.0.
  const clone = mkdtempSync(join(tmpdir(), 'app-clone-'))
  git(clone, 'clone', '-q', hub.repoDir(APP_REPO), '.')
  for (const message of ['feat: add login', 'fix: handle empty input', 'feat: add new feature']) {
    writeFileSync(join(clone, 'log.txt'), message)
    git(clone, 'add', '-A')
    git(clone, 'commit', '-q', '-m', message)
  }
  git(clone, 'tag', 'v1.3.0')
  git(clone, 'push', '-q', 'origin', 'main', '--tags')
  appCommits = git(clone, 'log', '--reverse', '--format=%H').split('\n')
})

afterAll(async () => {
  expect(hub?.violations).toEqual([])
  await hub?.close()
  await registry?.stop()
})

beforeEach(() => hub?.clearFaults())

describe('auto-deploy', { timeout: 180_000 }, () => {
  test('opens one PR by the conventions; a second run is unchanged; a newer build supersedes it', async () => {
    const first = await openPromotionPr(github, request({ tag: 'myapp-1234567-20260105-100000' }))
    expect(first).toMatchObject({
      operation: 'created',
      from: undefined,
      to: 'dev',
      tag: 'sha-1234567',
      previousTag: 'sha-abc123d',
      branch: 'auto-deploy/myapp-sha-1234567',
      title: 'deploy: myapp sha-1234567 to dev',
      files: ['apps/myapp/overlays/dev/kustomization.yaml'],
      labels: ['promotion', 'env:dev'],
      // GitHub enables auto-merge only on a PR that waits for something (required checks).
      autoMerge: 'not enabled: Pull request is in clean status'
    })
    const [pr] = await pullsOf('myapp')
    expect(pr).toMatchObject({
      number: first.prNumber,
      title: 'deploy: myapp sha-1234567 to dev',
      labels: ['promotion', 'env:dev'],
      requestedTeams: ['myapp-team', 'platform-team']
    })
    expect(hub.graphqlCalls.at(-1)?.variables).toMatchObject({ method: 'SQUASH' })
    expect(pr!.body).toContain('-        image: ghcr.io/org/myapp:sha-abc123d\n+        image: ghcr.io/org/myapp:sha-1234567')
    const overlay = await fileAt('auto-deploy/myapp-sha-1234567', 'apps/myapp/overlays/dev/kustomization.yaml')
    expect(overlay).toContain('newTag: "sha-1234567"  # Auto-updated by CI')
    const head = await github.rest.git.getCommit({ owner, repo: 'config-repo', commit_sha: pr!.headSha! })
    expect(head.data.message.split('\n')[0]).toBe('deploy: myapp sha-1234567 to dev')
    expect(markerFromCommitMessage(head.data.message)).toMatchObject({ app: 'myapp', env: 'dev', tag: 'sha-1234567' })

    const again = await openPromotionPr(github, request({ tag: 'myapp-1234567-20260105-100000', now: new Date('2026-01-05T10:05:00Z') }))
    expect(again).toMatchObject({ operation: 'unchanged', prNumber: first.prNumber, commitSha: pr!.headSha })
    expect(await pullsOf('myapp', 'all')).toHaveLength(1)

    // With a required check on main the PR waits, and auto-merge is enabled.
    await github.rest.repos.updateBranchProtection({
      owner,
      repo: 'config-repo',
      branch: 'main',
      required_status_checks: { strict: false, contexts: ['kustomize-validate'] },
      enforce_admins: false,
      required_pull_request_reviews: null,
      restrictions: null
    })
    const newer = await openPromotionPr(github, request({ tag: 'sha-89abcde', now: new Date('2026-01-05T11:00:00Z') }))
    await github.rest.repos.deleteBranchProtection({ owner, repo: 'config-repo', branch: 'main' })
    expect(newer).toMatchObject({ operation: 'created', supersededPrs: [first.prNumber], autoMerge: 'enabled' })
    expect((await pullsOf('myapp')).find((p) => p.number === newer.prNumber)!.autoMerge).toMatchObject({ mergeMethod: 'squash' })
    const open = await pullsOf('myapp')
    expect(open.map((p) => p.number)).toEqual([newer.prNumber])
    expect(hub.comments(CONFIG, first.prNumber!).map((c) => c.body)).toEqual([
      expect.stringContaining(`Superseded by #${newer.prNumber} (sha-89abcde)`)
    ])
    expect(await hub.branchHead(CONFIG, 'auto-deploy/myapp-sha-1234567')).toBeUndefined()
  })

  test('an older build after a newer one writes nothing: superseded', async () => {
    const older = await openPromotionPr(github, request({ tag: 'sha-0000001', now: new Date('2026-01-05T09:00:00Z') }))
    expect(older.operation).toBe('superseded')
    expect(older.supersededBy?.tag).toBe('sha-89abcde')
    expect(await hub.branchHead(CONFIG, 'auto-deploy/myapp-sha-0000001')).toBeUndefined()
  })
})

describe('promote', { timeout: 300_000 }, () => {
  test('dev → staging → prod: the gate, the target conventions, the changelog and the prod checklist', async () => {
    const short = appCommits[2]!.slice(0, 7)
    const released = appCommits[3]!.slice(0, 7)
    // Deploy and merge a build to api's dev, then promote it.
    const deploy = await openPromotionPr(github, request({ app: 'api', tag: `sha-${short}` }))
    await mergePr(deploy.prNumber!)
    await fluxReports('api', 'dev', 'success')
    const staging = await openPromotionPr(
      github,
      request({ mode: 'promote', app: 'api', to: 'staging', appRepository: { owner, repo: 'app-repo' } })
    )
    expect(staging).toMatchObject({
      operation: 'created',
      from: 'dev',
      to: 'staging',
      sourceTag: `sha-${short}`,
      tag: `api-staging-${short}`,
      previousTag: 'api-staging-abc123d',
      branch: 'promote/api-to-staging',
      title: `Promote api api-staging-${short} to staging`,
      gate: { proof: 'source-overlay' }
    })
    const [pr] = await pullsOf('api')
    expect(pr!.autoMerge).toBeNull() // staging: autoMerge false
    expect(pr!.body).toContain(`**Gate:** sha-${short} is what runs in dev`)
    expect(pr!.body).not.toContain('Production checklist')
    // The app's environments as the base branch has them, this step drawn thick (Mermaid's own parser reads it).
    expect(pr!.body).toContain('### Environments')
    const [chart] = mermaidBlocks(pr!.body!)
    const flow = await parseFlowchart(chart!)
    const label = (id: string) => flow.vertices.find((v) => v.id === id)!.text
    const env = (id: string) => /<b>(\w+)<\/b>/.exec(label(id))?.[1]
    expect(flow.edges.map((e) => [env(e.start), env(e.end), e.stroke])).toEqual([
      ['dev', 'staging', 'thick'],
      ['staging', 'prod', 'normal']
    ])
    expect(flow.vertices.map((v) => v.text).join(' ')).toMatch(new RegExp(`sha-${short}.*api-staging-abc123d.*v1\\.2\\.3`))
    await mergePr(staging.prNumber!)
    await fluxReports('api', 'staging', 'success')

    // A build that does not run in staging is refused, and nothing is written.
    const before = (await hub.pulls(CONFIG)).length
    const refused = await openPromotionPr(
      github,
      request({ mode: 'promote', app: 'api', to: 'prod', tag: `api-staging-${released}` })
    ).catch((e: unknown) => e)
    expect(isUserError(refused)).toBe(true)
    expect((refused as Error).message).toMatch(/promotion gate refuses api api-staging-[0-9a-f]{7} for prod: staging runs api-staging-/)
    expect((await hub.pulls(CONFIG)).length).toBe(before)

    // Skipping staging is refused.
    await expect(openPromotionPr(github, request({ mode: 'promote', app: 'api', from: 'dev', to: 'prod' }))).rejects.toThrow(
      /skips 'staging'/
    )

    // Prod: v{version}; the version from the app's release tag is only on the released commit.
    await expect(
      openPromotionPr(github, request({ mode: 'promote', app: 'api', to: 'prod', appRepository: { owner, repo: 'app-repo' } }))
    ).rejects.toThrow(/needs a version.*on commit [0-9a-f]{7}/)
    const prod = await openPromotionPr(
      github,
      request({
        mode: 'promote',
        app: 'api',
        to: 'prod',
        version: '1.2.4',
        appRepository: { owner, repo: 'app-repo' },
        now: new Date('2026-01-05T06:00:00Z')
      })
    )
    expect(prod).toMatchObject({ operation: 'created', tag: 'v1.2.4', previousTag: 'v1.2.3', window: { open: false, restricted: true } })
    const prodPr = (await pullsOf('api')).find((p) => p.number === prod.prNumber)!
    expect(prodPr.body).toContain('**Production checklist**')
    expect(prodPr.body).toContain('- [ ] Rollback plan: the previous tag is `v1.2.3`')
    expect(prodPr.body).toContain('next opens 2026-01-05T08:00:00.000Z')
    expect(prodPr.requestedTeams).toEqual(['app-team-leads', 'platform-team', 'senior-platform-engineers'])
    expect(hub.statuses(CONFIG, prodPr.headSha!)).toEqual([expect.objectContaining({ context: 'deployment-window', state: 'pending' })])
  })

  test('the app changelog between the two commits, and the version from the release tag on the promoted commit', async () => {
    const released = appCommits[3]!.slice(0, 7)
    const previous = appCommits[1]!.slice(0, 7)
    const appRepository = { owner, repo: 'app-repo' }
    await mergePr((await openPromotionPr(github, request({ app: 'jobs', tag: `sha-${previous}` }))).prNumber!)
    await fluxReports('jobs', 'dev', 'success')
    await mergePr((await openPromotionPr(github, request({ mode: 'promote', app: 'jobs', to: 'staging' }))).prNumber!)
    await mergePr((await openPromotionPr(github, request({ app: 'jobs', tag: `sha-${released}` }))).prNumber!)
    await fluxReports('jobs', 'dev', 'success')
    const staging = await openPromotionPr(github, request({ mode: 'promote', app: 'jobs', to: 'staging', appRepository }))
    const body = (await pullsOf('jobs')).find((p) => p.number === staging.prNumber)!.body!
    expect(body).toContain(`**Changes in org/app-repo** (${previous} → ${released}):`)
    expect(body).toMatch(/- \[[0-9a-f]{7}\]\([^)]+\) feat: add new feature/)
    expect(body).toMatch(/- \[[0-9a-f]{7}\]\([^)]+\) fix: handle empty input/)
    expect(body).not.toContain('feat: add login')
    await mergePr(staging.prNumber!)
    await fluxReports('jobs', 'staging', 'success')

    const prod = await openPromotionPr(
      github,
      request({ mode: 'promote', app: 'jobs', to: 'prod', appRepository, now: new Date('2026-01-05T09:00:00Z') })
    )
    expect(prod).toMatchObject({ tag: 'v1.3.0', previousTag: 'v1.2.3', window: { open: true } })
    expect(hub.statuses(CONFIG, prod.commitSha!)).toEqual([expect.objectContaining({ context: 'deployment-window', state: 'success' })])
  })

  test("a person's commit on the promotion branch is never overwritten", async () => {
    const short = appCommits[2]!.slice(0, 7)
    const deploy = await openPromotionPr(github, request({ app: 'web', tag: `sha-${short}` }))
    await mergePr(deploy.prNumber!)
    await fluxReports('web', 'dev', 'success')
    const first = await openPromotionPr(github, request({ mode: 'promote', app: 'web', to: 'staging' }))
    expect(first.reviewers).toMatchObject({ users: ['alice'], teams: ['web-team'] })
    // Someone pushes a fix to the branch by hand.
    const clone = mkdtempSync(join(tmpdir(), 'config-clone-'))
    git(clone, 'clone', '-q', '-b', 'promote/web-to-staging', hub.repoDir(CONFIG), '.')
    writeFileSync(
      join(clone, 'apps/web/overlays/staging/hpa-patch.yaml'),
      readFileSync(join(clone, 'apps/web/overlays/staging/hpa-patch.yaml'), 'utf8') + '\n'
    )
    git(clone, 'commit', '-q', '-am', 'fix: tweak the hpa')
    git(clone, 'push', '-q', 'origin', 'promote/web-to-staging')
    const headBefore = await hub.branchHead(CONFIG, 'promote/web-to-staging')
    const error = await openPromotionPr(
      github,
      request({ mode: 'promote', app: 'web', to: 'staging', now: new Date('2026-01-05T12:00:00Z'), keepTag: true })
    ).catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(/has a commit that gitops-actions did not make \([0-9a-f]{7} by Dev\)/)
    expect(await hub.branchHead(CONFIG, 'promote/web-to-staging')).toBe(headBefore)
  })
})

describe('commit-mode git', { timeout: 180_000 }, () => {
  test('commits with git plumbing in the checkout and pushes without force; the PR is the same', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'config-checkout-'))
    git(clone, 'clone', '-q', hub.repoDir(CONFIG), '.')
    const headBefore = git(clone, 'rev-parse', 'HEAD')
    const result = await openPromotionPr(github, request({ app: 'web', tag: 'sha-5555555', commitMode: 'git', checkout: clone }))
    expect(result).toMatchObject({ operation: 'created', branch: 'auto-deploy/web-sha-5555555' })
    expect(await hub.branchHead(CONFIG, 'auto-deploy/web-sha-5555555')).toBe(result.commitSha)
    expect(await fileAt(result.branch, 'apps/web/overlays/dev/kustomization.yaml')).toContain('newTag: "sha-5555555"')
    // The checkout's work tree, index and HEAD are untouched.
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(headBefore)
    expect(git(clone, 'status', '--porcelain')).toBe('')
  })
})

describe('registry', { timeout: 180_000 }, () => {
  test('the gate by equal digests, the re-tag in the registry, the digest pinned; dry-run writes nothing', async () => {
    const image = tinyImage('shop-build', 'oci', { 'org.opencontainers.image.version': '1.4.0' })
    const sha = appCommits[3]!.slice(0, 7)
    await mergePr((await openPromotionPr(github, request({ app: 'shop', tag: `sha-${sha}` }))).prNumber!)
    await fluxReports('shop', 'dev', 'success')
    await pushImage(registry.host, 'org/shop', `sha-${sha}`, image)
    await pushImage(registry.host, 'org/shop', `shop-${sha}-20260105-100000`, image)
    const client = new RegistryClient({ registry: registry.host })
    const withRegistry = { registry: { client, repository: 'org/shop' } }
    // The compute-tag form of the same image passes the gate by digest.
    const dry = await openPromotionPr(
      github,
      request({ mode: 'promote', app: 'shop', to: 'staging', tag: `shop-${sha}-20260105-100000`, dryRun: true, ...withRegistry })
    )
    expect(dry).toMatchObject({ dryRun: true, gate: { proof: 'registry-digest' }, digest: image.digest })
    expect(await client.manifestDigest('org/shop', `shop-staging-${sha}`)).toBeUndefined()

    const real = await openPromotionPr(
      github,
      request({ mode: 'promote', app: 'shop', to: 'staging', pinDigest: true, ...withRegistry, now: new Date('2026-01-05T13:00:00Z') })
    )
    expect(real).toMatchObject({ tag: `shop-staging-${sha}`, digest: image.digest, retagged: true })
    expect(await client.manifestDigest('org/shop', `shop-staging-${sha}`)).toBe(image.digest)
    expect(await fileAt(real.branch, 'apps/shop/overlays/staging/kustomization.yaml')).toContain(`digest: ${image.digest}`)
    // The version a build carries in its OCI labels, for an image of the registry (the PR body's environments and the status use it).
    const versionOf = ociLabelVersions(client)
    const imageOf = (tag: string) => ({
      name: 'shop',
      repository: `${registry.host}/org/shop`,
      tag,
      reference: '',
      setBy: { file: '' },
      setInOverlay: true
    })
    expect(await versionOf(imageOf(`sha-${sha}`), 'shop')).toEqual({ version: '1.4.0', from: 'oci-label' })
    expect(await versionOf(imageOf('sha-0000000'), 'shop')).toBeUndefined()
    expect(await versionOf({ ...imageOf(`sha-${sha}`), repository: 'ghcr.io/org/shop' }, 'shop')).toBeUndefined()
  })

  test('dry-run sends no write to GitHub', async () => {
    const seen = hub.traffic.length
    const result = await openPromotionPr(github, request({ app: 'shop', tag: 'sha-7777777', dryRun: true }))
    expect(result).toMatchObject({ dryRun: true, operation: 'created', prNumber: undefined })
    expect(result.renderedDiff).toContain('+        image: ghcr.io/org/shop:sha-7777777')
    expect(hub.traffic.slice(seen).filter((t) => t.method !== 'GET')).toEqual([])
  })
})

describe('verified promotions', { timeout: 240_000 }, () => {
  test("staging → prod waits for Flux's report that staging runs it healthy; downgrades need allow-downgrade", async () => {
    const sha = appCommits[2]!.slice(0, 7)
    await mergePr((await openPromotionPr(github, request({ app: 'pay', tag: `sha-${sha}` }))).prNumber!)
    // The example's gitops.yaml requires it out of dev too; Flux reports dev healthy on the merge.
    const devHealthy = await fluxReports('pay', 'dev', 'success')
    const staging = await openPromotionPr(github, request({ mode: 'promote', app: 'pay', to: 'staging' }))
    expect(staging.verification).toMatchObject({ environment: 'dev', state: 'verified', commit: devHealthy, evidenceCommit: devHealthy })
    await mergePr(staging.prNumber!)
    const merged = (await hub.branchHead(CONFIG, 'main'))!
    const toProd = (overrides: Partial<OpenPromotionPrRequest> = {}) =>
      openPromotionPr(github, request({ mode: 'promote', app: 'pay', to: 'prod', version: '1.2.4', ...overrides }))
    const refusal = async (overrides: Partial<OpenPromotionPrRequest> = {}) => {
      const pulls = (await hub.pulls(CONFIG)).length
      const branch = await hub.branchHead(CONFIG, 'promote/pay-to-prod')
      const error = await toProd(overrides).catch((e: unknown) => e)
      expect(isUserError(error)).toBe(true)
      expect(await hub.branchHead(CONFIG, 'promote/pay-to-prod')).toBe(branch)
      expect((await hub.pulls(CONFIG)).length).toBe(pulls)
      return (error as Error).message
    }

    // No status of staging yet: refused, naming the commit, the statuses seen and what to do.
    await github.rest.repos.createCommitStatus({
      owner,
      repo: 'config-repo',
      sha: merged,
      context: 'checks / kustomize-validate',
      state: 'success'
    })
    expect(await refusal()).toMatch(
      new RegExp(
        `^Promoting pay pay-staging-${sha} from staging to prod needs Flux's report that staging runs it healthy: commit ${merged.slice(0, 7)} \\(the last change to staging's overlay on main\\) has no status matching kustomization/pay-staging/\\*\\. Other statuses seen: checks / kustomize-validate\\..*github Provider and an Alert`
      )
    )
    await fluxReports('pay', 'staging', 'pending')
    expect(await refusal()).toMatch(/Flux has not finished with commit [0-9a-f]{7}: kustomization\/pay-staging\/0c9a1f3e pending/)
    await fluxReports('pay', 'staging', 'failure')
    expect(await refusal()).toMatch(
      /Flux reports staging failing on commit [0-9a-f]{7}: kustomization\/pay-staging\/0c9a1f3e failure \("Health check failed after 3m0s"\)/
    )

    // Flux recovers after a later commit (another app) lands on main: it reports on that head, which still runs the tag.
    await mergePr((await openPromotionPr(github, request({ app: 'shop', tag: 'sha-4444444' }))).prNumber!)
    const later = await fluxReports('pay', 'staging', 'success')
    expect(later).not.toBe(merged)
    const traffic = hub.traffic.length
    const prod = await toProd()
    expect(prod.verification).toMatchObject({
      state: 'verified',
      commit: merged,
      evidenceCommit: later,
      statuses: [expect.objectContaining({ context: 'kustomization/pay-staging/0c9a1f3e', state: 'success' })],
      commitsChecked: 1
    })
    // The evidence costs three requests here: the overlay's last commit, main's history, one commit's statuses.
    const evidenceCalls = hub.traffic
      .slice(traffic)
      .filter((t) => t.operationId === 'repos/list-commits' || t.operationId === 'repos/list-commit-statuses-for-ref')
    expect(evidenceCalls.map((t) => t.operationId)).toEqual([
      'repos/list-commits',
      'repos/list-commits',
      'repos/list-commit-statuses-for-ref'
    ])
    const body = (await pullsOf('pay')).find((p) => p.number === prod.prNumber)!.body!
    expect(body).toContain(`**Health of staging:** verified — the last change to its overlay is \`${merged.slice(0, 7)}\``)
    expect(body).toMatch(new RegExp(`\\| status on \`${later.slice(0, 7)}\` \\| state \\| since \\| description \\|`))
    expect(body).toMatch(/\| `kustomization\/pay-staging\/0c9a1f3e` \| success \| \d{4}-.*Z \| Health check passed \|/)
    // The environments section marks staging verified, as the evidence read for this promotion says.
    expect(body).toContain(`✅ verified since ${prod.verification!.healthySince} (${later.slice(0, 7)})`)
    await mergePr(prod.prNumber!)

    // Prod now runs v1.2.4: moving it back to v1.2.3 is refused unless asked for, and flagged when it is.
    expect(await refusal({ version: '1.2.3' })).toMatch(
      /prod runs v1\.2\.4 \(1\.2\.4\); this moves it back to the older v1\.2\.3 \(1\.2\.3\)\. To roll back on purpose, set allow-downgrade: true/
    )
    const rollback = await toProd({ version: '1.2.3', allowDowngrade: true })
    expect(rollback.downgrade).toMatchObject({ running: { tag: 'v1.2.4' }, promoted: { tag: 'v1.2.3' } })
    const rollbackBody = (await pullsOf('pay')).find((p) => p.number === rollback.prNumber)!.body!
    expect(rollbackBody).toContain(
      '> **Downgrade:** prod runs v1.2.4 (1.2.4); this moves it back to the older v1.2.3 (1.2.3) (allow-downgrade).'
    )
  })
})
