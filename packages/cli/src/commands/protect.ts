import { loadGitopsConfig, syncProtection, UserError, type ProtectionResult } from '@gitops-actions/core'
import { createGitHubClient, statusOf } from '@gitops-actions/github'
import { UsageError, repoDirectory, stringOption, type Command } from '../command.js'
import { paint, textTable, type Terminal } from '../terminal.js'

export const protectCommand: Command = {
  name: 'protect',
  summary:
    "Make a repository's protected-branch rules match gitops.yaml's protection section (rulesets, or classic protection where the server has none).",
  usage: 'protect --repo <owner/name> --kind <app|config> [--dry-run] [config-dir]',
  options: {
    repo: { type: 'string', description: 'The repository to protect, owner/name.' },
    kind: { type: 'string', description: 'Which rules apply: app or config.' },
    'dry-run': { type: 'boolean', description: 'Print the difference and change nothing.', default: false },
    method: { type: 'string', description: 'auto (rulesets, else classic), ruleset or classic.', default: 'auto' },
    token: { type: 'string', description: 'GitHub token; defaults to GITHUB_TOKEN or GH_TOKEN.' },
    'api-url': { type: 'string', description: 'REST API URL; defaults to GITHUB_API_URL or https://api.github.com.' }
  },
  async run({ values, positionals }, terminal) {
    const repo = stringOption(values, 'repo')
    const kind = stringOption(values, 'kind')
    const method = stringOption(values, 'method', 'auto')
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new UsageError('--repo owner/name is required')
    if (kind !== 'app' && kind !== 'config') throw new UsageError("--kind must be 'app' or 'config'")
    if (method !== 'auto' && method !== 'ruleset' && method !== 'classic')
      throw new UsageError("--method must be 'auto', 'ruleset' or 'classic'")
    const token = stringOption(values, 'token') ?? terminal.env.GITHUB_TOKEN ?? terminal.env.GH_TOKEN
    if (!token) throw new UserError('No GitHub token: pass --token or set GITHUB_TOKEN (it needs administration: write on the repository)')
    const config = loadGitopsConfig(repoDirectory(terminal, positionals))
    const [owner, name] = repo.split('/') as [string, string]
    const github = createGitHubClient({ token, baseUrl: stringOption(values, 'api-url') ?? terminal.env.GITHUB_API_URL })
    let result: ProtectionResult
    try {
      // A repository the token cannot see answers 404 everywhere, which would otherwise read as "no rulesets API, not protected".
      await github.request('GET /repos/{owner}/{repo}', { owner, repo: name })
      result = await syncProtection(github, { owner, repo: name }, config.protection[kind], { dryRun: values['dry-run'] === true, method })
    } catch (error) {
      throw refusal(error, repo, kind) ?? error
    }
    if (values.json) terminal.out(JSON.stringify({ repository: repo, kind, ...result }, null, 2))
    else printResult(terminal, repo, result, values['dry-run'] === true)
    return 0
  }
}

function printResult(terminal: Terminal, repo: string, result: ProtectionResult, dryRun: boolean): void {
  const how = result.method === 'ruleset' ? 'repository ruleset' : 'classic branch protection'
  if (result.fallbackReason) terminal.err(paint(terminal, 'yellow', `Using classic branch protection: ${result.fallbackReason}.`))
  if (result.changes.length === 0) {
    terminal.out(paint(terminal, 'green', `${repo} ${result.branch}: ${how} already matches gitops.yaml.`))
    return
  }
  const rows = result.changes.map((c) => [
    c.setting,
    paint(terminal, 'red', JSON.stringify(c.live)),
    paint(terminal, 'green', JSON.stringify(c.desired))
  ])
  terminal.out(textTable(['setting', 'now', 'wanted'], rows))
  const verb = dryRun ? 'would change' : 'changed'
  terminal.out(
    `${repo} ${result.branch}: ${how} ${verb} ${result.changes.length} setting(s)${dryRun ? ' (dry run: nothing written)' : ''}.`
  )
}

/**
 * GitHub's refusals as user errors that say what to change. The message names the request, never
 * the token (Octokit's error redacts it from the request it carries, and it is not printed).
 */
function refusal(error: unknown, repo: string, kind: string): UserError | undefined {
  const status = statusOf(error)
  const request = (error as { request?: { method?: string; url?: string } }).request
  const what = request?.method && request.url ? `${request.method} ${new URL(request.url).pathname}` : 'the request'
  const said = (error as { response?: { data?: { message?: unknown } } }).response?.data?.message
  const answer = `${status}${typeof said === 'string' && said ? ` ${said}` : ''}`
  if (status === 401) return new UserError(`GitHub refused the token (${answer}): check --token, GITHUB_TOKEN or GH_TOKEN`)
  if (status === 403)
    return new UserError(
      `GitHub refused ${what} (${answer}): the token needs the Administration: write permission on ${repo} (a fine-grained token or a GitHub App; a workflow's GITHUB_TOKEN cannot change branch protection)`
    )
  if (status === 404 && said === 'Branch not found')
    return new UserError(
      `GitHub answered ${answer} to ${what}: the branch to protect does not exist in ${repo} yet; push it first (or set gitops.yaml's protection.${kind}.branch)`
    )
  if (status === 404) return new UserError(`GitHub answered ${answer} to ${what}: is ${repo} spelled right, and can the token see it?`)
  return undefined
}
