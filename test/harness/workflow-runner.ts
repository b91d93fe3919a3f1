import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import { parse } from 'yaml'
import { parseAnnotations, parseCommandFile, runAction, type Annotation } from './run-action.js'

// Runs a workflow's jobs the way GitHub's runner does, as far as our workflows need it: every `${{ }}`
// and `if:` by GitHub's own expression engine (@actions/expressions), `run:` steps in
// `bash --noprofile --norc -eo pipefail` with GITHUB_OUTPUT and GITHUB_ENV, jobs in `needs` order,
// reusable workflows (`uses: owner/name/.github/workflows/x.yml@ref`) read from that ref, and
// actions of the published gitops-actions repository started from a checkout of the ref their `uses:`
// names (its action.yml's defaults, evaluated, and `runs.main` under Node 24). Third-party actions
// are played by stand-ins the caller gives; one without a stand-in is an error, so a new step in a
// template cannot pass unnoticed. Not modelled: matrices, services, containers, composite actions,
// concurrency and environments (their protection rules are GitHub's business).

/** The `github` context as our workflows read it. */
export interface GitHubContext {
  event_name: string
  event: Record<string, any>
  repository: string
  repository_owner: string
  ref: string
  sha: string
  token: string
  actor: string
  api_url: string
  server_url: string
  run_id: string
}

/** A third-party action played by the test: it may act on the workspace and returns the step's outputs. */
export type StandIn = (step: { with: Record<string, string>; workspace: string; github: GitHubContext }) => Record<string, string> | void

export interface WorkflowRunnerOptions {
  /** The published gitops-actions: its owner/name (as `uses:` write it) and the bare repository it resolves in. */
  actions: { repository: string; gitDir: string }
  /** The GitHub API the steps talk to (GITHUB_API_URL, GITHUB_SERVER_URL) and the token that is github.token. */
  api: { url: string; token: string }
  /** Added to the environment of every step. */
  env?: Record<string, string>
  /** Third-party actions by `owner/name[/path]` (no ref). */
  standIns: Record<string, StandIn>
  /** Scratch space: workspaces, action checkouts, runner files. */
  work: string
}

export interface RunRequest {
  /** The repository the workflow runs in (owner/name). */
  repository: string
  event: string
  ref: string
  sha: string
  /** The event payload (github.event); `repository` is filled in when missing. */
  payload?: Record<string, any>
  vars?: Record<string, string>
  secrets?: Record<string, string>
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>
  /** Jobs the test does not run, with the reason (they count as succeeded, without outputs, for the jobs that need them). */
  notRun?: Record<string, string>
}

export interface StepRecord {
  job: string
  step: string
  /** ours: a gitops-actions action from its checkout; run: a shell script; stand-in: a third-party action played by the test. */
  kind: 'ours' | 'run' | 'stand-in'
  uses?: string
  /** For ours: the file that ran (`<checkout>/<action>/action.yml`'s runs.main). */
  entry?: string
  outcome: 'success' | 'failure' | 'skipped'
  outputs: Record<string, string>
  annotations: Annotation[]
  summary: string
  log: string
}

export interface JobRecord {
  id: string
  /** As GitHub names its check run: the job's `name:` (evaluated), else its id. */
  name: string
  result: 'success' | 'failure' | 'skipped' | 'not run'
  outputs: Record<string, string>
  /** For a job that calls a reusable workflow: that workflow's `uses:` and run. */
  called?: { uses: string; run: WorkflowRun }
}

export interface WorkflowRun {
  jobs: Record<string, JobRecord>
  /** Every step that ran or was skipped, reusable workflows' included, in order. */
  steps: StepRecord[]
}

const CONTEXTS = ['github', 'env', 'vars', 'secrets', 'inputs', 'needs', 'steps', 'jobs', 'job', 'runner', 'matrix', 'strategy']
const STATUS_FUNCTIONS = /\b(success|failure|always|cancelled)\s*\(/

/** The value of one expression (without `${{ }}`) in `contexts`; status functions answer for a job that has `failed` or not. */
function evaluate(
  expression: string,
  contexts: Record<string, unknown>,
  extra: { failed?: boolean; workspace?: string } = {}
): data.ExpressionData {
  const functions = new Map([
    ['success', { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(!extra.failed) }],
    ['failure', { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(Boolean(extra.failed)) }],
    ['always', { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) }],
    ['cancelled', { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(false) }],
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 1,
        call: (pattern: data.ExpressionData) => new data.StringData(hashFiles(extra.workspace, pattern.coerceString()))
      }
    ]
  ])
  const parsed = new Parser(new Lexer(expression).lex().tokens, CONTEXTS, [...functions.values()]).parse()
  return new Evaluator(parsed, JSON.parse(JSON.stringify(contexts), data.reviver), functions).evaluate()
}

