import type { JSONSchemaType } from 'ajv'
import { quantityProblem } from '../workloads/quantity.js'

/** Quantities per resource, as written in gitops.yaml (`cpu: "4"`, `memory: 8Gi`). */
export interface ResourceBudgetValues {
  cpu?: string | number
  memory?: string | number
  'ephemeral-storage'?: string | number
}

/** A budget: the most a namespace or environment may request and be limited to, in total. */
export interface ResourceBudget {
  requests?: ResourceBudgetValues
  limits?: ResourceBudgetValues
  /** The most pods at once. */
  pods?: number
}

/** The `quota` section of gitops.yaml: budgets for the quota-validation check and how it counts. */
export interface QuotaConfig {
  /** Budgets per environment (for all the environment's namespaces together). */
  environments: Record<string, ResourceBudget>
  /** Budgets per namespace. */
  namespaces: Record<string, ResourceBudget>
  /** Count the extra pods of a rolling update (maxSurge) on top of the replicas. */
  countSurge: boolean
  /** Nodes a DaemonSet runs on, to count its pods; DaemonSets are left out (with a notice) when unset. */
  nodes: number | undefined
}

/** The seed sets no budgets: ResourceQuota objects in the repo are the limits. */
export const DEFAULT_QUOTA: QuotaConfig = { environments: {}, namespaces: {}, countSurge: true, nodes: undefined }

export type QuotaInput = Partial<QuotaConfig>

const quantity = { type: ['string', 'number'] } as const
const values = {
  type: 'object',
  additionalProperties: false,
  properties: { cpu: quantity, memory: quantity, 'ephemeral-storage': quantity }
} as const
const budget = {
  type: 'object',
  additionalProperties: false,
  properties: { requests: values, limits: values, pods: { type: 'integer', minimum: 0 } }
} as const

export const quotaSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    environments: { type: 'object', additionalProperties: budget },
    namespaces: { type: 'object', additionalProperties: budget },
    countSurge: { type: 'boolean' },
    nodes: { type: 'integer', minimum: 1 }
  }
} as unknown as JSONSchemaType<QuotaInput>

/** The quota section with the defaults for absent keys. */
export function completeQuota(input: QuotaInput | undefined): QuotaConfig {
  return {
    environments: { ...input?.environments },
    namespaces: { ...input?.namespaces },
    countSurge: input?.countSurge ?? DEFAULT_QUOTA.countSurge,
    nodes: input?.nodes ?? DEFAULT_QUOTA.nodes
  }
}

/** Budget values that are not Kubernetes quantities, with their path in gitops.yaml. */
export function quotaProblems(input: QuotaInput | undefined): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = []
  for (const scope of ['environments', 'namespaces'] as const) {
    for (const [name, entry] of Object.entries(input?.[scope] ?? {})) {
      for (const which of ['requests', 'limits'] as const) {
        for (const [resource, value] of Object.entries(entry[which] ?? {})) {
          const problem = quantityProblem(value)
          if (problem) problems.push({ path: [scope, name, which, resource], message: problem })
        }
      }
    }
  }
  return problems
}
