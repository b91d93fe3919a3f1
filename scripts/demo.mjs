#!/usr/bin/env node
// The seed's whole GitOps flow, offline, on examples/app-repo and examples/config-repo:
//
//   feat: commit in the app repo → compute-tag → image pushed to the registry → auto-deploy PR to dev
//   → validate-manifests on the PR → merge → promote dev → staging, refused until Flux reports dev
//   healthy → Flux's commit status → promote → validate → merge → Flux reports staging healthy
//   → release v1.3.0 → promote staging → prod → validate → merge → environment status
//
// Flux's part: notification-controller's github Provider (examples/config-repo/cluster-configs/
// notifications.yaml) posts a commit status on the config-repo commit each Kustomization applied;
// the demo posts the same status to the stand-in, as the cluster would once the Deployment is Ready.
//
// Every action runs from its bundle exactly as GitHub's runner starts it (scripts/lib/action-runner.mjs).
// GitHub is the local API stand-in (test/github-stand-in: real bare repos, every request checked
// against GitHub's OpenAPI description); the registry is Debian's docker-registry when installed.
// `npm run demo` passes the Node flags this needs to load those TypeScript modules.
//
//   npm run demo                  # everything in a temp dir, removed at the end
//   npm run demo -- --dir <path>  # keeps the repos in <path> (must be empty or missing), plus demo-result.json
//
// Exits 1 when any step fails.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { collectEnvironmentStatus, renderStatusTable } from '@gitops-actions/core'
import { tagsMergedInto } from '@gitops-actions/git'
import { render } from '@gitops-actions/kustomize'
import { githubHealth, releaseTagVersions } from '@gitops-actions/operations'
import { RegistryClient } from '@gitops-actions/oci'
import { startGitHubStandIn } from '../test/github-stand-in/index.ts'
import { standInOctokit } from '../test/github-stand-in/octokit.ts'
import { pushImage, REGISTRY_BINARY, startRegistry, tinyImage } from '../test/harness/oci-registry.ts'
import { repoRoot, runAction } from './lib/action-runner.mjs'

const APP = 'myapp'
const CONFIG_REPO = 'org/config-repo'
const APP_REPO = `org/${APP}`
const [owner, configName] = CONFIG_REPO.split('/')
/**
 * The config repo's required checks: the job names of workflows-templates/config-repo-checks.yml, which
 * are the checks' names (validate-manifests' `checks[].title`), posted as commit statuses by those names.
 */
const REQUIRED_CHECKS = ['kustomize-validate', 'security-policy-check', 'quota-validation', 'flux-sync-validation', 'codeowners-check']

const { values: args } = parseArgs({ options: { dir: { type: 'string' } } })
const work = args.dir ? resolve(args.dir) : mkdtempSync(join(tmpdir(), 'gitops-demo-'))
if (existsSync(work) && readdirSync(work).length > 0 && args.dir) fail(`--dir ${work} is not empty`)
mkdirSync(work, { recursive: true })
const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text)

function fail(message) {
  console.error(message)
  process.exit(1)
}

