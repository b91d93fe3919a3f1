import { statSync } from 'node:fs'
import {
  createGitHubClient,
  currentRepository,
  failStep,
  inWorkspaceDirectory,
  markdownTable,
  readRunContext,
  runAction,
  runnerLogger,
  setOutputs,
  writeSummary,
  workspacePath
} from '@gitops-actions/action-kit'
import { parameterError } from '@gitops-actions/core'
import { applyProtection, type ApplyProtectionResult } from '@gitops-actions/operations'
import { getInputs } from './inputs.js'

export async function run(): Promise<void> {
  await runAction('apply-protection', async () => {
    const inputs = getInputs()
    const context = readRunContext()
    const repository = inputs.repository ?? currentRepository(context, 'repository')
    const configDir = workspacePath(context, 'working-directory', inputs.workingDirectory)
    if (!statSync(configDir, { throwIfNoEntry: false })?.isDirectory())
      throw parameterError(
        'working-directory',
        `${inputs.workingDirectory} is not a directory of the workspace (check out the config repository there)`
      )

    const result = await inWorkspaceDirectory(context, inputs.workingDirectory, () =>
      applyProtection(createGitHubClient({ token: inputs.token, baseUrl: context.apiUrl }), {
        repository,
        kind: inputs.kind,
        configDir,
        dryRun: inputs.dryRun,
        method: inputs.method,
        tokenSource: "the 'token' input"
      })
    )
    report(result, inputs.workingDirectory)
    setOutputs({ changed: result.changes.length, method: result.method }, result)
    writeSummary(renderSummary(result))
    if (result.drifted && inputs.failOnDrift)
      failStep(
        `apply-protection: ${result.repository} ${result.branch} differs from gitops.yaml in ${result.changes.length} setting(s) (fail-on-drift); see the job summary, and run without dry-run to apply gitops.yaml`
      )
  })
}

function how(result: ApplyProtectionResult): string {
  return result.method === 'ruleset' ? 'repository ruleset' : 'classic branch protection'
}

function report(result: ApplyProtectionResult, configDir: string): void {
  if (!result.configFile)
    runnerLogger.warning(
      `No gitops.yaml in ${configDir}: the seed's default protection rules apply. Check out the config repository there.`
    )
  if (result.fallbackReason) runnerLogger.warning(`Using classic branch protection: ${result.fallbackReason}.`)
  const target = `${result.repository} ${result.branch}`
  if (result.changes.length === 0) {
    runnerLogger.info(`${target}: the ${how(result)} already matches gitops.yaml.`)
    return
  }
  for (const change of result.changes)
    runnerLogger.info(`  ${change.setting}: ${JSON.stringify(change.live)} → ${JSON.stringify(change.desired)}`)
  runnerLogger.info(
    result.dryRun
      ? `${target}: the ${how(result)} would change ${result.changes.length} setting(s). Dry run: nothing was written.`
      : `${target}: the ${how(result)} changed ${result.changes.length} setting(s).`
  )
}

/** The job summary: one row per setting that differs, with its live and wanted value. */
export function renderSummary(result: ApplyProtectionResult): string {
  const title = `### apply-protection: ${result.repository} ${result.branch} (${result.kind} rules, ${how(result)})${result.dryRun ? ' — dry run' : ''}`
  if (result.changes.length === 0) return [title, '', 'Every setting matches gitops.yaml; nothing changed.'].join('\n')
  const status = result.dryRun
    ? `**${result.changes.length} setting(s) differ from gitops.yaml**; nothing was changed (dry run).`
    : `**${result.changes.length} setting(s) changed** to match gitops.yaml.`
  const code = (value: unknown) => `\`${JSON.stringify(value)}\``
  const rows = result.changes.map((change) => [`\`${change.setting}\``, code(change.live), code(change.desired)])
  const lines = [title, '', status, '', markdownTable(['setting', 'now', 'wanted'], rows)]
  if (result.fallbackReason) lines.push('', `Classic branch protection: ${result.fallbackReason}.`)
  return lines.join('\n')
}
