import { subjectError, type Subject } from '../errors.js'
import { normalizeRepoPath } from '../repo-paths.js'
import type { RepoReader } from '../repo-reader.js'

/**
 * Overlay lists with glob patterns (`apps/*\/overlays/dev`), so a repository with thousands of
 * overlays needs no input larger than the runner can pass (environment strings stop at 128 KiB).
 * `*` matches any characters of one path segment, `?` one character; a pattern matches directories
 * that hold a kustomization. Patterns cannot leave the repository (normalizeRepoPath), symlinked
 * directories are not followed (RepoReader lists them as `other`), and matching is linear in the
 * name's length (no regular expression).
 */

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']

/** Whether an overlay entry is a pattern rather than a directory. */
export function isOverlayPattern(entry: string): boolean {
  return /[*?]/.test(entry)
}

/**
 * The overlay directories the entries name, in order, each once: plain entries as they are,
 * patterns expanded (sorted). A pattern that matches no overlay is a UserError about `what`.
 */
export async function expandOverlayPatterns(reader: RepoReader, entries: readonly string[], what: Subject): Promise<string[]> {
  const result = new Set<string>()
  for (const entry of entries) {
    if (!isOverlayPattern(entry)) {
      result.add(entry)
      continue
    }
    const segments = normalizeRepoPath(entry, what).split('/')
    const found: string[] = []
    const walk = async (dir: string, index: number): Promise<void> => {
      if (index === segments.length) {
        const files = await reader.list(dir)
        if (files?.some((f) => f.type === 'file' && KUSTOMIZATION_FILES.includes(f.name))) found.push(dir)
        return
      }
      const segment = segments[index]!
      const join = (name: string) => (dir === '.' ? name : `${dir}/${name}`)
      if (!isOverlayPattern(segment)) {
        await walk(join(segment), index + 1)
        return
      }
      for (const child of (await reader.list(dir)) ?? []) {
        if (child.type === 'dir' && !child.name.startsWith('.') && globMatches(segment, child.name)) await walk(join(child.name), index + 1)
      }
    }
    await walk('.', 0)
    if (found.length === 0) throw subjectError(what, `the pattern '${entry}' matches no overlay directory (one with a kustomization.yaml)`)
    for (const dir of found.sort()) result.add(dir)
  }
  return [...result]
}

/** `*` and `?` glob matching of one name, in time linear in pattern × name at worst (no backtracking blow-up). */
export function globMatches(pattern: string, name: string): boolean {
  let p = 0
  let n = 0
  let star = -1
  let resume = 0
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++
      n++
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++
      resume = n
    } else if (star >= 0) {
      p = star + 1
      n = ++resume
    } else return false
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}
