import { parse } from '@bufbuild/cel'
import type { JSONSchemaType } from 'ajv'
import type { Severity } from '../finding.js'

/** A severity, or `off` to turn a rule off. */
export type RuleSeverity = Severity | 'off'

/** Per-rule settings: on or off, one severity everywhere, or one per environment. */
export interface PolicyRuleSettings {
  enabled?: boolean
  /** Severity in every environment (overrides the environment default). */
  severity?: RuleSeverity
  /** Severity per environment name (overrides `severity`). */
  environments?: Record<string, RuleSeverity>
}

/** One validation of a custom rule, in the shape of ValidatingAdmissionPolicy `spec.validations[]`. */
export interface PolicyValidation {
  /** CEL expression over `object` (also `oldObject` = null, `request`, `namespaceObject`, `variables`); true means valid. */
  expression: string
  message?: string
  /** CEL expression giving the message (a string), used instead of `message` when it evaluates. */
  messageExpression?: string
}

/** A custom rule written in gitops.yaml. */
export interface CustomPolicyRule {
  /** The rule id (kebab-case), used in findings, `rules` settings and suppression annotations. */
  id: string
  /** Kinds the rule applies to; every kind when absent. */
  kinds?: string[]
  /** CEL conditions that must all hold for the rule to apply (like `matchConditions`). */
  matchConditions?: Array<{ name: string; expression: string }>
  validations: PolicyValidation[]
}

/** The `policy` section of gitops.yaml: the security-policy-check's severities, rule settings and custom rules. */
export interface PolicyConfig {
  /** Default severity for environments not listed in `environments`, and for objects outside any environment. */
  severity: RuleSeverity
  /** Default severity per environment. */
  environments: Record<string, RuleSeverity>
  /** Settings per rule id (built-in or custom). */
  rules: Record<string, PolicyRuleSettings>
  custom: CustomPolicyRule[]
}

/** The seed's expectation: policy violations block staging and prod, and warn in dev. */
export const DEFAULT_POLICY: PolicyConfig = { severity: 'error', environments: { dev: 'warning' }, rules: {}, custom: [] }

export type PolicyInput = Partial<PolicyConfig>

const severity = { type: 'string', enum: ['error', 'warning', 'notice', 'off'] } as const
const RULE_ID = '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$'

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity,
    environments: { type: 'object', additionalProperties: severity },
    rules: {
      type: 'object',
      propertyNames: { pattern: RULE_ID },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean' },
          severity,
          environments: { type: 'object', additionalProperties: severity }
        }
      }
    },
    custom: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'validations'],
        properties: {
          id: { type: 'string', pattern: RULE_ID },
          kinds: { type: 'array', items: { type: 'string', minLength: 1 } },
          matchConditions: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'expression'],
              properties: { name: { type: 'string', minLength: 1 }, expression: { type: 'string', minLength: 1 } }
            }
          },
          validations: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['expression'],
              properties: {
                expression: { type: 'string', minLength: 1 },
                message: { type: 'string' },
                messageExpression: { type: 'string' },
                reason: { type: 'string' }
              }
            }
          }
        }
      }
    }
  }
} as unknown as JSONSchemaType<PolicyInput>

/** The policy section with the seed's defaults for absent keys; listed environments override the defaults one by one. */
export function completePolicy(input: PolicyInput | undefined): PolicyConfig {
  return {
    severity: input?.severity ?? DEFAULT_POLICY.severity,
    environments: { ...DEFAULT_POLICY.environments, ...input?.environments },
    rules: { ...input?.rules },
    custom: (input?.custom ?? []).map((rule) => ({ ...rule }))
  }
}

/** CEL expressions of the custom rules that do not parse, with their path in gitops.yaml. */
export function policyExpressionProblems(input: PolicyInput | undefined): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = []
  const check = (expression: string | undefined, path: Array<string | number>): void => {
    if (expression === undefined) return
    try {
      parse(expression)
    } catch (error) {
      problems.push({ path, message: `invalid CEL expression: ${(error as Error).message}` })
    }
  }
  input?.custom?.forEach((rule, i) => {
    rule.matchConditions?.forEach((condition, j) => check(condition.expression, ['custom', i, 'matchConditions', j, 'expression']))
    rule.validations.forEach((validation, j) => {
      check(validation.expression, ['custom', i, 'validations', j, 'expression'])
      check(validation.messageExpression, ['custom', i, 'validations', j, 'messageExpression'])
    })
  })
  return problems
}
