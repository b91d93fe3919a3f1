// The hardening rules for workflow files, as pure functions over a workflow's text, so that the tests
// can show each rule both passing on our workflows and catching a bad one.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { escapeRegExp, repositoryOf } from '../../scripts/lib/repository.mjs'

/** A workflow's parsed form, loosely typed: the referees (actionlint, GitHub's parser) check its shape. */
export type Workflow = Record<string, any>

/** The owner/name this copy is published as: package.json's repository (`npm run adopt` changes it). */
export const OWN_REPOSITORY: string = repositoryOf(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')))!
const own = escapeRegExp(OWN_REPOSITORY)

/** Our own actions: `./x`, `./actions/x`, `<own repository>/x@ref`, `<own repository>/actions/x@ref`. */
export function ownAction(uses: string): string | null {
  const local = /^\.\/(?:actions\/)?([a-z][a-z0-9-]*)\/?$/.exec(uses)
  if (local) return local[1]!
  const remote = new RegExp(`^${own}/(?:actions/)?([a-z][a-z0-9-]*)@[\\w.-]+$`).exec(uses)
  return remote ? remote[1]! : null
}

/** Our reusable workflows: `<own repository>/.github/workflows/<file>@ref` → `<file>`. */
export function ownReusableWorkflow(uses: string): string | null {
  const match = new RegExp(`^${own}/\\.github/workflows/([\\w.-]+\\.ya?ml)@[\\w.-]+$`).exec(uses)
  return match ? match[1]! : null
}

export function jobsOf(workflow: Workflow): [string, Record<string, any>][] {
  return Object.entries(workflow.jobs ?? {})
}

export function triggersOf(workflow: Workflow): Record<string, any> {
  const on = workflow.on
  if (typeof on === 'string') return { [on]: null }
  if (Array.isArray(on)) return Object.fromEntries(on.map((event) => [event, null]))
  return on ?? {}
}

/**
 * Every rule a workflow breaks, as `file:line: message` (line where known):
 * - `permissions:` at the top and on every job (least privilege is then a matter of review);
 * - `timeout-minutes:` on every job that has steps (jobs calling a reusable workflow cannot have one);
 * - third-party actions pinned to a full 40-hex commit SHA with a `# vX.Y.Z` comment;
 * - no `${{ }}` expression inside `run:` (values reach scripts through `env:`, so nothing an event
 *   carries can become shell code);
 * - no `pull_request_target` trigger (it runs with secrets on the PR author's code when it checks out).
 */
export function hardeningProblems(file: string, text: string): string[] {
  const problems: string[] = []
  const workflow: Workflow = parse(text)
  const lines = text.split('\n')
  const lineOf = (needle: RegExp, from = 0) => {
    for (let i = from; i < lines.length; i++) if (needle.test(lines[i]!)) return i + 1
    return 0
  }
  if (workflow.permissions === undefined) problems.push(`${file}: no top-level permissions`)
  if ('pull_request_target' in triggersOf(workflow)) problems.push(`${file}:${lineOf(/pull_request_target/)}: pull_request_target trigger`)
  for (const [id, job] of jobsOf(workflow)) {
    const at = lineOf(new RegExp(`^  ${id}:\\s*$`))
    if (job.permissions === undefined) problems.push(`${file}:${at}: job ${id} has no permissions`)
    if (job.steps && job['timeout-minutes'] === undefined) problems.push(`${file}:${at}: job ${id} has no timeout-minutes`)
    for (const step of job.steps ?? []) {
      if (typeof step.run === 'string' && step.run.includes('${{'))
        problems.push(`${file}:${lineOf(/^\s*(- )?run:/, at)}: job ${id} has an expression inside run: (pass it through env:)`)
    }
  }
  lines.forEach((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line)
    if (!match) return
    const uses = match[1]!
    const rest = match[2] ?? ''
    if (uses.startsWith('./') || ownAction(uses) || ownReusableWorkflow(uses) || uses.startsWith('docker://')) return
    if (!/@[0-9a-f]{40}$/.test(uses)) problems.push(`${file}:${index + 1}: ${uses} is not pinned to a full commit SHA`)
    else if (!/^\s+# v\d+\.\d+\.\d+\s*$/.test(rest)) problems.push(`${file}:${index + 1}: ${uses} has no "# vX.Y.Z" comment`)
  })
  return problems
}

/** `uses:` lines of third-party actions as [action, sha, version]. */
export function pins(text: string): [string, string, string][] {
  return [...text.matchAll(/uses:\s*([^@\s]+)@([0-9a-f]{40})\s+# (v\d+\.\d+\.\d+)/g)].map((m) => [m[1]!, m[2]!, m[3]!])
}

/** An action's or reusable workflow's inputs: every name, and those a caller must give. */
export interface InputSpec {
  names: string[]
  required: string[]
}

/** Inputs of an action.yml: required means `required: true` without a default. */
export function actionInputs(actionYml: string): InputSpec {
  const inputs: Record<string, any> = parse(actionYml).inputs ?? {}
  return {
    names: Object.keys(inputs),
    required: Object.entries(inputs)
      .filter(([, spec]) => spec?.required === true && spec.default === undefined)
      .map(([name]) => name)
  }
}

/**
 * Every `with:` key that a step passes to one of our actions and that the action does not have, and
 * every required input left out, as messages naming the file, job and step.
 */
export function ownActionInputProblems(file: string, workflow: Workflow, inputsOf: (action: string) => InputSpec): string[] {
  const problems: string[] = []
  for (const [id, job] of jobsOf(workflow))
    (job.steps ?? []).forEach((step: any, index: number) => {
      const action = ownAction(String(step.uses ?? ''))
      if (!action) return
      const spec = inputsOf(action)
      const where = `${file}: job ${id}, step ${step.id ?? step.name ?? index + 1} (${action})`
      const given = Object.keys(step.with ?? {})
      for (const key of given)
        if (!spec.names.includes(key)) problems.push(`${where} passes '${key}', which is not an input (inputs: ${spec.names.join(', ')})`)
      for (const key of spec.required) if (!given.includes(key)) problems.push(`${where} leaves out the required input '${key}'`)
    })
  return problems
}
