import type { ResourceBudget } from '../config/quota.js'
import type { GitopsConfig } from '../config/gitops-config.js'
import type { Finding } from '../finding.js'
import { describeManifest, describeObject, objectId, type Manifest } from '../manifests/manifest.js'
import type { SourceLocation } from '../source-location.js'
import { environmentOf, objectNamespace } from '../policy/check-policies.js'
import { containersOf, field, podSpecOf } from '../workloads/pod-spec.js'
import { formatQuantity, parseQuantity, quantityProblem, RESOURCE_NAMES, type ResourceName } from '../workloads/quantity.js'
import {
  effectiveResources,
  limitRangeDefaults,
  podResources,
  type ContainerDefaults,
  type ResourceAmounts
} from '../workloads/resources.js'

/** Quantities per resource, written as Kubernetes quantities (`1500m`, `3Gi`); negative for a deficit. */
export type Resources = Partial<Record<ResourceName, string>>

/** Requests and limits, as ResourceQuota's `requests.*` and `limits.*` count them. */
export interface ResourceTotals {
  requests: Resources
  limits: Resources
  /** Pods at once (ResourceQuota `pods`). */
  pods?: number
}

/** One namespace's worst-case usage against its ResourceQuota and gitops.yaml budget. */
export interface NamespaceUsage {
  namespace: string
  environment?: string
  /** Pods at once at the worst moment (HPA at maxReplicas, mid-rollout with surge). */
  pods: number
  requests: Resources
  limits: Resources
  /** The tightest hard limits of the namespace's ResourceQuota objects, when there are any. */
  quota?: ResourceTotals
  /** The gitops.yaml budget (`quota.namespaces.<ns>`). */
  budget?: ResourceTotals
  /** What is left under the tighter of quota and budget; absent keys have no limit. */
  headroom: ResourceTotals
}

export const QUOTA_RULE_IDS = {
  overQuota: 'quota/over-quota',
  overBudget: 'quota/over-budget',
  unsetUnderQuota: 'quota/unset-under-quota',
  notCounted: 'quota/not-counted'
} as const

type Which = 'requests' | 'limits'
interface Amounts {
  requests: ResourceAmounts
  limits: ResourceAmounts
  pods: number
}
interface Limit {
  amounts: Amounts
  source: string
  location: SourceLocation | undefined
}
interface Workload {
  manifest: Manifest
  namespace: string
  pods: number
  usage: Amounts
}

const QUOTA_KEYS: Record<string, [Which, ResourceName]> = {
  cpu: ['requests', 'cpu'],
  memory: ['requests', 'memory'],
  'ephemeral-storage': ['requests', 'ephemeral-storage'],
  'requests.cpu': ['requests', 'cpu'],
  'requests.memory': ['requests', 'memory'],
  'requests.ephemeral-storage': ['requests', 'ephemeral-storage'],
  'limits.cpu': ['limits', 'cpu'],
  'limits.memory': ['limits', 'memory'],
  'limits.ephemeral-storage': ['limits', 'ephemeral-storage']
}

/**
 * The quota-validation check. Per namespace (metadata.namespace as rendered, so objects from
 * several build roots meet: ResourceQuota and LimitRange from infrastructure/, workloads from the
 * overlays), the worst case of what its workloads hold at once: per pod the Kubernetes rule (the
 * larger of the app containers plus sidecars and each init container), LimitRange defaults for
 * unset values, times replicas — an HPA's maxReplicas where one targets the workload — plus the
 * rollout surge (Deployment maxSurge, 25% rounded up by default; none for Recreate). Compared with
 * the namespace's ResourceQuota objects and gitops.yaml budgets (`quota.namespaces`,
 * `quota.environments`); over either is an error at the workload that holds the most.
 */
