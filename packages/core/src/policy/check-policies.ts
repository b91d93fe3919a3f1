import type { GitopsConfig } from '../config/gitops-config.js'
import type { RuleSeverity } from '../config/policy.js'
import type { Finding } from '../finding.js'
import { describeManifest, type KubeObject, type Manifest } from '../manifests/manifest.js'
import { containersOf, podSpecOf } from '../workloads/pod-spec.js'
import { limitRangeDefaults } from '../workloads/resources.js'
import { BUILTIN_POLICY_RULES } from './builtin-rules.js'
import { celRuleFromConfig, celRuleFromPolicy, evaluateCelRule, isValidatingAdmissionPolicy, type CelRule } from './cel-rules.js'
import { suppressionsOf } from './suppression.js'

export interface PolicyOptions {
  /** The current time, for suppression expiry (passed in so that results are reproducible). */
  now: Date
}

/** Finding rule ids are the policy rule ids under `policy/`. */
export const POLICY_RULE_PREFIX = 'policy/'

/** Whether checkPolicies evaluates CEL here (custom rules, ValidatingAdmissionPolicy objects): then it needs loadCel() first. */
export function usesCel(manifests: readonly Manifest[], config: GitopsConfig): boolean {
  return config.policy.custom.length > 0 || manifests.some((manifest) => isValidatingAdmissionPolicy(manifest.object))
}

/**
 * The security-policy-check: built-in rules over every pod-bearing object (Pod, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob; app, init and ephemeral
 * containers), custom CEL rules from gitops.yaml `policy.custom`, and ValidatingAdmissionPolicy
 * objects among the manifests. Severity comes from gitops.yaml `policy` per rule and environment;
 * objects suppress rules with `ignore-check.gitops-actions.io/<rule>` annotations. When usesCel()
 * says so, CEL must be loaded (loadCel) before.
 */
export function checkPolicies(manifests: readonly Manifest[], config: GitopsConfig, options: PolicyOptions): Finding[] {
  const findings: Finding[] = []
  const policy = config.policy
  const configFile = config.file ? { file: config.file, line: 1 } : undefined

  const builtinIds = new Set(BUILTIN_POLICY_RULES.map((rule) => rule.id))
  const celRules: CelRule[] = []
  for (const custom of policy.custom) {
    if (builtinIds.has(custom.id) || celRules.some((rule) => rule.id === custom.id)) {
      findings.push({
        ruleId: 'policy/invalid-config',
        severity: 'error',
        message: `${config.file ?? 'gitops.yaml'}: custom rule id '${custom.id}' is already taken by ${builtinIds.has(custom.id) ? 'a built-in rule' : 'another custom rule'}`,
        location: configFile
      })
      continue
    }
    celRules.push(celRuleFromConfig(custom, configFile))
  }
  for (const manifest of manifests) {
    if (!isValidatingAdmissionPolicy(manifest.object)) continue
    const rule = celRuleFromPolicy(manifest)
    if (rule.unsupported)
      findings.push({ ruleId: POLICY_RULE_PREFIX + rule.id, severity: 'notice', message: rule.unsupported, location: manifest.location })
    celRules.push(rule)
  }
  const knownRules = new Set([...builtinIds, ...celRules.map((rule) => rule.id)])
  const unknownSettings = Object.keys(policy.rules).filter((id) => !knownRules.has(id))
  if (unknownSettings.length > 0) {
    findings.push({
      ruleId: 'policy/invalid-config',
      severity: 'warning',
      message: `${config.file ?? 'gitops.yaml'}: policy.rules names unknown rules ${unknownSettings.join(', ')}. Known rules: ${[...knownRules].sort().join(', ')}`,
      location: configFile
    })
  }

  const namespaceOf = (manifest: Manifest): string => objectNamespace(manifest, config)
  const defaults = limitRangeDefaults(manifests, namespaceOf)
  const namespaces = new Map<string, KubeObject>()
  for (const manifest of manifests) {
    if (manifest.object.kind === 'Namespace' && manifest.object.metadata?.name)
      namespaces.set(manifest.object.metadata.name, manifest.object)
  }

  for (const manifest of manifests) {
    const environment = environmentOf(manifest, config)
    const { suppressed, findings: suppressionFindings } = suppressionsOf(manifest, knownRules, options.now)
    findings.push(...suppressionFindings)
    const report = (ruleId: string, message: string, location = manifest.location, title?: string): void => {
      if (suppressed.has(ruleId)) return
      const severity = severityOf(config, ruleId, environment)
      if (severity === 'off') return
      findings.push({
        ruleId: POLICY_RULE_PREFIX + ruleId,
        severity,
        message: `${describeManifest(manifest)}: ${message}`,
        location,
        title
      })
    }

    const pod = podSpecOf(manifest.object)
    if (pod) {
      const target = {
        manifest,
        spec: pod.spec,
        specPath: pod.path,
        containers: containersOf(pod.spec, pod.path),
        defaults: defaults.get(namespaceOf(manifest)) ?? { limits: {}, requests: {}, source: undefined }
      }
      for (const rule of BUILTIN_POLICY_RULES) {
        for (const violation of rule.check(target)) report(rule.id, violation.message, manifest.locate(violation.path), rule.title)
      }
    }
    for (const rule of celRules) {
      const namespace = manifest.object.metadata?.namespace
      for (const outcome of evaluateCelRule(rule, manifest.object, namespace ? namespaces.get(namespace) : undefined)) {
        report(rule.id, outcome.kind === 'error' ? `rule '${rule.id}' could not be evaluated: ${outcome.message}` : outcome.message)
      }
    }
  }
  return findings
}

/** The severity of a rule for an environment: rule per environment, rule, environment default, global default. */
export function severityOf(config: GitopsConfig, ruleId: string, environment: string | undefined): RuleSeverity {
  const policy = config.policy
  const settings = policy.rules[ruleId]
  if (settings?.enabled === false) return 'off'
  if (environment !== undefined && settings?.environments?.[environment]) return settings.environments[environment]!
  if (settings?.severity) return settings.severity
  if (environment !== undefined && policy.environments[environment]) return policy.environments[environment]!
  return policy.severity
}

/** The environment of a manifest: its build root's, else the environment whose namespace it is in. */
export function environmentOf(manifest: Manifest, config: GitopsConfig): string | undefined {
  if (manifest.environment) return manifest.environment
  const namespace = manifest.object.metadata?.namespace
  return namespace === undefined ? undefined : config.environments.find((e) => namespacePattern(e.namespace, e.name).test(namespace))?.name
}

/** An environment's namespace setting as a pattern: `{env}` is the environment's name, `{app}` any app. */
function namespacePattern(template: string, environment: string): RegExp {
  const parts = template
    .split(/(\{app\}|\{env\})/)
    .map((part) =>
      part === '{app}' ? '[a-z0-9]([-a-z0-9]*[a-z0-9])?' : part === '{env}' ? environment : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    )
  return new RegExp(`^${parts.join('')}$`)
}

/** The namespace an object lands in: metadata.namespace as rendered, else its environment's, else `default`. */
export function objectNamespace(manifest: Manifest, config: GitopsConfig): string {
  const namespace = manifest.object.metadata?.namespace
  if (namespace) return namespace
  const environment = manifest.environment ? config.environments.find((e) => e.name === manifest.environment) : undefined
  if (environment && !environment.namespace.includes('{app}')) return environment.namespace.replaceAll('{env}', environment.name)
  return 'default'
}
