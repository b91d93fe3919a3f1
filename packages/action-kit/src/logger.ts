import * as core from '@actions/core'
import type { Logger } from '@gitops-actions/core'
import { inertLogText } from './workflow-commands.js'

/**
 * The Logger domain code gets when it runs inside an action. Info lines often quote the repository
 * (a diff, a file's line): they go out inert (inertLogText). Debug and warning lines are workflow
 * commands of their own, whose text @actions/core escapes onto one line.
 */
export const runnerLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(inertLogText(message)),
  warning: (message) => core.warning(message),
  group: (title, work) => core.group(title, work)
}
