import { existsSync } from 'node:fs'
import { UserError } from '@gitops-actions/core'
import { runTool, ToolExitError, ToolLimitError } from '@gitops-actions/process'

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

/** Runs git in `cwd` and returns its standard output. Never goes through a shell; runs under the tool bounds (runTool). */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  try {
    const { stdout } = await runTool('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
      input: options.input,
      maxBuffer: 256 * 1024 * 1024
    })
    return stdout
  } catch (error) {
    if (error instanceof ToolLimitError) throw new UserError(`git ${args[0] ?? ''} ${error.describe()}`)
    if (error instanceof ToolExitError && error.exitCode === null && error.signal === null) {
      // spawn says ENOENT both for a missing git and for a missing working directory.
      throw new UserError(existsSync(cwd) ? 'git is not installed or not on PATH' : `The directory ${cwd} does not exist`)
    }
    if (error instanceof ToolExitError && error.notFound) throw new UserError('git is not installed or not on PATH')
    if (error instanceof ToolExitError) throw new GitError(args, error.exitCode, error.stderr)
    throw error
  }
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
