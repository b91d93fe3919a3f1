import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The git side of the stand-in: one bare repository per owner/repo, and the plumbing that
 * GitHub's git data API maps onto (hash-object, cat-file, mktree, commit-tree, update-ref with
 * the old value). It does not use packages/git on purpose: the stand-in must load under Node's
 * own type stripping (for `npm run demo` and benches), which cannot resolve that package's
 * `.js`-suffixed TypeScript imports.
 */

/** A git command that failed. */
export class GitCommandError extends Error {
  readonly exitCode: number | null
  readonly stderr: string
  constructor(message: string, exitCode: number | null, stderr: string) {
    super(message)
    this.name = 'GitCommandError'
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

export interface Identity {
  name: string
  email: string
  /** ISO 8601. */
  date: string
}

export interface TreeEntry {
  mode: string
  type: 'blob' | 'tree' | 'commit'
  sha: string
  path: string
  size?: number
}

export interface CommitObject {
  sha: string
  tree: string
  parents: string[]
  author: Identity
  committer: Identity
  message: string
}

const ZERO = '0000000000000000000000000000000000000000'

interface ObjectInfo {
  sha: string
  type: string
  size: number
}

/**
 * One long-running `git cat-file --batch-command` per repository answers every object and ref
 * read (info: type and size; contents), in order. Spawning git costs 10–100 ms on a busy machine
 * and a pull request's JSON needs a dozen reads; refs moved by other processes are seen at once.
 */
class BatchReader {
  private proc?: ChildProcessWithoutNullStreams
  private buffer = Buffer.alloc(0)
  private readonly waiting: Array<{
    contents: boolean
    resolve: (value: { info?: ObjectInfo; content?: Buffer }) => void
    reject: (e: Error) => void
  }> = []
  private readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  info(expression: string): Promise<ObjectInfo | undefined> {
    return this.ask('info', expression).then((r) => r.info)
  }

  contents(expression: string): Promise<{ info: ObjectInfo; content: Buffer } | undefined> {
    return this.ask('contents', expression).then((r) => (r.info ? { info: r.info, content: r.content! } : undefined))
  }

  close(): void {
    this.proc?.stdin.end()
    this.proc = undefined
  }

  private ask(command: 'info' | 'contents', expression: string): Promise<{ info?: ObjectInfo; content?: Buffer }> {
    // A newline would start another command; such a name can never be an object anyway.
    if (/[\n\r]/.test(expression) || expression === '') return Promise.resolve({})
    return new Promise((resolve, reject) => {
      const proc = this.start()
      this.waiting.push({ contents: command === 'contents', resolve, reject })
      proc.stdin.write(`${command} ${expression}\n`)
    })
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc
    const proc = spawn('git', ['cat-file', '--batch-command'], { cwd: this.dir, env: gitEnv({}) })
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.drain()
    })
    const fail = (error: Error) => {
      for (const w of this.waiting.splice(0)) w.reject(error)
      if (this.proc === proc) this.proc = undefined
    }
    proc.on('error', fail)
    proc.on('exit', (code) => fail(new GitCommandError(`git cat-file --batch-command exited with ${code}`, code, '')))
    proc.stdin.on('error', () => undefined)
    this.proc = proc
    return proc
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const newline = this.buffer.indexOf(10)
      if (newline < 0) return
      const header = this.buffer.subarray(0, newline).toString('utf8')
      const next = this.waiting[0]!
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(newline + 1)
        this.waiting.shift()
        next.resolve({})
        continue
      }
      const [sha, type, size] = header.split(' ')
      const info = { sha: sha!, type: type!, size: Number(size) }
      if (!next.contents) {
        this.buffer = this.buffer.subarray(newline + 1)
        this.waiting.shift()
        next.resolve({ info })
        continue
      }
      // Contents: the header, then exactly size bytes, then a newline.
      if (this.buffer.length < newline + 1 + info.size + 1) return
      const content = Buffer.from(this.buffer.subarray(newline + 1, newline + 1 + info.size))
      this.buffer = this.buffer.subarray(newline + 1 + info.size + 1)
      this.waiting.shift()
      next.resolve({ info, content })
    }
  }
}

/**
 * A long-running `git mktree --batch --missing`: one tree per request (entries, then a blank
 * line), one id back per tree. Trees are written level by level, so a deep path is many trees.
 */
