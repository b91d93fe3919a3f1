import type { SourceLocation } from './source-location.js'

export type Severity = 'error' | 'warning' | 'notice'

/** One thing a check found, with the rule that found it and where in the user's files it is. */
export interface Finding {
  /** Stable identifier, e.g. `GA-POL-001` or `kustomize/render`; users suppress and search by it. */
  ruleId: string
  severity: Severity
  message: string
  location?: SourceLocation | undefined
  /** Short heading for annotations; defaults to the rule id. */
  title?: string | undefined
}

const severityRank: Record<Severity, number> = { error: 2, warning: 1, notice: 0 }

/**
 * Rules whose finding stops a build or a read, so that the checks behind it see nothing or too
 * little there (a root that does not build leaves its children's SOPS secrets undecrypted, its
 * objects unchecked): the cause of the findings that follow from it.
 */
const BUILD_FAILURE_RULES = new Set(['kustomize/render', 'kustomize/outside-repo', 'kustomize/remote', 'kustomize/yaml', 'flux/yaml'])

/** Whether a finding is a cause that stopped a build or read (see BUILD_FAILURE_RULES). */
export function isBuildFailure(finding: Finding): boolean {
  return BUILD_FAILURE_RULES.has(finding.ruleId)
}

/** Orders findings errors first, then by file and line, so reports read top-down. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank[b.severity] - severityRank[a.severity] ||
    (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    a.ruleId.localeCompare(b.ruleId)
  )
}

/** Counts by severity, for outputs and summaries. */
export function countFindings(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  for (const finding of findings) counts[finding.severity]++
  return counts
}
