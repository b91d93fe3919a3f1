import { configFixture } from '../../packages/operations/test/config-fixture.ts'
import { startGitHubStandIn } from '../../test/github-stand-in/index.ts'
import { round, runAction } from './_util.mjs'

const APPS = 10
const PER_APP = 5

/**
 * 50 auto-deploys started at once, five builds of each of ten apps, through the bundle (as the
 * runner starts it) against the GitHub stand-in over real bare repositories: the wall time of all
 * of them, API requests per promotion, and whether each app ends with exactly one open pull
 * request, at one of its builds (the figure to keep at 10). Then one verified promotion (dev →
 * staging, Flux's commit status read first): its API requests.
 */
export async function* run() {
  const apps = Array.from({ length: APPS }, (_, i) => `svc${i}`)
  const hub = await startGitHubStandIn({ repos: [{ name: 'org/config-repo', fromDir: configFixture(apps) }], logViolations: false })
  const env = {
    GITHUB_API_URL: hub.url,
    GITHUB_SERVER_URL: hub.url,
    GITHUB_REPOSITORY: 'org/app-repo',
    GITOPS_ACTIONS_WRITE_INTERVAL_MS: '0',
    GITOPS_ACTIONS_RETRY_BASE_MS: '10'
  }
  try {
    const runs = apps.flatMap((app) => Array.from({ length: PER_APP }, (_, n) => ({ app, tag: `sha-${(0xa000000 + n).toString(16)}`, n })))
    const start = process.hrtime.bigint()
    const results = await Promise.all(
      runs.map(({ app, tag }) =>
        runAction('open-promotion-pr', {
          env,
          timeoutMs: 600_000,
          inputs: { mode: 'auto-deploy', app, tag, repository: 'org/config-repo', token: hub.token }
        })
      )
    )
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6
    const failed = results.filter((r) => r.exitCode !== 0)
    if (failed.length > 0) throw new Error(`${failed.length} promotions failed, the first:\n${failed[0].stdout}\n${failed[0].stderr}`)
    const open = (await hub.pulls('org/config-repo')).filter((p) => p.state === 'open')
    // Concurrent runs order by when they write, not by tag: the last write wins, so the check is one open PR per app, at one of its builds.
    const builds = new Set(runs.map(({ app, tag }) => `auto-deploy/${app}-${tag}`))
    const right = apps.filter((app) => {
      const mine = open.filter((p) => p.head.startsWith(`auto-deploy/${app}-`))
      return mine.length === 1 && builds.has(mine[0].head)
    })
    yield ['concurrent-promotions.wall_ms_50_at_once_10_apps', round(wallMs, 0), 'reported']
    yield ['concurrent-promotions.api_requests_per_promotion', round(hub.traffic.length / runs.length, 1), '≤ 40']
    yield ['concurrent-promotions.apps_with_one_open_pr', right.length, `= ${APPS}`]

    // One verified promotion: dev → staging after Flux reported dev healthy on main.
    const [owner, repo] = ['org', 'config-repo']
    const deploy = open.find((p) => p.head.startsWith('auto-deploy/svc0-'))
    await standInRequest(hub, 'PUT', `/repos/${owner}/${repo}/pulls/${deploy.number}/merge`, { merge_method: 'squash' })
    const head = await hub.branchHead('org/config-repo', 'main')
    await standInRequest(hub, 'POST', `/repos/${owner}/${repo}/statuses/${head}`, {
      context: 'kustomization/svc0-dev/5ac9cbd2',
      state: 'success'
    })
    const seen = hub.traffic.length
    const promoted = await runAction('open-promotion-pr', {
      env,
      inputs: { mode: 'promote', app: 'svc0', to: 'staging', repository: 'org/config-repo', token: hub.token }
    })
    if (promoted.exitCode !== 0) throw new Error(`the verified promotion failed:\n${promoted.stdout}`)
    const traffic = hub.traffic.slice(seen)
    yield ['concurrent-promotions.api_requests_verified_promotion', traffic.length, '≤ 45']
    yield [
      'concurrent-promotions.api_requests_for_evidence',
      traffic.filter((t) => t.operationId === 'repos/list-commits' || t.operationId === 'repos/list-commit-statuses-for-ref').length,
      '≤ 4'
    ]
  } finally {
    await hub.close()
  }
}

/** One REST call to the stand-in as a client would make it (what Flux's Provider and a reviewer's merge do). */
async function standInRequest(hub, method, path, body) {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `token ${hub.token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}
