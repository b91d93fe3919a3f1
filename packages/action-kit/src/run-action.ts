import * as core from '@actions/core'
import { errorMessage, formatLocation, isUserError, userErrorText } from '@gitops-actions/core'
import { stopRunningTools } from '@gitops-actions/process'
import { annotationProperties } from './annotations.js'

const REPORT_URL = 'https://github.com/gitops-actions/gitops-actions/issues/new'

/**
 * The one boundary every action runs inside. A user mistake becomes one `::error` with file and
 * line; anything else is a bug and says so. Ends the process so open sockets cannot hold the job.
 */
export async function runAction(actionName: string, main: () => Promise<void>): Promise<never> {
  stopOnCancel(actionName)
  try {
    await main()
  } catch (error) {
    process.exitCode = 1
    if (isUserError(error)) {
      const where = error.location ? `${formatLocation(error.location)}: ` : ''
      core.error(
        `${actionName}: ${where}${userErrorText(
          error,
          (input) => `Input '${input}'`,
          (input) => `the input '${input}'`
        )}`,
        annotationProperties(error.location, actionName)
      )
    } else {
      const stack = error instanceof Error && error.stack ? error.stack : errorMessage(error)
      core.error(
        `${actionName} failed unexpectedly. This is a bug in gitops-actions, not in your repository; please report it at ${REPORT_URL} with this log.\n${stack}`,
        { title: `${actionName}: internal error` }
      )
    }
  }
  process.exit()
}

/**
 * GitHub cancels a step with SIGINT, then SIGTERM. The handler runs between two steps of the work,
 * never inside one: file writes (applyFileEdits) are synchronous, so a cancelled run has written all
 * of its files or none, and leaves no temp file. The tools still running are stopped with it.
 */
function stopOnCancel(actionName: string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopRunningTools()
      core.error(`${actionName}: cancelled (${signal}); files are either all written or untouched`, { title: `${actionName}: cancelled` })
      process.exit(signal === 'SIGINT' ? 130 : 143)
    })
  }
}

/** Marks the step failed with one error line (findings were already annotated); the process still ends normally. */
export function failStep(message: string): void {
  core.setFailed(message)
}
