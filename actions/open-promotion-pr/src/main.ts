import {
  createGitHubClient,
  currentRepository,
  inWorkspaceDirectory,
  markdownTable,
  readRunContext,
  runAction,
  runnerLogger,
  setOutputs,
  writeSummary,
  workspacePath
} from '@gitops-actions/action-kit'
import { describeDowngrade, parameterError, verificationMarkdown } from '@gitops-actions/core'
import { RegistryClient } from '@gitops-actions/oci'
import { openPromotionPr, type OpenPromotionPrResult } from '@gitops-actions/operations'
import { getInputs } from './inputs.js'

export async function run(): Promise<void> {
  await runAction('open-promotion-pr', async () => {
    const inputs = getInputs()
    const context = readRunContext()
    const repository = inputs.repository ?? currentRepository(context, 'repository')
    if (inputs.commitMode === 'git' && !inputs.workingDirectory) {
      throw parameterError('commit-mode', "git pushes from a checkout; give its location as 'working-directory' (or use commit-mode: api)")
    }
    const sameRepo = (a: { owner: string; repo: string } | undefined, b: { owner: string; repo: string } | undefined) =>
      a !== undefined && b !== undefined && a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase()
    const appRepository = inputs.appRepository ?? (sameRepo(context.repository, repository) ? undefined : context.repository)
    const github = createGitHubClient({ token: inputs.token, baseUrl: context.apiUrl })
    const appGithub = inputs.appToken ? createGitHubClient({ token: inputs.appToken, baseUrl: context.apiUrl }) : undefined
    const registry = inputs.registry && {
      client: new RegistryClient({
        registry: inputs.registry.host,
        credentials: inputs.registry.password
          ? { username: inputs.registry.username ?? 'token', password: inputs.registry.password }
          : undefined,
        logger: runnerLogger
      }),
      repository: inputs.registry.repository
    }
    const runUrl =
      context.repository && context.runId
        ? `${context.serverUrl}/${context.repository.owner}/${context.repository.repo}/actions/runs/${context.runId}`
        : undefined
    const links: Array<{ label: string; url: string }> = []
    if (appRepository && context.sha && /^[0-9a-f]{40}$/.test(context.sha)) {
      links.push({
        label: `${appRepository.repo}@${context.sha.slice(0, 7)}`,
        url: `${context.serverUrl}/${appRepository.owner}/${appRepository.repo}/commit/${context.sha}`
      })
    }
    if (appRepository && context.pullRequestNumber) {
      links.push({
        label: `${appRepository.repo}#${context.pullRequestNumber}`,
        url: `${context.serverUrl}/${appRepository.owner}/${appRepository.repo}/pull/${context.pullRequestNumber}`
      })
    }
    if (runUrl) links.push({ label: 'workflow run', url: runUrl })

    // With a checkout, file errors name its files from the workspace root; files read through the API are not in the workspace.
    const result = await inWorkspaceDirectory(context, inputs.workingDirectory ?? '.', () =>
      openPromotionPr(github, {
        ...inputs,
        repository,
        checkout: inputs.workingDirectory ? workspacePath(context, 'working-directory', inputs.workingDirectory) : undefined,
        registry,
        appRepository,
        appGithub,
        links,
        serverUrl: context.serverUrl,
        runUrl,
        now: new Date(),
        logger: runnerLogger
      })
    )
    report(result)
    setOutputs(
      {
        'pull-request-number': result.prNumber?.toString(),
        'pull-request-url': result.prUrl,
        'pull-request-operation': pullRequestOperation(result),
        'pull-request-head-sha': result.commitSha,
        'pull-request-branch': result.branch,
        operation: result.operation,
        'pr-number': result.prNumber?.toString(),
        'pr-url': result.prUrl,
        branch: result.branch,
        'commit-sha': result.commitSha,
        tag: result.tag,
        'previous-tag': result.previousTag,
        digest: result.digest,
        'superseded-prs': result.supersededPrs.map(String)
      },
      result
    )
    writeSummary(renderSummary(result))
  })
}

/** create-pull-request's word for what happened to the pull request. */
function pullRequestOperation(result: OpenPromotionPrResult): 'created' | 'updated' | 'closed' | 'none' {
  if (result.dryRun) return 'none'
  if (result.operation === 'created' || result.operation === 'updated') return result.operation
  if (result.closedPr) return 'closed'
  return result.operation === 'superseded' && result.prNumber !== undefined ? 'closed' : 'none'
}

function report(result: OpenPromotionPrResult): void {
  const target = `${result.app} ${result.tag} → ${result.to}`
  if (result.dryRun) {
    runnerLogger.info(`Dry run: ${target} would be ${result.operation} on ${result.branch}. Nothing was written.`)
    runnerLogger.info(`File diff:\n${result.diff}`)
    runnerLogger.info(`Rendered diff:\n${result.renderedDiff || '(no change in the rendered manifests)'}`)
    return
  }
  if (result.operation === 'superseded') {
    runnerLogger.info(`${target}: superseded by ${result.supersededBy?.url ?? result.supersededBy?.tag}, a newer promotion.`)
  } else if (result.prUrl) {
    runnerLogger.info(`${target}: ${result.operation} ${result.prUrl}`)
  } else {
    runnerLogger.info(`${target}: the overlay already runs it; nothing to do.`)
  }
  if (result.supersededPrs.length > 0) runnerLogger.info(`Closed older promotions: ${result.supersededPrs.map((n) => `#${n}`).join(', ')}`)
}

function renderSummary(result: OpenPromotionPrResult): string {
  const pr = result.prUrl ? `[#${result.prNumber}](${result.prUrl})` : '—'
  const lines = [
    `### open-promotion-pr: ${result.app} to ${result.to}${result.dryRun ? ' (dry run)' : ''}`,
    '',
    markdownTable(
      ['operation', 'from', 'to', 'previous tag', 'tag', 'digest', 'pull request', 'branch'],
      [[result.operation, result.from ?? '(new build)', result.to, result.previousTag, result.tag, result.digest, pr, result.branch]]
    ),
    '',
    `**Gate:** ${result.gate.explanation}`
  ]
  if (result.verification) lines.push('', verificationMarkdown(result.verification))
  if (result.downgrade) lines.push('', `**Downgrade:** ${describeDowngrade(result.downgrade)} (allow-downgrade).`)
  if (result.window.restricted)
    lines.push(
      '',
      `**Deployment window:** ${result.window.open ? 'open' : `closed, next ${result.window.nextOpen?.toISOString() ?? 'not within a week'}`}`
    )
  if (result.warnings?.length) lines.push('', '**Warnings:**', ...result.warnings.map((w) => `- ${w}`))
  if (result.diff) lines.push('', '<details><summary>File diff</summary>', '', '```diff', result.diff, '```', '', '</details>')
  if (result.renderedDiff)
    lines.push('', '<details><summary>Rendered diff</summary>', '', '```diff', result.renderedDiff, '```', '', '</details>')
  return lines.join('\n')
}
