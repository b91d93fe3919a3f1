import { lstatSync } from 'node:fs'
import { join } from 'node:path'

/**
 * GitHub's CODEOWNERS semantics, as documented in "About code owners" and GitHub's REST
 * description of CODEOWNERS errors:
 * - GitHub reads the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS that exists.
 * - Lines starting with `#` are comments; each other line is a pattern and zero or more owners
 *   (`@user`, `@org/team`, or an email). The last matching pattern wins. A pattern with no
 *   owners makes the files it matches unowned.
 * - Patterns follow gitignore, except that a leading `\#`, `!` negation and `[ ]` ranges are
 *   unsupported: such lines are errors. An invalid line is skipped; the others still apply.
 * - `/` never matches anything (GitHub suggests `*`). Paths are case-sensitive.
 * - A file of 3 MB or more is not loaded at all.
 */

/** Where GitHub looks for CODEOWNERS, in the order it looks. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const

/**
 * GitHub: "CODEOWNERS files must be under 3 MB in size". Taken as 3,000,000 bytes (the docs' MB);
 * if GitHub counts MiB we warn about a file GitHub would still load, never the other way round.
 */
export const CODEOWNERS_MAX_BYTES = 3_000_000

/** The kinds of problem, in GitHub's own words where its errors API has them. */
export type CodeownersProblemKind = 'Invalid pattern' | 'Unsupported syntax' | 'Invalid owner' | 'Never matches' | 'No owners' | 'Too large'

/** One problem of one line; `severity` says whether GitHub skips the line (error) or just does something surprising. */
export interface CodeownersProblem {
  line: number
  column: number
  kind: CodeownersProblemKind
  message: string
  severity: 'error' | 'warning' | 'notice'
}

/** One valid line: a pattern and its owners (possibly none). */
export interface CodeownersRule {
  pattern: string
  owners: string[]
  line: number
  /** Whether a repository path (no leading slash) matches the pattern. */
  matches(path: string): boolean
}

/** A parsed CODEOWNERS file. `rules` hold only valid lines, in file order, as GitHub applies them. */
export interface Codeowners {
  file: string
  rules: CodeownersRule[]
  problems: CodeownersProblem[]
  /** Size in bytes; at CODEOWNERS_MAX_BYTES or more GitHub ignores the file and `rules` is empty. */
  size: number
}

const USER = /^@[A-Za-z0-9][A-Za-z0-9_-]*$/
const TEAM = /^@[A-Za-z0-9][A-Za-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/
const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/

/** Whether a CODEOWNERS owner is written in one of GitHub's three forms. */
export function isValidOwner(owner: string): boolean {
  return USER.test(owner) || TEAM.test(owner) || EMAIL.test(owner)
}

/** Parses CODEOWNERS text; never throws: every problem is reported with its line and column. */
export function parseCodeowners(text: string, file: string): Codeowners {
  const size = Buffer.byteLength(text, 'utf8')
  if (size >= CODEOWNERS_MAX_BYTES) {
    return {
      file,
      rules: [],
      size,
      problems: [
        {
          line: 1,
          column: 1,
          kind: 'Too large',
          severity: 'error',
          message: `${file} is ${size} bytes; GitHub does not load CODEOWNERS files of 3 MB or more, so nothing in it applies. Use wildcard patterns to shorten it.`
        }
      ]
    }
  }
  const rules: CodeownersRule[] = []
  const problems: CodeownersProblem[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const result = parseLine(raw, index + 1)
    if (result === undefined) return
    if ('problem' in result) {
      problems.push(result.problem)
      return
    }
    const { rule } = result
    if (rule.pattern === '/') {
      problems.push({
        line: rule.line,
        column: raw.indexOf('/') + 1,
        kind: 'Never matches',
        severity: 'error',
        message: 'The pattern `/` will never match anything, did you mean `*` instead? (GitHub does not treat `/` as the whole repository)'
      })
    }
    if (rule.owners.length === 0) {
      problems.push({
        line: rule.line,
        column: raw.search(/\S/) + 1,
        kind: 'No owners',
        severity: 'notice',
        message: `Pattern \`${rule.pattern}\` has no owners: files it matches have no code owner (GitHub allows this to exempt paths from an earlier rule)`
      })
    }
    rules.push(rule)
  })
  return { file, rules, problems, size }
}

type LineResult = { rule: CodeownersRule } | { problem: CodeownersProblem } | undefined

