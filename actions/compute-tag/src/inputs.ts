import { choiceInput, integerInput, listInput, optionalString, requiredString } from '@gitops-actions/action-kit'
import { parameterError, parseTemplateTable, PRESETS } from '@gitops-actions/core'
import type { ComputeTagRequest } from '@gitops-actions/operations'

/** The action's inputs: the request minus what the run context supplies. */
export interface Inputs extends Omit<ComputeTagRequest, 'cwd' | 'revision' | 'branch' | 'pullRequest' | 'runId' | 'sourceUrl' | 'now'> {
  workingDirectory: string
}

export function getInputs(): Inputs {
  const environment = optionalString('environment') ?? 'dev'
  const rawTemplate = optionalString('tag-template')
  let templates: Record<string, string> = {}
  if (rawTemplate !== undefined) {
    templates = /^\s*[a-z0-9-]+\s*=/m.test(rawTemplate) ? parseTemplateTable(rawTemplate, 'tag-template') : { [environment]: rawTemplate }
  }
  const aliasList = listInput('aliases')
  const version = optionalString('version')?.replace(/^v/, '')
  if (version !== undefined && !/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(version)) {
    throw parameterError('version', `'${version}' is not a semantic version (e.g. 1.2.3 or 1.3.0-rc.1)`)
  }
  return {
    app: requiredString('app'),
    environment,
    images: listInput('image'),
    templates,
    aliases: aliasList.length === 0 ? undefined : aliasList.length === 1 && aliasList[0] === 'none' ? [] : aliasList,
    shaLength: integerInput('sha-length', { min: 4, max: 40 }) ?? 7,
    timestampSource: choiceInput('timestamp-source', ['commit', 'now'] as const),
    version,
    releaseTagPrefix: optionalString('release-tag-prefix') ?? '',
    prerelease: optionalString('prerelease') ?? '',
    initialVersion: optionalString('initial-version') ?? '0.1.0',
    preset: choiceInput('preset', PRESETS, true),
    releaseRules: optionalString('release-rules'),
    paths: listInput('paths'),
    workingDirectory: optionalString('working-directory') ?? '.'
  }
}
