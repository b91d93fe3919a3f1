import { createTwoFilesPatch } from 'diff'

/**
 * The unified diff of two `kustomize build` outputs of one overlay: what the cluster gets
 * changed, as reviewers should read it. Empty when nothing rendered changes.
 */
export function renderedDiff(overlay: string, before: string, after: string, context = 3): string {
  if (before === after) return ''
  return createTwoFilesPatch(`${overlay} (base branch)`, `${overlay} (this PR)`, before, after, undefined, undefined, { context })
    .split('\n')
    .filter((line) => !line.startsWith('====='))
    .join('\n')
}
