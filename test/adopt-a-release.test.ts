// Issue 16's "done when": a new user adopts gitops-actions from released artefacts alone. scripts/release.mjs
// cuts a release of this tree into a bare repository that stands for github.com/org/gitops-actions; the
// example app and config repos, as that release tagged them, go to the GitHub API stand-in; then the
// workflows the README tells a user to add run as GitHub's runner would run them (harness/workflow-runner.ts):
// every action comes from a checkout of the commit the released workflows pin, started by its action.yml's
// `runs.main` with INPUT_* and the GITHUB_* files; `run:` scripts run in bash; only third-party actions
// (checkout, the App token, docker, CodeQL) are played by stand-ins. Then the release's packed command line
// reads the result. One slow test: everything is set up and run once in beforeAll, the tests read it back.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { applyRelease, planRelease, type ReleasePlan } from '../scripts/release.mjs'
import { startGitHubStandIn, type GitHubStandIn } from './github-stand-in/index.js'
import { standInOctokit } from './github-stand-in/octokit.js'
import { git } from './harness/git-repo.js'
import { node24, repoRoot } from './harness/run-action.js'
import { checkRuns, WorkflowRunner, type WorkflowRun } from './harness/workflow-runner.js'

const PUBLISHED = 'org/gitops-actions'
const APP_REPO = 'org/myapp'
const CONFIG_REPO = 'org/config-repo'
const WORKFLOW_TOKEN = 'ghs_workflow_token'
const APP_TOKEN = 'ghs_gitops_app_token'
/** The repository settings the README asks for: the GitHub App's client ID and private key. */
const VARS = { GITOPS_APP_CLIENT_ID: 'Iv23liGitOpsApp' }
const SECRETS = { GITOPS_APP_PRIVATE_KEY: 'the App private key (a stand-in)' }

const version: string = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version
const tag = `v${version}`

let work: string
let published: string
let plan: ReleasePlan
let hub: GitHubStandIn
let runner: WorkflowRunner
const tokensMade: Array<Record<string, string>> = []
const built: Array<Record<string, string>> = []
let appCi: WorkflowRun
let checks: WorkflowRun
let promote: WorkflowRun
let protection: WorkflowRun
let appSha: string
let cli: { version: string; status: any }

