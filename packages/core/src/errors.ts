import type { SourceLocation } from './source-location.js'

/**
 * A mistake the user can fix: bad input, invalid YAML, a missing overlay, an invalid tag.
 * The message says what to change; `location` points at the file and line when there is one.
 * Anything thrown that is not a UserError is treated as a bug in gitops-actions.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  readonly location: SourceLocation | undefined

  constructor(message: string, location?: SourceLocation) {
    super(message)
    this.location = location
  }
}

/** True for errors the user caused, as opposed to bugs in this code. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}

/** The message of anything thrown, for places that must not assume it is an Error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