class TreeWriter {
  private proc?: ChildProcessWithoutNullStreams
  private pending = ''
  private readonly waiting: Array<{ resolve: (sha: string) => void; reject: (e: Error) => void }> = []
  private readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  write(entries: ReadonlyArray<{ mode: string; type: string; sha: string; name: string }>): Promise<string> {
    for (const e of entries) {
      if (/[\n\0]/.test(e.name)) return Promise.reject(new GitCommandError(`invalid path component ${JSON.stringify(e.name)}`, null, ''))
    }
    return new Promise((resolve, reject) => {
      const proc = this.start()
      this.waiting.push({ resolve, reject })
      proc.stdin.write(entries.map((e) => `${e.mode} ${e.type} ${e.sha}\t${e.name}\n`).join('') + '\n')
    })
  }

  close(): void {
    this.proc?.stdin.end()
    this.proc = undefined
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc
    const proc = spawn('git', ['mktree', '--batch', '--missing'], { cwd: this.dir, env: gitEnv({}) })
    let stderr = ''
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    proc.stdout.on('data', (chunk: Buffer) => {
      this.pending += chunk.toString('utf8')
      let newline: number
      while ((newline = this.pending.indexOf('\n')) >= 0 && this.waiting.length > 0) {
        const sha = this.pending.slice(0, newline).trim()
        this.pending = this.pending.slice(newline + 1)
        this.waiting.shift()!.resolve(sha)
      }
    })
    const fail = (error: Error) => {
      for (const w of this.waiting.splice(0)) w.reject(error)
      if (this.proc === proc) this.proc = undefined
    }
    proc.on('error', fail)
    proc.on('exit', (code) => fail(new GitCommandError(`git mktree --batch exited with ${code}: ${stderr.trim()}`, code, stderr)))
    proc.stdin.on('error', () => undefined)
    this.proc = proc
    return proc
  }
}

/** Parses git's binary tree format: `<mode> <name>\0<20-byte id>` per entry. */
function parseTree(content: Buffer): Array<{ mode: string; name: string; sha: string }> {
  const entries: Array<{ mode: string; name: string; sha: string }> = []
  let at = 0
  while (at < content.length) {
    const space = content.indexOf(32, at)
    const nul = content.indexOf(0, space)
    const mode = content.subarray(at, space).toString('utf8')
    entries.push({
      mode: mode.padStart(6, '0'),
      name: content.subarray(space + 1, nul).toString('utf8'),
      sha: content.subarray(nul + 1, nul + 21).toString('hex')
    })
    at = nul + 21
  }
  return entries
}

/** A bare repository and typed plumbing over it. */
export class BareRepo {
  readonly dir: string
  private readonly reader: BatchReader
  private readonly trees: TreeWriter

  constructor(dir: string) {
    this.dir = dir
    this.reader = new BatchReader(dir)
    this.trees = new TreeWriter(dir)
  }

  /** Stops the long-running reader and tree writer. */
  close(): void {
    this.reader.close()
    this.trees.close()
  }

  static async init(dir: string): Promise<BareRepo> {
    mkdirSync(dir, { recursive: true })
    const repo = new BareRepo(dir)
    await repo.git(['init', '-q', '--bare', '-b', 'main'])
    // Tests push to these repositories with file:// URLs.
    await repo.git(['config', 'receive.denyCurrentBranch', 'ignore'])
    return repo
  }

  git(args: readonly string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): Promise<string> {
    return runGit(this.dir, args, input, env)
  }

  /** Like git(), but a non-zero exit is `undefined`. */
  async gitMaybe(args: readonly string[], input?: string | Buffer): Promise<string | undefined> {
    try {
      return await this.git(args, input)
    } catch (error) {
      if (error instanceof GitCommandError) return undefined
      throw error
    }
  }

  async writeBlob(content: Buffer): Promise<string> {
    return (await this.git(['hash-object', '-w', '--stdin'], content)).trim()
  }

