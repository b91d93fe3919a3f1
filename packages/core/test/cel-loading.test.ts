import { describe, expect, test } from 'vitest'
import {
  checkPolicies,
  checkPolicyExpressions,
  defaultGitopsConfig,
  loadCel,
  manifestsFromYaml,
  parseGitopsConfig,
  usesCel
} from '../src/index.js'

// CEL is loaded on demand, once per process: this file runs the order a run goes through, in one module state.
describe('CEL is loaded only where a rule needs it', () => {
  const now = new Date('2026-06-15T12:00:00Z')
  const deployment = manifestsFromYaml(
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 9\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:latest\n',
    'web.yaml',
    'web.yaml',
    'prod'
  )
  const withCustomRule = parseGitopsConfig(
    'policy:\n  custom:\n    - id: replicas-cap\n      validations:\n        - expression: "object.spec.replicas <= 5"\n          message: too many replicas\n'
  )
  const policyObject = manifestsFromYaml(
    'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p\nspec:\n  matchConstraints:\n    resourceRules: []\n  validations:\n  - expression: "true"\n',
    'p.yaml'
  )

  test('built-in rules run without it', async () => {
    const config = defaultGitopsConfig()
    expect(usesCel(deployment, config)).toBe(false)
    await checkPolicyExpressions(config) // no custom rule: nothing to parse, nothing loaded
    expect(checkPolicies(deployment, config, { now }).map((f) => f.ruleId)).toContain('policy/mutable-image-tag')
  })

  test('custom rules and ValidatingAdmissionPolicy objects need it; before loadCel that is a programming error', () => {
    expect(usesCel(deployment, withCustomRule)).toBe(true)
    expect(usesCel(policyObject, defaultGitopsConfig())).toBe(true)
    expect(() => checkPolicies(deployment, withCustomRule, { now })).toThrow('CEL is not loaded: await loadCel()')
  })

  test('after loadCel the custom rule is evaluated', async () => {
    await loadCel()
    const findings = checkPolicies(deployment, withCustomRule, { now }).filter((f) => f.ruleId === 'policy/replicas-cap')
    expect(findings.map((f) => f.message)).toEqual(['Deployment/web: too many replicas'])
  })
})