export function checkQuotas(manifests: readonly Manifest[], config: GitopsConfig): { findings: Finding[]; namespaces: NamespaceUsage[] } {
  const findings: Finding[] = []
  const namespaceOf = (manifest: Manifest): string => objectNamespace(manifest, config)
  const unique = dedupe(manifests, namespaceOf)
  const defaults = limitRangeDefaults(unique, namespaceOf)
  const hpas = new Map<string, { max: number; manifest: Manifest }>()
  const quotas = new Map<string, Limit[]>()
  const environments = new Map<string, string | undefined>()

  for (const manifest of unique) {
    const namespace = namespaceOf(manifest)
    const { kind } = manifest.object
    if (kind === 'HorizontalPodAutoscaler') {
      const target = field(manifest.object, 'spec', 'scaleTargetRef')
      const max = field(manifest.object, 'spec', 'maxReplicas')
      if (typeof max === 'number')
        hpas.set(`${namespace}/${String(field(target, 'kind'))}/${String(field(target, 'name'))}`, { max, manifest })
    } else if (kind === 'ResourceQuota') {
      const limit = quotaLimit(manifest, findings)
      if (limit) quotas.set(namespace, [...(quotas.get(namespace) ?? []), limit])
      environments.set(namespace, environments.get(namespace) ?? environmentOf(manifest, config))
    }
  }

  const workloads: Workload[] = []
  for (const manifest of unique) {
    const pod = podSpecOf(manifest.object)
    if (!pod) continue
    const namespace = namespaceOf(manifest)
    environments.set(namespace, environments.get(namespace) ?? environmentOf(manifest, config))
    const namespaceDefaults = defaults.get(namespace) ?? { limits: {}, requests: {}, source: undefined }
    const pods = podCount(
      manifest,
      hpas.get(`${namespace}/${manifest.object.kind}/${manifest.object.metadata?.name}`)?.max,
      config,
      findings
    )
    if (pods === undefined) continue
    const perPod = podResources(pod.spec, namespaceDefaults)
    workloads.push({
      manifest,
      namespace,
      pods,
      usage: { requests: times(perPod.requests, pods), limits: times(perPod.limits, pods), pods }
    })
    findings.push(...unsetUnderQuota(manifest, pod.spec, pod.path, namespaceDefaults, quotas.get(namespace) ?? []))
  }

  const namespaces = [...new Set([...workloads.map((w) => w.namespace), ...quotas.keys(), ...Object.keys(config.quota.namespaces)])].sort()
  const result: NamespaceUsage[] = []
  for (const namespace of namespaces) {
    const mine = workloads.filter((w) => w.namespace === namespace)
    const usage = sum(mine.map((w) => w.usage))
    const quota = tightest(quotas.get(namespace) ?? [])
    const budgetConfig = config.quota.namespaces[namespace]
    const budget = budgetConfig ? budgetAmounts(budgetConfig) : undefined
    const limits: Limit[] = [...(quotas.get(namespace) ?? [])]
    if (budget)
      limits.push({
        amounts: budget,
        source: `the budget quota.namespaces.${namespace} in ${config.file ?? 'gitops.yaml'}`,
        location: undefined
      })
    for (const limit of limits) {
      findings.push(...overLimit(namespace, usage, mine, limit, limit.location ? QUOTA_RULE_IDS.overQuota : QUOTA_RULE_IDS.overBudget))
    }
    const environment = environments.get(namespace)
    result.push({
      namespace,
      ...(environment ? { environment } : {}),
      pods: usage.pods,
      requests: format(usage.requests),
      limits: format(usage.limits),
      ...(quota ? { quota: totals(quota) } : {}),
      ...(budget ? { budget: totals(budget) } : {}),
      headroom: headroom(usage, [quota, budget])
    })
  }

  for (const [environment, budgetConfig] of Object.entries(config.quota.environments)) {
    const mine = workloads.filter((w) => environments.get(w.namespace) === environment)
    const limit: Limit = {
      amounts: budgetAmounts(budgetConfig),
      source: `the budget quota.environments.${environment} in ${config.file ?? 'gitops.yaml'}`,
      location: undefined
    }
    findings.push(...overLimit(`environment ${environment}`, sum(mine.map((w) => w.usage)), mine, limit, QUOTA_RULE_IDS.overBudget))
  }
  return { findings, namespaces: result }
}

/**
 * The same object rendered by two roots (an overlay and a Flux path to it) counts once. Objects are
 * the same when they land in the same namespace: the Deployments of overlays that set no namespace
 * (Flux's targetNamespace or the environment places them) are one per environment, not one in all.
 */
