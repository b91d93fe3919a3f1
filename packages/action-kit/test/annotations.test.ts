import type { Finding } from '@gitops-actions/core'
import { describe, expect, test } from 'vitest'
import { ANNOTATIONS_PER_LEVEL, planAnnotations } from '../src/annotations.js'

const error = (ruleId: string, file: string): Finding => ({
  ruleId,
  severity: 'error',
  message: `${ruleId} in ${file}`,
  location: { file, line: 1 }
})

describe('planAnnotations: GitHub shows 10 annotations per level and step', () => {
  // A cluster Kustomization that does not build (Diaoul/home-ops with an alias bomb in its inline
  // patch): its children's SOPS secrets are then unknown fields, all in files that sort before it.
  const cascade = Array.from({ length: 20 }, (_, i) =>
    error('kustomize/unknown-field', `kubernetes/apps/app-${String(i).padStart(2, '0')}/secret.sops.yaml`)
  )
  const cause = error('kustomize/render', 'kubernetes/flux/cluster/ks.yaml')

  test('the root that does not build is shown, whatever the order of files', () => {
    const plan = planAnnotations([...cascade, cause])
    expect(plan.shown).toHaveLength(ANNOTATIONS_PER_LEVEL)
    expect(plan.shown[0]).toBe(cause)
    expect(plan.shown.slice(1).map((f) => f.location?.file)).toEqual(
      cascade.slice(0, ANNOTATIONS_PER_LEVEL - 1).map((f) => f.location?.file)
    )
    expect(plan.hidden).toEqual({ error: 11, warning: 0, notice: 0 })
  })

  test('otherwise report order: errors by file and line, each level capped on its own', () => {
    const warnings = cascade.slice(0, 12).map((f) => ({ ...f, severity: 'warning' as const }))
    const plan = planAnnotations([...warnings, ...cascade.slice(0, 3)])
    expect(plan.shown.filter((f) => f.severity === 'error')).toHaveLength(3)
    expect(plan.shown.filter((f) => f.severity === 'warning').map((f) => f.location?.file)).toEqual(
      warnings.slice(0, 10).map((f) => f.location?.file)
    )
    expect(plan.hidden).toEqual({ error: 0, warning: 2, notice: 0 })
  })
})
