import { CommitParser, type Commit, type ParserOptions } from 'conventional-commits-parser'
import micromatch from 'micromatch'
import { subjectError, type Subject } from '../errors.js'
import { nearestName } from '../names.js'
import type { SourceLocation } from '../source-location.js'

/**
 * Which commits make a release, and of what kind: semantic-release's commit-analyzer, as it
 * behaves with its default configuration. A preset says how a commit message is parsed (the
 * conventional-changelog presets' parser options); release rules say what a parsed commit
 * releases. Custom rules are tried first and the default rules only when none of them matched,
 * so `{ type: docs, release: patch }` adds to the defaults and `{ type: feat, release: false }`
 * silences feat commits.
 */
export type ReleaseType = 'major' | 'minor' | 'patch'

export const RELEASE_TYPES: readonly ReleaseType[] = ['major', 'minor', 'patch']

export type Preset = 'angular' | 'conventionalcommits'

export const PRESETS: readonly Preset[] = ['angular', 'conventionalcommits']

/** One rule of commit-analyzer's `releaseRules`: every other key is a field of the parsed commit, matched as a glob. */
export interface ReleaseRule {
  /** What a matching commit releases; false or null: no release. */
  release: ReleaseType | false | null
  /** Matches only commits with a breaking-change note. */
  breaking?: boolean
  /** Matches only revert commits. */
  revert?: boolean
  /** Globs (micromatch) or exact values for fields of the parsed commit: type, scope, subject, … */
  fields: Readonly<Record<string, string | boolean | null>>
}

/**
 * commit-analyzer's default rules, those a conventional-commit parse can match (its Atom, Ember,
 * ESLint and Express rules name fields that only their own presets produce).
 */
export const DEFAULT_RELEASE_RULES: readonly ReleaseRule[] = [
  { breaking: true, release: 'major', fields: {} },
  { revert: true, release: 'patch', fields: {} },
  { release: 'minor', fields: { type: 'feat' } },
  { release: 'patch', fields: { type: 'fix' } },
  { release: 'patch', fields: { type: 'perf' } },
  // JSHint's upper-case types, which the same parse reads.
  { release: 'minor', fields: { type: 'FEAT' } },
  { release: 'patch', fields: { type: 'FIX' } }
]

// The parser options of the conventional-changelog presets: the angular preset reads
// `type(scope): subject` and a `BREAKING CHANGE:` footer only (no `!`, no `BREAKING-CHANGE:`);
// the conventionalcommits preset reads the Conventional Commits 1.0 grammar.
const REVERT = /^(?:Revert|revert:)\s"?([\s\S]+?)"?\s*This reverts commit (\w{7,40})\b/i
const PARSER_OPTIONS: Record<Preset, ParserOptions> = {
  angular: {
    headerPattern: /^(\w*)(?:\((.*)\))?: (.*)$/,
    headerCorrespondence: ['type', 'scope', 'subject'],
    noteKeywords: ['BREAKING CHANGE'],
    revertPattern: REVERT,
    revertCorrespondence: ['header', 'hash']
  },
  conventionalcommits: {
    headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
    breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
    headerCorrespondence: ['type', 'scope', 'subject'],
    noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
    revertPattern: /^(?:Revert|revert:)\s"?([\s\S]+?)"?\s*This reverts commit (\w*)\./i,
    revertCorrespondence: ['header', 'hash']
  }
}

/** The fields of a parsed commit a rule can name. */
export const COMMIT_FIELDS = ['type', 'scope', 'subject', 'header', 'body', 'footer', 'merge'] as const

const parsers = new Map<Preset, CommitParser>()

/** A commit message parsed as the preset reads it. */
export function parseCommitMessage(message: string, preset: Preset): Commit {
  let parser = parsers.get(preset)
  if (!parser) parsers.set(preset, (parser = new CommitParser(PARSER_OPTIONS[preset])))
  return parser.parse(message)
}

/**
 * What one parsed commit releases under `rules` alone: the highest release of the rules that
 * match it; false or null when the strongest matching rule says no release; undefined when no
 * rule matches (then commit-analyzer asks the default rules).
 */
