import { booleanInput, listInput, optionalString } from '@gitops-actions/action-kit'
import { parameterError, parseImageChangeLines, type ImageChange } from '@gitops-actions/core'
import type { BumpOverlayRequest } from '@gitops-actions/operations'

/** The action's inputs: the request minus what the run context supplies. */
export interface Inputs extends Omit<BumpOverlayRequest, 'root' | 'logger' | 'render'> {
  workingDirectory: string
}

export function getInputs(): Inputs {
  const overlays = listInput('overlays')
  const app = optionalString('app')
  const environment = optionalString('environment')
  if (overlays.length === 0 && (app === undefined || environment === undefined)) {
    throw parameterError(
      'overlays',
      "give the overlay directories, or 'app' and 'environment' to find the overlay through gitops.yaml's layout"
    )
  }
  return {
    overlays,
    app,
    environment,
    changes: readChanges(),
    dryRun: booleanInput('dry-run'),
    workingDirectory: optionalString('working-directory') ?? '.'
  }
}

function readChanges(): ImageChange[] {
  const image = optionalString('image')
  const tag = optionalString('tag')
  const digest = optionalString('digest')
  const newName = optionalString('new-name')
  const images = optionalString('images')
  if (images !== undefined) {
    for (const [name, value] of [
      ['image', image],
      ['tag', tag],
      ['digest', digest],
      ['new-name', newName]
    ] as const) {
      if (value !== undefined) throw parameterError(name, `give either 'images' or '${name}' (with 'image'), not both`)
    }
    return parseImageChangeLines(images, { parameter: 'images' })
  }
  if (image === undefined) throw parameterError('image', "required and not supplied (or give 'images' for several)")
  if (tag === undefined && digest === undefined) {
    throw parameterError('tag', `give 'tag', 'digest' or both for image '${image}' (an empty tag is never deployed)`)
  }
  const source = { parameter: tag !== undefined ? 'tag' : 'digest' }
  return [{ image, tag, digest, newName, source }]
}
