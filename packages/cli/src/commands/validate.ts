import { realpathSync } from 'node:fs'
import { relative } from 'node:path'
import {
  formatLocation,
  isUserError,
  prefixErrorLocation,
  renderStatusTable,
  UserError,
  userErrorText,
  type Finding,
  type Severity
} from '@gitops-actions/core'
import { changedFiles, gitMaybe, uncommittedFiles } from '@gitops-actions/git'
import { selectChecks, toJUnit, toSarif, validateRepository, withPathPrefix, type ValidateResult } from '@gitops-actions/validation'
import { EXIT, UsageError, choiceOption, listOption, parameterName, repoDirectory, stringOption, type Command } from '../command.js'
import { paint, plural, progress, type Style, type Terminal } from '../terminal.js'

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', notice: 'cyan' }

export const validateCommand: Command = {
  name: 'validate',
  summary: "Run validate-manifests' checks on a config repo checkout: kustomize builds, policies, quotas, Flux references, CODEOWNERS.",
  usage:
    'validate [--checks kustomize,policy] [--changed-only --base-ref origin/main] [--fail-on error|warning] [--output text|json|sarif|junit] [--status] [dir]',
  options: {
    output: {
      type: 'string',
      short: 'o',
      description:
        "text; json (the action's json output; --json is the same); sarif (SARIF 2.1.0 for code scanning, paths from the git root); junit (JUnit XML, one suite per check).",
      default: 'text'
    },
    checks: {
      type: 'string',
      description: "Comma-separated: all, kustomize, policy, quota, flux, codeowners (or the checks' names, e.g. codeowners-check).",
      default: 'all'
    },
    'changed-only': {
      type: 'boolean',
      description: 'Check only the build roots that the changes since --base-ref (committed or not) affect.',
      default: false
    },
    'base-ref': { type: 'string', description: 'The branch or commit a pull request would merge into (with --changed-only).' },
    'fail-on': { type: 'string', description: 'Exit 1 on findings of this severity or worse: error or warning.', default: 'error' },
    repository: {
      type: 'string',
      description:
        'owner/name of the config repo, to recognise Flux GitRepository objects that point at it; default: from the origin remote.'
    },
    'kustomize-flag': {
      type: 'string',
      multiple: true,
      description: 'An extra kustomize build flag (e.g. --enable-helm); repeat for several.'
    },
    status: {
      type: 'boolean',
      description: 'Also show which tag runs in each environment and what drifts, from the same renders (as the action does on main).',
      default: false
    }
  },
  async run({ values, positionals }, terminal) {
    const failOn = choiceOption(values, 'fail-on', ['error', 'warning'] as const, 'error')
    const output = outputFormat(values)
    const checks = usage(() => selectChecks(listOption(values, 'checks')))
    const baseRef = stringOption(values, 'base-ref')
    if (values['changed-only'] === true && !baseRef) throw new UsageError('--changed-only needs --base-ref (e.g. --base-ref origin/main)')
    if (baseRef && values['changed-only'] !== true) throw new UsageError('--base-ref is only used with --changed-only')
    const repoRoot = repoDirectory(terminal, positionals)

    let changed: string[] | undefined
    if (baseRef && !(await gitMaybe(repoRoot, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`])))
      throw new UserError(`--base-ref ${baseRef} is not a commit of the repository at ${repoRoot}; fetch it first (git fetch origin main)`)
    if (baseRef) changed = [...new Set([...(await changedFiles(repoRoot, baseRef)), ...(await uncommittedFiles(repoRoot))])].sort()

    const line = progress(terminal, 'rendering', 'roots')
    let raw: ValidateResult
    try {
      raw = await validateRepository({
        repoRoot,
        checks,
        repository: stringOption(values, 'repository') ?? (await originRepository(repoRoot)),
        changedFiles: changed,
        kustomizeFlags: (values['kustomize-flag'] as string[] | undefined) ?? [],
        onRenderProgress: line.update,
        environmentStatus: values.status === true
      })
    } catch (error) {
      // A mistake in the checkout (gitops.yaml, a kustomization) named from where the user stands, as findings are.
      throw isUserError(error) ? prefixErrorLocation(error, relative(terminal.cwd, repoRoot)) : error
    } finally {
      line.end()
    }
    // Paths as the user can open them from where they stand, as the action prefixes working-directory;
    // SARIF's from the git repository's root, where code scanning looks for them.
    const base = output === 'sarif' ? ((await gitTopLevel(repoRoot)) ?? repoRoot) : terminal.cwd
    const result = withPathPrefix(raw, relative(base, output === 'sarif' ? realpathSync(repoRoot) : repoRoot))

    if (output === 'json') terminal.out(JSON.stringify(result, null, 2))
    else if (output === 'sarif') terminal.out(JSON.stringify(toSarif(result.findings), null, 2))
    else if (output === 'junit') terminal.out(toJUnit(result, { failOn, toolName: 'gitops-actions validate' }).trimEnd())
    else printResult(terminal, result)
    const failing = result.counts.error + (failOn === 'warning' ? result.counts.warning : 0)
    return failing > 0 ? EXIT.failed : EXIT.ok
  }
}

const OUTPUTS = ['text', 'json', 'sarif', 'junit'] as const

/** --output, with --json as the old spelling of --output json. */
function outputFormat(values: Record<string, unknown>): (typeof OUTPUTS)[number] {
  const output = choiceOption(values, 'output', OUTPUTS, values.json === true ? 'json' : 'text')
  if (values.json === true && output !== 'json') throw new UsageError(`--json and --output ${output} disagree: give one of them`)
  return output
}

/** The root of the git repository `dir` is in, or undefined outside one. */
async function gitTopLevel(dir: string): Promise<string | undefined> {
  const top = await gitMaybe(dir, ['rev-parse', '--show-toplevel'])
  return top ? realpathSync(top.trim()) : undefined
}

/** A wrong option value is a usage error (exit 2), whoever noticed it. */
function usage<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    throw new UsageError(isUserError(error) ? userErrorText(error, (p) => parameterName(validateCommand, p)) : (error as Error).message)
  }
}

/** `owner/name` from the origin remote's URL (https or ssh), as GITHUB_REPOSITORY names it on a runner. */
async function originRepository(repoRoot: string): Promise<string | undefined> {
  // Only for a checkout of its own: a directory inside another repository is not that repository.
  const top = await gitTopLevel(repoRoot)
  if (!top || top !== realpathSync(repoRoot)) return undefined
  const url = await gitMaybe(repoRoot, ['remote', 'get-url', 'origin'])
  return url ? /[:/]([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(url.trim())?.[1] : undefined
}

/** One line per finding, `file:line: severity rule message`, grouped under its check. */
export function formatFinding(terminal: Pick<Terminal, 'color'>, finding: Finding): string {
  const where = finding.location ? `${formatLocation(finding.location)}: ` : ''
  return `${where}${paint(terminal, SEVERITY_STYLE[finding.severity], finding.severity)} ${paint(terminal, 'dim', finding.ruleId)} ${finding.message}`
}

function printResult(terminal: Terminal, result: ValidateResult): void {
  for (const check of result.checks) {
    const status = check.status === 'passed' ? paint(terminal, 'green', 'passed') : paint(terminal, 'red', 'failed')
    const counts = `${plural(check.counts.error, 'error')}, ${plural(check.counts.warning, 'warning')}`
    terminal.out(`${paint(terminal, 'bold', check.title)}: ${status} (${counts}${check.note ? `; ${check.note}` : ''})`)
    for (const finding of check.findings) terminal.out(`  ${formatFinding(terminal, finding)}`)
  }
  const scope = result.changedOnly
    ? `changed-only: ${plural(result.changedOnly.changedFiles, 'changed file')}, ${result.changedOnly.affectedRoots} of ${plural(result.changedOnly.totalRoots, 'build root')} affected${result.changedOnly.everything ? ' (gitops.yaml changed: all)' : ''}`
    : plural(result.roots.length, 'build root')
  const total = `${plural(result.counts.error, 'error')}, ${plural(result.counts.warning, 'warning')}, ${plural(result.counts.notice, 'notice')}`
  const style: Style = result.counts.error > 0 ? 'red' : result.counts.warning > 0 ? 'yellow' : 'green'
  if (result.environmentStatus) terminal.out(renderStatusTable(result.environmentStatus, { color: terminal.color }))
  terminal.out(
    `${scope}, ${plural(result.stats.renderCalls, 'kustomize call')}, ${(result.stats.durationMs / 1000).toFixed(1)} s: ${paint(terminal, style, total)}`
  )
}
