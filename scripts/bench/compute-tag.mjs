import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { git, medianMs, node24, repoRoot, round, runAction } from './_util.mjs'

/** Cold start of the compute-tag bundle (a whole prod run on a 200-commit repo) against `node -e 0`. */
export async function* run() {
  const repo = mkdtempSync(join(tmpdir(), 'bench-app-'))
  git(repo, 'init', '-q', '-b', 'main')
  git(repo, 'config', 'user.email', 'b@example.com')
  git(repo, 'config', 'user.name', 'bench')
  for (let i = 0; i < 200; i++) {
    git(repo, 'commit', '-q', '--allow-empty', '-m', i % 3 === 0 ? `feat: feature ${i}` : `fix: fix ${i}`)
    if (i % 20 === 0) git(repo, 'tag', `v1.${i}.0`)
  }
  const sha = git(repo, 'rev-parse', 'HEAD')
  const baseline = await medianMs(() => spawnSync(node24, ['-e', '0']))
  const action = await medianMs(async () => {
    const result = await runAction('compute-tag', {
      workspace: repo,
      env: { GITHUB_SHA: sha },
      inputs: { app: 'myapp', environment: 'prod', image: 'ghcr.io/org/myapp' }
    })
    if (result.exitCode !== 0) throw new Error(result.stdout)
  })
  yield ['compute-tag.node_baseline_ms', round(baseline, 1), 'baseline']
  yield ['compute-tag.run_ms', round(action, 1), 'reported']
  yield ['compute-tag.cold_start_ratio', round(action / baseline), '≤ 4 (a prod run: git log, tag list, template)']
  yield ['compute-tag.bundle_kib', round(statSync(join(repoRoot, 'dist', 'compute-tag', 'index.js')).size / 1024, 0), 'reported']
}
