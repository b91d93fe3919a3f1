import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startGitHubStandIn, type GitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { runAction } from '../../../test/harness/run-action.js'

// The bundle started as the runner starts it (Node 24, INPUT_*, GITHUB_OUTPUT, …) against the
// GitHub stand-in, whose traffic is checked against GitHub's OpenAPI description.

const TOKEN = 'ghs_applyProtectionToken0123456789abc'
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
let hub: GitHubStandIn
let env: Record<string, string>
let workspace: string
const runs: Array<Awaited<ReturnType<typeof runAction>>> = []

beforeAll(async () => {
  hub = await startGitHubStandIn({
    repos: ['org/config-repo', 'org/legacy', 'org/locked'].map((name) => ({ name, files: { 'README.md': `# ${name}\n` } })),
    tokens: { [TOKEN]: 'gitops-bot[bot]' },
    teams: { 'org/platform-team': ['alice'] },
    logViolations: true
  })
  workspace = mkdtempSync(join(tmpdir(), 'apply-protection-'))
  writeFileSync(
    join(workspace, 'gitops.yaml'),
    'version: 1\nprotection:\n  config:\n    requiredApprovals: 2\n    bypass:\n      - team: platform-team\n'
  )
  env = {
    GITHUB_API_URL: hub.url,
    GITHUB_REPOSITORY: 'org/config-repo',
    GITOPS_ACTIONS_WRITE_INTERVAL_MS: '0',
    GITOPS_ACTIONS_RETRY_BASE_MS: '10'
  }
})