function git(cwd, ...gitArgs) {
  // Fixed identities and dates: the same commits (and so the same tags) on every run.
  const date = '2024-12-01T14:30:22Z'
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Demo Developer',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Demo Developer',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date
  }
  return execFileSync('git', gitArgs, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** One row of the final table per step; a failed step stops the demo (the later ones build on it). */
const rows = []
class StepFailed extends Error {}

async function step(title, work) {
  const t = performance.now()
  const row = { step: title, result: 'ok', pr: '', tag: '', digest: '', ms: 0 }
  rows.push(row)
  try {
    const shown = (await work(row)) ?? {}
    row.ms = performance.now() - t
    console.log(`${paint(32, '✓')} ${title} ${paint(2, `(${(row.ms / 1000).toFixed(1)} s)`)}`)
    for (const [key, value] of Object.entries(shown)) {
      if (value === undefined || value === '') continue
      console.log(`    ${key}: ${String(value).replace(/\n/g, '\n' + ' '.repeat(key.length + 6))}`)
    }
  } catch (error) {
    row.ms = performance.now() - t
    row.result = 'FAILED'
    console.error(`${paint(31, '✗')} ${title}\n${error instanceof StepFailed ? error.message : (error?.stack ?? error)}`)
    throw new StepFailed(title)
  }
}

/** Runs a bundle; a non-zero exit fails the step with the action's own log. */
async function action(name, options) {
  const result = await runAction(name, options)
  if (result.exitCode !== 0) {
    throw new StepFailed(`${name} exited with ${result.exitCode}:\n${result.stdout}${result.stderr}`.trimEnd())
  }
  return result
}

let registry
let hub
try {
  // ── Services ───────────────────────────────────────────────────────────────────────────────
  if (existsSync(REGISTRY_BINARY)) {
    registry = await startRegistry()
  } else {
    console.log(
      `${paint(33, '!')} ${REGISTRY_BINARY} is not installed (apt-get install docker-registry): the demo carries on without a registry, so without digests and re-tags.`
    )
  }
  hub = await startGitHubStandIn({
    dir: join(work, 'github'),
    repos: [{ name: CONFIG_REPO, fromDir: join(repoRoot, 'examples', 'config-repo') }, APP_REPO],
    logViolations: false
  })
  const github = standInOctokit(hub)
  // The required checks on main, as the README tells users to set them: PRs wait for them, and
  // the dev PR merges itself (auto-merge) once they pass.
  await github.rest.repos.updateBranchProtection({
    owner,
    repo: configName,
    branch: 'main',
    required_status_checks: { strict: true, contexts: REQUIRED_CHECKS },
    enforce_admins: true,
    required_pull_request_reviews: null,
    restrictions: null
  })
  const image = registry ? `${registry.host}/${APP_REPO}` : `ghcr.io/${APP_REPO}`
  const actionEnv = {
    GITHUB_API_URL: hub.url,
    GITHUB_SERVER_URL: hub.url,
    // The stand-in answers at once; GitHub's pacing of writes would only make the demo slow.
    GITOPS_ACTIONS_WRITE_INTERVAL_MS: '0',
    GITOPS_ACTIONS_RETRY_BASE_MS: '10'
  }
  console.log(
    `GitHub stand-in ${hub.url} (${CONFIG_REPO} from examples/config-repo, ${APP_REPO}); registry ${registry?.host ?? 'none'}; work dir ${work}\n`
  )

  // ── App repo ──────────────────────────────────────────────────────────────────────────────
  const app = join(work, 'app-repo')
  let sha
  await step('app repo: feat: commit on main', async () => {
    cpSync(join(repoRoot, 'examples', 'app-repo'), app, { recursive: true })
    git(app, 'init', '-q', '-b', 'main')
    git(app, 'add', '-A')
    git(app, 'commit', '-q', '-m', 'feat: myapp serves requests')
    git(app, 'tag', '-a', 'v1.2.3', '-m', 'myapp 1.2.3')
    writeFileSync(join(app, 'src', 'greeting.js'), 'export const greeting = (name) => `hello, ${name}`\n')
    git(app, 'add', '-A')
    git(app, 'commit', '-q', '-m', 'feat: add new feature')
    git(app, 'push', '-q', hub.repoDir(APP_REPO), 'main', '--follow-tags')
    sha = git(app, 'rev-parse', 'HEAD')
    return { commit: `${sha.slice(0, 7)} feat: add new feature (after release v1.2.3)`, pushed: `${hub.url}/${APP_REPO}` }
  })

  let build
  await step('compute-tag (dev)', async (row) => {
    const { outputs } = await action('compute-tag', {
      workspace: app,
      env: { ...actionEnv, GITHUB_SHA: sha, GITHUB_REPOSITORY: APP_REPO },
      inputs: { app: APP, environment: 'dev', image }
    })
    build = outputs
    row.tag = outputs.tag
    return {
      tag: outputs.tag,
      tags: outputs.tags,
      version: `${outputs['previous-version']} → ${outputs.version} (${outputs.bump}, from conventional commits)`
    }
  })

  let digest = ''
  await step('docker-build-push: tiny image', async (row) => {
    if (!registry) {
      row.result = 'skipped'
      return { skipped: 'no registry' }
    }
    const built = tinyImage(`${APP}@${sha}`)
    for (const reference of build.tags.split('\n')) {
      digest = await pushImage(registry.host, APP_REPO, reference.slice(reference.lastIndexOf(':') + 1), built)
    }
    row.tag = build.tag
    row.digest = digest
    return { pushed: build.tags, digest }
  })

  // ── Config repo: one promotion PR per environment ──────────────────────────────────────────
  const checkout = join(work, 'config-checkout')
  git(work, 'clone', '-q', hub.repoDir(CONFIG_REPO), checkout)

  /**
   * open-promotion-pr with the inputs app-ci.yml (auto-deploy, in the app repo: the app's changelog
   * comes from there) and promote.yml (promote, in the config repo) give it.
   */
  async function openPromotion(title, inputs) {
    let pr
    await step(title, async (row) => {
      const { outputs, json } = await action('open-promotion-pr', {
        env: { ...actionEnv, GITHUB_REPOSITORY: inputs.mode === 'auto-deploy' ? APP_REPO : CONFIG_REPO },
        inputs: {
          app: APP,
          repository: CONFIG_REPO,
          token: hub.token,
          ...(registry ? { 'registry-image': image } : {}),
          ...inputs
        }
      })
      pr = { number: Number(outputs['pr-number']), url: outputs['pr-url'], head: outputs['commit-sha'], json, outputs }
      Object.assign(row, { pr: `#${pr.number}`, tag: outputs.tag, digest: outputs.digest })
      const window = json.window?.restricted
        ? json.window.open
          ? 'open: commit status deployment-window success'
          : `closed: commit status deployment-window pending, next opens ${json.window.nextOpen ?? 'not within a week'}`
        : undefined
      return {
        pr: `${outputs.operation} ${pr.url}`,
        title: json.title,
        branch: outputs.branch,
        tag: `${outputs['previous-tag']} → ${outputs.tag}`,
        digest: outputs.digest,
        gate: json.gate?.proof,
        reviewers: [...(json.reviewers?.users ?? []), ...(json.reviewers?.teams ?? []).map((t) => `@${owner}/${t}`)].join(' '),
        'auto-merge': json.autoMerge,
        'deployment window': window
      }
    })
    return pr
  }

  /** config-repo-checks.yml on the PR: validate-manifests on the head checkout, changed-only against main. */
  async function validate(pr, environment) {
    await step(`validate-manifests on #${pr.number}`, async (row) => {
      git(checkout, 'fetch', '-q', 'origin')
      git(checkout, 'checkout', '-q', '--detach', pr.head)
      const result = await runAction('validate-manifests', {
        workspace: checkout,
        eventName: 'pull_request',
        env: { ...actionEnv, GITHUB_REPOSITORY: CONFIG_REPO, GITHUB_SHA: pr.head, GITHUB_REF: `refs/pull/${pr.number}/merge` },
        inputs: { 'changed-only': 'true', 'base-ref': 'origin/main' }
      })
      if (!result.json) throw new StepFailed(`validate-manifests gave no result:\n${result.stdout}${result.stderr}`)
      // Each check reports as its own commit status, as the checks workflow's jobs do.
      for (const check of result.json.checks) {
        await github.rest.repos.createCommitStatus({
          owner,
          repo: configName,
          sha: pr.head,
          context: check.title,
          state: check.status === 'failed' ? 'failure' : 'success',
          description: `${check.counts.error} error(s), ${check.counts.warning} warning(s)`.slice(0, 140)
        })
      }
      if (result.exitCode !== 0) throw new StepFailed(`validate-manifests failed on #${pr.number}:\n${result.stdout}`)
      row.pr = `#${pr.number}`
      const roots = result.outputs.roots.split('\n').filter(Boolean)
      if (!roots.includes(`apps/${APP}/overlays/${environment}`)) {
        throw new StepFailed(`changed-only did not check apps/${APP}/overlays/${environment}: roots ${roots.join(', ')}`)
      }
      return {
        roots: roots.join(', '),
        checks: result.json.checks.map((c) => `${c.title} ${c.status}`).join(', '),
        findings: `${result.outputs.errors} error(s), ${result.outputs.warnings} warning(s), ${result.outputs.notices} notice(s)`
      }
    })
  }

  /** The merge: by auto-merge when the PR has it (dev), else by a person with the merge button. */
  async function merge(pr, environment) {
    await step(`merge #${pr.number} into main (${environment})`, async (row) => {
      row.pr = `#${pr.number}`
      let view = (await hub.pulls(CONFIG_REPO)).find((p) => p.number === pr.number)
      let how = 'auto-merge, once the required checks passed'
      if (!view?.merged) {
        await github.rest.pulls.merge({ owner, repo: configName, pull_number: pr.number, sha: pr.head, merge_method: 'squash' })
        view = (await hub.pulls(CONFIG_REPO)).find((p) => p.number === pr.number)
        how = 'squash merge (code owners review: requested; the stand-in does not model approvals)'
      }
      if (!view?.merged) throw new StepFailed(`#${pr.number} is not merged`)
      if (pr.json.window?.restricted && !pr.json.window.open) {
        how += '; outside the deployment window, which is not a required check in the demo (make deployment-window one in yours)'
      }
      const overlay = `apps/${APP}/overlays/${environment}/kustomization.yaml`
      const merged = git(work, '--git-dir', hub.repoDir(CONFIG_REPO), 'show', `main:${overlay}`)
      if (!merged.includes(`"${pr.outputs.tag}"`) && !merged.includes(` ${pr.outputs.tag}`)) {
        throw new StepFailed(`main's ${overlay} does not have ${pr.outputs.tag}:\n${merged}`)
      }
      row.tag = pr.outputs.tag
      return { how, 'main is now': `${view.mergeCommitSha.slice(0, 7)}, ${overlay} newTag ${pr.outputs.tag}` }
    })
  }

  /** Flux's notification-controller on the cluster of `environment`: a commit status on the commit it applied (main's head). */
  async function fluxReports(environment) {
    await step(`Flux reports ${environment} healthy (commit status)`, async () => {
      const head = git(work, '--git-dir', hub.repoDir(CONFIG_REPO), 'rev-parse', 'main')
      const context = `kustomization/${APP}-${environment}/5ac9cbd2`
      await github.rest.repos.createCommitStatus({
        owner,
        repo: configName,
        sha: head,
        context,
        state: 'success',
        description: 'Health check passed in 12s'
      })
      return { status: `${context} success on ${head.slice(0, 7)}` }
    })
  }

  /** A promotion that must be refused: the action exits 1 with the reason, and writes nothing. */
  async function refusedPromotion(title, inputs, expected) {
    await step(title, async () => {
      const pulls = (await hub.pulls(CONFIG_REPO)).length
      const result = await runAction('open-promotion-pr', {
        env: { ...actionEnv, GITHUB_REPOSITORY: CONFIG_REPO },
        inputs: { app: APP, repository: CONFIG_REPO, token: hub.token, ...(registry ? { 'registry-image': image } : {}), ...inputs }
      })
      const error = result.annotations.find((a) => a.level === 'error')?.message
      if (result.exitCode !== 1 || !error || !expected.test(error)) {
        throw new StepFailed(`expected a refusal matching ${expected}, got exit ${result.exitCode}:\n${result.stdout}${result.stderr}`)
      }
      if ((await hub.pulls(CONFIG_REPO)).length !== pulls) throw new StepFailed('the refused promotion opened a pull request')
      return { refused: error }
    })
  }

  const dev = await openPromotion('open-promotion-pr: auto-deploy to dev', { mode: 'auto-deploy', tag: build.tag })
  await validate(dev, 'dev')
  await merge(dev, 'dev')

  await refusedPromotion(
    'promote dev → staging before Flux reported dev: refused',
    { mode: 'promote', to: 'staging' },
    /needs Flux's report that dev runs it healthy/
  )
  await fluxReports('dev')
  const staging = await openPromotion('open-promotion-pr: promote dev → staging', { mode: 'promote', to: 'staging' })
  await validate(staging, 'staging')
  await merge(staging, 'staging')
  await fluxReports('staging')

  // Production runs a released version: the app repo tags the commit, as a release would, and the
  // one who promotes gives that version (promote.yml's version input) for prod's v{version} tag.
  let release
  await step(`app repo: release v${build.version}`, async () => {
    git(app, 'tag', '-a', `v${build.version}`, '-m', `myapp ${build.version}`)
    git(app, 'push', '-q', hub.repoDir(APP_REPO), `v${build.version}`)
    const { outputs } = await action('compute-tag', {
      workspace: app,
      env: { ...actionEnv, GITHUB_SHA: sha, GITHUB_REPOSITORY: APP_REPO, GITHUB_REF: `refs/tags/v${build.version}` },
      inputs: { app: APP, environment: 'prod', image }
    })
    release = outputs.version
    return { tag: `v${build.version} on ${sha.slice(0, 7)}`, 'compute-tag (prod)': `${outputs.tag} (${outputs.version})` }
  })
  const prod = await openPromotion('open-promotion-pr: promote staging → prod', { mode: 'promote', to: 'prod', version: release })
  await validate(prod, 'prod')
  await merge(prod, 'prod')
  await fluxReports('prod')

  await step('GitHub API traffic against the OpenAPI description', async () => {
    if (hub.violations.length > 0) throw new StepFailed(JSON.stringify(hub.violations, null, 2))
    return { requests: `${hub.traffic.length}, 0 violations` }
  })

  // ── Where each environment stands now ──────────────────────────────────────────────────────
  git(checkout, 'fetch', '-q', 'origin')
  git(checkout, 'checkout', '-q', '--detach', 'origin/main')
  // With what the files alone cannot tell: the release tag on the build's commit (its version),
  // and Flux's commit statuses on main (each environment's health), as `gitops-actions status
  // --app-repo … --github …` shows them.
  const status = await collectEnvironmentStatus(checkout, {
    render: (dir) => render(dir),
    versionOf: releaseTagVersions(() => tagsMergedInto(app, 'HEAD', 'v*'), 'v'),
    healthOf: githubHealth(github, { owner, repo: configName }, 'main', new Date())
  })
  console.log(`\nEnvironment status of ${CONFIG_REPO} main:\n\n${renderStatusTable(status, { color })}`)
  for (const { from, to, detail } of status.apps.flatMap((a) => a.steps)) console.log(`${from} → ${to}: ${detail}`)
  if (registry) {
    // The files alone cannot tell that v1.3.0 is the staging image; the registry can.
    const tags = status.apps.flatMap((a) => a.environments.flatMap((e) => e.images.map((i) => i.tag)))
    const client = new RegistryClient({ registry: registry.host })
    const digests = await Promise.all(tags.map((tag) => client.manifestDigest(APP_REPO, tag)))
    const same = new Set(digests).size === 1 && digests[0]
    console.log(
      same
        ? `registry ${registry.host}/${APP_REPO}: ${tags.join(', ')} are one image, ${same}`
        : `registry ${registry.host}/${APP_REPO}: ${tags.map((tag, i) => `${tag} → ${digests[i] ?? 'missing'}`).join(', ')}`
    )
  }
} catch (error) {
  if (!(error instanceof StepFailed)) {
    console.error(error?.stack ?? error)
    rows.push({ step: 'demo', result: 'FAILED', pr: '', tag: '', digest: '', ms: 0 })
  }
} finally {
  await hub?.close()
  await registry?.stop()
}

// ── The table ────────────────────────────────────────────────────────────────────────────────
const failed = rows.some((r) => r.result === 'FAILED')
const short = (digest) => (digest ? `${digest.slice(0, 19)}…` : '')
const table = [
  ['step', 'result', 'PR', 'tag', 'digest', 'time'],
  ...rows.map((r) => [r.step, r.result, r.pr, r.tag, short(r.digest), `${(r.ms / 1000).toFixed(1)} s`])
]
const widths = table[0].map((_, i) => Math.max(...table.map((cells) => cells[i].length)))
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
console.log(`\n${line(table[0])}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
for (const cells of table.slice(1)) console.log(line(cells))
// performance.now() counts from the process start, so the total includes loading the modules.
const totalMs = performance.now()
console.log(`\n${failed ? paint(31, 'demo FAILED') : paint(32, 'demo passed')} in ${(totalMs / 1000).toFixed(1)} s`)
if (args.dir) {
  writeFileSync(join(work, 'demo-result.json'), JSON.stringify({ passed: !failed, totalMs, rows }, null, 2) + '\n')
  console.log(`repos kept in ${work} (github/${CONFIG_REPO}.git, app-repo, config-checkout)`)
} else {
  rmSync(work, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
