import type { EnvironmentConfig } from '../config/environments.js'
import { subjectError, type Subject } from '../errors.js'
import { tagProblem } from '../tags/image-reference.js'
import { tagMatches } from '../tags/tag-pattern.js'

/** Tags that never go anywhere when no environment is known: they move under the deployment. */
export const ALWAYS_FORBIDDEN_TAGS = ['latest']

/**
 * Why a tag may not be deployed to an environment (gitops.yaml `allowedTags` / `forbiddenTags`,
 * `{app}` replaced by the app), or undefined when it may. Without an environment only the tag
 * grammar and `latest` are checked.
 */
export function environmentTagProblem(
  tag: string,
  environment: EnvironmentConfig | undefined,
  app: string | undefined
): string | undefined {
  const grammar = tagProblem(tag)
  if (grammar) return grammar
  const forbidden = environment?.forbiddenTags ?? ALWAYS_FORBIDDEN_TAGS
  if (forbidden.some((f) => f.toLowerCase() === tag.toLowerCase())) {
    return `'${tag}' is a mutable tag, never deployed${environment ? ` to ${environment.name}` : ''} (forbiddenTags: ${forbidden.join(', ')})`
  }
  if (!environment) return undefined
  const patterns = environment.allowedTags.map((pattern) => pattern.replaceAll('{app}', app ?? '[a-z0-9][a-z0-9-]*'))
  if (patterns.length > 0 && !patterns.some((pattern) => tagMatches(pattern, tag))) {
    return `'${tag}' does not match the tags allowed in ${environment.name} (allowedTags: ${patterns.join(' or ')})`
  }
  return undefined
}

/** Throws a UserError about `source` (e.g. { parameter: 'tag' }) when the tag may not go to the environment. */
export function checkEnvironmentTag(
  tag: string,
  environment: EnvironmentConfig | undefined,
  app: string | undefined,
  source: Subject
): void {
  const problem = environmentTagProblem(tag, environment, app)
  if (problem) throw subjectError(source, problem)
}
