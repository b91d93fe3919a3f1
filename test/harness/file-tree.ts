import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A temp directory holding these files (repository paths → text). */
export function fileTree(files: Record<string, string>, prefix = 'tree'): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  writeFiles(dir, files)
  return dir
}

/** Writes files (repository paths → text) into a directory, creating parents. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
}

/** A temp copy of a fixture directory, for a test that changes some of its files. */
export function fixtureCopy(fixture: string, prefix = 'fixture'): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  cpSync(fixture, dir, { recursive: true })
  return dir
}
