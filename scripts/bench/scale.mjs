import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { git, medianMs, node24, peakMemory, round, runAction } from './_util.mjs'
import { generateRepo } from './validate-manifests.mjs'

const SMALL = Number(process.env.BENCH_SCALE_SMALL ?? 100)
const LARGE = Number(process.env.BENCH_SCALE_LARGE ?? 1000)
const ENV = { GITHUB_REPOSITORY: 'org/config-repo' }

/**
 * validate-manifests as the repository grows (issue 17): the generated config repo of
 * validate-manifests.mjs at 100 and at 1000 apps (× 3 environments).
 * - changed-only, a pull request that changes one overlay: 1000 apps against 100 (goal ≤ 1.2), and
 *   1000 apps against the floor (a Node start plus one kustomize build of that overlay, goal ≤ 1.5);
 *   runs alternate between the two sizes and each figure is the median of three, as the machine is shared;
 * - the full run: ms per overlay at 1000 apps against 100 (goal ≤ 1), and its peak memory (goal < 1024 MiB).
 */
export async function* run() {
  const small = pullRequest(SMALL)
  const large = pullRequest(LARGE)
  const times = { small: [], large: [] }
  for (let i = 0; i < 3; i++) {
    times.small.push(await changedOnly(small))
    times.large.push(await changedOnly(large))
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
  const kustomize = renderer()
  const overlay = join(large.repo, large.overlay)
  const floor = await medianMs(() => {
    spawnSync(node24, ['-e', '0'])
    kustomize(overlay)
  }, 3)
  yield ['scale.changed_only_floor_ms', round(floor, 0)]
  yield [`scale.changed_only_${SMALL}_apps_ms`, round(median(times.small), 0)]
  yield [`scale.changed_only_${LARGE}_apps_ms`, round(median(times.large), 0)]
  yield [`scale.changed_only_${LARGE}_vs_${SMALL}_ratio`, round(median(times.large) / median(times.small)), '≤ 1.2']
  yield [`scale.changed_only_${LARGE}_vs_floor_ratio`, round(median(times.large) / floor), '≤ 1.5']

  const fullSmall = await fullRun(small)
  const fullLarge = await fullRun(large)
  yield [`scale.full_${SMALL}_apps_ms_per_overlay`, round(fullSmall.ms / (SMALL * 3), 1)]
  yield [`scale.full_${LARGE}_apps_ms_per_overlay`, round(fullLarge.ms / (LARGE * 3), 1)]
  yield [`scale.full_per_overlay_${LARGE}_vs_${SMALL}_ratio`, round(fullLarge.ms / (LARGE * 3) / (fullSmall.ms / (SMALL * 3))), '≤ 1']
  yield [`scale.full_${SMALL}_apps_peak_mib`, fullSmall.peakMib]
  yield [`scale.full_${LARGE}_apps_peak_mib`, fullLarge.peakMib, '< 1024']
}

/** A generated repo with a pull request branch that changes one overlay's patch. */
function pullRequest(apps) {
  const repo = generateRepo(apps)
  const base = git(repo, 'rev-parse', 'HEAD')
  git(repo, 'checkout', '-q', '-b', 'pr')
  const app = `app${Math.min(7, apps - 1)}`
  const overlay = `apps/${app}/overlays/staging`
  writeFileSync(
    join(repo, overlay, 'deployment-patch.yaml'),
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  replicas: 4\n`
  )
  git(repo, 'commit', '-q', '-am', `scale ${app} in staging`)
  return { repo, base, head: git(repo, 'rev-parse', 'HEAD'), overlay }
}

async function changedOnly({ repo, base, head, overlay }) {
  const start = process.hrtime.bigint()
  const result = await runAction('validate-manifests', {
    workspace: repo,
    env: ENV,
    eventName: 'pull_request',
    event: { pull_request: { number: 1, base: { sha: base }, head: { sha: head } } },
    inputs: { 'changed-only': 'true' },
    timeoutMs: 600_000
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.exitCode !== 0 || result.outputs.roots !== overlay)
    throw new Error(`changed-only exited ${result.exitCode}, checked ${result.outputs.roots}:\n${result.stdout}${result.stderr}`)
  return ms
}

async function fullRun({ repo }) {
  const memory = peakMemory()
  const start = process.hrtime.bigint()
  const result = await runAction('validate-manifests', { workspace: repo, env: ENV, timeoutMs: 1_800_000, onStart: memory.watch })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.exitCode !== 0) throw new Error(`the full run exited ${result.exitCode}:\n${result.stdout.slice(-4000)}${result.stderr}`)
  return { ms, peakMib: memory.peakMib() }
}

/** `kustomize build` if on PATH, else `kubectl kustomize`. */
function renderer() {
  const hasKustomize = spawnSync('kustomize', ['version']).status === 0
  return (dir) =>
    execFileSync(hasKustomize ? 'kustomize' : 'kubectl', [hasKustomize ? 'build' : 'kustomize', dir], { maxBuffer: 64 * 1024 * 1024 })
}
