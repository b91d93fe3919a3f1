import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { UserError } from './errors.js'
import { normalizeRepoPath, resolveInRepo } from './repo-paths.js'

/** One entry of a directory listing. Symlinks and submodules are `other`: nothing follows them. */
export interface RepoEntry {
  name: string
  type: 'file' | 'dir' | 'other'
}

/**
 * Read access to a repository's files by repo path (`apps/myapp/overlays/dev/kustomization.yaml`),
 * wherever they are: a checkout on disk (DiskRepoReader), the GitHub contents API, or memory
 * (MemoryRepoReader). The overlay planner only reads through this, so it runs without a checkout.
 */
export interface RepoReader {
  /** The text of a file, or undefined when there is no file at that path. */
  read(path: string): Promise<string | undefined>
  /** The entries directly inside a directory, or undefined when there is no such directory. */
  list(dir: string): Promise<RepoEntry[] | undefined>
}

/**
 * A checkout on disk. Paths are checked by repo-paths: `..` and symlinks leading out of the repo
 * are UserErrors, and a symlinked file inside the repo is listed as `other` and never read.
 */
export class DiskRepoReader implements RepoReader {
  constructor(readonly root: string) {}

  async read(path: string): Promise<string | undefined> {
    const absolute = resolveInRepo(this.root, path, 'Repository path', { mustBeFile: true })
    let stat
    try {
      stat = lstatSync(absolute)
    } catch {
      return undefined
    }
    if (!stat.isFile()) return undefined
    return readFileSync(absolute, 'utf8')
  }

  async list(dir: string): Promise<RepoEntry[] | undefined> {
    const absolute = resolveInRepo(this.root, dir, 'Repository path')
    try {
      if (!statSync(absolute).isDirectory()) return undefined
    } catch {
      return undefined
    }
    return readdirSync(absolute, { withFileTypes: true })
      .map((entry): RepoEntry => ({ name: entry.name, type: entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : 'other' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }
}

/**
 * Files held in memory by repo path, e.g. read from the GitHub API or made by a test. Directories
 * exist implicitly as the parents of files.
 */
export class MemoryRepoReader implements RepoReader {
  readonly files: Map<string, string>

  constructor(files: Record<string, string> | Map<string, string>) {
    this.files = new Map()
    for (const [path, text] of files instanceof Map ? files : Object.entries(files)) {
      this.files.set(normalizeRepoPath(path, 'Repository path'), text)
    }
  }

  async read(path: string): Promise<string | undefined> {
    return this.files.get(normalizeRepoPath(path, 'Repository path'))
  }

  async list(dir: string): Promise<RepoEntry[] | undefined> {
    const base = normalizeRepoPath(dir, 'Repository path')
    const prefix = base === '.' ? '' : `${base}/`
    const entries = new Map<string, RepoEntry>()
    for (const path of this.files.keys()) {
      if (!path.startsWith(prefix)) continue
      const [name, ...rest] = path.slice(prefix.length).split('/')
      entries.set(name!, { name: name!, type: rest.length > 0 ? 'dir' : 'file' })
    }
    if (entries.size === 0) return undefined
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }
}

/** Reads a file that must exist; a UserError naming `what` when it does not. */
export async function readRequired(reader: RepoReader, path: string, what: string): Promise<string> {
  const text = await reader.read(path)
  if (text === undefined) throw new UserError(`${what}: ${path} does not exist`, { file: path })
  return text
}
