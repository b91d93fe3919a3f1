import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
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

/**
 * A temp copy of a fixture directory with text replaced in some of its files, as a user's edit
 * would: each replacement must apply once, or the test is wrong about the fixture.
 */
export function fixtureWithEdits(fixture: string, edits: Record<string, Array<[string, string]>>, prefix = 'edited'): string {
  const dir = fixtureCopy(fixture, prefix)
  for (const [file, replacements] of Object.entries(edits)) {
    let text = readFileSync(join(dir, file), 'utf8')
    for (const [from, to] of replacements) {
      if (!text.includes(from)) throw new Error(`${file} does not hold ${JSON.stringify(from)}`)
      text = text.replace(from, to)
    }
    writeFileSync(join(dir, file), text)
  }
  return dir
}
