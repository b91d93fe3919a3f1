import { execFile, execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { node24, repoRoot, round, runAction } from './_util.mjs'

const OVERLAYS = 300
const CLI_OVERLAYS = Number(process.env.BENCH_BUMP_CLI_OVERLAYS ?? 10_000)
const exec = promisify(execFile)

/** The renderer the action finds: `kustomize build` when on PATH, else `kubectl kustomize`. */
function renderer() {
  try {
    execFileSync('kustomize', ['version'], { stdio: 'ignore' })
    return ['kustomize', ['build']]
  } catch {
    return ['kubectl', ['kustomize']]
  }
}

/** A config repo with one base and `count` overlays of it, each in the example repo's dev style. */
function generateRepo(count = OVERLAYS) {
  const repo = mkdtempSync(join(tmpdir(), 'bench-bump-'))
  cpSync(join(repoRoot, 'examples', 'config-repo', 'apps', 'myapp', 'base'), join(repo, 'apps', 'myapp', 'base'), { recursive: true })
  const overlays = []
  for (let i = 0; i < count; i++) {
    const name = `apps/myapp/overlays/dev-${String(i).padStart(5, '0')}`
    mkdirSync(join(repo, name), { recursive: true })
    writeFileSync(
      join(repo, name, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\nnamespace: app-${i}\n\nresources:\n- ../../base\n\npatches:\n- path: deployment-patch.yaml\n\nimages:\n- name: myapp\n  newName: ghcr.io/org/myapp\n  newTag: "sha-abc123d"  # Auto-updated by CI\n`
    )
    writeFileSync(
      join(repo, name, 'deployment-patch.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: myapp\nspec:\n  replicas: ${1 + (i % 3)}\n`
    )
    overlays.push(name)
  }
  return { repo, overlays }
}

async function time(fn) {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/**
 * One image bumped across 300 overlays in one bump-overlay call (plan, verification render of
 * every overlay, all-or-nothing write), against rendering the same 300 overlays with kustomize
 * alone at the same parallelism. One timed run each: a run is a few hundred renders.
 */
export async function* run() {
  const { repo, overlays } = generateRepo()
  const [command, args] = renderer()
  const workers = availableParallelism()
  const baseline = await time(async () => {
    const queue = [...overlays]
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let o = queue.shift(); o; o = queue.shift()) await exec(command, [...args, join(repo, o)], { maxBuffer: 64 * 1024 * 1024 })
      })
    )
  })
  const inputs = { overlays: overlays.join('\n'), image: 'myapp', tag: 'sha-def4567' }
  const bump = await time(async () => {
    const result = await runAction('bump-overlay', { workspace: repo, inputs, timeoutMs: 900_000 })
    if (result.exitCode !== 0 || result.outputs.files.split('\n').length !== OVERLAYS) throw new Error(result.stdout)
  })
  const again = await time(async () => {
    const result = await runAction('bump-overlay', { workspace: repo, inputs, timeoutMs: 900_000 })
    if (result.exitCode !== 0 || result.outputs.changed !== 'false') throw new Error(result.stdout)
  })
  yield ['bump-overlay.overlays', OVERLAYS]
  yield ['bump-overlay.kustomize_only_ms_per_overlay', round(baseline / OVERLAYS, 1)]
  yield ['bump-overlay.bump_ms_per_overlay', round(bump / OVERLAYS, 1)]
  yield ['bump-overlay.bump_vs_kustomize_ratio', round(bump / baseline), '≤ 1.2']
  yield ['bump-overlay.unchanged_rerun_ms_per_overlay', round(again / OVERLAYS, 2)]

  // The CLI over 10,000 overlays (one glob), as a platform team bumps a shared image.
  const many = generateRepo(CLI_OVERLAYS)
  const cli = join(repoRoot, 'dist', 'cli', 'index.js')
  const cliArgs = [cli, 'bump', '--overlay', 'apps/myapp/overlays/*', '--image', 'myapp', '--tag', 'sha-def4567', '--json', many.repo]
  const cliMs = await time(async () => {
    const { stdout } = await exec(node24, cliArgs, { maxBuffer: 1024 * 1024 * 1024 })
    if (JSON.parse(stdout).files.length !== CLI_OVERLAYS) throw new Error(`the CLI changed ${JSON.parse(stdout).files.length} files`)
  })
  yield [`bump-overlay.cli_${CLI_OVERLAYS}_overlays_s`, round(cliMs / 1000, 1), '< 60 on the 2-core machine of the README']
  yield [`bump-overlay.cli_${CLI_OVERLAYS}_ms_per_overlay_vs_kustomize_only`, round(cliMs / CLI_OVERLAYS / (baseline / OVERLAYS))]
}
