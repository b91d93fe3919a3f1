import {
  eventCommit,
  inWorkspaceDirectory,
  markdownTable,
  readRunContext,
  runAction,
  runnerLogger,
  setOutputs,
  writeSummary,
  workspacePath
} from '@gitops-actions/action-kit'
import { markdownCode } from '@gitops-actions/core'
import { computeTag, type ComputeTagResult } from '@gitops-actions/operations'
import { getInputs } from './inputs.js'

export async function run(): Promise<void> {
  await runAction('compute-tag', async () => {
    const inputs = getInputs()
    const context = readRunContext()
    const result = await inWorkspaceDirectory(context, inputs.workingDirectory, () =>
      computeTag({
        ...inputs,
        cwd: workspacePath(context, 'working-directory', inputs.workingDirectory),
        revision: eventCommit(context),
        branch: context.branch,
        pullRequest: context.pullRequestNumber,
        runId: context.runId,
        sourceUrl: context.repository ? `${context.serverUrl}/${context.repository.owner}/${context.repository.repo}` : undefined
      })
    )
    runnerLogger.info(`Tag for ${result.app} in ${result.environment}: ${result.tag}`)
    for (const reason of result.bumpReasons.slice(0, 5)) runnerLogger.info(`  ${reason.bump}: ${reason.header} (${reason.sha.slice(0, 7)})`)
    setOutputs(
      {
        tag: result.tag,
        tags: result.tags.length > 0 ? result.tags : [result.tag, ...result.aliases],
        labels: result.labels,
        version: result.version,
        'previous-version': result.previousVersion,
        bump: result.bump,
        sha: result.sha,
        'short-sha': result.shortSha,
        timestamp: result.timestamp,
        'flux-filter-pattern': result.fluxImagePolicy?.pattern,
        'flux-filter-extract': result.fluxImagePolicy?.extract
      },
      result
    )
    writeSummary(renderSummary(result))
  })
}

const SKIP_REASONS = {
  'skip-release': 'its message says [skip release]',
  reverted: 'reverted later in the same range',
  revert: 'a revert of a commit in the same range'
} as const

function renderSummary(result: ComputeTagResult): string {
  const lines = [
    `### compute-tag: ${result.app} (${result.environment})`,
    '',
    markdownTable(
      ['tag', 'version', 'previous', 'bump', 'commit', 'timestamp (UTC)'],
      [[`\`${result.tag}\``, result.version, result.previousVersion, result.bump, result.shortSha, result.timestamp]]
    )
  ]
  const decided = result.bumpReasons[0]
  if (decided) {
    const others = result.bumpReasons.length - 1
    lines.push(
      '',
      `The ${result.bump} bump comes from \`${decided.sha.slice(0, 7)}\` ${markdownCode(decided.header)}${others > 0 ? ` and ${others} more releasable commit(s)` : ''} (${result.preset} preset).`
    )
  }
  const skipped = result.skippedCommits
  if (skipped.length > 0) {
    lines.push('', 'Left out of the analysis, as semantic-release leaves them out:', '')
    for (const commit of skipped.slice(0, 10))
      lines.push(`- \`${commit.sha.slice(0, 7)}\` ${markdownCode(commit.header)}: ${SKIP_REASONS[commit.why]}`)
  }
  if (result.tags.length > 0) lines.push('', 'Image references:', '', ...result.tags.map((t) => `- \`${t}\``))
  return lines.join('\n')
}
