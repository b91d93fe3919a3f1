import { booleanInput, choiceInput, renamedString, repositoryInput, requiredString, secretInput } from '@gitops-actions/action-kit'
import type { ApplyProtectionRequest, RepositoryKind } from '@gitops-actions/operations'

export interface Inputs {
  token: string
  repository: { owner: string; repo: string } | undefined
  kind: RepositoryKind
  /** The config repository checkout (working-directory; config-dir in 1.0). */
  workingDirectory: string
  method: ApplyProtectionRequest['method']
  dryRun: boolean
  failOnDrift: boolean
}

export function getInputs(): Inputs {
  return {
    token: secretInput('token') ?? requiredString('token'),
    repository: repositoryInput('repository'),
    kind: choiceInput('kind', ['app', 'config'] as const),
    workingDirectory: renamedString('working-directory', ['config-dir'], '.') ?? '.',
    method: choiceInput('method', ['auto', 'ruleset', 'classic'] as const),
    dryRun: booleanInput('dry-run'),
    failOnDrift: booleanInput('fail-on-drift')
  }
}
