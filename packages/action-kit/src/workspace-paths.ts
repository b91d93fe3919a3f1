import { randomBytes } from 'node:crypto'
import { lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { isUserError, normalizeRepoPath, parameterError, prefixErrorLocation, resolveInRepo } from '@gitops-actions/core'
import type { RunContext } from './context.js'

/**
 * A directory input (working-directory) as GitHub names paths: from the workspace root,
 * with '/'; '.' for the workspace itself. Annotations need files named this way to land on them.
 */
export function workspaceDirectory(context: Pick<RunContext, 'workspace'>, directory: string): string {
  return relative(context.workspace, resolve(context.workspace, directory)).split(sep).join('/') || '.'
}

/**
 * Runs `work` on the checkout in `directory` of the workspace. The domain names files from the
 * checkout's root (gitops.yaml); a UserError about one comes out naming it from the workspace root
 * (config/gitops.yaml), so runAction's `::error file=…,line=…` lands on the file.
 */
export async function inWorkspaceDirectory<T>(
  context: Pick<RunContext, 'workspace'>,
  directory: string,
  work: () => Promise<T>
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw isUserError(error) ? prefixErrorLocation(error, workspaceDirectory(context, directory)) : error
  }
}

/**
 * The absolute path of a path input (working-directory, sarif-file, path) after checking that it
 * stays in the workspace: relative to it, or absolute inside it, and through no symlink leading out.
 * Anything else is a UserError naming the input: an action never reads or writes outside the
 * checkout it was given.
 */
export function workspacePath(context: Pick<RunContext, 'workspace'>, input: string, path: string): string {
  const workspace = resolve(context.workspace)
  const relativePath = isAbsolute(path) ? relative(workspace, resolve(path)).split(sep).join('/') || '.' : path
  try {
    const repoPath = normalizeRepoPath(relativePath, { parameter: input })
    return resolveInRepo(workspace, repoPath, input)
  } catch (error) {
    if (!isUserError(error)) throw error
    const detail = error.parameter === undefined ? error.message.replace(`${input}: `, '') : error.detail
    throw parameterError(input, `${detail.replace('out of the repository', 'out of the workspace')} (GITHUB_WORKSPACE is ${workspace})`)
  }
}

/**
 * Writes a file the action produces (a SARIF report) at a path input, never through a symlink: every
 * directory on the way is created or must be a real directory inside the workspace, and the text goes
 * to a temp file beside the target that is then renamed over it (a rename replaces a symlink there,
 * it never follows it).
 */
export function writeWorkspaceFile(context: Pick<RunContext, 'workspace'>, input: string, path: string, text: string): string {
  const target = workspacePath(context, input, path)
  const workspace = realpathSync(context.workspace)
  const parts = relative(workspace, target).split(sep)
  let dir = workspace
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part)
    const stat = lstatSync(dir, { throwIfNoEntry: false })
    if (!stat) mkdirSync(dir)
    else if (!stat.isDirectory()) {
      throw parameterError(
        input,
        `'${path}' goes through ${relative(workspace, dir)}, which is ${stat.isSymbolicLink() ? 'a symlink' : 'not a directory'}; reports are never written through one`
      )
    }
  }
  const file = join(dir, parts[parts.length - 1]!)
  if (lstatSync(file, { throwIfNoEntry: false })?.isDirectory()) throw parameterError(input, `'${path}' is a directory`)
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  writeFileSync(temp, text, { flag: 'wx', mode: 0o644 })
  try {
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
  return file
}