/** Files of the published repository at `ref` (`paths` and what is under them), as a user downloads them. */
function extract(ref: string, paths: string[], to: string, stripComponents = 0): string {
  mkdirSync(to, { recursive: true })
  const archive = spawnSync('git', ['--git-dir', published, 'archive', ref, ...paths], { maxBuffer: 1 << 30 })
  execFileSync('tar', ['-x', '-C', to, `--strip-components=${stripComponents}`], { input: archive.stdout })
  return to
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'adopt-release-'))

  // ── The maintainers: a clone of this tree (as committed in CI; here with the working tree's changes) ──
  const source = join(work, 'gitops-actions')
  git(work, 'clone', '-q', '--shared', repoRoot, source)
  for (const file of git(repoRoot, 'ls-files', '-m', '-o', '--exclude-standard').split('\n').filter(Boolean)) {
    const from = join(repoRoot, file)
    if (!existsSync(from)) rmSync(join(source, file), { force: true })
    else if (!statSync(from).isDirectory()) {
      mkdirSync(dirname(join(source, file)), { recursive: true })
      cpSync(from, join(source, file))
    }
  }
  git(source, 'add', '-A')
  if (git(source, 'status', '--porcelain')) git(source, 'commit', '-q', '-m', 'the working tree')
  git(source, 'checkout', '-q', '-B', 'main')
  for (const old of git(source, 'tag', '--list').split('\n').filter(Boolean)) git(source, 'tag', '-d', old)
  // The published repository (github.com/org/gitops-actions): main as the maintainers pushed it.
  published = join(work, 'github.com', `${PUBLISHED}.git`)
  git(work, 'clone', '-q', '--bare', '--shared', source, published)
  git(source, 'remote', 'set-url', 'origin', published)
  // The release script's own checks, less the rebuild of every bundle (minutes): test/dist-fresh.test.ts
  // proves this tree's dist/ is what the sources build, and release.test.ts that the release refuses a stale one.
  plan = planRelease(source, { runningIn: PUBLISHED, staleOutputs: () => [] })
  applyRelease(source, plan, { push: true, remote: 'origin' })

  // ── The user's organisation: the example repos of that release on the GitHub API stand-in ──
  hub = await startGitHubStandIn({
    repos: [
      { name: APP_REPO, fromDir: extract(tag, ['examples/app-repo'], join(work, 'app-repo'), 2) },
      { name: CONFIG_REPO, fromDir: extract(tag, ['examples/config-repo'], join(work, 'config-repo'), 2) }
    ],
    tokens: { [WORKFLOW_TOKEN]: 'github-actions[bot]', [APP_TOKEN]: 'gitops-bot[bot]' },
    logViolations: false
  })
  const github = standInOctokit(hub, { token: APP_TOKEN })
  runner = new WorkflowRunner({
    actions: { repository: PUBLISHED, gitDir: published },
    api: { url: hub.url, token: WORKFLOW_TOKEN },
    env: { GITOPS_ACTIONS_WRITE_INTERVAL_MS: '0', GITOPS_ACTIONS_RETRY_BASE_MS: '10' },
    work,
    standIns: {
      // A full clone of the repository the workflow runs in, at the commit it runs for.
      'actions/checkout': ({ workspace, github: context }) => {
        git(workspace, 'clone', '-q', hub.repoDir(context.repository), '.')
        git(workspace, 'checkout', '-q', '--detach', context.sha)
      },
      'actions/create-github-app-token': ({ with: inputs }) => {
        tokensMade.push(inputs)
        return { token: APP_TOKEN }
      },
      'docker/setup-buildx-action': () => {},
      'docker/login-action': () => {},
      'docker/build-push-action': ({ with: inputs }) => {
        built.push(inputs)
        return { digest: '' }
      },
      'github/codeql-action/upload-sarif': () => {}
    }
  })
  const readRepo = (repository: string, ref: string, path: string) =>
    execFileSync('git', ['--git-dir', hub.repoDir(repository), 'show', `${ref}:${path}`], { encoding: 'utf8' })

  // The protection workflow, by hand once (workflow_dispatch): main's rules from gitops.yaml.
  const configMain = await hub.branchHead(CONFIG_REPO, 'main')
  protection = await runner.run(readRepo(CONFIG_REPO, 'main', '.github/workflows/protection.yml'), {
    repository: CONFIG_REPO,
    event: 'workflow_dispatch',
    ref: 'refs/heads/main',
    sha: configMain!,
    vars: VARS,
    secrets: SECRETS
  })

  // ── A developer pushes a feature to the app repo's main: its CI (app-ci.yml of the release) ──
  const app = join(work, 'app-clone')
  git(work, 'clone', '-q', hub.repoDir(APP_REPO), app)
  git(app, 'commit', '-q', '--allow-empty', '-m', 'feat: greet by name')
  git(app, 'push', '-q', 'origin', 'main')
  appSha = git(app, 'rev-parse', 'HEAD')
  appCi = await runner.run(readRepo(APP_REPO, 'main', '.github/workflows/ci.yml'), {
    repository: APP_REPO,
    event: 'push',
    ref: 'refs/heads/main',
    sha: appSha,
    vars: VARS,
    secrets: SECRETS,
    // The app's own build, tests, lint and CodeQL: nothing of ours runs there.
    notRun: {
      'build-test-pipeline': 'npm ci && npm test of the app',
      'code-quality-check': 'the app’s lint',
      'security-scan': 'CodeQL'
    }
  })

  // ── The config repo's checks on the auto-deploy pull request, then its merge ──
  const [deploy] = await hub.pulls(CONFIG_REPO)
  const base = (await hub.branchHead(CONFIG_REPO, 'main'))!
  checks = await runner.run(readRepo(CONFIG_REPO, 'main', '.github/workflows/checks.yml'), {
    repository: CONFIG_REPO,
    event: 'pull_request',
    ref: `refs/pull/${deploy!.number}/merge`,
    sha: deploy!.headSha!,
    payload: {
      number: deploy!.number,
      pull_request: {
        number: deploy!.number,
        base: { ref: 'main', sha: base },
        head: { ref: deploy!.head, sha: deploy!.headSha!, repo: { full_name: CONFIG_REPO } }
      }
    },
    vars: VARS,
    secrets: SECRETS
  })
  // GitHub reports each job as a check named `<calling job> / <job>`: the names gitops.yaml requires.
  for (const check of checkRuns(checks)) {
    await github.rest.repos.createCommitStatus({
      owner: 'org',
      repo: 'config-repo',
      sha: deploy!.headSha!,
      context: check.name,
      state: check.result === 'success' ? 'success' : 'failure'
    })
  }
  // The dev PR merges itself once the checks pass (auto-merge), else a reviewer merges it.
  if (!(await hub.pulls(CONFIG_REPO))[0]!.merged)
    await github.rest.pulls.merge({ owner: 'org', repo: 'config-repo', pull_number: deploy!.number, merge_method: 'squash' })
  // Flux applies main to dev and reports it healthy, as notification-controller posts it.
  const merged = (await hub.branchHead(CONFIG_REPO, 'main'))!
  await github.rest.repos.createCommitStatus({
    owner: 'org',
    repo: 'config-repo',
    sha: merged,
    context: 'kustomization/myapp-dev/5ac9cbd2',
    state: 'success',
    description: 'Health check passed'
  })

  // ── Someone promotes dev → staging from the Actions tab (promote.yml) ──
  promote = await runner.run(readRepo(CONFIG_REPO, 'main', '.github/workflows/promote.yml'), {
    repository: CONFIG_REPO,
    event: 'workflow_dispatch',
    ref: 'refs/heads/main',
    sha: merged,
    inputs: { app: 'myapp', from: 'dev', to: 'staging' },
    vars: VARS,
    secrets: SECRETS
  })

  // ── The release's command line, packed from the tagged tree and unpacked: where everything stands ──
  const tagged = extract(
    tag,
    ['package.json', 'LICENSE', 'scripts/pack-cli.mjs', 'scripts/lib', 'packages/cli/bin', 'dist/cli'],
    join(work, 'tagged')
  )
  const tarball = execFileSync(process.execPath, [join(tagged, 'scripts', 'pack-cli.mjs'), '--out', join(work, 'pack')], {
    encoding: 'utf8'
  }).trim()
  execFileSync('tar', ['-xzf', tarball, '-C', join(work, 'pack')])
  const bin = join(work, 'pack', 'package', 'bin', 'gitops-actions.js')
  const config = join(work, 'config-clone')
  git(work, 'clone', '-q', hub.repoDir(CONFIG_REPO), config)
  const status = spawnSync(node24, [bin, 'status', '--json', config], { encoding: 'utf8' })
  cli = {
    version: execFileSync(node24, [bin, '--version'], { encoding: 'utf8' }).trim(),
    status: status.status === 0 ? JSON.parse(status.stdout) : { failed: status.stderr }
  }
}, 180_000)

