import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { tagsMergedInto } from '@gitops-actions/git'
import { describeDowngrade } from '@gitops-actions/core'
import { planPromotion, type PromotionPlan } from '@gitops-actions/operations'
import { EXIT, UsageError, repoDirectory, stringOption, type Command } from '../command.js'
import { paint, paintDiff, textTable, type Terminal } from '../terminal.js'

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'Plan a promotion on a config repo checkout as open-promotion-pr would (gate, tags, diff); opening the PR is the action’s job.',
  parameterNames: { 'working-directory': 'the directory argument' },
  usage: 'promote --dry-run --app <app> [--from <env>] --to <env> [--tag <tag>] [--version 1.3.0] [dir]',
  options: {
    'dry-run': {
      type: 'boolean',
      description: 'Required: print the plan, write nothing (the open-promotion-pr action opens the PR).',
      default: false
    },
    app: { type: 'string', description: 'App name (as in apps/<app>/ of the config repo).' },
    from: { type: 'string', description: 'Environment the image runs in now; default: the one before --to.' },
    to: { type: 'string', description: 'Environment to promote to; default: the one after --from.' },
    tag: { type: 'string', description: 'The tag to promote; default: what runs in --from (the gate refuses anything else).' },
    image: {
      type: 'string',
      description: "The image as the overlays' images[].name writes it; default: the one image the overlays run named after the app."
    },
    version: { type: 'string', description: 'The version for a {version} tag template (prod: v{version}).' },
    'app-repository': {
      type: 'string',
      description: "A checkout of the app repository: {version} from its release tags, as the action's app-repository.",
      formerNames: ['app-repo']
    },
    'release-tag-prefix': { type: 'string', description: 'Prefix of release tags.', default: 'v' },
    'keep-tag': {
      type: 'boolean',
      description: "Deploy the source tag as is instead of the target environment's tagTemplate.",
      default: false
    },
    'allow-skip': { type: 'boolean', description: 'Allow jumping over an environment.', default: false },
    'allow-downgrade': {
      type: 'boolean',
      description: 'Allow moving --to back to an older version than it runs (a rollback on purpose).',
      default: false
    }
  },
  async run({ values, positionals }, terminal) {
    if (values['dry-run'] !== true) {
      throw new UsageError(
        'promote only plans (--dry-run): opening the pull request, re-tagging in the registry and requesting reviews is the open-promotion-pr action’s job (workflows-templates/promote.yml)'
      )
    }
    const app = stringOption(values, 'app')
    if (!app) throw new UsageError('--app is required')
    const from = stringOption(values, 'from')
    const to = stringOption(values, 'to')
    if (!from && !to) throw new UsageError('give --to (or --from)')
    const root = repoDirectory(terminal, positionals)
    const prefix = stringOption(values, 'release-tag-prefix', 'v')!
    const appRepo = stringOption(values, 'app-repository')
    // The plan edits the files it renders: a copy, as the action works on one.
    const work = mkdtempSync(join(tmpdir(), 'gitops-promote-'))
    let plan: PromotionPlan
    try {
      cpSync(root, work, { recursive: true, filter: (source) => !source.split(/[\\/]/).includes('.git') })
      plan = await planPromotion(work, {
        mode: 'promote',
        app,
        from,
        to,
        tag: stringOption(values, 'tag'),
        image: stringOption(values, 'image'),
        allowSkip: values['allow-skip'] === true,
        allowDowngrade: values['allow-downgrade'] === true,
        keepTag: values['keep-tag'] === true,
        version: stringOption(values, 'version'),
        releaseTagPrefix: prefix,
        releaseTags: appRepo ? () => tagsMergedInto(resolve(terminal.cwd, appRepo), 'HEAD', `${prefix}*`) : undefined,
        pinDigest: false,
        dryRun: true,
        now: new Date()
      })
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
    if (values.json) terminal.out(JSON.stringify(planSummary(plan), null, 2))
    else printPlan(terminal, plan)
    return EXIT.ok
  }
}

/** The plan without the loaded configuration and file contents: what a script wants to know. */
function planSummary(plan: PromotionPlan) {
  return {
    app: plan.marker.app,
    from: plan.route.from?.name,
    to: plan.route.to.name,
    skipped: plan.route.skipped,
    image: plan.image,
    overlay: plan.overlay,
    source: plan.source,
    gate: plan.gate,
    verification: plan.verification,
    downgrade: plan.downgrade,
    previousTag: plan.previous.tag,
    previousDigest: plan.previous.digest,
    tag: plan.target.tag,
    version: plan.target.version,
    changed: plan.update.changed,
    files: plan.files,
    diff: plan.diff,
    renderedDiff: plan.renderedDiff,
    branch: plan.names.branch,
    title: plan.names.title,
    labels: plan.labels,
    window: plan.window,
    dryRun: true
  }
}

function printPlan(terminal: Terminal, plan: PromotionPlan): void {
  const { route, names } = plan
  const from = route.from!.name
  const to = route.to.name
  terminal.out(
    paint(terminal, 'bold', `${plan.marker.app}: ${from} → ${to}`) + (route.skipped.length ? ` (skipping ${route.skipped.join(', ')})` : '')
  )
  const rows = [
    [from, plan.source?.tag ?? plan.source?.digest ?? '(none)', 'runs now'],
    [
      to,
      `${plan.previous.tag ?? '(none)'} → ${paint(terminal, 'green', plan.target.tag)}`,
      plan.update.changed ? 'changes' : 'already there'
    ]
  ]
  terminal.out(textTable(['environment', 'tag', ''], rows))
  terminal.out(`${paint(terminal, 'green', 'gate')}: ${plan.gate.explanation}`)
  // The plan reads no GitHub: Flux's commit statuses are checked by open-promotion-pr.
  if (plan.verification) terminal.out(`health: ${plan.verification.summary}; open-promotion-pr checks it before it opens the PR`)
  if (plan.downgrade) terminal.out(`${paint(terminal, 'yellow', 'downgrade')}: ${describeDowngrade(plan.downgrade)} (--allow-downgrade)`)
  if (plan.window.restricted)
    terminal.out(
      `window: ${plan.window.open ? 'open now' : `closed now; next opens ${plan.window.nextOpen?.toISOString() ?? 'not within a week'}`}`
    )
  if (!plan.update.changed) {
    terminal.out(`${plan.overlay} already runs ${plan.target.tag}: nothing to promote.`)
    return
  }
  terminal.out(`pull request: ${names.title} (branch ${names.branch})`)
  terminal.out('')
  terminal.out(paintDiff(terminal, plan.diff).trimEnd())
  if (plan.renderedDiff) {
    terminal.out('')
    terminal.out(paintDiff(terminal, plan.renderedDiff).trimEnd())
  }
  terminal.out('')
  terminal.out('Dry run: nothing written. The open-promotion-pr action opens this pull request.')
}
