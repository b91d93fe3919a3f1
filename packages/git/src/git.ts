import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { UserError } from '@gitops-actions/core'

/** A failed git command, with what git said on stderr. */
export class GitError extends Error {
  override readonly name = 'GitError'
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim()}`)
  }
}

export interface GitOptions {
  /** Environment additions, e.g. GIT_AUTHOR_DATE in tests. */
  env?: NodeJS.ProcessEnv
  /** Text for standard input. */
  input?: string
}

/** Runs git in `cwd` and returns its standard output. Never goes through a shell. */
export function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
        maxBuffer: 256 * 1024 * 1024
      },
      (error, stdout, stderr) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            // execFile says ENOENT both for a missing git and for a missing working directory.
            reject(new UserError(existsSync(cwd) ? 'git is not installed or not on PATH' : `The directory ${cwd} does not exist`))
          } else {
            reject(new GitError(args, typeof error.code === 'number' ? error.code : null, stderr))
          }
        } else {
          resolve(stdout)
        }
      }
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** Like git(), but a non-zero exit is `undefined` instead of an error (for "does X exist" questions). */
export async function gitMaybe(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string | undefined> {
  try {
    return await git(cwd, args, options)
  } catch (error) {
    if (error instanceof GitError) return undefined
    throw error
  }
}