  /** The object's type, or undefined when it does not exist. */
  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined
    return (await this.reader.info(sha))?.type
  }

  /** Any object's type and raw content, or undefined when it does not exist. */
  async readObject(sha: string): Promise<{ type: string; content: Buffer } | undefined> {
    const object = await this.reader.contents(sha)
    return object ? { type: object.info.type, content: object.content } : undefined
  }

  async readBlob(sha: string): Promise<Buffer> {
    const object = await this.reader.contents(sha)
    if (object?.info.type !== 'blob') throw new GitCommandError(`${sha} is not a blob`, null, '')
    return object.content
  }

  async blobSize(sha: string): Promise<number> {
    return (await this.reader.info(sha))?.size ?? 0
  }

  /** Entries of a tree (or a tree-ish expression); with `recursive`, every descendant, trees included, like ls-tree -r -t. */
  async readTree(treeish: string, recursive = false, prefix = ''): Promise<TreeEntry[]> {
    // After `rev:` everything is a path, so `^{tree}` may only follow a plain revision.
    const object = await this.reader.contents(treeish.includes(':') ? treeish : `${treeish}^{tree}`)
    if (!object) throw new GitCommandError(`${treeish} is not a tree`, null, '')
    const entries: TreeEntry[] = []
    for (const e of parseTree(object.content)) {
      const type: TreeEntry['type'] = e.mode === '040000' ? 'tree' : e.mode === '160000' ? 'commit' : 'blob'
      const entry: TreeEntry = { mode: e.mode, type, sha: e.sha, path: prefix + e.name }
      if (type === 'blob') entry.size = (await this.reader.info(e.sha))?.size ?? 0
      entries.push(entry)
      if (recursive && type === 'tree') entries.push(...(await this.readTree(e.sha, true, `${entry.path}/`)))
    }
    return entries
  }

  /** Writes one tree level (entries with plain names). */
  async makeTree(entries: ReadonlyArray<{ mode: string; type: string; sha: string; name: string }>): Promise<string> {
    return this.trees.write(entries)
  }

  /**
   * Builds a tree from a flat map of file paths (blobs, symlinks, submodules) on top of nothing.
   * Nested directories are written bottom-up with mktree.
   */
  async makeTreeFromPaths(files: ReadonlyMap<string, { mode: string; type: string; sha: string }>): Promise<string> {
    interface Dir {
      files: Map<string, { mode: string; type: string; sha: string }>
      dirs: Map<string, Dir>
    }
    const root: Dir = { files: new Map(), dirs: new Map() }
    for (const [path, entry] of files) {
      const parts = path.split('/')
      let dir = root
      for (const part of parts.slice(0, -1)) {
        let next = dir.dirs.get(part)
        if (!next) dir.dirs.set(part, (next = { files: new Map(), dirs: new Map() }))
        dir = next
      }
      dir.files.set(parts[parts.length - 1]!, entry)
    }
    const write = async (dir: Dir): Promise<string> => {
      const entries: Array<{ mode: string; type: string; sha: string; name: string }> = []
      for (const [name, entry] of dir.files) entries.push({ ...entry, name })
      for (const [name, sub] of dir.dirs) entries.push({ mode: '040000', type: 'tree', sha: await write(sub), name })
      return this.makeTree(entries)
    }
    return write(root)
  }

  async readCommit(sha: string): Promise<CommitObject> {
    const object = await this.reader.contents(sha)
    if (object?.info.type !== 'commit') throw new GitCommandError(`${sha} is not a commit`, null, '')
    const raw = object.content.toString('utf8')
    const split = raw.indexOf('\n\n')
    const header = split >= 0 ? raw.slice(0, split) : raw
    const message = split >= 0 ? raw.slice(split + 2) : ''
    const parents: string[] = []
    let tree = ''
    let author: Identity | undefined
    let committer: Identity | undefined
    for (const line of header.split('\n')) {
      if (line.startsWith('tree ')) tree = line.slice(5)
      else if (line.startsWith('parent ')) parents.push(line.slice(7))
      else if (line.startsWith('author ')) author = parseIdentity(line.slice(7))
      else if (line.startsWith('committer ')) committer = parseIdentity(line.slice(10))
    }
    return { sha, tree, parents, author: author!, committer: committer!, message }
  }

  async commitTree(tree: string, parents: readonly string[], message: string, author: Identity, committer: Identity): Promise<string> {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])]
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: gitDate(author.date),
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: gitDate(committer.date)
    }
    return (await this.git(args, message, env)).trim()
  }

  /** The object a full ref name points at, or undefined. */
  async resolveRef(ref: string): Promise<string | undefined> {
    if (!ref.startsWith('refs/')) return undefined
    return (await this.reader.info(ref))?.sha
  }

  /** A commit id for a branch name, tag name, full ref or (abbreviated) sha; undefined when unknown. */
  async resolveCommitish(name: string): Promise<string | undefined> {
    if (name.startsWith('-')) return undefined
    for (const candidate of [`refs/heads/${name}`, `refs/tags/${name}`, name]) {
      const info = await this.reader.info(`${candidate}^{commit}`)
      if (info) return info.sha
    }
    return undefined
  }

  /** Refs under a prefix (full names, e.g. refs/heads/), with their objects. */
  async listRefs(prefix: string): Promise<Array<{ ref: string; sha: string; type: string }>> {
    const out = await this.git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)', prefix])
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [ref, sha, type] = line.split('\0')
        return { ref: ref!, sha: sha!, type: type! }
      })
  }

  /**
   * Moves a ref only if it still points at `expected` (undefined: must not exist), atomically:
   * git's own compare-and-swap. Returns false when another writer got there first.
   */
  async compareAndSwapRef(ref: string, sha: string, expected: string | undefined): Promise<boolean> {
    try {
      await this.git(['update-ref', ref, sha, expected ?? ZERO])
      return true
    } catch (error) {
      if (error instanceof GitCommandError) return false
      throw error
    }
  }

  async deleteRef(ref: string, expected: string): Promise<boolean> {
    try {
      await this.git(['update-ref', '-d', ref, expected])
      return true
    } catch (error) {
      if (error instanceof GitCommandError) return false
      throw error
    }
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.gitMaybe(['merge-base', '--is-ancestor', ancestor, descendant])) !== undefined
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    return (await this.gitMaybe(['merge-base', a, b]))?.trim() || undefined
  }

  /** The tree of merging `theirs` into `ours` (git merge-tree --write-tree), or undefined when they conflict. */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    const out = await this.gitMaybe(['merge-tree', '--write-tree', '--no-messages', ours, theirs])
    return out?.split('\n')[0]?.trim() || undefined
  }

  /**
   * A three-way merge with an explicit base (replaying one commit: base = its parent), in a
   * temporary index: read-tree -m, then git merge-file for files both sides changed. git 2.39's
   * merge-tree has no --merge-base. Undefined on a conflict.
   */
  async threeWayTree(base: string, ours: string, theirs: string): Promise<string | undefined> {
    const scratch = mkdtempSync(join(tmpdir(), 'stand-in-merge-'))
    const env = { GIT_INDEX_FILE: join(scratch, 'index') }
    try {
      await this.git(['read-tree', '-i', '-m', '--aggressive', base, ours, theirs], undefined, env)
      const stages = new Map<string, Map<string, { mode: string; sha: string }>>()
      for (const line of (await this.git(['ls-files', '-u', '-z'], undefined, env)).split('\0').filter(Boolean)) {
        const tab = line.indexOf('\t')
        const [mode, sha, stage] = line.slice(0, tab).split(' ')
        const path = line.slice(tab + 1)
        if (!stages.has(path)) stages.set(path, new Map())
        stages.get(path)!.set(stage!, { mode: mode!, sha: sha! })
      }
      for (const [path, entry] of stages) {
        const [b, o, t] = ['1', '2', '3'].map((n) => entry.get(n))
        if (!b || !o || !t || o.mode !== t.mode) return undefined
        const files = [o, b, t].map((x, i) => {
          const file = join(scratch, `${i}`)
          return { file, sha: x.sha }
        })
        for (const f of files) writeFileSync(f.file, await this.readBlob(f.sha))
        const merged = await runGitBuffer(this.dir, ['merge-file', '-p', ...files.map((f) => f.file)]).catch(() => undefined)
        if (!merged) return undefined
        const sha = await this.writeBlob(merged)
        await this.git(['update-index', '--index-info'], `0 ${ZERO}\t${path}\n${o.mode} ${sha} 0\t${path}\n`, env)
      }
      return (await this.git(['write-tree'], undefined, env)).trim()
    } catch (error) {
      if (error instanceof GitCommandError) return undefined
      throw error
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }

  /** Commits reachable from `head` and not from `exclude`, oldest first. */
  async revList(head: string, exclude?: string, paths: readonly string[] = [], max?: number): Promise<string[]> {
    const args = ['rev-list', ...(max ? [`--max-count=${max}`] : []), head, ...(exclude ? [`^${exclude}`] : []), '--', ...paths]
    return (await this.git(args)).split('\n').filter(Boolean)
  }
}

