import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import { UserError } from './errors.js'
import { resolveInRepo } from './repo-paths.js'

/** A planned change of one file: its whole text before and after. */
export interface FileEdit {
  /** Repo path, e.g. `apps/myapp/overlays/dev/kustomization.yaml`. */
  path: string
  before: string
  after: string
}

/** The two file-system calls applyFileEdits makes that can fail half-way; tests replace them to prove the rollback. */
export interface FileEditIo {
  writeFile?: (path: string, text: string, options: { mode: number; flag: string }) => void
  rename?: (from: string, to: string) => void
}

/**
 * Writes edits to a checkout all or nothing. Every file must still hold `before` (else nothing is
 * written: someone changed it since the plan); each new text goes to a temp file beside its
 * target, and only when all temp files are written are they renamed into place. If a rename
 * fails, the files already replaced get their `before` back; temp files never stay behind.
 * Returns the repo paths written (edits whose text does not change are skipped).
 */
export function applyFileEdits(repoRoot: string, edits: readonly FileEdit[], io: FileEditIo = {}): string[] {
  const write = io.writeFile ?? writeFileSync
  const rename = io.rename ?? renameSync
  const pending = edits.filter((edit) => edit.before !== edit.after)
  const seen = new Set<string>()
  const targets = pending.map((edit) => {
    if (seen.has(edit.path)) throw new Error(`applyFileEdits: ${edit.path} is edited twice in one plan`)
    seen.add(edit.path)
    const absolute = resolveInRepo(repoRoot, edit.path, 'File to edit', { mustBeFile: true })
    let current: string
    try {
      current = readFileSync(absolute, 'utf8')
    } catch {
      throw new UserError(`${edit.path} disappeared before it could be written; nothing was changed`, { file: edit.path })
    }
    if (current !== edit.before) {
      throw new UserError(`${edit.path} changed on disk after the edit was planned; nothing was changed`, { file: edit.path })
    }
    return { edit, absolute, temp: join(dirname(absolute), `.${basename(absolute)}.${randomBytes(6).toString('hex')}.tmp`) }
  })

  const written: typeof targets = []
  try {
    for (const target of targets) {
      write(target.temp, target.edit.after, { mode: statSync(target.absolute).mode & 0o7777, flag: 'wx' })
      written.push(target)
    }
  } catch (error) {
    for (const target of written) unlinkQuietly(target.temp)
    unlinkQuietly(targets[written.length]?.temp)
    throw new UserError(
      `Could not write ${targets[written.length]?.edit.path ?? 'a file'}: ${(error as Error).message}; nothing was changed`
    )
  }

  const renamed: typeof targets = []
  try {
    for (const target of targets) {
      rename(target.temp, target.absolute)
      renamed.push(target)
    }
  } catch (error) {
    for (const target of targets.slice(renamed.length)) unlinkQuietly(target.temp)
    for (const target of renamed) writeFileSync(target.absolute, target.edit.before)
    throw new UserError(
      `Could not replace ${targets[renamed.length]?.edit.path}: ${(error as Error).message}; the other files were restored`
    )
  }
  return targets.map((target) => target.edit.path)
}

function unlinkQuietly(path: string | undefined): void {
  if (path === undefined) return
  try {
    unlinkSync(path)
  } catch {
    // already gone
  }
}

/** A unified diff (`git diff` style, a/ and b/ prefixes) of the edits that change something. */
export function unifiedDiff(edits: readonly FileEdit[], context = 3): string {
  return edits
    .filter((edit) => edit.before !== edit.after)
    .map((edit) =>
      createTwoFilesPatch(`a/${edit.path}`, `b/${edit.path}`, edit.before, edit.after, undefined, undefined, { context })
        .split('\n')
        .filter((line) => !line.startsWith('====='))
        .join('\n')
    )
    .join('')
}
