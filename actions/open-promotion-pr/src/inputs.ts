import {
  booleanInput,
  choiceInput,
  listInput,
  optionalString,
  renamedString,
  repositoryInput,
  requiredString,
  secretInput
} from '@gitops-actions/action-kit'
import { checkAppName, parameterError, parseImageReference, type PromotionMode } from '@gitops-actions/core'

type StatusState = 'pending' | 'success' | 'failure' | 'error'

export interface Inputs {
  mode: PromotionMode
  app: string
  from: string | undefined
  to: string | undefined
  tag: string | undefined
  image: string | undefined
  version: string | undefined
  allowSkip: boolean
  allowDowngrade: boolean
  keepTag: boolean
  repository: { owner: string; repo: string } | undefined
  base: string
  token: string
  /** A checkout of the config repository (working-directory; path in 1.0). */
  workingDirectory: string | undefined
  commitMode: 'api' | 'git'
  registry: { host: string; repository: string; username: string | undefined; password: string | undefined } | undefined
  pinDigest: boolean
  dryRun: boolean
  draft: boolean
  requestReviews: boolean
  title: string | undefined
  labels: string[]
  reviewers: string[]
  teamReviewers: string[]
  deleteBranch: boolean
  autoMerge: 'config' | 'true' | 'false'
  mergeMethod: 'MERGE' | 'SQUASH' | 'REBASE'
  headStatuses: Array<{ context: string; state: StatusState; description: string }>
  appRepository: { owner: string; repo: string } | undefined
  appToken: string | undefined
  releaseTagPrefix: string
}

const STATES: readonly StatusState[] = ['pending', 'success', 'failure', 'error']

function headStatuses(): Inputs['headStatuses'] {
  return listInput('head-statuses').map((line) => {
    const match = /^([^=]+)=([a-z]+)(?::(.*))?$/.exec(line)
    if (!match || !STATES.includes(match[2] as StatusState)) {
      throw parameterError('head-statuses', `'${line}' is not context=state[:description] with state one of ${STATES.join(', ')}`)
    }
    return {
      context: match[1]!.trim(),
      state: match[2] as StatusState,
      description: match[3]?.trim() || `${match[1]!.trim()}: ${match[2]}`
    }
  })
}

export function getInputs(): Inputs {
  const app = requiredString('app')
  checkAppName(app)
  const registryImage = optionalString('registry-image')
  let registry: Inputs['registry']
  if (registryImage !== undefined) {
    const reference = parseImageReference(registryImage, { parameter: 'registry-image' })
    if (!reference.registry || reference.tag || reference.digest) {
      throw parameterError('registry-image', `'${registryImage}' must be a registry host and path without tag, e.g. ghcr.io/org/myapp`)
    }
    registry = {
      host: reference.registry,
      repository: reference.repository,
      username: optionalString('registry-username'),
      password: secretInput('registry-password')
    }
  }
  const version = optionalString('version')?.replace(/^v/, '')
  return {
    mode: choiceInput('mode', ['auto-deploy', 'promote'] as const),
    app,
    from: optionalString('from'),
    to: optionalString('to'),
    tag: optionalString('tag'),
    image: optionalString('image'),
    version,
    allowSkip: booleanInput('allow-skip'),
    allowDowngrade: booleanInput('allow-downgrade'),
    keepTag: booleanInput('keep-tag'),
    repository: repositoryInput('repository'),
    base: optionalString('base') ?? 'main',
    token: secretInput('token') ?? requiredString('token'),
    workingDirectory: renamedString('working-directory', ['path']),
    commitMode: choiceInput('commit-mode', ['api', 'git'] as const),
    registry,
    pinDigest: booleanInput('pin-digest'),
    dryRun: booleanInput('dry-run'),
    draft: booleanInput('draft'),
    requestReviews: booleanInput('request-reviews'),
    title: optionalString('title'),
    labels: listInput('labels'),
    reviewers: listInput('reviewers').map((login) => login.replace(/^@/, '')),
    teamReviewers: listInput('team-reviewers'),
    deleteBranch: booleanInput('delete-branch'),
    autoMerge: choiceInput('auto-merge', ['config', 'true', 'false'] as const),
    mergeMethod: choiceInput('merge-method', ['squash', 'merge', 'rebase'] as const).toUpperCase() as Inputs['mergeMethod'],
    headStatuses: headStatuses(),
    appRepository: repositoryInput('app-repository'),
    appToken: secretInput('app-token'),
    releaseTagPrefix: optionalString('release-tag-prefix') ?? 'v'
  }
}
