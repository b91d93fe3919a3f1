import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubStandIn } from '../../test/github-stand-in/index.ts'
import { medianMs, node24, repoRoot, round, runAction } from './_util.mjs'

const PROMOTIONS = 50

/**
 * 50 sequential auto-deploys of new builds of one app through the bundle (started as the runner
 * starts it) against the GitHub stand-in: API requests per promotion, and wall time, against the
 * cold start of `node -e 0` measured in the same run. Each promotion supersedes the previous one,
 * so the count includes closing the older PR (comment, close, branch delete).
 */
export async function* run() {
  const config = mkdtempSync(join(tmpdir(), 'bench-config-'))
  cpSync(join(repoRoot, 'examples', 'config-repo'), config, { recursive: true })
  const hub = await startGitHubStandIn({ repos: [{ name: 'org/config-repo', fromDir: config }], logViolations: false })
  const env = {
    GITHUB_API_URL: hub.url,
    GITHUB_SERVER_URL: hub.url,
    GITHUB_REPOSITORY: 'org/app-repo',
    GITOPS_ACTIONS_WRITE_INTERVAL_MS: '0',
    GITOPS_ACTIONS_RETRY_BASE_MS: '10'
  }
  try {
    const baseline = await medianMs(() => spawnSync(node24, ['-e', '0']))
    const requests = []
    const writes = []
    const start = process.hrtime.bigint()
    for (let i = 0; i < PROMOTIONS; i++) {
      const seen = hub.traffic.length
      const tag = `sha-${(0x1000000 + i).toString(16)}`
      const result = await runAction('open-promotion-pr', {
        env,
        inputs: { mode: 'auto-deploy', app: 'myapp', tag, repository: 'org/config-repo', token: hub.token }
      })
      if (result.exitCode !== 0) throw new Error(`promotion ${i} failed:\n${result.stdout}\n${result.stderr}`)
      const traffic = hub.traffic.slice(seen)
      requests.push(traffic.length)
      writes.push(traffic.filter((t) => t.method !== 'GET').length)
    }
    const totalMs = Number(process.hrtime.bigint() - start) / 1e6
    const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length
    yield ['open-promotion-pr.api_requests_per_promotion', round(mean(requests), 1), '≤ 40']
    yield ['open-promotion-pr.api_writes_per_promotion', round(mean(writes), 1), 'reported']
    yield ['open-promotion-pr.api_requests_first_promotion', requests[0], 'reported']
    yield ['open-promotion-pr.wall_ms_50_promotions', round(totalMs, 0), 'reported']
    yield ['open-promotion-pr.ms_per_promotion', round(totalMs / PROMOTIONS, 0), 'reported']
    yield ['open-promotion-pr.node_baseline_ms', round(baseline, 1), 'baseline']
    yield ['open-promotion-pr.per_promotion_vs_node_start_ratio', round(totalMs / PROMOTIONS / baseline), '≤ 10']
    yield ['open-promotion-pr.open_prs_after', (await hub.pulls('org/config-repo')).filter((p) => p.state === 'open').length, '= 1']
  } finally {
    await hub.close()
  }
}
