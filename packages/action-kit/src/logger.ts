import * as core from '@actions/core'
import type { Logger } from '@gitops-actions/core'

/** The Logger domain code gets when it runs inside an action. */
export const runnerLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  group: (title, work) => core.group(title, work)
}