afterAll(async () => {
  // The token reaches GitHub and nothing else: no output, summary or log line carries it, except
  // the runner's own ::add-mask:: command.
  for (const run of runs) {
    const logged = [...run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')), run.stderr, run.summary]
    expect([...logged, ...Object.values(run.outputs)].join('\n')).not.toContain(TOKEN)
  }
  expect(hub?.violations).toEqual([])
  await hub?.close()
})

async function protect(inputs: Record<string, string> = {}) {
  const run = await runAction('apply-protection', { env, workspace, inputs: { token: TOKEN, kind: 'config', ...inputs } })
  runs.push(run)
  return run
}
const writesSince = (seen: number) => hub.traffic.slice(seen).filter((t) => WRITES.has(t.method))
const errorsOf = (run: Awaited<ReturnType<typeof runAction>>) => run.annotations.filter((a) => a.level === 'error').map((a) => a.message)

describe('apply-protection bundle, started as the runner starts it', { timeout: 120_000 }, () => {
  test('dry run writes nothing; apply creates the ruleset; the second apply writes nothing; drift fails with fail-on-drift', async () => {
    let seen = hub.traffic.length
    const dry = await protect({ 'dry-run': 'true' })
    expect(dry.stderr).toBe('')
    expect(dry.exitCode).toBe(0)
    expect(Number(dry.outputs.changed)).toBeGreaterThan(0)
    expect(dry.outputs.method).toBe('ruleset')
    expect(dry.json).toMatchObject({ repository: 'org/config-repo', kind: 'config', dryRun: true, applied: false, drifted: true })
    expect(dry.stdout).toContain('org/config-repo main: the repository ruleset would change')
    expect(dry.summary).toContain('| setting | now | wanted |')
    expect(dry.summary).toContain('| `rules.pull_request.required_approving_review_count` | `null` | `2` |')
    expect(writesSince(seen)).toEqual([])

    seen = hub.traffic.length
    const applied = await protect()
    expect(applied.exitCode).toBe(0)
    expect(applied.outputs).toMatchObject({ changed: dry.outputs.changed, method: 'ruleset' })
    expect(applied.json).toMatchObject({ applied: true, drifted: false, configFile: 'gitops.yaml' })
    expect(writesSince(seen).map((t) => t.operationId)).toEqual(['repos/create-repo-ruleset'])
    expect(applied.summary).toContain(`**${dry.outputs.changed} setting(s) changed** to match gitops.yaml.`)

    seen = hub.traffic.length
    const again = await protect({ 'fail-on-drift': 'true' })
    expect(again.exitCode).toBe(0)
    expect(again.outputs.changed).toBe('0')
    expect(again.summary).toContain('Every setting matches gitops.yaml; nothing changed.')
    expect(writesSince(seen)).toEqual([])

    // Someone lowers the approvals by hand in the settings page.
    const github = standInOctokit(hub, { token: TOKEN })
    const [{ id }] = (await github.request('GET /repos/{owner}/{repo}/rulesets', { owner: 'org', repo: 'config-repo' })).data as [
      { id: number }
    ]
    const { data: live } = await github.request('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', {
      owner: 'org',
      repo: 'config-repo',
      ruleset_id: id
    })
    const rules = live.rules!.map((rule: any) =>
      rule.type === 'pull_request' ? { ...rule, parameters: { ...rule.parameters, required_approving_review_count: 1 } } : rule
    )
    const { name, target, enforcement, conditions, bypass_actors } = live
    await github.request('PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}', {
      owner: 'org',
      repo: 'config-repo',
      ruleset_id: id,
      ...{ name, target, enforcement, conditions, bypass_actors },
      rules
    } as any)

    seen = hub.traffic.length
    const drift = await protect({ 'dry-run': 'true', 'fail-on-drift': 'true' })
    expect(drift.exitCode).toBe(1)
    expect(errorsOf(drift)).toEqual([
      'apply-protection: org/config-repo main differs from gitops.yaml in 1 setting(s) (fail-on-drift); see the job summary, and run without dry-run to apply gitops.yaml'
    ])
    expect(drift.outputs).toMatchObject({ changed: '1', method: 'ruleset' })
    expect(drift.summary).toContain('| `rules.pull_request.required_approving_review_count` | `1` | `2` |')
    expect(writesSince(seen)).toEqual([])
  })

  test('classic branch protection where the server has no rulesets API, with a warning', async () => {
    const noRulesets = hub.inject({ route: 'repos/get-repo-rulesets', times: Infinity, fault: { kind: 'status', status: 404 } })
    try {
      const run = await protect({ repository: 'org/legacy' })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.method).toBe('classic')
      expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
        'Using classic branch protection: the server has no repository rulesets API (404).'
      ])
      expect(hub.branchProtection('org/legacy', 'main')).toMatchObject({
        required_pull_request_reviews: { required_approving_review_count: 2, require_code_owner_reviews: true }
      })
    } finally {
      noRulesets.remove()
    }
  })

  test('a token without Administration: write (403): one ::error naming the permission, nothing written', async () => {
    const refused = hub.inject({ route: 'repos/create-repo-ruleset', fault: { kind: 'status', status: 403 } })
    const seen = hub.traffic.length
    const run = await protect({ repository: 'org/locked' })
    expect(run.exitCode).toBe(1)
    expect(errorsOf(run)).toEqual([
      "apply-protection: GitHub refused POST /repos/org/locked/rulesets (403 Resource not accessible by integration): the token needs the Administration: write permission on org/locked (a fine-grained token or a GitHub App; a workflow's GITHUB_TOKEN cannot change branch protection)"
    ])
    expect(refused.fired).toBe(1)
    expect(writesSince(seen).filter((t) => t.status < 300)).toEqual([])
    expect(hub.rulesets('org/locked')).toEqual([])
    expect(run.outputs.changed).toBeUndefined()
  })

  // config-dir is working-directory's name in 1.0: it still works, with one warning.
  test.each([
    [{ 'working-directory': './config/' }, []],
    [{ 'config-dir': './config/' }, ["Input 'config-dir' is deprecated: write 'working-directory' instead (it means the same)."]]
  ])('a mistake in the gitops.yaml of %j is annotated at its workspace path, nothing written', async (inputs, warnings) => {
    mkdirSync(join(workspace, 'config'), { recursive: true })
    writeFileSync(
      join(workspace, 'config', 'gitops.yaml'),
      'version: 1\nprotection:\n  config:\n    requiredApprovals: 2\n    approvals: 3\n'
    )
    const seen = hub.traffic.length
    const run = await protect(inputs)
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.properties).toMatchObject({ file: 'config/gitops.yaml', line: '5' })
    expect(errors[0]!.message).toMatch(/^apply-protection: config\/gitops\.yaml:5(:\d+)?: .*'approvals'/)
    expect(run.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual(warnings)
    expect(writesSince(seen)).toEqual([])
  })

  test.each([
    [
      { token: 'ghs_notATokenTheStandInKnows00000000' },
      /^apply-protection: GitHub refused the token \(401 Bad credentials\): check the 'token' input$/
    ],
    [
      { repository: 'org/nope' },
      /GitHub answered 404 Not Found to GET \/repos\/org\/nope: is org\/nope spelled right, and can the token see it\?/
    ],
    [{ kind: 'library' }, /Input 'kind': 'library' is not valid. Valid values are: app, config/],
    [{ 'working-directory': 'missing' }, /Input 'working-directory': missing is not a directory of the workspace/],
    [
      { 'working-directory': 'one', 'config-dir': 'other' },
      /Input 'working-directory': 'one' and the former name 'config-dir' \('other'\) disagree: give only 'working-directory'/
    ]
  ])('bad input %j: one ::error, exit 1, nothing written', async (inputs, message) => {
    const seen = hub.traffic.length
    const run = await protect(inputs)
    expect(run.exitCode).toBe(1)
    const errors = errorsOf(run)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(errors[0]).not.toMatch(/bug in gitops-actions|\n\s+at /)
    expect(writesSince(seen)).toEqual([])
    expect(run.outputs.changed).toBeUndefined()
  })
})