function dedupe(manifests: readonly Manifest[], namespaceOf: (manifest: Manifest) => string): Manifest[] {
  const seen = new Set<string>()
  return manifests.filter((manifest) => {
    const { metadata } = manifest.object
    const id = objectId({ ...manifest.object, metadata: { ...metadata, namespace: namespaceOf(manifest) } })
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/** Pods a workload holds at once at worst: replicas (HPA max when one targets it) plus rollout surge. */
function podCount(manifest: Manifest, hpaMax: number | undefined, config: GitopsConfig, findings: Finding[]): number | undefined {
  const object = manifest.object
  switch (object.kind) {
    case 'Pod':
      return 1
    case 'Job':
      return numberOr(field(object, 'spec', 'parallelism'), 1)
    case 'CronJob':
      return numberOr(field(object, 'spec', 'jobTemplate', 'spec', 'parallelism'), 1)
    case 'DaemonSet':
      if (config.quota.nodes === undefined) {
        findings.push({
          ruleId: QUOTA_RULE_IDS.notCounted,
          severity: 'notice',
          message: `${describeObject(object)}: a DaemonSet runs one pod per node; set quota.nodes in ${config.file ?? 'gitops.yaml'} to count it`,
          location: manifest.location
        })
        return undefined
      }
      return (
        config.quota.nodes +
        (config.quota.countSurge ? rolloutSurge(field(object, 'spec', 'updateStrategy'), config.quota.nodes, 'DaemonSet') : 0)
      )
    default: {
      const replicas = hpaMax ?? numberOr(field(object, 'spec', 'replicas'), 1)
      return (
        replicas +
        (config.quota.countSurge && object.kind === 'Deployment'
          ? rolloutSurge(field(object, 'spec', 'strategy'), replicas, 'Deployment')
          : 0)
      )
    }
  }
}

/**
 * Extra pods during a rolling update. Deployment: maxSurge, default 25%, a percentage rounded up;
 * none with Recreate. DaemonSet: maxSurge, default 0. A percentage of 0 replicas is 0.
 */
export function rolloutSurge(strategy: unknown, replicas: number, kind: 'Deployment' | 'DaemonSet'): number {
  const type = field(strategy, 'type') ?? 'RollingUpdate'
  if (type !== 'RollingUpdate') return 0
  const value = field(strategy, 'rollingUpdate', 'maxSurge') ?? (kind === 'Deployment' ? '25%' : 0)
  if (typeof value === 'number') return value
  const percent = /^(\d+)%$/.exec(String(value))
  if (percent) return Math.ceil((replicas * Number(percent[1])) / 100)
  return /^\d+$/.test(String(value)) ? Number(value) : 0
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

function times(amounts: ResourceAmounts, count: number): ResourceAmounts {
  return Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, v * BigInt(count)])) as ResourceAmounts
}

function sum(list: readonly Amounts[]): Amounts {
  const total: Amounts = { requests: {}, limits: {}, pods: 0 }
  for (const amounts of list) {
    total.pods += amounts.pods
    for (const which of ['requests', 'limits'] as const) {
      for (const resource of RESOURCE_NAMES) {
        const value = amounts[which][resource]
        if (value !== undefined) total[which][resource] = (total[which][resource] ?? 0n) + value
      }
    }
  }
  return total
}

function quotaLimit(manifest: Manifest, findings: Finding[]): Limit | undefined {
  const spec = field(manifest.object, 'spec')
  if (field(spec, 'scopes') !== undefined || field(spec, 'scopeSelector') !== undefined) {
    findings.push({
      ruleId: QUOTA_RULE_IDS.notCounted,
      severity: 'notice',
      message: `${describeObject(manifest.object)} has scopes; scoped quotas count only some pods and are not compared here`,
      location: manifest.location
    })
    return undefined
  }
  const hard = field(spec, 'hard')
  const amounts: Amounts = { requests: {}, limits: {}, pods: Number.POSITIVE_INFINITY }
  for (const [key, value] of Object.entries(typeof hard === 'object' && hard !== null ? hard : {})) {
    if (key === 'pods' && !quantityProblem(value)) {
      amounts.pods = Number(parseQuantity(value) / 10n ** 9n)
      continue
    }
    const target = QUOTA_KEYS[key]
    if (!target || quantityProblem(value)) continue
    const [which, resource] = target
    const parsed = parseQuantity(value)
    const current = amounts[which][resource]
    amounts[which][resource] = current === undefined || parsed < current ? parsed : current
  }
  return { amounts, source: `ResourceQuota ${manifest.object.metadata?.name ?? ''}`, location: manifest.location }
}

function budgetAmounts(budget: ResourceBudget): Amounts {
  const amounts: Amounts = { requests: {}, limits: {}, pods: budget.pods ?? Number.POSITIVE_INFINITY }
  for (const which of ['requests', 'limits'] as const) {
    for (const [resource, value] of Object.entries(budget[which] ?? {})) amounts[which][resource as ResourceName] = parseQuantity(value)
  }
  return amounts
}

/** The per-key minimum of several limits (every ResourceQuota of a namespace is enforced). */
function tightest(limits: readonly Limit[]): Amounts | undefined {
  if (limits.length === 0) return undefined
  const result: Amounts = { requests: {}, limits: {}, pods: Number.POSITIVE_INFINITY }
  for (const { amounts } of limits) {
    result.pods = Math.min(result.pods, amounts.pods)
    for (const which of ['requests', 'limits'] as const) {
      for (const resource of RESOURCE_NAMES) {
        const value = amounts[which][resource]
        const current = result[which][resource]
        if (value !== undefined && (current === undefined || value < current)) result[which][resource] = value
      }
    }
  }
  return result
}

function overLimit(scope: string, usage: Amounts, workloads: readonly Workload[], limit: Limit, ruleId: string): Finding[] {
  const findings: Finding[] = []
  const where = `${limit.source}${limit.location ? ` (${limit.location.file}:${limit.location.line ?? 1})` : ''}`
  const report = (key: string, used: string, allowed: string, share: (w: Workload) => bigint): void => {
    const ranked = [...workloads].sort((a, b) => (share(b) > share(a) ? 1 : share(b) < share(a) ? -1 : 0))
    const top = ranked[0]
    const contributors = ranked
      .slice(0, 3)
      .map((w) => `${describeObject(w.manifest.object)} (${w.pods} pods)`)
      .join(', ')
    findings.push({
      ruleId,
      severity: 'error',
      title: `${scope}: ${key} over ${limit.location ? 'quota' : 'budget'}`,
      message: `${scope}: ${key} reaches ${used} at the worst moment (HPA maximums, rollout surge), over ${allowed} allowed by ${where}. Largest: ${contributors || 'none'}. New pods would be refused, so scale-ups and rollouts stall.`,
      location: top?.manifest.location ?? limit.location
    })
  }
  if (usage.pods > limit.amounts.pods) report('pods', String(usage.pods), String(limit.amounts.pods), (w) => BigInt(w.pods))
  for (const which of ['requests', 'limits'] as const) {
    for (const resource of RESOURCE_NAMES) {
      const allowed = limit.amounts[which][resource]
      const used = usage[which][resource] ?? 0n
      if (allowed === undefined || used <= allowed) continue
      report(
        `${which}.${resource}`,
        formatQuantity(used, resource),
        formatQuantity(allowed, resource),
        (w) => w.usage[which][resource] ?? 0n
      )
    }
  }
  return findings
}

/** Under a ResourceQuota that counts a resource, the API server refuses pods whose containers leave it unset. */
function unsetUnderQuota(
  manifest: Manifest,
  spec: Record<string, unknown>,
  specPath: ReadonlyArray<string | number>,
  defaults: ContainerDefaults,
  quotas: readonly Limit[]
): Finding[] {
  const findings: Finding[] = []
  for (const ref of containersOf(spec, specPath)) {
    if (ref.kind === 'ephemeralContainer') continue
    const effective = effectiveResources(ref.container, defaults)
    for (const quota of quotas) {
      const missing: string[] = []
      for (const which of ['requests', 'limits'] as const) {
        for (const resource of RESOURCE_NAMES) {
          if (quota.amounts[which][resource] !== undefined && effective[which][resource] === undefined) missing.push(`${which}.${resource}`)
        }
      }
      if (missing.length === 0) continue
      findings.push({
        ruleId: QUOTA_RULE_IDS.unsetUnderQuota,
        severity: 'error',
        message: `${describeManifest(manifest)}: container '${ref.name}' sets no ${missing.join(', ')}, which ${quota.source} (${quota.location?.file}:${quota.location?.line ?? 1}) counts, and no LimitRange gives a default: the API server will refuse its pods`,
        location: manifest.locate([...ref.path, 'resources'])
      })
    }
  }
  return findings
}

function format(amounts: ResourceAmounts): Resources {
  const result: Resources = {}
  for (const resource of RESOURCE_NAMES) result[resource] = formatQuantity(amounts[resource] ?? 0n, resource)
  return result
}

function formatPresent(amounts: ResourceAmounts): Resources {
  const result: Resources = {}
  for (const resource of RESOURCE_NAMES) {
    const value = amounts[resource]
    if (value !== undefined) result[resource] = formatQuantity(value, resource)
  }
  return result
}

function totals(amounts: Amounts): ResourceTotals {
  return {
    requests: formatPresent(amounts.requests),
    limits: formatPresent(amounts.limits),
    ...(Number.isFinite(amounts.pods) ? { pods: amounts.pods } : {})
  }
}

function headroom(usage: Amounts, limits: ReadonlyArray<Amounts | undefined>): ResourceTotals {
  const present = limits.filter((l): l is Amounts => l !== undefined)
  const cap = tightest(present.map((amounts) => ({ amounts, source: '', location: undefined })))
  const result: ResourceTotals = { requests: {}, limits: {} }
  if (!cap) return result
  for (const which of ['requests', 'limits'] as const) {
    for (const resource of RESOURCE_NAMES) {
      const allowed = cap[which][resource]
      if (allowed !== undefined) result[which][resource] = formatQuantity(allowed - (usage[which][resource] ?? 0n), resource)
    }
  }
  if (Number.isFinite(cap.pods)) result.pods = cap.pods - usage.pods
  return result
}
