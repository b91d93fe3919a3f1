import { appendFileSync } from 'node:fs'

/** GitHub refuses a step summary over 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024

/** Cuts markdown to fit the summary limit, saying so at the end. */
export function fitSummary(markdown: string, limit = SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(markdown) <= limit) return markdown
  const note = '\n\n_… summary cut to fit GitHub’s 1 MiB limit; see the `json` output for everything._\n'
  let cut = markdown.slice(0, limit - Buffer.byteLength(note))
  while (Buffer.byteLength(cut) + Buffer.byteLength(note) > limit) cut = cut.slice(0, -1024)
  return cut.slice(0, cut.lastIndexOf('\n') + 1) + note
}

/** Appends markdown to the job summary when the runner gives one (it does not locally). */
export function writeSummary(markdown: string): boolean {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (!file) return false
  appendFileSync(file, fitSummary(markdown) + '\n')
  return true
}

// The table helpers live in core so pure renderers (status, reports) can use them too.
export { markdownCell as cell, markdownTable } from '@gitops-actions/core'
