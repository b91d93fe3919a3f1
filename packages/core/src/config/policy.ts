import type { JSONSchemaType } from 'ajv'
import type { Severity } from '../finding.js'
import type { SourceLocation } from '../source-location.js'
import { configKeyPath } from './config-schema-errors.js'

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
  /**
   * Every CEL expression of the custom rules with its place in gitops.yaml, for the syntax check
   * that runs with the policy check (checkPolicyExpressions): CEL is loaded only where it is used.
   */
  expressions: PolicyExpression[]
}

export interface PolicyExpression {
  /** Where in gitops.yaml, e.g. `policy.custom[0].validations[1].expression`. */
  path: string
  expression: string
  location: SourceLocation | undefined
}

/** The seed's expectation: policy violations block staging and prod, and warn in dev. */
export const DEFAULT_POLICY: PolicyConfig = { severity: 'error', environments: { dev: 'warning' }, rules: {}, custom: [], expressions: [] }

export type PolicyInput = Partial<Omit<PolicyConfig, 'expressions'>>

const severity = { type: 'string', enum: ['error', 'warning', 'notice', 'off'] } as const
const RULE_ID = '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$'
const RULE_ID_TEXT = 'a rule id of lowercase letters, digits and hyphens (e.g. host-port)'

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity,
    environments: { type: 'object', additionalProperties: severity },
    rules: {
      type: 'object',
      propertyNames: { pattern: RULE_ID, description: RULE_ID_TEXT },
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
          id: { type: 'string', pattern: RULE_ID, description: RULE_ID_TEXT },
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

/**
 * The policy section with the seed's defaults for absent keys; listed environments override the
 * defaults one by one. `locate` places an expression, given its path in the policy section.
 */
export function completePolicy(
  input: PolicyInput | undefined,
  locate: (path: Array<string | number>) => SourceLocation | undefined = () => undefined
): PolicyConfig {
  return {
    severity: input?.severity ?? DEFAULT_POLICY.severity,
    environments: { ...DEFAULT_POLICY.environments, ...input?.environments },
    rules: { ...input?.rules },
    custom: (input?.custom ?? []).map((rule) => ({ ...rule })),
    expressions: customExpressions(input).map(({ path, expression }) => ({
      path: configKeyPath(['policy', ...path]),
      expression,
      location: locate(path)
    }))
  }
}

/** The CEL expressions of the custom rules, with their paths in the policy section. */
function customExpressions(input: PolicyInput | undefined): Array<{ path: Array<string | number>; expression: string }> {
  const expressions: Array<{ path: Array<string | number>; expression: string }> = []
  const add = (expression: string | undefined, path: Array<string | number>): void => {
    if (expression !== undefined) expressions.push({ path, expression })
  }
  input?.custom?.forEach((rule, i) => {
    rule.matchConditions?.forEach((condition, j) => add(condition.expression, ['custom', i, 'matchConditions', j, 'expression']))
    rule.validations.forEach((validation, j) => {
      add(validation.expression, ['custom', i, 'validations', j, 'expression'])
      add(validation.messageExpression, ['custom', i, 'validations', j, 'messageExpression'])
    })
  })
  return expressions
}
