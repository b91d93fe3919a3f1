import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startGitHubStandIn, type GitHubStandIn } from '../../../test/github-stand-in/index.ts'
import { runBin, runCli } from './test-terminal.js'

const TOKEN = 'ghp_protectTestToken0123456789abcdef'
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A config repo whose gitops.yaml lets the platform team bypass the config repo's rules. */
function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-protect-'))
  writeFileSync(
    join(dir, 'gitops.yaml'),
    'version: 1\nprotection:\n  config:\n    requiredApprovals: 2\n    bypass:\n      - team: platform-team\n      - role: admin\n'
  )
  return dir
}

// The stand-in checks every request and response against GitHub's OpenAPI description.
describe('gitops-actions protect against the GitHub API stand-in', () => {
  let hub: GitHubStandIn
  let dir: string
  const printed: string[] = []
  const protect = async (repo: string, extra: string[] = [], token = TOKEN) => {
    const run = await runCli(['protect', '--repository', repo, '--kind', 'config', ...extra, dir], {
      env: { GITHUB_TOKEN: token, GITHUB_API_URL: hub.url }
    })
    printed.push(run.text(), run.errors())
    return run
  }
  const writes = () => hub.traffic.filter((t) => WRITES.has(t.method))

  beforeAll(async () => {
    hub = await startGitHubStandIn({
      repos: ['org/config-repo', 'org/legacy', 'org/locked', 'org/by-bin', 'org/empty'].map((name) => ({
        name,
        files: name === 'org/empty' ? undefined : { 'README.md': `# ${name}\n` }
      })),
      tokens: { [TOKEN]: 'admin-user' },
      teams: { 'org/platform-team': ['alice'] }
    })
    dir = configDir()
  })
  afterAll(async () => {
    // The token reaches GitHub and nothing else: no line printed by any run contains it.
    expect(printed.join('\n')).not.toContain(TOKEN)
    expect(hub.violations).toEqual([])
    await hub.close()
  })

  test('rulesets: --dry-run prints the difference and writes nothing; applying creates the ruleset; applying again writes nothing', async () => {
    const dry = await protect('org/config-repo', ['--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.text()).toMatch(/^setting +now +wanted$/m)
    expect(dry.text()).toMatch(/^rules\.pull_request\.required_approving_review_count +null +2$/m)
    expect(dry.text()).toContain('org/config-repo main: repository ruleset would change')
    expect(dry.text()).toContain('(dry run: nothing written)')
    expect(writes()).toEqual([])
    expect(hub.rulesets('org/config-repo')).toEqual([])
    const drifted = await protect('org/config-repo', ['--dry-run', '--fail-on-drift'])
    expect(drifted.code).toBe(1)
    expect(drifted.errors()).toBe('org/config-repo has drifted from gitops.yaml: run without --dry-run to apply it.')
    expect(writes()).toEqual([])

    const applied = await protect('org/config-repo')
    expect(applied.code).toBe(0)
    expect(applied.out.slice(0, -1)).toEqual(dry.out.slice(0, -1))
    expect(applied.out.at(-1)).toMatch(/^org\/config-repo main: repository ruleset changed \d+ setting\(s\)\.$/)
    expect(writes().map((t) => t.operationId)).toEqual(['repos/create-repo-ruleset'])
    const [ruleset] = hub.rulesets('org/config-repo') as Array<Record<string, any>>
    expect(ruleset).toMatchObject({ name: 'gitops-actions: protected branch', enforcement: 'active' })
    expect(ruleset!.bypassActors.map((a: { actor_type: string }) => a.actor_type)).toEqual(['Team', 'RepositoryRole'])

    hub.resetTraffic()
    const again = await protect('org/config-repo', ['--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.text())).toMatchObject({ repository: 'org/config-repo', method: 'ruleset', changes: [], applied: false })
    expect(writes()).toEqual([])
    expect((await protect('org/config-repo', ['--dry-run', '--fail-on-drift'])).code).toBe(0)
  })

  test('classic branch protection where the server has no rulesets API (404), idempotent too', async () => {
    const noRulesets = hub.inject({ route: 'repos/get-repo-rulesets', times: Infinity, fault: { kind: 'status', status: 404 } })
    try {
      hub.resetTraffic()
      const first = await protect('org/legacy')
      expect(first.code).toBe(0)
      expect(first.errors()).toBe('Using classic branch protection: the server has no repository rulesets API (404).')
      expect(first.text()).toContain('org/legacy main: classic branch protection changed')
      expect(writes().map((t) => t.operationId)).toEqual(['repos/update-branch-protection'])
      expect(hub.branchProtection('org/legacy', 'main')).toMatchObject({
        required_status_checks: {
          strict: true,
          contexts: ['kustomize-validate', 'security-policy-check', 'quota-validation', 'flux-sync-validation']
        },
        required_pull_request_reviews: { required_approving_review_count: 2, require_code_owner_reviews: true }
      })

      hub.resetTraffic()
      const second = await protect('org/legacy')
      expect(second.code).toBe(0)
      expect(second.text()).toBe('org/legacy main: classic branch protection already matches gitops.yaml.')
      expect(writes()).toEqual([])
      expect(noRulesets.fired).toBeGreaterThanOrEqual(2)

      const empty = await protect('org/empty')
      expect(empty.code).toBe(3)
      expect(empty.errors()).toBe(
        "error: GitHub answered 404 Branch not found to PUT /repos/org/empty/branches/main/protection: the branch to protect does not exist in org/empty yet; push it first (or set gitops.yaml's protection.config.branch)"
      )
    } finally {
      noRulesets.remove()
    }
  })

  test('a token without the administration permission (403): exit 4, one clear message, nothing written', async () => {
    const refused = hub.inject({ route: 'repos/create-repo-ruleset', fault: { kind: 'status', status: 403 } })
    const run = await protect('org/locked')
    expect(run.code).toBe(4)
    expect(run.out).toEqual([])
    expect(run.errors()).toBe(
      "error: GitHub refused POST /repos/org/locked/rulesets (403 Resource not accessible by integration): the token needs the Administration: write permission on org/locked (a fine-grained token or a GitHub App; a workflow's GITHUB_TOKEN cannot change branch protection)"
    )
    expect(refused.fired).toBe(1)
    expect(hub.rulesets('org/locked')).toEqual([])
  })

  test.each([
    [
      'a token GitHub does not accept',
      'org/config-repo',
      'ghp_wrongTokenForTheStandIn000000000',
      4,
      /^error: GitHub refused the token \(401 Bad credentials\): check --token, GITHUB_TOKEN or GH_TOKEN$/
    ],
    [
      'a repository that does not exist',
      'org/nope',
      TOKEN,
      3,
      /^error: GitHub answered 404 Not Found to GET \/repos\/org\/nope: is org\/nope spelled right, and can the token see it\?$/
    ]
  ])('%s: exit %i with a clear message', async (_name, repo, token, code, message) => {
    const run = await protect(repo, [], token)
    expect(run.code).toBe(code)
    expect(run.errors()).toMatch(message)
    expect(run.errors()).not.toContain(token)
  })

  test('the built CLI, token from the environment: applies (by --repo, the former name of --repository), then finds nothing to change', async () => {
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: hub.url }
    const first = await runBin(['protect', '--repo', 'org/by-bin', '--kind', 'config', dir], { env })
    printed.push(first.stdout, first.stderr)
    expect(first.stderr).toBe('gitops-actions protect: --repo is now --repository; the old name still works\n')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('org/by-bin main: repository ruleset changed')
    hub.resetTraffic()
    const second = await runBin(['protect', '--repository', 'org/by-bin', '--kind', 'config', dir], { env })
    printed.push(second.stdout, second.stderr)
    expect(second.code).toBe(0)
    expect(second.stdout).toBe('org/by-bin main: repository ruleset already matches gitops.yaml.\n')
    expect(writes()).toEqual([])
  })
})
