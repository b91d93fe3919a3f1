import { placeholdersOf } from './tag-template.js'

/**
 * A Flux ImagePolicy filter (spec.filterTags) and ordering that picks the newest tag a template
 * makes. `<app>-<sha>-<timestamp>` does not sort lexically as a whole (the sha comes first), so
 * the filter extracts the timestamp and the policy sorts that.
 */
export interface FluxImagePolicyFilter {
  pattern: string
  extract: string
  policy: { alphabetical: { order: 'asc' } } | { semver: { range: string } } | { numerical: { order: 'asc' } }
}

const CAPTURES: Record<string, string> = {
  timestamp: '(?P<ts>[0-9]{8}-[0-9]{6})',
  version: '(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)',
  run: '(?P<run>[0-9]+)'
}

function patternFor(name: string, values: Record<string, string>): string | undefined {
  if (name in CAPTURES) return CAPTURES[name]
  if (name === 'sha') return '[0-9a-f]{4,40}'
  if (name === 'long-sha') return '[0-9a-f]{40}'
  if (name === 'date') return '[0-9]{8}'
  if (name === 'time') return '[0-9]{6}'
  if (name === 'branch' || name === 'pr') return '[A-Za-z0-9_.-]+'
  const value = values[name]
  return value === undefined ? undefined : escapeRegExp(value)
}

/** The filter for a template, or undefined when nothing in it orders tags (e.g. `{app}-staging-{sha}`). */
export function fluxImagePolicyFilter(template: string, values: Record<string, string>): FluxImagePolicyFilter | undefined {
  const names = placeholdersOf(template)
  const key = names.includes('timestamp') ? 'timestamp' : names.includes('version') ? 'version' : names.includes('run') ? 'run' : undefined
  if (!key) return undefined
  let pattern = ''
  let rest = template
  const seen = new Set<string>()
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1]!.trim()
    const index = rest.indexOf(match[0])
    pattern += escapeRegExp(rest.slice(0, index))
    rest = rest.slice(index + match[0].length)
    // A capture group may appear once; a repeated placeholder matches without capturing.
    const part = seen.has(name) && name in CAPTURES ? CAPTURES[name]!.replace(/\(\?P<\w+>/, '(?:') : patternFor(name, values)
    seen.add(name)
    pattern += part ?? '.+'
  }
  pattern = `^${pattern}${escapeRegExp(rest)}$`
  if (key === 'timestamp') return { pattern, extract: '$ts', policy: { alphabetical: { order: 'asc' } } }
  if (key === 'version') return { pattern, extract: '$version', policy: { semver: { range: '>=0.0.0' } } }
  return { pattern, extract: '$run', policy: { numerical: { order: 'asc' } } }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
