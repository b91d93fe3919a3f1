import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Every regular file under `dir` (hidden and temp files included) with its text (prefixed by its
 * mtime and inode when asked), so a test checks that "nothing was written" instead of assuming it.
 */
export function snapshotFiles(dir: string, options: { mtime?: boolean; inode?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) {
        const text = readFileSync(join(dir, path), 'utf8')
        if (!options.mtime && !options.inode) {
          out[path] = text
          continue
        }
        const stat = statSync(join(dir, path))
        out[path] = `${options.mtime ? stat.mtimeMs : ''}:${options.inode ? stat.ino : ''}|${text}`
      }
    }
  }
  walk('')
  return out
}

/** The error a promise rejects with, which must be of `type` (e.g. UserError); fails the test otherwise. */
export async function rejectionOf<T extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => T): Promise<T> {
  try {
    await promise
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a ${type.name}`)
}
