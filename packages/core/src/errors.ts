import { prefixLocation, type SourceLocation } from './source-location.js'

/**
 * A mistake the user can fix: bad input, invalid YAML, a missing overlay, an invalid tag.
 * The message says what to change; `location` points at the file and line when there is one.
 * Anything thrown that is not a UserError is treated as a bug in gitops-actions.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  readonly location: SourceLocation | undefined
  /**
   * The action input or CLI option the mistake is in, by the action's name for it ('to',
   * 'working-directory'), when it is in one. The message then reads `'to': …`, and each boundary
   * names the parameter its own way with userErrorText(): an action says "Input 'to'", the CLI "--to".
   */
  readonly parameter: string | undefined
  /** The message without the parameter's name. */
  readonly detail: string

  constructor(message: string, location?: SourceLocation, parameter?: string) {
    const plain = nameMentions(message, (p) => `the input '${p}'`)
    super(parameter === undefined ? plain : `'${parameter}': ${plain}`)
    this.location = location
    this.parameter = parameter
    this.detail = message
  }
}

/**
 * A failure to reach a server or to be let in by it (GitHub's API, a registry): not a mistake in a
 * file, and not a bug. The message names the setting to fix (the token, its permission, the URL).
 * `kind` tells a dropped or refused connection ('network') from a refused credential ('auth').
 */
export class AccessError extends UserError {
  readonly kind: 'network' | 'auth'

  constructor(kind: 'network' | 'auth', message: string, parameter?: string) {
    super(message, undefined, parameter)
    this.kind = kind
  }
}

/** True for AccessError: the network or a credential failed. */
export function isAccessError(error: unknown): error is AccessError {
  return error instanceof AccessError
}

const MENTION = /\u{E000}([^\u{E001}]+)\u{E001}/gu

/**
 * A parameter named in the middle of a message ("give ${mentionParameter('version')}"): each
 * boundary names it its own way through userErrorText, an action as "input 'version'", the CLI as
 * "--version".
 */
export function mentionParameter(parameter: string): string {
  return `\u{E000}${parameter}\u{E001}`
}

function nameMentions(text: string, name: (parameter: string) => string): string {
  return text.replace(MENTION, (_, parameter: string) => name(parameter))
}

/** A mistake in one parameter (action input or CLI option); the caller names it (see UserError.parameter). */
export function parameterError(parameter: string, message: string): UserError {
  return new UserError(message, undefined, parameter)
}

/** What a message is about: a text that names it ("Repository path", "--tag"), or a parameter the caller names. */
export type Subject = string | { parameter: string }

/** A UserError about `subject`: prefixed with its text, or carrying the parameter. */
export function subjectError(subject: Subject, message: string, location?: SourceLocation): UserError {
  return typeof subject === 'string'
    ? new UserError(`${subject}: ${message}`, location)
    : new UserError(message, location, subject.parameter)
}

/**
 * A UserError's message with its parameter named the caller's way, e.g. (p) => `Input '${p}'` or `--${p}`;
 * parameters mentioned inside the message (mentionParameter) by `nameMention`, by default the same way.
 */
export function userErrorText(
  error: UserError,
  nameParameter: (parameter: string) => string,
  nameMention: (parameter: string) => string = nameParameter
): string {
  const detail = nameMentions(error.detail, nameMention)
  return error.parameter === undefined ? detail : `${nameParameter(error.parameter)}: ${detail}`
}

/** The same mistake with its file given from higher up the tree (see prefixLocation); itself when it has no location. */
export function prefixErrorLocation(error: UserError, prefix: string): UserError {
  if (!error.location) return error
  const location = prefixLocation(error.location, prefix)
  if (location === error.location) return error
  const moved = new UserError(error.detail, location, error.parameter)
  moved.stack = error.stack
  return moved
}

/** True for errors the user caused, as opposed to bugs in this code. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}

/** The message of anything thrown, for places that must not assume it is an Error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
