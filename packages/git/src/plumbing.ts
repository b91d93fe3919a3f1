import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { git, GitError } from './git.js'

/**
 * A commit of whole-file changes on top of a tree, made with plumbing in a temporary index: the
 * work tree, the real index and HEAD of the checkout are never touched.
 */
export async function commitFiles(
  cwd: string,
  input: {
    baseTree: string
    files: ReadonlyArray<{ path: string; text: string }>
    parents: readonly string[]
    message: string
    env?: NodeJS.ProcessEnv
  }
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'git-index-'))
  const env = { ...input.env, GIT_INDEX_FILE: join(dir, 'index') }
  try {
    await git(cwd, ['read-tree', input.baseTree], { env })
    for (const file of input.files) {
      const blob = (await git(cwd, ['hash-object', '-w', '--stdin'], { input: file.text })).trim()
      await git(cwd, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file.path}`], { env })
    }
    const tree = (await git(cwd, ['write-tree'], { env })).trim()
    const args = ['commit-tree', tree, ...input.parents.flatMap((p) => ['-p', p]), '-F', '-']
    return (await git(cwd, args, { env: input.env, input: input.message })).trim()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The outcome of a push that may lose a race. */
export type PushResult = 'pushed' | 'rejected'

/**
 * Pushes a commit to a branch of a remote without force: a push that is not a fast-forward (the
 * branch moved meanwhile, or was created by someone else) is `rejected`, never overwrites.
 */
export async function pushCommit(cwd: string, remote: string, sha: string, branch: string): Promise<PushResult> {
  try {
    await git(cwd, ['push', remote, `${sha}:refs/heads/${branch}`])
    return 'pushed'
  } catch (error) {
    if (
      error instanceof GitError &&
      /\[rejected\]|non-fast-forward|fetch first|stale info|already exists/.test(error.stderr + error.message)
    )
      return 'rejected'
    throw error
  }
}

/** Fetches refs from a remote into the object store (no local branches changed). */
export async function fetchCommits(cwd: string, remote: string, refs: readonly string[]): Promise<void> {
  await git(cwd, ['fetch', '--quiet', '--no-tags', remote, ...refs])
}
