import { parameterError, UserError } from '../errors.js'
import { tagProblem } from './image-reference.js'

/** The values a tag template can use, by placeholder name. */
export interface TagValues {
  app: string
  env: string
  /** Short commit id (sha-length characters). */
  sha: string
  /** Full 40-character commit id. */
  'long-sha': string
  /** UTC `YYYYMMDD-HHMMSS`. */
  timestamp: string
  /** UTC `YYYYMMDD`. */
  date: string
  /** UTC `HHMMSS`. */
  time: string
  /** Semantic version without prefix, e.g. `1.2.3`; empty when it was not computed. */
  version: string
  /** Branch name made tag-safe (`feature/x` → `feature-x`). */
  branch: string
  /** Pull request number, empty outside pull requests. */
  pr: string
  run: string
}

export const TAG_PLACEHOLDERS = [
  'app',
  'env',
  'sha',
  'long-sha',
  'timestamp',
  'date',
  'time',
  'version',
  'branch',
  'pr',
  'run'
] as const satisfies ReadonlyArray<keyof TagValues>

/** The seed's conventions: dev `<app>-<sha>-<timestamp>`, staging `<app>-staging-<sha>`, prod `<app>-v<semver>`. */
export const DEFAULT_TAG_TEMPLATES: Readonly<Record<string, string>> = {
  dev: '{app}-{sha}-{timestamp}',
  staging: '{app}-staging-{sha}',
  prod: '{app}-v{version}'
}

/** The aliases pushed beside the main tag by default; the seed's overlays reference `sha-<sha>`. */
export const DEFAULT_ALIAS_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  dev: ['sha-{sha}'],
  staging: ['sha-{sha}'],
  prod: ['sha-{sha}', 'v{version}']
}

const PLACEHOLDER = /\{([^{}]*)\}/g

/** The placeholder names a template uses, in order. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!.trim())
}

/** Checks a template's syntax and placeholder names; `what` names it in errors. */
export function checkTemplate(template: string, what: string): void {
  const stripped = template.replace(PLACEHOLDER, '')
  if (stripped.includes('{') || stripped.includes('}')) {
    throw new UserError(`${what} '${template}' has an unmatched '{' or '}'`)
  }
  for (const name of placeholdersOf(template)) {
    if (!(TAG_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new UserError(
        `${what} '${template}' uses the unknown placeholder {${name}}. Valid placeholders are: ${TAG_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`
      )
    }
  }
}

/**
 * Renders a tag template. A placeholder whose value is empty, or a result that is not a valid
 * registry tag, is an error naming the template rather than a silently mangled tag.
 */
export function renderTagTemplate(template: string, values: TagValues, what: string): string {
  checkTemplate(template, what)
  const tag = template.replace(PLACEHOLDER, (_match, raw: string) => {
    const name = raw.trim() as keyof TagValues
    const value = values[name]
    if (value === '') {
      throw new UserError(`${what} '${template}' uses {${name}}, which has no value here${emptyReason(name)}`)
    }
    return value
  })
  const problem = tagProblem(tag)
  if (problem) throw new UserError(`${what} '${template}' produced the tag '${tag}', which is invalid: ${problem}`)
  return tag
}

function emptyReason(name: keyof TagValues): string {
  if (name === 'pr') return ' (not a pull_request event)'
  if (name === 'version') return ' (no version was computed; set `version` or give history with fetch-depth: 0)'
  if (name === 'branch') return ' (the ref is not a branch)'
  return ''
}

/**
 * Parses the `tag-template` input: either one template for the chosen environment, or lines of
 * `env=template` for several environments.
 */
export function parseTemplateTable(raw: string, input: string): Record<string, string> {
  const lines = raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const table: Record<string, string> = {}
  for (const line of lines) {
    const eq = line.indexOf('=')
    if (eq <= 0) throw parameterError(input, `the line '${line}' is not of the form env=template`)
    const env = line.slice(0, eq).trim()
    if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) throw parameterError(input, `'${env}' is not a valid environment name`)
    table[env] = line.slice(eq + 1).trim()
  }
  return table
}

/** UTC timestamp parts the templates use. */
export function timestampParts(date: Date): Pick<TagValues, 'timestamp' | 'date' | 'time'> {
  const iso = date.toISOString() // 2024-12-01T14:30:22.000Z
  const day = iso.slice(0, 10).replace(/-/g, '')
  const time = iso.slice(11, 19).replace(/:/g, '')
  return { timestamp: `${day}-${time}`, date: day, time }
}

/** A branch name made safe for a tag: `/` and other invalid characters become `-`. */
export function tagSafe(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
}