/** hashFiles for one literal path (our workflows use no globs): the file's SHA-256, '' when it does not exist. */
function hashFiles(workspace: string | undefined, pattern: string): string {
  if (/[*?[\]!]/.test(pattern)) throw new Error(`hashFiles('${pattern}'): only literal paths are modelled`)
  const file = resolve(workspace ?? '.', pattern)
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : ''
}

/** JavaScript truthiness of an expression's value, which is GitHub's (false, 0, '', null are false). */
function truthy(value: data.ExpressionData): boolean {
  return Boolean(JSON.parse(JSON.stringify(value, data.replacer)))
}

/** A value with its `${{ }}` parts evaluated, as the runner hands it to a step: always a string. */
export function interpolate(value: unknown, contexts: Record<string, unknown>, workspace?: string): string {
  if (value === undefined || value === null) return ''
  return String(value).replace(/\$\{\{(.*?)\}\}/gs, (_, expression: string) => evaluate(expression, contexts, { workspace }).coerceString())
}

function interpolateAll(
  values: Record<string, unknown> | undefined,
  contexts: Record<string, unknown>,
  workspace?: string
): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, interpolate(value, contexts, workspace)]))
}

/** An `if:` (with or without `${{ }}`): without a status function it also needs the job to be going well, as on GitHub. */
function condition(text: unknown, contexts: Record<string, unknown>, failed: boolean, workspace?: string): boolean {
  if (text === undefined) return !failed
  if (typeof text === 'boolean') return text && !failed
  const expression = String(text)
    .trim()
    .replace(/^\$\{\{(.*)\}\}$/s, '$1')
  const value = truthy(evaluate(expression, contexts, { failed, workspace }))
  return STATUS_FUNCTIONS.test(expression) ? value : value && !failed
}

