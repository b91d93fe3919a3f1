import * as core from '@actions/core'
import { compareFindings, isBuildFailure, type Finding, type Severity, type SourceLocation } from '@gitops-actions/core'

/** GitHub shows at most 10 annotations of each level per step; the rest are dropped silently. */
export const ANNOTATIONS_PER_LEVEL = 10

export interface AnnotationPlan {
  shown: Finding[]
  /** How many findings of each level did not fit and are only in the summary. */
  hidden: Record<Severity, number>
}

/**
 * Picks the findings that become annotations: the first of each level in report order, build
 * failures first, so that the cause of what follows from it (a root that does not build) is never
 * among the ones only the summary lists.
 */
export function planAnnotations(findings: readonly Finding[], perLevel = ANNOTATIONS_PER_LEVEL): AnnotationPlan {
  const hidden: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  const used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 }
  const shown: Finding[] = []
  const ordered = [...findings].sort((a, b) => Number(isBuildFailure(b)) - Number(isBuildFailure(a)) || compareFindings(a, b))
  for (const finding of ordered) {
    if (used[finding.severity] < perLevel) {
      used[finding.severity]++
      shown.push(finding)
    } else {
      hidden[finding.severity]++
    }
  }
  return { shown, hidden }
}

/** The file/line properties of an annotation for a location. */
export function annotationProperties(location: SourceLocation | undefined, title?: string): core.AnnotationProperties {
  const properties: core.AnnotationProperties = {}
  if (title) properties.title = title
  if (!location) return properties
  properties.file = location.file
  if (location.line !== undefined) {
    properties.startLine = location.line
    if (location.endLine !== undefined && location.endLine > location.line) properties.endLine = location.endLine
    else if (location.column !== undefined) properties.startColumn = location.column
  }
  return properties
}

/** Emits findings as annotations within GitHub's caps and says how many more the summary holds. */
export function annotate(findings: readonly Finding[]): AnnotationPlan {
  const plan = planAnnotations(findings)
  for (const finding of plan.shown) {
    const properties = annotationProperties(finding.location, finding.title ?? finding.ruleId)
    const message = `${finding.message} [${finding.ruleId}]`
    if (finding.severity === 'error') core.error(message, properties)
    else if (finding.severity === 'warning') core.warning(message, properties)
    else core.notice(message, properties)
  }
  const more = plan.hidden.error + plan.hidden.warning + plan.hidden.notice
  if (more > 0) {
    core.info(
      `${more} more finding(s) (${plan.hidden.error} errors, ${plan.hidden.warning} warnings) are listed in the job summary only: GitHub shows ${ANNOTATIONS_PER_LEVEL} annotations per level and step.`
    )
  }
  return plan
}
