import { RE2JS } from 're2js'

/**
 * Tag patterns from gitops.yaml (`allowedTags`) run on RE2JS, a linear-time engine: a pattern in
 * a pull request such as `^(a+)+$` would take JavaScript's backtracking RegExp minutes on a
 * 31-character tag. RE2 has no lookaround or back-references; a pattern using them is refused at
 * its gitops.yaml line (tagPatternProblem).
 */

const compiled = new Map<string, RE2JS>()

function compile(pattern: string): RE2JS {
  let regex = compiled.get(pattern)
  if (!regex) compiled.set(pattern, (regex = RE2JS.compile(pattern)))
  return regex
}

/** Why a pattern cannot be used (RE2 syntax), or undefined when it can. */
export function tagPatternProblem(pattern: string): string | undefined {
  try {
    compile(pattern)
    return undefined
  } catch (error) {
    return `${(error as Error).message} (tag patterns run on RE2, a linear-time engine without lookaround or back-references)`
  }
}

/** Whether the pattern matches somewhere in the tag (as RegExp.test does; anchor with ^ and $). */
export function tagMatches(pattern: string, tag: string): boolean {
  return compile(pattern).matcher(tag).find()
}