export function ruleRelease(rules: readonly ReleaseRule[], commit: Commit): ReleaseType | false | null | undefined {
  let release: ReleaseType | false | null | undefined
  for (const rule of rules) {
    if (rule.breaking && commit.notes.length === 0) continue
    if (rule.revert && !commit.revert) continue
    if (!fieldsMatch(rule.fields, commit)) continue
    if (isHigher(release, rule.release)) {
      release = rule.release
      if (release === 'major') break
    }
  }
  return release
}

/** True when `next` outranks `current` as commit-analyzer compares them (anything beats nothing yet). */
export function isHigher(current: ReleaseType | false | null | undefined, next: ReleaseType | false | null | undefined): boolean {
  if (!current) return true
  return RELEASE_TYPES.indexOf(next as ReleaseType) < RELEASE_TYPES.indexOf(current)
}

function fieldsMatch(fields: ReleaseRule['fields'], commit: Commit): boolean {
  for (const [key, expected] of Object.entries(fields)) {
    const actual = (commit as unknown as Record<string, unknown>)[key]
    if (typeof expected === 'string' && typeof actual === 'string') {
      if (!micromatch.isMatch(actual, expected)) return false
    } else if (actual !== expected) {
      return false
    }
  }
  return true
}

/**
 * Release rules from configuration (an action input, a CLI option or gitops.yaml): a list of
 * objects with `release` and fields to match. Every mistake names the rule.
 */
export function parseReleaseRules(
  value: unknown,
  subject: Subject,
  locate?: (path: Array<string | number>) => SourceLocation | undefined
): ReleaseRule[] {
  const fail = (message: string, path: Array<string | number> = []) => subjectError(subject, message, locate?.(path))
  if (!Array.isArray(value)) {
    throw fail('release rules must be a list of rules, e.g. [{ type: docs, scope: README, release: patch }]')
  }
  return value.map((item: unknown, index) => {
    const where = `rule ${index + 1}`
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw fail(`${where} must be a mapping such as { type: docs, release: patch }`, [index])
    }
    const entries = Object.entries(item as Record<string, unknown>)
    const rule: { release: ReleaseRule['release']; breaking?: boolean; revert?: boolean; fields: Record<string, string | boolean | null> } =
      {
        release: null,
        fields: {}
      }
    for (const [key, field] of entries) {
      if (key === 'release') {
        if (field !== false && field !== null && !RELEASE_TYPES.includes(field as ReleaseType)) {
          const near = typeof field === 'string' ? nearestName(field, RELEASE_TYPES) : undefined
          throw fail(
            `${where}: release '${String(field)}' is not a release type: use major, minor, patch, or false for no release${near ? ` (did you mean '${near}'?)` : ''}`,
            [index, key]
          )
        }
        rule.release = field as ReleaseRule['release']
      } else if (key === 'breaking' || key === 'revert') {
        if (typeof field !== 'boolean') throw fail(`${where}: '${key}' must be true or false`, [index, key])
        rule[key] = field
      } else if ((COMMIT_FIELDS as readonly string[]).includes(key)) {
        if (field !== null && typeof field !== 'string' && typeof field !== 'boolean') {
          throw fail(`${where}: '${key}' must be a glob such as 'feat' or 'api-*', not ${JSON.stringify(field)}`, [index, key])
        }
        rule.fields[key] = field
      } else {
        const near = nearestName(key, [...COMMIT_FIELDS, 'release', 'breaking', 'revert'])
        throw fail(
          `${where}: '${key}' is not a field of a parsed commit (${COMMIT_FIELDS.join(', ')}) nor release, breaking or revert${near ? `; did you mean '${near}'?` : ''}`,
          [index, key]
        )
      }
    }
    if (!entries.some(([key]) => key === 'release')) {
      throw fail(`${where} has no 'release' (major, minor, patch, or false for no release)`, [index])
    }
    return rule
  })
}

/** A preset name from configuration, or an error naming the valid ones. */
export function parsePreset(value: unknown, subject: Subject, location?: SourceLocation): Preset {
  if (typeof value === 'string' && (PRESETS as readonly string[]).includes(value)) return value as Preset
  const near = typeof value === 'string' ? nearestName(value, PRESETS) : undefined
  throw subjectError(
    subject,
    `'${String(value)}' is not a preset: use angular (semantic-release's default) or conventionalcommits${near ? ` (did you mean '${near}'?)` : ''}`,
    location
  )
}
