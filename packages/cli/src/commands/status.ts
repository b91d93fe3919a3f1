import {
  loadGitopsConfig,
  collectEnvironmentStatus,
  readEnvironmentStatus,
  renderStatusMarkdown,
  renderStatusTable,
  type CollectStatusOptions,
  type EnvironmentStatus
} from '@gitops-actions/core'
import { resolve } from 'node:path'
import { tagsMergedInto } from '@gitops-actions/git'
import { createGitHubClient } from '@gitops-actions/github'
import { batchedRender } from '@gitops-actions/kustomize'
import { githubHealth, releaseTagVersions } from '@gitops-actions/operations'
import { EXIT, UsageError, listOption, repoDirectory, stringOption, type Command } from '../command.js'
import { paint, plural, progress, type Terminal } from '../terminal.js'

export const statusCommand: Command = {
  name: 'status',
  summary: 'Which version of which app runs in which environment, what waits to be promoted, and the drift between environments.',
  usage:
    'status [--app myapp] [--markdown | --json] [--no-render | --fail-on-drift] [--app-repository <dir>] [--github <owner/name>] [dir]',
  options: {
    app: { type: 'string', multiple: true, description: 'Only this app (repeat, or comma-separate, for several).' },
    markdown: {
      type: 'boolean',
      description: 'Print the markdown of job summaries and promotion PRs (Mermaid chain, table, drift).',
      default: false
    },
    'fail-on-drift': {
      type: 'boolean',
      description:
        "Exit 1 when neighbouring environments drift apart (differences gitops.yaml's drift.expected does not cover): for a scheduled check.",
      default: false
    },
    'no-render': {
      type: 'boolean',
      description: 'Read the kustomization files only: no kustomize render, so no drift and no rendered-image check.',
      default: false
    },
    'app-repository': {
      type: 'string',
      description: 'A checkout of the app repository: the version of a build whose tag has none, from the release tag on its commit.',
      formerNames: ['app-repo']
    },
    'release-tag-prefix': { type: 'string', description: 'Prefix of release tags.', default: 'v' },
    github: {
      type: 'string',
      description:
        "The config repository on GitHub (owner/name): each cell shows Flux's health from its commit statuses (verified, pending, failing), as promotions check it."
    },
    base: { type: 'string', description: 'The branch Flux applies, with --github.', default: 'main' },
    token: { type: 'string', description: 'GitHub token for --github; defaults to GITHUB_TOKEN or GH_TOKEN.' },
    'api-url': { type: 'string', description: 'REST API URL; defaults to GITHUB_API_URL or https://api.github.com.' }
  },
  async run({ values, positionals }, terminal) {
    if (values.json && values.markdown) throw new UsageError('give --json or --markdown, not both')
    if (values['fail-on-drift'] === true && values['no-render'] === true)
      throw new UsageError('--fail-on-drift needs the rendered overlays: leave out --no-render')
    const repoRoot = repoDirectory(terminal, positionals)
    const apps = listOption(values, 'app')
    const options = { apps: apps.length > 0 ? apps : undefined, ...knownElsewhere(values, terminal) }
    if (values['no-render'] === true && (options.versionOf || options.healthOf)) {
      throw new UsageError('--app-repository and --github go with the rendered status, not with --no-render')
    }
    const status =
      values['no-render'] === true ? readEnvironmentStatus(repoRoot, options) : await renderedStatus(terminal, repoRoot, options)
    if (values.json) terminal.out(JSON.stringify(status, null, 2))
    else if (values.markdown) terminal.out(renderStatusMarkdown(status).trimEnd())
    else {
      terminal.out(renderStatusTable(status, { color: terminal.color }).trimEnd())
      terminal.out('')
      terminal.out(summaryLine(terminal, status))
    }
    const drifting = status.drift?.filter((pair) => pair.objects.length > 0) ?? []
    if (values['fail-on-drift'] === true && drifting.length > 0) {
      terminal.err(`--fail-on-drift: ${drifting.map((pair) => `${pair.app} ${pair.from} → ${pair.to}`).join(', ')} drift apart`)
      return EXIT.failed
    }
    return EXIT.ok
  }
}

/** What the repository alone cannot tell: versions from the app's release tags, health from GitHub's commit statuses. */
function knownElsewhere(values: Record<string, unknown>, terminal: Terminal): Pick<CollectStatusOptions, 'versionOf' | 'healthOf'> {
  const known: Pick<CollectStatusOptions, 'versionOf' | 'healthOf'> = {}
  const appRepo = stringOption(values, 'app-repository')
  if (appRepo) {
    const prefix = stringOption(values, 'release-tag-prefix', 'v')!
    known.versionOf = releaseTagVersions(() => tagsMergedInto(resolve(terminal.cwd, appRepo), 'HEAD', `${prefix}*`), prefix)
  }
  const repository = stringOption(values, 'github')
  if (repository !== undefined) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new UsageError(`--github '${repository}' is not owner/name`)
    const token = stringOption(values, 'token') ?? terminal.env.GITHUB_TOKEN ?? terminal.env.GH_TOKEN
    if (!token) throw new UsageError('--github needs a token: pass --token or set GITHUB_TOKEN (it reads commit statuses)')
    const [owner, repo] = repository.split('/') as [string, string]
    const github = createGitHubClient({ token, baseUrl: stringOption(values, 'api-url') ?? terminal.env.GITHUB_API_URL })
    known.healthOf = githubHealth(github, { owner, repo }, stringOption(values, 'base', 'main')!, new Date())
  }
  return known
}

/** Every overlay rendered in batches (a few kustomize calls for hundreds of apps), with a progress line on a terminal. */
async function renderedStatus(
  terminal: Terminal,
  repoRoot: string,
  options: Pick<CollectStatusOptions, 'apps' | 'versionOf' | 'healthOf'>
): Promise<EnvironmentStatus> {
  const line = progress(terminal, 'rendering', 'overlays')
  const renderer = batchedRender(repoRoot, { onProgress: line.update, remoteHosts: loadGitopsConfig(repoRoot).kustomize.remoteResources })
  try {
    return await collectEnvironmentStatus(repoRoot, { ...options, render: renderer.render, renderAhead: renderer.renderAhead })
  } finally {
    line.end()
  }
}

/** `2 apps in 3 environments: 1 promotion waiting, drift in 1 of 4 environment pairs.` */
function summaryLine(terminal: Terminal, status: EnvironmentStatus): string {
  const steps = status.apps.flatMap((a) => a.steps)
  const waiting = steps.filter((s) => s.state === 'behind').length
  const problems = status.apps.reduce((n, a) => n + a.environments.reduce((m, e) => m + e.problems.length, 0), 0)
  const parts = [
    `${plural(status.apps.length, 'app')} in ${plural(status.environments.length, 'environment')}`,
    waiting > 0
      ? paint(terminal, 'yellow', `${plural(waiting, 'promotion')} waiting`)
      : paint(terminal, 'green', 'nothing waiting to be promoted')
  ]
  if (status.drift) {
    const drifting = status.drift.filter((d) => d.objects.length > 0).length
    parts.push(
      drifting > 0
        ? paint(terminal, 'yellow', `drift in ${drifting} of ${plural(status.drift.length, 'environment pair')}`)
        : paint(terminal, 'green', 'no drift')
    )
  } else parts.push(paint(terminal, 'dim', 'drift not computed (--no-render)'))
  if (problems > 0) parts.push(paint(terminal, 'red', plural(problems, 'problem')))
  return `${parts.join(', ')}.`
}
