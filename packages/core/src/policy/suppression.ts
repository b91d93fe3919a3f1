import type { Finding } from '../finding.js'
import type { Manifest } from '../manifests/manifest.js'

/**
 * Suppressing a policy rule for one object, in the style of kube-linter's `ignore-check.kube-linter.io/<check>`:
 *
 *   metadata:
 *     annotations:
 *       ignore-check.gitops-actions.io/host-path-volume: "node-exporter reads /proc and /sys"
 *       ignore-check.gitops-actions.io/host-path-volume.expires: "2026-03-31"
 *
 * The reason is mandatory. The optional expiry is a date (YYYY-MM-DD, UTC); the suppression holds
 * through that day, after which it is an error and the rule applies again.
 */
export const SUPPRESSION_PREFIX = 'ignore-check.gitops-actions.io/'
const EXPIRES = '.expires'

export const SUPPRESSION_RULE_IDS = {
  invalid: 'policy/invalid-suppression',
  expired: 'policy/suppression-expired'
} as const

/** The rules an object suppresses, and findings for suppressions that are malformed or expired. */
export function suppressionsOf(
  manifest: Manifest,
  knownRules: ReadonlySet<string>,
  now: Date
): { suppressed: Set<string>; findings: Finding[] } {
  const annotations = manifest.object.metadata?.annotations ?? {}
  const suppressed = new Set<string>()
  const findings: Finding[] = []
  const at = (key: string) => manifest.locate(['metadata', 'annotations', key])
  for (const [key, raw] of Object.entries(annotations)) {
    if (!key.startsWith(SUPPRESSION_PREFIX)) continue
    const name = key.slice(SUPPRESSION_PREFIX.length)
    if (name.endsWith(EXPIRES)) {
      const rule = name.slice(0, -EXPIRES.length)
      if (!(SUPPRESSION_PREFIX + rule in annotations)) {
        findings.push({
          ruleId: SUPPRESSION_RULE_IDS.invalid,
          severity: 'error',
          message: `${key} has no matching ${SUPPRESSION_PREFIX}${rule} annotation with the reason for the suppression`,
          location: at(key)
        })
      }
      continue
    }
    const reason = typeof raw === 'string' ? raw.trim() : ''
    if (!knownRules.has(name)) {
      findings.push({
        ruleId: SUPPRESSION_RULE_IDS.invalid,
        severity: 'warning',
        message: `${key} suppresses '${name}', which is not a policy rule here. Known rules: ${[...knownRules].sort().join(', ')}`,
        location: at(key)
      })
      continue
    }
    if (reason === '' || /^(true|yes|1)$/i.test(reason)) {
      findings.push({
        ruleId: SUPPRESSION_RULE_IDS.invalid,
        severity: 'error',
        message: `${key} must give the reason for suppressing '${name}' as its value (found ${JSON.stringify(raw)}); the rule still applies`,
        location: at(key)
      })
      continue
    }
    const expires = annotations[key + EXPIRES]
    if (expires !== undefined) {
      const end = endOfDay(String(expires))
      if (end === undefined) {
        findings.push({
          ruleId: SUPPRESSION_RULE_IDS.invalid,
          severity: 'error',
          message: `${key + EXPIRES}: '${String(expires)}' is not a date (YYYY-MM-DD); the rule still applies`,
          location: at(key + EXPIRES)
        })
        continue
      }
      if (now.getTime() >= end) {
        findings.push({
          ruleId: SUPPRESSION_RULE_IDS.expired,
          severity: 'error',
          message: `The suppression of '${name}' expired on ${String(expires)} ("${reason}"): fix the finding or renew the suppression with a new date`,
          location: at(key + EXPIRES)
        })
        continue
      }
    }
    suppressed.add(name)
  }
  return { suppressed, findings }
}

/** The first instant after a YYYY-MM-DD date (UTC), or undefined when it is not a real date. */
function endOfDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim())
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const start = Date.UTC(year, month - 1, day)
  const date = new Date(start)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  return start + 24 * 60 * 60 * 1000
}