/** Whether `on:` starts the workflow for this event and branch (push and pull_request `branches:` filters, exact names and `*`). */
function triggers(workflow: any, event: string, branch: string | undefined): boolean {
  const on =
    typeof workflow.on === 'string'
      ? { [workflow.on]: {} }
      : Array.isArray(workflow.on)
        ? Object.fromEntries(workflow.on.map((e: string) => [e, {}]))
        : workflow.on
  if (!on || !(event in on)) return false
  const branches: string[] | undefined = on[event]?.branches
  if (!branches || branch === undefined) return true
  return branches.some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '[^/]*')}$`).test(branch))
}

/** Jobs in an order that runs every job after the jobs it needs. */
function jobOrder(jobs: Record<string, any>): string[] {
  const order: string[] = []
  const visit = (id: string, path: string[]) => {
    if (order.includes(id)) return
    if (path.includes(id)) throw new Error(`jobs need each other: ${[...path, id].join(' → ')}`)
    for (const need of needsOf(jobs[id])) visit(need, [...path, id])
    order.push(id)
  }
  for (const id of Object.keys(jobs)) visit(id, [])
  return order
}

const needsOf = (job: any): string[] => (job?.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs])

export class WorkflowRunner {
  private checkouts = new Map<string, string>()
  private runs = 0

  constructor(private readonly options: WorkflowRunnerOptions) {}

  /** A file of the published repository at `ref` (a tag, branch or commit). */
  readPublished(ref: string, path: string): string {
    return execFileSync('git', ['--git-dir', this.options.actions.gitDir, 'show', `${ref}:${path}`], { encoding: 'utf8' })
  }

  /** Whether the workflow (YAML text) starts on `event` to `branch`, by its `on:` (branches filters; paths are not modelled). */
  startsOn(workflowText: string, event: string, branch: string): boolean {
    return triggers(parse(workflowText), event, branch)
  }

  /** Runs `workflow` (YAML text) for an event in a repository, as GitHub would start it. */
  async run(workflowText: string, request: RunRequest): Promise<WorkflowRun> {
    const workflow = parse(workflowText)
    const branch = request.event === 'pull_request' ? request.payload?.pull_request?.base?.ref : request.ref.replace(/^refs\/heads\//, '')
    if (!triggers(workflow, request.event, branch)) {
      throw new Error(`the workflow "${workflow.name}" does not start on ${request.event} to ${branch}`)
    }
    const [owner] = request.repository.split('/')
    const github: GitHubContext = {
      event_name: request.event,
      event: {
        repository: {
          name: request.repository.split('/')[1],
          full_name: request.repository,
          default_branch: 'main',
          private: false,
          owner: { login: owner }
        },
        ...request.payload
      },
      repository: request.repository,
      repository_owner: owner!,
      ref: request.ref,
      sha: request.sha,
      token: this.options.api.token,
      actor: 'octocat',
      api_url: this.options.api.url,
      server_url: this.options.api.url,
      run_id: String(++this.runs)
    }
    const dispatched = request.event === 'workflow_dispatch' ? workflow.on.workflow_dispatch?.inputs : undefined
    const inputs = { ...defaults(dispatched), ...request.inputs }
    return this.runJobs(
      workflow,
      { github, vars: request.vars ?? {}, secrets: { GITHUB_TOKEN: this.options.api.token, ...request.secrets }, inputs },
      request.notRun ?? {}
    )
  }

  private async runJobs(
    workflow: any,
    context: { github: GitHubContext; vars: Record<string, string>; secrets: Record<string, string>; inputs: Record<string, unknown> },
    notRun: Record<string, string>
  ): Promise<WorkflowRun> {
    const run: WorkflowRun = { jobs: {}, steps: [] }
    const env = interpolateAll(workflow.env, { ...context, env: {} })
    const pending = jobOrder(workflow.jobs)
    // As on GitHub, the jobs whose needs are done run at the same time.
    while (pending.length > 0) {
      const ready = pending.filter((id) => needsOf(workflow.jobs[id]).every((need) => run.jobs[need]))
      const done = await Promise.all(ready.map((id) => this.startJob(id, workflow.jobs[id], run, { ...context, env }, notRun)))
      for (const [index, id] of ready.entries()) {
        run.jobs[id] = done[index]!.job
        run.steps.push(...done[index]!.steps)
        pending.splice(pending.indexOf(id), 1)
      }
    }
    return run
  }

  private async startJob(
    id: string,
    job: any,
    run: WorkflowRun,
    context: {
      github: GitHubContext
      vars: Record<string, string>
      secrets: Record<string, string>
      inputs: Record<string, unknown>
      env: Record<string, string>
    },
    notRun: Record<string, string>
  ): Promise<{ job: JobRecord; steps: StepRecord[] }> {
    const needs = Object.fromEntries(
      needsOf(job).map((need) => [need, { result: resultOf(run.jobs[need]!), outputs: run.jobs[need]!.outputs }])
    )
    const contexts = { ...context, needs }
    const name = interpolate(job.name ?? id, contexts)
    if (id in notRun) return { job: { id, name, result: 'not run', outputs: {} }, steps: [] }
    const needsFailed = Object.values(needs).some((n) => n.result !== 'success')
    if (!condition(job.if, contexts, needsFailed)) return { job: { id, name, result: 'skipped', outputs: {} }, steps: [] }
    if (!job.uses) {
      const steps: StepRecord[] = []
      return { job: await this.runJob(id, name, job, contexts, steps), steps }
    }
    const uses = String(job.uses)
    const called = this.ours(uses)
    if (!called || !called.path.startsWith('.github/workflows/')) {
      throw new Error(`job ${id}: ${uses} is not a reusable workflow of ${this.options.actions.repository}`)
    }
    const calledWorkflow = parse(this.readPublished(called.ref, called.path))
    const declared = calledWorkflow.on?.workflow_call
    if (!declared) throw new Error(`${uses} has no workflow_call trigger`)
    const given = interpolateAll(job.with, contexts)
    for (const input of Object.keys(given)) if (!declared.inputs?.[input]) throw new Error(`job ${id}: ${uses} has no input '${input}'`)
    const secrets =
      job.secrets === 'inherit'
        ? context.secrets
        : { GITHUB_TOKEN: context.secrets.GITHUB_TOKEN!, ...interpolateAll(job.secrets, contexts) }
    const inputs = { ...defaults(declared.inputs), ...typed(declared.inputs, given) }
    const inner = await this.runJobs(calledWorkflow, { github: context.github, vars: context.vars, secrets, inputs }, notRun)
    const jobs = Object.fromEntries(Object.entries(inner.jobs).map(([j, r]) => [j, { result: resultOf(r), outputs: r.outputs }]))
    const outputs = Object.fromEntries(
      Object.entries(declared.outputs ?? {}).map(([output, spec]: [string, any]) => [
        output,
        interpolate(spec.value, { ...context, inputs, jobs })
      ])
    )
    const failed = Object.values(inner.jobs).some((r) => r.result === 'failure')
    return { job: { id, name, result: failed ? 'failure' : 'success', outputs, called: { uses, run: inner } }, steps: inner.steps }
  }

  private async runJob(id: string, name: string, job: any, contexts: Record<string, any>, record: StepRecord[]): Promise<JobRecord> {
    const workspace = mkdtempSync(join(this.options.work, `${id}-`))
    const env: Record<string, string> = { ...contexts.env, ...interpolateAll(job.env, contexts) }
    const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {}
    let failed = false
    for (const [index, step] of (job.steps as any[]).entries()) {
      const name = step.id ?? step.name ?? step.uses ?? `step ${index + 1}`
      const stepContexts = {
        ...contexts,
        env,
        steps,
        job: { status: failed ? 'failure' : 'success' },
        runner: { os: 'Linux', temp: workspace }
      }
      const uses: string | undefined = step.uses
      const kind: StepRecord['kind'] = step.run !== undefined ? 'run' : uses && this.ours(uses) ? 'ours' : 'stand-in'
      const entry: StepRecord = { job: id, step: name, kind, uses, outcome: 'skipped', outputs: {}, annotations: [], summary: '', log: '' }
      record.push(entry)
      if (condition(step.if, stepContexts, failed, workspace)) {
        const stepEnv = { ...env, ...interpolateAll(step.env, stepContexts, workspace) }
        const given = interpolateAll(step.with, stepContexts, workspace)
        const result =
          kind === 'run'
            ? this.runScript(interpolate(step.run, stepContexts), stepEnv, contexts.github, workspace)
            : kind === 'ours'
              ? await this.runOurs(uses!, given, stepContexts, stepEnv, workspace)
              : this.standIn(uses!, given, contexts.github, workspace)
        Object.assign(entry, result)
        Object.assign(env, result.env)
        if (result.outcome === 'failure') failed = true
      }
      if (step.id) steps[step.id] = { outputs: entry.outputs, outcome: entry.outcome, conclusion: entry.outcome }
    }
    const outputs = failed ? {} : interpolateAll(job.outputs, { ...contexts, env, steps })
    return { id, name, result: failed ? 'failure' : 'success', outputs }
  }

  /** `owner/name/path@ref` of the published gitops-actions, or undefined for another repository. */
  private ours(uses: string): { path: string; ref: string } | undefined {
    const match = /^([^/@]+\/[^/@]+)\/([^@]+)@(\S+)$/.exec(uses)
    if (!match || match[1]!.toLowerCase() !== this.options.actions.repository.toLowerCase()) return undefined
    return { path: match[2]!, ref: match[3]! }
  }

  /** A checkout of the published repository at `ref`, as the runner downloads an action (once per commit). */
  private checkout(ref: string): string {
    const gitDir = this.options.actions.gitDir
    const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8' }).trim()
    let dir = this.checkouts.get(commit)
    if (!dir) {
      dir = join(this.options.work, 'actions', commit)
      mkdirSync(dir, { recursive: true })
      execFileSync('sh', ['-c', `git --git-dir "$1" archive "$2" | tar -x -C "$3"`, 'archive', gitDir, commit, dir])
      this.checkouts.set(commit, dir)
    }
    return dir
  }

  private async runOurs(
    uses: string,
    given: Record<string, string>,
    contexts: Record<string, any>,
    env: Record<string, string>,
    workspace: string
  ) {
    const { path, ref } = this.ours(uses)!
    const actionDir = join(this.checkout(ref), path)
    const metadata = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8'))
    for (const name of Object.keys(given)) if (!metadata.inputs?.[name]) throw new Error(`${uses} has no input '${name}'`)
    // The runner evaluates action.yml's defaults (`${{ github.token }}`) in the step's contexts.
    const inputs = {
      ...interpolateAll(
        Object.fromEntries(Object.entries(metadata.inputs ?? {}).map(([n, spec]: [string, any]) => [n, spec.default ?? ''])),
        contexts
      ),
      ...given
    }
    const result = await runAction(path, {
      actionDir,
      inputs,
      workspace,
      eventName: contexts.github.event_name,
      event: contexts.github.event,
      env: { ...this.options.env, ...env, ...githubEnv(contexts.github) }
    })
    return {
      entry: resolve(actionDir, metadata.runs.main),
      outcome: result.exitCode === 0 ? ('success' as const) : ('failure' as const),
      outputs: result.outputs,
      annotations: result.annotations,
      summary: result.summary,
      log: result.stdout + result.stderr,
      env: result.env
    }
  }

  private runScript(script: string, env: Record<string, string>, github: GitHubContext, workspace: string) {
    const files = mkdtempSync(join(this.options.work, 'run-'))
    const output = join(files, 'output')
    const envFile = join(files, 'env')
    const summary = join(files, 'summary')
    for (const file of [output, envFile, summary]) writeFileSync(file, '')
    writeFileSync(join(files, 'event.json'), JSON.stringify(github.event))
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd: workspace,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...this.options.env,
        ...env,
        ...githubEnv(github),
        GITHUB_WORKSPACE: workspace,
        GITHUB_EVENT_PATH: join(files, 'event.json'),
        GITHUB_OUTPUT: output,
        GITHUB_ENV: envFile,
        GITHUB_STEP_SUMMARY: summary
      }
    })
    return {
      outcome: result.status === 0 ? ('success' as const) : ('failure' as const),
      outputs: parseCommandFile(readFileSync(output, 'utf8')),
      annotations: parseAnnotations(result.stdout),
      summary: readFileSync(summary, 'utf8'),
      log: result.stdout + result.stderr,
      env: parseCommandFile(readFileSync(envFile, 'utf8'))
    }
  }

  private standIn(uses: string, given: Record<string, string>, github: GitHubContext, workspace: string) {
    const action = uses.replace(/@.*$/, '')
    const play = this.options.standIns[action]
    if (!play) throw new Error(`no stand-in for ${uses}: give one (or run it) before a workflow step may use it`)
    return {
      outcome: 'success' as const,
      outputs: play({ with: given, workspace, github }) ?? {},
      annotations: [],
      summary: '',
      log: '',
      env: {}
    }
  }
}

/** The environment the runner gives every step from the `github` context. */
function githubEnv(github: GitHubContext): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository_owner,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_ACTOR: github.actor,
    GITHUB_RUN_ID: github.run_id,
    GITHUB_API_URL: github.api_url,
    GITHUB_SERVER_URL: github.server_url
  }
}

const resultOf = (job: JobRecord): string => (job.result === 'not run' ? 'success' : job.result)

/** The defaults of declared inputs (workflow_dispatch, workflow_call). */
function defaults(declared: Record<string, any> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(declared ?? {})
      .filter(([, spec]) => spec?.default !== undefined)
      .map(([name, spec]) => [name, spec.default])
  )
}

/** workflow_call inputs as their declared types (a boolean input is a boolean in `inputs`). */
function typed(declared: Record<string, any> | undefined, given: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(given).map(([name, value]) => [
      name,
      declared?.[name]?.type === 'boolean' ? value === 'true' : declared?.[name]?.type === 'number' ? Number(value) : value
    ])
  )
}

/** The check runs GitHub would show for a run: each job that ran, a reusable workflow's as `<caller> / <job>`. */
export function checkRuns(run: WorkflowRun, prefix = ''): Array<{ name: string; result: JobRecord['result'] }> {
  return Object.values(run.jobs).flatMap((job) =>
    job.called
      ? checkRuns(job.called.run, `${prefix}${job.name} / `)
      : job.result === 'not run'
        ? []
        : [{ name: `${prefix}${job.name}`, result: job.result }]
  )
}
