import type { Finding } from '@gitops-actions/core'

/**
 * Objects of a kind with no schema all have the one cause: the kind's CRD (or schema) is not in the
 * repository. A home-ops repository renders a hundred such objects of a dozen kinds; one warning per
 * object buries everything else in the annotations, so they are reported once per kind, at the
 * first object, naming the others with their place.
 */
export function groupMissingSchemas(findings: readonly Finding[]): Finding[] {
  const groups = new Map<string, Finding[]>()
  const out: Array<Finding | Finding[]> = []
  for (const finding of findings) {
    const parts = finding.ruleId === NO_SCHEMA ? split(finding.message) : undefined
    if (!parts) {
      out.push(finding)
      continue
    }
    const key = `${finding.severity}|${parts.cause}`
    const group = groups.get(key)
    if (group) group.push(finding)
    else {
      const fresh = [finding]
      groups.set(key, fresh)
      out.push(fresh)
    }
  }
  return out.map((entry) => (Array.isArray(entry) ? merged(entry) : entry))
}

const NO_SCHEMA = 'kustomize/no-schema'
/** How many of the other objects a grouped message names; the count says how many more there are. */
const NAMED = 5

/** `Kind/ns/name (from root)` and the cause, as kustomize-check writes them. */
function split(message: string): { what: string; cause: string } | undefined {
  const at = message.indexOf('): ')
  return at < 0 ? undefined : { what: message.slice(0, at + 1), cause: message.slice(at + 3) }
}

function merged(group: Finding[]): Finding {
  const [first, ...others] = group as [Finding, ...Finding[]]
  if (others.length === 0) return first
  const { what, cause } = split(first.message)!
  const place = (f: Finding) => (f.location ? ` at ${f.location.file}:${f.location.line}` : '')
  const named = others.slice(0, NAMED).map((f) => `${split(f.message)!.what}${place(f)}`)
  const more = others.length > NAMED ? `, and ${others.length - NAMED} more` : ''
  const plural = cause.replace(/so the object is not checked$/, `so these ${group.length} objects are not checked`)
  return { ...first, message: `${what} and ${others.length} more: ${plural}. The others: ${named.join('; ')}${more}` }
}
