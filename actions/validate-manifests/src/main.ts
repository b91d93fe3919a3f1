import { statSync } from 'node:fs'
import {
  annotate,
  checkoutBranches,
  failStep,
  inWorkspaceDirectory,
  markdownTable,
  pullRequestBase,
  readRunContext,
  runAction,
  runnerLogger,
  setOutputs,
  type RunContext,
  workspaceDirectory,
  workspacePath,
  writeSummary,
  writeWorkspaceFile
} from '@gitops-actions/action-kit'
import { parameterError } from '@gitops-actions/core'
import { changedFiles } from '@gitops-actions/git'
import { renderSummary, toSarif, validateRepository, withPathPrefix } from '@gitops-actions/validation'
import { getInputs } from './inputs.js'

export async function run(): Promise<void> {
  await runAction('validate-manifests', async () => {
    const inputs = getInputs()
    const context = readRunContext()
    const repoRoot = workspacePath(context, 'working-directory', inputs.workingDirectory)
    if (!isDirectory(repoRoot)) {
      throw parameterError('working-directory', `${inputs.workingDirectory} is not a directory of the workspace`)
    }
    // Checked now, so a bad path stops the run before the work; written at the end without following a symlink.
    if (inputs.sarifFile !== undefined) workspacePath(context, 'sarif-file', inputs.sarifFile)

    let changed: string[] | undefined
    if (inputs.changedOnly) {
      const base = inputs.baseRef ?? pullRequestBase(context)
      if (!base) {
        throw parameterError('base-ref', "changed-only mode needs a base to compare with; give 'base-ref' or run on a pull_request event")
      }
      changed = await changedFiles(repoRoot, base)
    }

    const result = withPathPrefix(
      await inWorkspaceDirectory(context, inputs.workingDirectory, () =>
        validateRepository({
          repoRoot,
          checks: inputs.checks,
          repository: context.repository ? `${context.repository.owner}/${context.repository.repo}` : undefined,
          branches: checkoutBranches(context),
          changedFiles: changed,
          shard: inputs.shard,
          kustomizeFlags: inputs.kustomizeFlags,
          logger: runnerLogger,
          environmentStatus: wantsEnvironmentStatus(inputs.environmentStatus, inputs.changedOnly, context)
        })
      ),
      workspaceDirectory(context, inputs.workingDirectory)
    )

    annotate(result.findings)
    if (inputs.sarifFile !== undefined) {
      writeWorkspaceFile(context, 'sarif-file', inputs.sarifFile, JSON.stringify(toSarif(result.findings), null, 2))
    }
    setOutputs(
      {
        errors: result.counts.error,
        warnings: result.counts.warning,
        notices: result.counts.notice,
        roots: result.roots.map((r) => r.path || '.')
      },
      result
    )
    writeSummary(renderSummary(result, markdownTable))
    for (const check of result.checks) {
      runnerLogger.info(`${check.title}: ${check.status} (${check.counts.error} errors, ${check.counts.warning} warnings)`)
    }
    const failing = result.counts.error + (inputs.failOn === 'warning' ? result.counts.warning : 0)
    if (failing > 0) {
      failStep(
        `validate-manifests: ${result.counts.error} error(s) and ${result.counts.warning} warning(s) (fail-on: ${inputs.failOn}); see the annotations and the job summary`
      )
    }
  })
}

/** `auto`: full runs on the default branch, where the summary answers "what runs where now". */
function wantsEnvironmentStatus(setting: 'auto' | 'true' | 'false', changedOnly: boolean, context: RunContext): boolean {
  if (setting !== 'auto') return setting === 'true'
  if (changedOnly || !['push', 'schedule', 'workflow_dispatch'].includes(context.eventName)) return false
  const repository = context.payload.repository as { default_branch?: unknown } | undefined
  const defaultBranch = typeof repository?.default_branch === 'string' ? repository.default_branch : 'main'
  return context.ref === `refs/heads/${defaultBranch}`
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