function parseLine(raw: string, line: number): LineResult {
  const start = raw.search(/\S/)
  if (start < 0 || raw[start] === '#') return undefined
  const problem = (column: number, kind: CodeownersProblemKind, message: string): LineResult => ({
    problem: { line, column: column + 1, kind, message, severity: 'error' }
  })

  // The pattern runs to the first unescaped whitespace; a backslash escapes the next character.
  let end = start
  while (end < raw.length && !/\s/.test(raw[end]!)) end += raw[end] === '\\' ? 2 : 1
  end = Math.min(end, raw.length)
  const pattern = raw.slice(start, end)

  if (pattern.startsWith('\\#')) {
    return problem(
      start,
      'Unsupported syntax',
      `Pattern \`${pattern}\`: GitHub does not support escaping a leading # with \\ in CODEOWNERS; the line is skipped`
    )
  }
  if (pattern.startsWith('!')) {
    return problem(
      start,
      'Unsupported syntax',
      `Pattern \`${pattern}\`: GitHub does not support ! negation in CODEOWNERS; the line is skipped`
    )
  }
  const bracket = unescapedIndexOf(pattern, /[[\]]/)
  if (bracket >= 0) {
    return problem(
      start + bracket,
      'Unsupported syntax',
      `Pattern \`${pattern}\`: GitHub does not support [ ] character ranges in CODEOWNERS; the line is skipped`
    )
  }
  if (pattern.includes('***')) {
    return problem(
      start + pattern.indexOf('***'),
      'Invalid pattern',
      `Pattern \`${pattern}\`: three consecutive asterisks are not a valid pattern`
    )
  }
  if (pattern.endsWith('\\')) {
    return problem(start + pattern.length - 1, 'Invalid pattern', `Pattern \`${pattern}\` ends with a lone backslash`)
  }

  const owners: string[] = []
  const tokens = /\S+/g
  tokens.lastIndex = end
  for (let match = tokens.exec(raw); match; match = tokens.exec(raw)) {
    if (match[0].startsWith('#')) break // the rest of the line is a comment
    if (!isValidOwner(match[0])) {
      return problem(
        match.index,
        'Invalid owner',
        `Invalid owner \`${match[0]}\` for \`${pattern}\`: owners are written @user, @org/team or an email address; the line is skipped`
      )
    }
    owners.push(match[0])
  }
  const matcher = compilePattern(pattern)
  return { rule: { pattern, owners, line, matches: (path) => matcher !== undefined && matcher.test(normalizePath(path)) } }
}

function unescapedIndexOf(text: string, what: RegExp): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (what.test(text[i]!)) return i
  }
  return -1
}

/** A repository path as CODEOWNERS sees it: forward slashes, no leading `./` or `/`. */
export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^(?:\.\/)+/, '')
    .replace(/^\/+/, '')
}

/**
 * Turns a CODEOWNERS pattern into a regular expression over repository paths; undefined for `/`,
 * which matches nothing. gitignore rules: a leading or middle slash anchors at the root, otherwise
 * the pattern matches at any depth; a trailing slash matches everything under a directory; `*` and
 * `?` stay within one path segment, `**` spans segments. As GitHub documents, `docs/*` matches
 * files directly in docs/ but not deeper, while `docs` or `/docs/` match the whole tree.
 */
export function compilePattern(pattern: string): RegExp | undefined {
  if (pattern === '/') return undefined
  let body = pattern
  const anchored = body.startsWith('/')
  if (anchored) body = body.slice(1)
  const directory = body.endsWith('/') && !body.endsWith('\\/')
  if (directory) body = body.slice(0, -1)
  const segments = splitSegments(body)
  if (!anchored && segments.length === 1 && segments[0] !== '**') segments.unshift('**')
  if (directory) segments.push('**')

  let regex = '^'
  let needSeparator = false
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1
    if (segment === '**') {
      if (i === 0 && last) regex += '.+'
      else if (i === 0) regex += '(?:.+/)?'
      else if (last) regex += '/.+'
      else regex += '/(?:.+/)?'
      needSeparator = false
      return
    }
    if (needSeparator) regex += '/'
    if (segment === '*') {
      regex += '[^/]+'
    } else {
      regex += segmentRegex(segment)
      if (last) regex += '(?:/.*)?'
    }
    needSeparator = true
  })
  return new RegExp(`${regex}$`, 's')
}

function splitSegments(body: string): string[] {
  const segments: string[] = []
  let current = ''
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (ch === '\\' && i + 1 < body.length) {
      current += ch + body[++i]
    } else if (ch === '/') {
      segments.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  segments.push(current)
  return segments.filter((segment) => segment !== '')
}

function segmentRegex(segment: string): string {
  let out = ''
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!
    if (ch === '\\' && i + 1 < segment.length) out += escapeRegex(segment[++i]!)
    else if (ch === '*') out += '[^/]*'
    else if (ch === '?') out += '[^/]'
    else out += escapeRegex(ch)
  }
  return out
}

function escapeRegex(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The rule that decides the owners of a path: the last valid one that matches. */
export function ruleFor(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!
    if (rule.matches(path)) return rule
  }
  return undefined
}

/** The code owners of a repository path (no leading slash), as GitHub requests them for review; [] when unowned. */
export function ownersOf(codeowners: Codeowners, path: string): string[] {
  return [...(ruleFor(codeowners, path)?.owners ?? [])]
}

/** The CODEOWNERS files present under a repository root, in GitHub's order of precedence. Symlinks are not followed. */
export function codeownersFilesIn(root: string): string[] {
  return CODEOWNERS_LOCATIONS.filter((location) => {
    try {
      return lstatSync(join(root, location)).isFile()
    } catch {
      return false
    }
  })
}

/** The CODEOWNERS file GitHub uses in a repository (relative path), or undefined when there is none. */
export function findCodeownersFile(root: string): string | undefined {
  return codeownersFilesIn(root)[0]
}

/**
 * Whether an owner written in CODEOWNERS satisfies a required owner from gitops.yaml.
 * Case-insensitive (GitHub logins, team slugs and emails are). A required owner without an
 * organization, like the seed's `@platform-team`, accepts that user or a team of that slug in any
 * organization (`@org/platform-team`); a required `@org/team` accepts only that team.
 */
export function ownerSatisfies(required: string, actual: string): boolean {
  const want = required.toLowerCase()
  const have = actual.toLowerCase()
  if (want === have) return true
  if (USER.test(required) && TEAM.test(actual)) return have.slice(have.indexOf('/') + 1) === want.slice(1)
  return false
}
