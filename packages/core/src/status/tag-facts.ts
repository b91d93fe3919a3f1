import semver from 'semver'
import type { EnvironmentConfig } from '../config/environments.js'
import { placeholdersOf } from '../tags/tag-template.js'

/** What an image tag tells about the build it names, where its shape says so. */
export interface TagFacts {
  /** The app commit (short or long hex) for `sha-<hex>`, `<app>-<hex>-<timestamp>`, `<app>-staging-<hex>`… */
  commit?: string
  /** The semantic version (without `v`) for `v1.2.3`, `<app>-v1.2.3`… */
  version?: string
  /** UTC `YYYYMMDD-HHMMSS` of the build, when the tag carries it. */
  builtAt?: string
  /** The template the tag was recognised by, e.g. `{app}-staging-{sha}`; undefined when none fits. */
  template?: string
}

// Shapes recognised whatever gitops.yaml says: the seed's tags and compute-tag's defaults.
const KNOWN_TEMPLATES = [
  'sha-{sha}',
  '{app}-{sha}-{timestamp}',
  '{app}-staging-{sha}',
  'staging-{sha}',
  'v{version}',
  '{app}-v{version}',
  '{version}'
]

const PLACEHOLDER_PATTERNS: Record<string, string> = {
  sha: '(?<sha>[0-9a-f]{7,40})',
  'long-sha': '(?<sha>[0-9a-f]{40})',
  version: '(?<version>[0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)',
  timestamp: '(?<timestamp>[0-9]{8}-[0-9]{6})',
  date: '[0-9]{8}',
  time: '[0-9]{6}',
  pr: '[0-9]+',
  run: '[0-9]+',
  branch: '[A-Za-z0-9_.-]+'
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A regular expression for the tags a template produces for one app; placeholders become groups. */
function templatePattern(template: string, app: string): RegExp | undefined {
  let pattern = ''
  let last = 0
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    pattern += escapeRegExp(template.slice(last, match.index))
    const name = match[1]!.trim()
    if (name === 'app') pattern += escapeRegExp(app)
    else if (name === 'env') pattern += '[a-z0-9-]+'
    else if (PLACEHOLDER_PATTERNS[name]) pattern += PLACEHOLDER_PATTERNS[name]
    else return undefined
    last = match.index + match[0].length
  }
  pattern += escapeRegExp(template.slice(last))
  // A template may use {sha} twice ({sha} and {long-sha}); named groups must be unique.
  let seen = 0
  pattern = pattern.replace(/\(\?<sha>/g, (group) => (seen++ === 0 ? group : '('))
  try {
    return new RegExp(`^${pattern}$`)
  } catch {
    return undefined
  }
}

/**
 * Reads what a tag tells: the app commit, the version, the build time. The environments'
 * tagTemplates from gitops.yaml are tried first, then the seed's shapes. A tag that fits none
 * tells nothing (an empty object), which is an answer, not an error.
 */
export function tagFacts(tag: string, app: string, environments: readonly EnvironmentConfig[] = []): TagFacts {
  const templates = [...new Set([...environments.map((e) => e.tagTemplate), ...KNOWN_TEMPLATES])]
  // More specific templates (more literal text) first, so `{version}` never hides `v{version}`.
  templates.sort((a, b) => literalLength(b) - literalLength(a))
  for (const template of templates) {
    if (!placeholdersOf(template).some((p) => p === 'sha' || p === 'long-sha' || p === 'version')) continue
    const match = templatePattern(template, app)?.exec(tag)
    if (!match?.groups) continue
    const { sha, version, timestamp } = match.groups
    if (version !== undefined && !semver.valid(version)) continue
    const facts: TagFacts = { template }
    if (sha !== undefined) facts.commit = sha
    if (version !== undefined) facts.version = version
    if (timestamp !== undefined) facts.builtAt = timestamp
    return facts
  }
  return {}
}

function literalLength(template: string): number {
  return template.replace(/\{[^{}]*\}/g, '').length
}

/** How far one environment's version is from another's: the most significant part that differs. */
export interface VersionDistance {
  part: 'major' | 'minor' | 'patch' | 'prerelease'
  /** How many releases of that part apart (1.2.3 → 1.4.0: 2 minor). At least 1. */
  count: number
}

/** The distance from `older` up to `newer`, or undefined when they are equal or not in that order. */
export function versionDistance(older: string, newer: string): VersionDistance | undefined {
  const a = semver.parse(older)
  const b = semver.parse(newer)
  if (!a || !b || semver.compare(a, b) >= 0) return undefined
  if (a.major !== b.major) return { part: 'major', count: b.major - a.major }
  if (a.minor !== b.minor) return { part: 'minor', count: b.minor - a.minor }
  if (a.patch !== b.patch) return { part: 'patch', count: b.patch - a.patch }
  return { part: 'prerelease', count: 1 }
}

/** Compares two versions: negative, zero or positive like a sort function. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b)
}
