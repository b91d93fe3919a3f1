import { AccessError } from '@gitops-actions/core'
import { createGitHubClient } from '@gitops-actions/github'
import { applyProtection, type ApplyProtectionResult } from '@gitops-actions/operations'
import { EXIT, UsageError, choiceOption, repoDirectory, stringOption, type Command } from '../command.js'
import { paint, textTable, type Terminal } from '../terminal.js'

export const protectCommand: Command = {
  name: 'protect',
  summary:
    "Make a repository's protected-branch rules match gitops.yaml's protection section (rulesets, or classic protection where the server has none).",
  usage: 'protect --repository <owner/name> --kind <app|config> [--dry-run [--fail-on-drift]] [dir]',
  options: {
    repository: { type: 'string', description: 'The repository to protect, owner/name.', formerNames: ['repo'] },
    kind: { type: 'string', description: 'Which rules apply: app or config.' },
    'dry-run': { type: 'boolean', description: 'Print the difference and change nothing.', default: false },
    'fail-on-drift': {
      type: 'boolean',
      description: 'Exit 1 when the live settings differ from gitops.yaml and stay so (with --dry-run).',
      default: false
    },
    method: { type: 'string', description: 'auto (rulesets, else classic), ruleset or classic.', default: 'auto' },
    token: { type: 'string', description: 'GitHub token; defaults to GITHUB_TOKEN or GH_TOKEN.' },
    'api-url': { type: 'string', description: 'REST API URL; defaults to GITHUB_API_URL or https://api.github.com.' }
  },
  async run({ values, positionals }, terminal) {
    const repo = stringOption(values, 'repository')
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new UsageError('--repository owner/name is required')
    const kind = stringOption(values, 'kind')
    if (kind !== 'app' && kind !== 'config') throw new UsageError("--kind must be 'app' or 'config'")
    const method = choiceOption(values, 'method', ['auto', 'ruleset', 'classic'] as const, 'auto')
    const token = stringOption(values, 'token') ?? terminal.env.GITHUB_TOKEN ?? terminal.env.GH_TOKEN
    if (!token)
      throw new AccessError('auth', 'No GitHub token: pass --token or set GITHUB_TOKEN (it needs administration: write on the repository)')
    const [owner, name] = repo.split('/') as [string, string]
    const result = await applyProtection(
      createGitHubClient({ token, baseUrl: stringOption(values, 'api-url') ?? terminal.env.GITHUB_API_URL }),
      {
        repository: { owner, repo: name },
        kind,
        configDir: repoDirectory(terminal, positionals),
        dryRun: values['dry-run'] === true,
        method,
        tokenSource: '--token, GITHUB_TOKEN or GH_TOKEN'
      }
    )
    if (values.json) terminal.out(JSON.stringify(result, null, 2))
    else printResult(terminal, result)
    if (result.drifted && values['fail-on-drift'] === true) {
      terminal.err(paint(terminal, 'red', `${repo} has drifted from gitops.yaml: run without --dry-run to apply it.`))
      return EXIT.failed
    }
    return EXIT.ok
  }
}

function printResult(terminal: Terminal, result: ApplyProtectionResult): void {
  const how = result.method === 'ruleset' ? 'repository ruleset' : 'classic branch protection'
  if (!result.configFile) terminal.err(paint(terminal, 'yellow', "No gitops.yaml in the config directory: the seed's default rules apply."))
  if (result.fallbackReason) terminal.err(paint(terminal, 'yellow', `Using classic branch protection: ${result.fallbackReason}.`))
  if (result.changes.length === 0) {
    terminal.out(paint(terminal, 'green', `${result.repository} ${result.branch}: ${how} already matches gitops.yaml.`))
    return
  }
  const rows = result.changes.map((c) => [
    c.setting,
    paint(terminal, 'red', JSON.stringify(c.live)),
    paint(terminal, 'green', JSON.stringify(c.desired))
  ])
  terminal.out(textTable(['setting', 'now', 'wanted'], rows))
  const verb = result.dryRun ? 'would change' : 'changed'
  terminal.out(
    `${result.repository} ${result.branch}: ${how} ${verb} ${result.changes.length} setting(s)${result.dryRun ? ' (dry run: nothing written)' : ''}.`
  )
}
