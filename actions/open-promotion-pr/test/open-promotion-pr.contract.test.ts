import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { configFixture } from '../../../packages/operations/test/config-fixture.js'
import { fluxReports } from '../../../packages/operations/test/flux-reports.js'
import { startGitHubStandIn, type GitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { promotionCommitMessage } from '@gitops-actions/core'
import { commandsTheRunnerRuns, WORKFLOW_COMMAND_LINES } from '../../../test/harness/hostile-input.js'
import { runAction } from '../../../test/harness/run-action.js'

// The bundle started as the runner starts it (Node 24, INPUT_*, GITHUB_OUTPUT, …) against the
// GitHub stand-in: outputs, summary, exit codes, one ::error per bad input, nothing written then.

const CONFIG = 'org/config-repo'
/** A config repo of its own (and an organisation with a team) for create-pull-request's inputs. */
const INPUTS_CONFIG = 'acme/config-repo'
/** A config repo of its own for delete-branch against a promotion written at the same time. */
const RACE_CONFIG = 'acme/promotions'
let hub: GitHubStandIn
let env: Record<string, string>

beforeAll(async () => {
  hub = await startGitHubStandIn({
    repos: [
      { name: CONFIG, fromDir: configFixture([]) },
      { name: INPUTS_CONFIG, fromDir: configFixture([]) },
      { name: RACE_CONFIG, fromDir: configFixture([]) }
    ],
    teams: { 'acme/platform': ['alice'] },
    logViolations: true
  })
  env = {
    GITHUB_API_URL: hub.url,
    GITHUB_SERVER_URL: hub.url,
    GITHUB_REPOSITORY: 'org/app-repo',
    GITHUB_SHA: '1234567890abcdef1234567890abcdef12345678',
    // The stand-in has no rate limits to respect: no spacing of writes, fast back-off.
    GITOPS_ACTIONS_WRITE_INTERVAL_MS: '0',
    GITOPS_ACTIONS_RETRY_BASE_MS: '10'
  }
})

afterAll(async () => {
  expect(hub?.violations).toEqual([])
  await hub?.close()
})

const base = () => ({ mode: 'auto-deploy', app: 'myapp', repository: CONFIG, token: hub.token, 'request-reviews': 'true' })

describe('open-promotion-pr bundle, started as the runner starts it', { timeout: 180_000 }, () => {
  test('auto-deploy: outputs, json, summary; the same run again is unchanged', async () => {
    const run = await runAction('open-promotion-pr', { env, inputs: { ...base(), tag: 'myapp-1234567-20260105-100000' } })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      operation: 'created',
      'pr-number': '1',
      'pr-url': `${hub.url}/org/config-repo/pull/1`,
      branch: 'auto-deploy/myapp-sha-1234567',
      tag: 'sha-1234567',
      'previous-tag': 'sha-abc123d',
      'superseded-prs': ''
    })
    expect(run.outputs['commit-sha']).toMatch(/^[0-9a-f]{40}$/)
    expect(run.json).toMatchObject({
      operation: 'created',
      gate: { proof: 'new-build' },
      files: ['apps/myapp/overlays/dev/kustomization.yaml']
    })
    expect(run.summary).toContain('### open-promotion-pr: myapp to dev')
    expect(run.summary).toContain('| created | (new build) | dev | sha-abc123d | sha-1234567 |')
    // The token reaches the log only in the runner's mask command.
    expect(run.stdout.split('\n').filter((line) => line.includes(hub.token) && !line.startsWith('::add-mask::'))).toEqual([])
    const [pr] = await hub.pulls(CONFIG)
    expect(pr!.body).toContain('[app-repo@1234567](') // the app commit is linked

    const again = await runAction('open-promotion-pr', { env, inputs: { ...base(), tag: 'myapp-1234567-20260105-100000' } })
    expect(again.exitCode).toBe(0)
    expect(again.outputs).toMatchObject({ operation: 'unchanged', 'pr-number': '1', 'commit-sha': run.outputs['commit-sha'] })
    expect(await hub.pulls(CONFIG)).toHaveLength(1)
  })

  test('dry-run prints the plan and both diffs and writes nothing', async () => {
    const seen = hub.traffic.length
    const run = await runAction('open-promotion-pr', { env, inputs: { ...base(), tag: 'sha-7654321', 'dry-run': 'true' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ operation: 'created', 'pr-number': '', branch: 'auto-deploy/myapp-sha-7654321' })
    expect(run.stdout).toContain('Dry run: myapp sha-7654321 → dev would be created on auto-deploy/myapp-sha-7654321. Nothing was written.')
    expect(run.stdout).toContain('+  newTag: "sha-7654321"')
    expect(run.stdout).toContain('+        image: ghcr.io/org/myapp:sha-7654321')
    expect(hub.traffic.slice(seen).filter((t) => t.method !== 'GET')).toEqual([])
  })

  test.each([
    [{ mode: 'deploy' }, /Input 'mode': 'deploy' is not valid. Valid values are: auto-deploy, promote/],
    [{ app: 'My_App' }, /Input 'app': 'My_App' is not a valid app name/],
    [{ to: 'qa' }, /Input 'to': unknown environment 'qa'. Environments in gitops.yaml, in order: dev, staging, prod/],
    [{ mode: 'promote', from: 'dev', to: 'prod' }, /skips 'staging'.*allow-skip: true/],
    [{ mode: 'promote', to: 'staging', tag: 'sha-fff0000' }, /promotion gate refuses myapp sha-fff0000 for staging: dev runs sha-abc123d/],
    [{ tag: '' }, /Input 'tag': required for auto-deploys/],
    [{ tag: 'latest' }, /latest/],
    [{ 'registry-image': 'ghcr.io/org/myapp:v1' }, /Input 'registry-image'.*without tag/],
    [{ 'head-statuses': 'kustomize-validate=green' }, /Input 'head-statuses': 'kustomize-validate=green' is not context=state/],
    [{ repository: 'not a repo' }, /Input 'repository': 'not a repo' is not a repository/],
    [{ base: 'release' }, /Input 'base': org\/config-repo has no branch 'release'/],
    [{ 'commit-mode': 'git' }, /commit-mode.*'working-directory'/],
    [{ 'commit-mode': 'git', 'working-directory': '../outside' }, /Input 'working-directory': '\.\.\/outside' leads out of the workspace/],
    [{ 'commit-mode': 'git', 'working-directory': '/etc' }, /Input 'working-directory': .*leads out of the workspace/]
  ])('bad input %j: one ::error, exit 1, nothing written', async (inputs, message) => {
    const seen = hub.traffic.length
    const run = await runAction('open-promotion-pr', { env, inputs: { ...base(), tag: 'sha-1111111', ...inputs } })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(message)
    expect(errors[0]!.message).not.toMatch(/bug in gitops-actions|\n\s+at /)
    expect(hub.traffic.slice(seen).filter((t) => t.method !== 'GET')).toEqual([])
    expect(run.outputs.operation).toBeUndefined()
  })
  test('dry-run: workflow commands in the config repo reach the log inert (issue 20)', async () => {
    const hostile = 'org/hostile-config'
    const fixture = configFixture([])
    const overlay = join(fixture, 'apps/myapp/overlays/dev/kustomization.yaml')
    const block = WORKFLOW_COMMAND_LINES.map((line) => `    ${line}`).join('\n')
    writeFileSync(overlay, `${readFileSync(overlay, 'utf8')}commonAnnotations:\n  note: |2\n${block}\n`)
    await hub.createRepo(hostile, { fromDir: fixture })
    const run = await runAction('open-promotion-pr', {
      env,
      inputs: { ...base(), repository: hostile, tag: 'sha-7654321', 'dry-run': 'true' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('      ::error file=apps/x.yaml,line=1::injected annotation')
    expect(commandsTheRunnerRuns(run.stdout).filter((c) => c.line.includes('injected') || c.line.includes('hidden'))).toEqual([])
  })

  // GitHub places an annotation by its path from the workspace root: with commit-mode git the config
  // repo is a checkout at working-directory, so a mistake in its files is named from there. path is
  // working-directory's name in 1.0: it still works, with one warning.
  test.each([
    ['working-directory', []],
    ['path', ["Input 'path' is deprecated: write 'working-directory' instead (it means the same)."]]
  ])('commit-mode git: a mistake in the checkout at %s is annotated at its directory/file:line', async (input, warnings) => {
    const broken = `org/broken-config-${input}`
    const fixture = configFixture([])
    writeFileSync(join(fixture, 'gitops.yaml'), 'version: 1\nenvironments:\n  - name: dev\n    namespace: [\n')
    await hub.createRepo(broken, { fromDir: fixture })
    const workspace = mkdtempSync(join(tmpdir(), 'promotion-ws-'))
    execFileSync('git', ['clone', '-q', `file://${hub.repoDir(broken)}`, join(workspace, 'config')])
    const seen = hub.traffic.length
    const run = await runAction('open-promotion-pr', {
      env,
      workspace,
      inputs: { ...base(), repository: broken, tag: 'sha-1111111', 'commit-mode': 'git', [input]: 'config' }
    })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(run.annotations.filter((a) => a.level === 'warning' && /deprecated/.test(a.message)).map((a) => a.message)).toEqual(warnings)
    expect(errors[0]!.properties).toMatchObject({ file: 'config/gitops.yaml', line: expect.stringMatching(/^\d+$/) })
    expect(errors[0]!.message).toContain(`config/gitops.yaml:${errors[0]!.properties.line}`)
    expect(hub.traffic.slice(seen).filter((t) => t.method !== 'GET')).toEqual([])
  })

  test('GitHub faults reach the log as what they are: a refused write names the permission, an optional call failing after the PR is a warning', async () => {
    try {
      hub.inject({ route: 'pulls/create', times: Infinity, fault: { kind: 'status', status: 403 } })
      const refused = await runAction('open-promotion-pr', { env, inputs: { ...base(), tag: 'sha-4030403' } })
      expect(refused.exitCode).toBe(1)
      const errors = refused.annotations.filter((a) => a.level === 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]!.message).toMatch(
        /^open-promotion-pr: The token may not do POST \/repos\/org\/config-repo\/pulls \(403: .*\)\. It needs pull-requests: write/
      )
      expect(refused.stdout).not.toMatch(/bug in gitops-actions|\n\s+at /)
      hub.clearFaults()

      hub.inject({ route: 'issues/add-labels', times: Infinity, fault: { kind: 'status', status: 503 } })
      const labelled = await runAction('open-promotion-pr', { env, inputs: { ...base(), tag: 'sha-5030503', labels: 'promotion' } })
      expect(labelled.exitCode).toBe(0)
      expect(labelled.outputs).toMatchObject({ 'pull-request-operation': 'created', 'pull-request-number': expect.stringMatching(/^\d+$/) })
      // Among the warnings (this harness's app repo does not exist, so no changelog either): the labels, with the PR reported.
      expect(labelled.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toContainEqual(
        expect.stringMatching(/^Adding the labels promotion.* failed, the pull request #\d+ is open all the same: GitHub answered 503/)
      )
      expect(labelled.annotations.filter((a) => a.level === 'error')).toEqual([])
    } finally {
      hub.clearFaults()
    }
  })

  test("create-pull-request's inputs and outputs: title, labels, reviewers, team-reviewers, delete-branch; pull-request-*", async () => {
    const inputs = {
      ...base(),
      repository: INPUTS_CONFIG,
      'request-reviews': 'false',
      tag: 'myapp-7654321-20260105-100000',
      title: '{app}: {tag} to {to}',
      labels: 'team:web, urgent',
      reviewers: '@alice',
      'team-reviewers': 'acme/platform'
    }
    const run = await runAction('open-promotion-pr', { env, inputs })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      'pull-request-number': '1',
      'pull-request-url': `${hub.url}/acme/config-repo/pull/1`,
      'pull-request-operation': 'created',
      'pull-request-branch': 'auto-deploy/myapp-sha-7654321',
      'pull-request-head-sha': run.outputs['commit-sha'],
      'pr-number': '1',
      operation: 'created'
    })
    const [pr] = await hub.pulls(INPUTS_CONFIG)
    expect(pr).toMatchObject({ title: 'myapp: sha-7654321 to dev', requestedReviewers: ['alice'], requestedTeams: ['platform'] })
    expect(pr!.labels).toEqual(expect.arrayContaining(['promotion', 'env:dev', 'team:web', 'urgent']))

    const again = await runAction('open-promotion-pr', { env, inputs })
    expect(again.outputs).toMatchObject({ 'pull-request-operation': 'none', operation: 'unchanged', 'pull-request-number': '1' })

    // Merged by hand, its branch left behind: delete-branch removes it on the next run, as create-pull-request does.
    const merged = await fetch(`${hub.url}/repos/${INPUTS_CONFIG}/pulls/1/merge`, {
      method: 'PUT',
      headers: { authorization: `token ${hub.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merge_method: 'squash' })
    })
    expect(merged.status).toBe(200)
    expect(await hub.branchHead(INPUTS_CONFIG, 'auto-deploy/myapp-sha-7654321')).toBeDefined()
    const cleaned = await runAction('open-promotion-pr', { env, inputs: { ...inputs, 'delete-branch': 'true' } })
    expect(cleaned.exitCode).toBe(0)
    expect(cleaned.outputs).toMatchObject({ operation: 'unchanged', 'pull-request-operation': 'none' })
    expect(cleaned.json).toMatchObject({ branchDeleted: true })
    expect(await hub.branchHead(INPUTS_CONFIG, 'auto-deploy/myapp-sha-7654321')).toBeUndefined()

    const before = hub.traffic.length
    const bad = await runAction('open-promotion-pr', { env, inputs: { ...inputs, 'team-reviewers': 'platform team' } })
    expect(bad.exitCode).toBe(1)
    expect(bad.stdout).toContain(
      "::error title=open-promotion-pr::open-promotion-pr: Input 'team-reviewers': 'platform team' is not a team slug (e.g. platform or org/platform)"
    )
    expect(hub.traffic.slice(before).filter((t) => t.method !== 'GET')).toEqual([])
    const otherOrg = await runAction('open-promotion-pr', { env, inputs: { ...inputs, 'team-reviewers': 'org/platform' } })
    expect(otherOrg.exitCode).toBe(1)
    expect(otherOrg.stdout).toContain(
      "Input 'team-reviewers': 'org/platform' is a team of org: GitHub requests reviews only from teams of the repository's organization (acme)"
    )
  })

  test('delete-branch removes only a branch whose promotion already runs: a newer one written there at the same time stays', async () => {
    const github = standInOctokit(hub)
    const [owner, repo] = RACE_CONFIG.split('/') as [string, string]
    const deploy = { ...base(), repository: RACE_CONFIG, tag: 'myapp-7654321-20260105-100000', 'request-reviews': 'false' }
    const dev = await runAction('open-promotion-pr', { env, inputs: deploy })
    expect(dev.exitCode, dev.stdout).toBe(0)
    await github.rest.pulls.merge({ owner, repo, pull_number: Number(dev.outputs['pull-request-number']), merge_method: 'squash' })
    // Flux reports dev healthy on the merge: promotions out of dev need it (examples/config-repo/gitops.yaml).
    await fluxReports(hub, github, { repository: RACE_CONFIG, app: 'myapp', env: 'dev', state: 'success' })

    const promote = { ...base(), repository: RACE_CONFIG, mode: 'promote', to: 'staging', 'request-reviews': 'false' }
    const first = await runAction('open-promotion-pr', { env, inputs: promote })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.outputs).toMatchObject({ 'pull-request-operation': 'created', 'pull-request-branch': 'promote/myapp-to-staging' })
    const running = first.outputs.tag!
    await github.rest.pulls.merge({ owner, repo, pull_number: Number(first.outputs['pull-request-number']), merge_method: 'squash' })

    // Another run writes a newer promotion on the same branch and opens its pull request.
    const branch = 'promote/myapp-to-staging'
    const { data: ref } = await github.rest.git.getRef({ owner, repo, ref: `heads/${branch}` })
    const { data: parent } = await github.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha })
    const marker = {
      app: 'myapp',
      env: 'staging',
      tag: 'myapp-staging-89abcde',
      mode: 'promote' as const,
      requestedAt: '2030-01-01T00:00:00Z'
    }
    const { data: newer } = await github.rest.git.createCommit({
      owner,
      repo,
      tree: parent.tree.sha,
      parents: [parent.sha],
      message: promotionCommitMessage('promote: myapp myapp-staging-89abcde to staging', marker, 'A newer promotion.')
    })
    await github.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: newer.sha })
    const { data: open } = await github.rest.pulls.create({
      owner,
      repo,
      head: branch,
      base: 'main',
      title: 'Promote myapp myapp-staging-89abcde to staging'
    })

    const again = await runAction('open-promotion-pr', { env, inputs: { ...promote, 'delete-branch': 'true' } })
    expect(again.exitCode, again.stdout).toBe(0)
    expect(again.outputs).toMatchObject({ operation: 'unchanged', 'pull-request-operation': 'none', tag: running })
    expect(await hub.branchHead(RACE_CONFIG, branch)).toBe(newer.sha)
    expect((await hub.pulls(RACE_CONFIG)).find((p) => p.number === open.number)?.state).toBe('open')

    // The branch back at the promotion that runs now: nothing left to change, so it goes, and its pull request is closed.
    await github.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: parent.sha, force: true })
    const stale = await runAction('open-promotion-pr', { env, inputs: { ...promote, 'delete-branch': 'true' } })
    expect(stale.outputs).toMatchObject({
      operation: 'unchanged',
      'pull-request-operation': 'closed',
      'pull-request-number': String(open.number)
    })
    expect(await hub.branchHead(RACE_CONFIG, branch)).toBeUndefined()
    expect((await hub.pulls(RACE_CONFIG)).find((p) => p.number === open.number)?.state).toBe('closed')
  })
})
