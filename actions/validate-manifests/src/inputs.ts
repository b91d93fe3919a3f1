import { choiceInput, listInput, optionalString, booleanInput } from '@gitops-actions/action-kit'
import { parameterError } from '@gitops-actions/core'
import { selectChecks, type CheckName, type Shard } from '@gitops-actions/validation'

export interface Inputs {
  checks: CheckName[]
  workingDirectory: string
  changedOnly: boolean
  baseRef: string | undefined
  shard: Shard | undefined
  failOn: 'error' | 'warning'
  sarifFile: string | undefined
  kustomizeFlags: string[]
  environmentStatus: 'auto' | 'true' | 'false'
}

export function getInputs(): Inputs {
  return {
    checks: selectChecks(listInput('checks'), 'checks'),
    workingDirectory: optionalString('working-directory') ?? '.',
    changedOnly: booleanInput('changed-only'),
    baseRef: optionalString('base-ref'),
    shard: parseShard(optionalString('shard')),
    failOn: choiceInput('fail-on', ['error', 'warning'] as const),
    sarifFile: optionalString('sarif-file'),
    kustomizeFlags: listInput('kustomize-flags'),
    environmentStatus: choiceInput('environment-status', ['auto', 'true', 'false'] as const)
  }
}

/** `index/total`, 1 ≤ index ≤ total. */
export function parseShard(raw: string | undefined): Shard | undefined {
  if (raw === undefined) return undefined
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(raw)
  const index = Number(match?.[1])
  const total = Number(match?.[2])
  if (!match || total < 1 || index < 1 || index > total) {
    throw parameterError('shard', `'${raw}' is not valid. Expected index/total with 1 ≤ index ≤ total, e.g. 2/4`)
  }
  return { index, total }
}
