import {
  inWorkspaceDirectory,
  markdownTable,
  readRunContext,
  runAction,
  runnerLogger,
  setOutputs,
  writeSummary,
  workspacePath
} from '@gitops-actions/action-kit'
import type { ImageEdit } from '@gitops-actions/core'
import { bumpOverlay, type BumpOverlayResult } from '@gitops-actions/operations'
import { getInputs } from './inputs.js'

export async function run(): Promise<void> {
  await runAction('bump-overlay', async () => {
    const { workingDirectory, ...inputs } = getInputs()
    const context = readRunContext()
    const result = await inWorkspaceDirectory(context, workingDirectory, () =>
      bumpOverlay({ ...inputs, root: workspacePath(context, 'working-directory', workingDirectory), logger: runnerLogger })
    )
    if (result.diff) runnerLogger.info(result.diff)
    runnerLogger.info(
      result.changed
        ? `${result.dryRun ? 'Would change' : 'Changed'} ${result.files.length} file(s) in ${result.overlays.length} overlay(s).`
        : 'Nothing to change.'
    )
    setOutputs(
      {
        changed: result.changed,
        'previous-tag': result.previousTag,
        'previous-digest': result.previousDigest,
        files: result.files,
        overlays: result.overlays,
        diff: result.diff
      },
      result
    )
    writeSummary(renderSummary(result))
  })
}

function renderSummary(result: BumpOverlayResult): string {
  const title = `### bump-overlay${result.dryRun ? ' (dry run: nothing written)' : ''}`
  if (!result.changed) return `${title}\n\nEvery overlay already runs the requested image; nothing changed.\n`
  const arrow = (c: ImageEdit) => `${c.before === '' ? '(none)' : `\`${c.before}\``} → ${c.after === '' ? '(removed)' : `\`${c.after}\``}`
  return [
    title,
    '',
    markdownTable(
      ['overlay', 'file', 'image', 'field', 'old → new'],
      result.changes.map((c) => [c.overlay, `${c.file.slice(c.overlay.length + 1)}:${c.line}`, c.image, c.field, arrow(c)])
    ),
    ''
  ].join('\n')
}
