import { relative, resolve, sep } from 'node:path'
import { isUserError, prefixErrorLocation } from '@gitops-actions/core'
import type { RunContext } from './context.js'

/**
 * A directory input (working-directory, config-dir) as GitHub names paths: from the workspace root,
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
