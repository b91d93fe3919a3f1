import { UserError } from '@gitops-actions/core'
import { git, gitMaybe } from './git.js'

export interface Commit {
  sha: string
  /** The whole message: subject, body and trailers. */
  message: string
}

/** The full commit id of a revision, or a UserError naming it. */
export async function resolveCommit(cwd: string, revision: string): Promise<string> {
  const sha = await gitMaybe(cwd, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])
  if (!sha) {
    throw new UserError(
      `Commit ${revision} is not in the repository at ${cwd}. Check out the repository with actions/checkout (fetch-depth: 0) before this step.`
    )
  }
  return sha.trim()
}

/** Whether the repository is a work tree at all. */
export async function isGitRepository(cwd: string): Promise<boolean> {
  return (await gitMaybe(cwd, ['rev-parse', '--git-dir'])) !== undefined
}

/** Whether the clone is shallow (actions/checkout's default fetch-depth: 1). */
export async function isShallow(cwd: string): Promise<boolean> {
  return (await git(cwd, ['rev-parse', '--is-shallow-repository'])).trim() === 'true'
}

/** The committer time of a commit: the same on every re-run of the same commit. */
export async function commitTime(cwd: string, sha: string): Promise<Date> {
  const seconds = Number((await git(cwd, ['show', '-s', '--format=%ct', sha])).trim())
  return new Date(seconds * 1000)
}

/** Tags matching a glob that are reachable from `head`, with the commit each points at. */
export async function tagsMergedInto(cwd: string, head: string, glob: string): Promise<Array<{ name: string; sha: string }>> {
  const text = await git(cwd, ['tag', '--list', glob, '--merged', head, '--format=%(refname:strip=2)%00%(*objectname)%00%(objectname)'])
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, peeled, object] = line.split('\0')
      return { name: name!, sha: peeled || object! }
    })
}

/**
 * Commits reachable from `head` but not from `since` (all history when `since` is undefined),
 * newest first, limited to those touching `paths` when given.
 */
export async function commitsBetween(
  cwd: string,
  since: string | undefined,
  head: string,
  paths: readonly string[] = []
): Promise<Commit[]> {
  const range = since ? `${since}..${head}` : head
  const args = ['log', '--format=%H%x00%B%x1e', range]
  if (paths.length > 0) args.push('--', ...paths)
  const text = await git(cwd, args)
  return text
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.includes('\0'))
    .map((record) => {
      const [sha, message] = record.split('\0')
      return { sha: sha!, message: message!.trim() }
    })
}

/**
 * Files that differ between the merge base of `base` and `head` (what a pull request changes), as
 * paths relative to `cwd` and limited to it. Renames count as a deletion and an addition, so both
 * paths are listed.
 */
export async function changedFiles(cwd: string, base: string, head = 'HEAD'): Promise<string[]> {
  const [baseSha, headSha] = await Promise.all([resolveCommit(cwd, base), resolveCommit(cwd, head)])
  const text = await git(cwd, ['diff', '--name-only', '--no-renames', '--relative', '-z', `${baseSha}...${headSha}`])
  return text.split('\0').filter(Boolean).sort()
}

/**
 * Files changed in the working tree and not committed (staged, unstaged, untracked and not
 * ignored), relative to `cwd` and limited to it: what a check on a developer's machine adds to
 * `changedFiles` before the changes are committed.
 */
export async function uncommittedFiles(cwd: string): Promise<string[]> {
  const tracked = await git(cwd, ['diff', '--name-only', '--no-renames', '--relative', '-z', 'HEAD'])
  const untracked = await git(cwd, ['ls-files', '--others', '--exclude-standard', '-z'])
  return [...new Set([...tracked.split('\0'), ...untracked.split('\0')].filter(Boolean))].sort()
}