afterAll(async () => {
  await hub?.close()
  rmSync(work, { recursive: true, force: true })
})

/** The steps of a run that were our actions, with the bundle each started. */
const ours = (run: WorkflowRun) => run.steps.filter((s) => s.kind === 'ours')
const failures = (run: WorkflowRun) => run.steps.filter((s) => s.outcome === 'failure').map((s) => `${s.job}/${s.step}: ${s.log}`)

describe('adopting a release: the README’s workflows, run from released artefacts only', () => {
  test('scripts/release.mjs tagged the release and moved the major tag; its workflows run the released commit’s actions', () => {
    const tags = git(published, 'tag', '--list').split('\n').sort()
    expect(tags).toEqual([plan.major, tag].filter(Boolean).sort())
    // Every action step ran the bundle of a checkout of the commit the release pins, not a working tree.
    const entries = [protection, appCi, checks, promote].flatMap(ours).map((s) => s.entry!)
    expect(entries.length).toBe(1 + 2 + 5 + 1)
    for (const entry of entries) expect(entry).toMatch(new RegExp(`/actions/${plan.commit}/dist/[a-z-]+/index\\.js$`))
  })

  test('the protection workflow applied gitops.yaml’s rules to the config repo', () => {
    expect(failures(protection)).toEqual([])
    expect(ours(protection).map((s) => s.uses)).toEqual([`${PUBLISHED}/apply-protection@${plan.commit}`])
    expect(hub.rulesets(CONFIG_REPO).length).toBe(1)
  })

  test('app CI on a push to main: compute-tag tags the build, open-promotion-pr opens the auto-deploy PR', async () => {
    expect(failures(appCi)).toEqual([])
    expect(ours(appCi).map((s) => s.step)).toEqual(['tag', 'pr'])
    // compute-tag's tags went to docker/build-push-action; the config repo's dev convention (sha-<hex>) is one of them.
    const devTag = `sha-${appSha.slice(0, 7)}`
    expect(appCi.jobs.ci!.outputs.tag).toMatch(new RegExp(`^myapp-${appSha.slice(0, 7)}-\\d{8}-\\d{6}$`))
    expect(built.map((b) => b.push)).toEqual(['true'])
    expect(built[0]!.tags!.split('\n')).toEqual(
      expect.arrayContaining([`ghcr.io/org/myapp:${appCi.jobs.ci!.outputs.tag}`, `ghcr.io/org/myapp:${devTag}`])
    )
    expect(built[0]!.labels).toContain(`org.opencontainers.image.revision=${appSha}`)
    expect(tokensMade[1]).toMatchObject({ 'client-id': VARS.GITOPS_APP_CLIENT_ID, owner: 'org', repositories: 'config-repo' })
    const [deploy] = await hub.pulls(CONFIG_REPO)
    expect(deploy).toMatchObject({ title: `deploy: myapp ${devTag} to dev`, merged: true, user: 'gitops-bot[bot]' })
  })

  test('the config repo’s five required checks ran on the PR and passed; with them reported, it merged', () => {
    expect(failures(checks)).toEqual([])
    expect(checkRuns(checks)).toEqual([
      { name: 'checks / kustomize-validate', result: 'success' },
      { name: 'checks / security-policy-check', result: 'success' },
      { name: 'checks / quota-validation', result: 'success' },
      { name: 'checks / flux-sync-validation', result: 'success' },
      { name: 'checks / codeowners-check', result: 'success' }
    ])
  })

  test('promote.yml, run by hand, opens the dev → staging pull request', async () => {
    expect(failures(promote)).toEqual([])
    const pulls = await hub.pulls(CONFIG_REPO)
    expect(pulls.map((p) => p.title)).toEqual([
      `deploy: myapp sha-${appSha.slice(0, 7)} to dev`,
      `Promote myapp myapp-staging-${appSha.slice(0, 7)} to staging`
    ])
    expect(promote.jobs.promote!.outputs['pr-url']).toBe(`${hub.url}/${CONFIG_REPO}/pull/2`)
  })

  test('the packed command line of the release knows its version and where each environment stands', () => {
    expect(cli.version).toBe(version)
    const dev = cli.status.apps[0].environments.find((e: any) => e.environment === 'dev')
    expect(dev.images.map((i: any) => i.tag)).toEqual([`sha-${appSha.slice(0, 7)}`])
  })

  test('a template copied into .github/workflows/ starts only with $default-branch replaced, as the README says', () => {
    const template = runner.readPublished(tag, 'workflows-templates/config-repo-checks.yml')
    expect(runner.startsOn(template, 'pull_request', 'main')).toBe(false)
    expect(runner.startsOn(template.replaceAll('$default-branch', 'main'), 'pull_request', 'main')).toBe(true)
  })

  test('every request to the GitHub API stand-in kept to GitHub’s description', () => {
    expect(hub.violations).toEqual([])
  })
})
