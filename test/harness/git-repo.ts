import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com'
}

/** Runs git in `cwd` as the test identity (a clone has no user config) and returns its trimmed output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY } }).trim()
}

/** A real git repository in a temp dir, for tests that need history, tags and branches. */
export class GitRepo {
  private clock = Date.parse('2024-12-01T14:30:22Z') / 1000

  constructor(readonly dir: string) {}

  static create(prefix = 'repo'): GitRepo {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
    const repo = new GitRepo(dir)
    repo.git('init', '-q', '-b', 'main')
    repo.git('config', 'user.email', 'dev@example.com')
    repo.git('config', 'user.name', 'Dev')
    repo.git('config', 'commit.gpgsign', 'false')
    return repo
  }

  git(...args: string[]): string {
    const date = `@${this.clock} +0000`
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
    }).trim()
  }

  write(path: string, content: string): void {
    const full = join(this.dir, path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, content)
  }

  /** Commits (an empty commit unless files are given) one minute after the previous one; returns its id. */
  commit(message: string, files: Record<string, string> = {}, at?: string): string {
    this.clock = at ? Date.parse(at) / 1000 : this.clock + 60
    for (const [path, content] of Object.entries(files)) this.write(path, content)
    this.git('add', '-A')
    this.git('commit', '-q', '--allow-empty', '-m', message)
    return this.git('rev-parse', 'HEAD')
  }

  tag(name: string, annotated = false): void {
    if (annotated) this.git('tag', '-a', name, '-m', name)
    else this.git('tag', name)
  }

  head(): string {
    return this.git('rev-parse', 'HEAD')
  }
}
