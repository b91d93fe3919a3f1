import { expect } from 'vitest'
import { parseGitopsConfig, UserError } from '../../src/index.js'

/** Asserts that gitops.yaml text is refused with a UserError matching `message` at `line`. */
export function expectConfigRefused(text: string, line: number, message: RegExp): void {
  let error: unknown
  try {
    parseGitopsConfig(text)
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(UserError)
  expect((error as UserError).message).toMatch(message)
  expect((error as UserError).location?.line).toBe(line)
}
