import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { eventCommit, markdownTable, readRunContext, runAction, runnerLogger, setOutputs, writeSummary } from '@gitops-actions/action-kit'
import {
  computeVersion,
  planTags,
  tagSafe,
  templateNeedsVersion,
  templateTable,
  timestampParts,
  UserError,
  type VersionResult
} from '@gitops-actions/core'
import { commitsBetween, commitTime, isGitRepository, isShallow, resolveCommit, tagsMergedInto } from '@gitops-actions/git'
import { getInputs, type Inputs } from './inputs.js'

export async function run(): Promise<void> {
  await runAction('compute-tag', async () => {
    const inputs = getInputs()
    const context = readRunContext()
    const cwd = resolve(context.workspace, inputs.workingDirectory)
    if (!existsSync(cwd) || !(await isGitRepository(cwd))) {
      throw new UserError(
        `'${inputs.workingDirectory}' is not a git checkout. Run actions/checkout (with fetch-depth: 0 for versions) before compute-tag.`
      )
    }
    const sha = await resolveCommit(cwd, eventCommit(context))
    const templates = templateTable(inputs.templates)
    const version = await readVersion(inputs, cwd, sha, templateNeedsVersion(templates, inputs.environment, inputs.aliases))
    const created = inputs.timestampSource === 'commit' ? await commitTime(cwd, sha) : new Date()
    const shortSha = sha.slice(0, inputs.shaLength)
    const source = context.repository ? `${context.serverUrl}/${context.repository.owner}/${context.repository.repo}` : undefined

    const plan = planTags({
      environment: inputs.environment,
      images: inputs.images,
      templates,
      aliasTemplates: inputs.aliases,
      values: {
        app: inputs.app,
        env: inputs.environment,
        sha: shortSha,
        'long-sha': sha,
        ...timestampParts(created),
        version: version.version,
        branch: context.branch ? tagSafe(context.branch) : '',
        pr: context.pullRequestNumber?.toString() ?? '',
        run: context.runId ?? ''
      },
      labels: { title: inputs.app, revision: sha, created, source }
    })

    const result = {
      app: inputs.app,
      environment: inputs.environment,
      tag: plan.tag,
      template: plan.template,
      aliases: plan.aliases,
      tags: plan.tags,
      labels: plan.labels,
      sha,
      shortSha,
      timestamp: timestampParts(created).timestamp,
      version: version.version,
      previousVersion: version.previousVersion,
      previousTag: version.previousTag ?? '',
      bump: version.bump,
      bumpReasons: version.reasons,
      fluxImagePolicy: plan.fluxImagePolicy ?? null
    }
    runnerLogger.info(`Tag for ${inputs.app} in ${inputs.environment}: ${plan.tag}`)
    for (const reason of version.reasons.slice(0, 5)) runnerLogger.info(`  ${reason.bump}: ${reason.header} (${reason.sha.slice(0, 7)})`)
    setOutputs(
      {
        tag: plan.tag,
        tags: plan.tags.length > 0 ? plan.tags : [plan.tag, ...plan.aliases],
        labels: plan.labels,
        version: version.version,
        'previous-version': version.previousVersion,
        bump: version.bump,
        sha,
        'short-sha': shortSha,
        timestamp: result.timestamp,
        'flux-filter-pattern': plan.fluxImagePolicy?.pattern,
        'flux-filter-extract': plan.fluxImagePolicy?.extract
      },
      result
    )
    writeSummary(renderSummary(result))
  })
}

const NO_VERSION: VersionResult = {
  version: '',
  previousVersion: '',
  previousTag: undefined,
  bump: 'none',
  reasons: [],
  released: false,
  unchanged: false
}

async function readVersion(inputs: Inputs, cwd: string, head: string, needed: boolean): Promise<VersionResult> {
  if (inputs.version !== undefined) return { ...NO_VERSION, version: inputs.version }
  if (await isShallow(cwd)) {
    if (!needed) return NO_VERSION
    throw new UserError(
      `The checkout is shallow, so the version cannot be computed from release tags and conventional commits. Set 'fetch-depth: 0' on actions/checkout, or give 'version'.`
    )
  }
  const version = await computeVersion(
    { head, prefix: inputs.releaseTagPrefix, prerelease: inputs.prerelease, initialVersion: inputs.initialVersion },
    {
      releaseTags: () => tagsMergedInto(cwd, head, `${inputs.releaseTagPrefix}*`),
      commitsSince: (since) => commitsBetween(cwd, since, head, inputs.paths)
    }
  )
  if (needed && version.unchanged) {
    throw new UserError(
      `No commit since ${version.previousTag} is a feat, fix, perf or breaking change, so there is no new version: tagging this commit ${version.version} again would make a mutable tag. Tag a release commit, or give 'version'.`
    )
  }
  return version
}

function renderSummary(result: {
  app: string
  environment: string
  tag: string
  tags: string[]
  version: string
  previousVersion: string
  bump: string
  shortSha: string
  timestamp: string
}): string {
  return [
    `### compute-tag: ${result.app} (${result.environment})`,
    '',
    markdownTable(
      ['tag', 'version', 'previous', 'bump', 'commit', 'timestamp (UTC)'],
      [[`\`${result.tag}\``, result.version, result.previousVersion, result.bump, result.shortSha, result.timestamp]]
    ),
    '',
    result.tags.length > 0 ? `Image references:\n\n${result.tags.map((t) => `- \`${t}\``).join('\n')}` : ''
  ].join('\n')
}