/** `Name <email> 1700000000 +0000` → an Identity with an ISO date. */
export function parseIdentity(text: string): Identity {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(text)
  if (!match) return { name: text, email: '', date: new Date(0).toISOString() }
  return { name: match[1]!, email: match[2]!, date: new Date(Number(match[3]) * 1000).toISOString().replace('.000Z', 'Z') }
}

/** ISO 8601 → git's `@seconds +0000`. */
export function gitDate(iso: string): string {
  return `@${Math.floor(Date.parse(iso) / 1000)} +0000`
}

function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', ...env }
}

function runGit(cwd: string, args: readonly string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd, env: gitEnv(env), maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(new GitCommandError(`git ${args.join(' ')}: ${stderr.trim()}`, typeof error.code === 'number' ? error.code : null, stderr))
      else resolve(stdout)
    })
    // A command that exits without reading its input must not crash the server with EPIPE.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(input)
  })
}

function runGitBuffer(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: gitEnv({}), encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new GitCommandError(`git ${args.join(' ')}: ${stderr.toString().trim()}`, null, stderr.toString()))
      else resolve(stdout)
    })
  })
}

/** Path of the bare repository for owner/repo under a root directory. */
export function bareRepoPath(root: string, owner: string, name: string): string {
  return join(root, owner, `${name}.git`)
}
