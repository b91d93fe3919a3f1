import {
  loadGitopsConfig,
  collectEnvironmentStatus,
  readEnvironmentStatus,
  renderStatusMarkdown,
  renderStatusTable,
  type EnvironmentStatus
} from '@gitops-actions/core'
import { batchedRender } from '@gitops-actions/kustomize'
import { EXIT, UsageError, listOption, repoDirectory, type Command } from '../command.js'
import { paint, plural, progress, type Terminal } from '../terminal.js'

export const statusCommand: Command = {
  name: 'status',
  summary: 'Which version of which app runs in which environment, what waits to be promoted, and the drift between environments.',
  usage: 'status [--app myapp] [--markdown | --json] [--no-render] [dir]',
  options: {
    app: { type: 'string', multiple: true, description: 'Only this app (repeat, or comma-separate, for several).' },
    markdown: {
      type: 'boolean',
      description: 'Print the markdown of job summaries and promotion PRs (Mermaid chain, table, drift).',
      default: false
    },
    'no-render': {
      type: 'boolean',
      description: 'Read the kustomization files only: no kustomize render, so no drift and no rendered-image check.',
      default: false
    }
  },
  async run({ values, positionals }, terminal) {
    if (values.json && values.markdown) throw new UsageError('give --json or --markdown, not both')
    const repoRoot = repoDirectory(terminal, positionals)
    const apps = listOption(values, 'app')
    const options = { apps: apps.length > 0 ? apps : undefined }
    const status =
      values['no-render'] === true ? readEnvironmentStatus(repoRoot, options) : await renderedStatus(terminal, repoRoot, options)
    if (values.json) terminal.out(JSON.stringify(status, null, 2))
    else if (values.markdown) terminal.out(renderStatusMarkdown(status).trimEnd())
    else {
      terminal.out(renderStatusTable(status, { color: terminal.color }).trimEnd())
      terminal.out('')
      terminal.out(summaryLine(terminal, status))
    }
    return EXIT.ok
  }
}

/** Every overlay rendered in batches (a few kustomize calls for hundreds of apps), with a progress line on a terminal. */
async function renderedStatus(terminal: Terminal, repoRoot: string, options: { apps: string[] | undefined }): Promise<EnvironmentStatus> {
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
