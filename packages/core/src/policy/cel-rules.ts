import type * as CelModule from '@bufbuild/cel'
import type { CelInput } from '@bufbuild/cel'
import type { GitopsConfig } from '../config/gitops-config.js'
import type { CustomPolicyRule } from '../config/policy.js'
import { UserError } from '../errors.js'
import { describeObject, type KubeObject, type Manifest } from '../manifests/manifest.js'
import type { SourceLocation } from '../source-location.js'
import { field, isRecord } from '../workloads/pod-spec.js'

/**
 * Custom rules as CEL, in the shape of ValidatingAdmissionPolicy: `validations[]` with
 * `expression`, `message`, `messageExpression`; `matchConditions`; for policies found among the
 * manifests also `variables`, `matchConstraints.resourceRules` and `failurePolicy`. Evaluated with
 * @bufbuild/cel and its strings extension, over plain data where integers are CEL ints (as the API
 * server's JSON gives them).
 */
export interface CelRule {
  id: string
  /** Where the rule is written: gitops.yaml or the ValidatingAdmissionPolicy object. */
  origin: SourceLocation | undefined
  applies(object: KubeObject): boolean
  matchConditions: CompiledExpression[]
  variables: Array<{ name: string; expression: CompiledExpression }>
  validations: Array<{ expression: CompiledExpression; message: string | undefined; messageExpression: CompiledExpression | undefined }>
  /** `Ignore` skips objects whose evaluation fails; `Fail` (the default) reports them. */
  failurePolicy: 'Fail' | 'Ignore'
  /** Set when the rule cannot be evaluated offline (it needs `params`). */
  unsupported?: string
}

export interface CompiledExpression {
  source: string
  evaluate(bindings: Record<string, unknown>): { value: unknown } | { error: string }
}

// Loaded on demand: @bufbuild/cel brings protobuf and re2 (≈ 0.9 MB of every bundle that holds core),
// and most repositories have no CEL rule at all. A bundle keeps it in a chunk of its own.
let cel: { module: typeof CelModule; environment: ReturnType<typeof CelModule.celEnv> } | undefined

/** Loads the CEL runtime; compiling a CEL expression needs it (see usesCel). */
export async function loadCel(): Promise<void> {
  if (cel) return
  const [module, ext] = await Promise.all([import('@bufbuild/cel'), import('@bufbuild/cel/ext')])
  cel ??= { module, environment: module.celEnv({ funcs: ext.strings }) }
}

function celRuntime(): NonNullable<typeof cel> {
  if (!cel) throw new Error('CEL is not loaded: await loadCel() before compiling CEL expressions')
  return cel
}

/**
 * gitops.yaml's custom CEL expressions must parse: the first that does not is a UserError at its
 * file:line. Loads CEL only when there are custom rules.
 */
export async function checkPolicyExpressions(config: GitopsConfig): Promise<void> {
  if (config.policy.expressions.length === 0) return
  await loadCel()
  const { module } = celRuntime()
  for (const { path, expression, location } of config.policy.expressions) {
    try {
      module.parse(expression)
    } catch (error) {
      throw new UserError(`${path}: invalid CEL expression: ${(error as Error).message}`, location)
    }
  }
}

/** Parses and plans a CEL expression once; a syntax error becomes an expression that always fails. */
export function compileExpression(source: string): CompiledExpression {
  const { module, environment } = celRuntime()
  let run: ((bindings: Record<string, CelInput>) => unknown) | undefined
  let syntaxError: string | undefined
  try {
    run = module.plan(environment, module.parse(source)) as (bindings: Record<string, CelInput>) => unknown
  } catch (error) {
    syntaxError = `invalid CEL expression: ${(error as Error).message}`
  }
  return {
    source,
    evaluate(bindings) {
      if (!run) return { error: syntaxError! }
      try {
        const result = run(Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCel(v)])))
        return module.isCelError(result) ? { error: result.message } : { value: fromCel(result) }
      } catch (error) {
        return { error: (error as Error).message }
      }
    }
  }
}

/** JSON-like data as CEL sees Kubernetes objects: integral numbers are ints. */
export function toCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value
  if (Array.isArray(value)) return value.map(toCel)
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)])) as CelInput
  return value as CelInput
}

function fromCel(value: unknown): unknown {
  const { module } = celRuntime()
  if (module.isCelList(value)) return [...value].map(fromCel)
  if (module.isCelMap(value)) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), fromCel(v)]))
  return value
}

/** A custom rule from gitops.yaml. */
export function celRuleFromConfig(rule: CustomPolicyRule, origin: SourceLocation | undefined): CelRule {
  const kinds = rule.kinds ? new Set(rule.kinds) : undefined
  return {
    id: rule.id,
    origin,
    applies: (object) => kinds === undefined || kinds.has(object.kind ?? ''),
    matchConditions: (rule.matchConditions ?? []).map((c) => compileExpression(c.expression)),
    variables: [],
    validations: rule.validations.map((v) => ({
      expression: compileExpression(v.expression),
      message: v.message,
      messageExpression: v.messageExpression === undefined ? undefined : compileExpression(v.messageExpression)
    })),
    failurePolicy: 'Fail'
  }
}

/** Whether an object is a ValidatingAdmissionPolicy (admissionregistration.k8s.io, any version). */
export function isValidatingAdmissionPolicy(object: KubeObject): boolean {
  return object.kind === 'ValidatingAdmissionPolicy' && (object.apiVersion ?? '').startsWith('admissionregistration.k8s.io/')
}

/** A rule from a ValidatingAdmissionPolicy object among the manifests. */
export function celRuleFromPolicy(manifest: Manifest): CelRule {
  const spec = field(manifest.object, 'spec')
  const name = manifest.object.metadata?.name ?? 'unnamed-policy'
  const rules = field(spec, 'matchConstraints', 'resourceRules')
  const excluded = field(spec, 'matchConstraints', 'excludeResourceRules')
  const validations = field(spec, 'validations')
  const variables = field(spec, 'variables')
  const conditions = field(spec, 'matchConditions')
  const rule: CelRule = {
    id: name,
    origin: manifest.location,
    applies: (object) =>
      (Array.isArray(rules) ? rules : []).some((r) => resourceRuleMatches(r, object)) &&
      !(Array.isArray(excluded) ? excluded : []).some((r) => resourceRuleMatches(r, object, true)),
    matchConditions: (Array.isArray(conditions) ? conditions : []).map((c) => compileExpression(String(field(c, 'expression') ?? 'true'))),
    variables: (Array.isArray(variables) ? variables : []).map((v) => ({
      name: String(field(v, 'name')),
      expression: compileExpression(String(field(v, 'expression') ?? 'null'))
    })),
    validations: (Array.isArray(validations) ? validations : []).map((v) => ({
      expression: compileExpression(String(field(v, 'expression') ?? 'true')),
      message: typeof field(v, 'message') === 'string' ? (field(v, 'message') as string) : undefined,
      messageExpression:
        typeof field(v, 'messageExpression') === 'string' ? compileExpression(field(v, 'messageExpression') as string) : undefined
    })),
    failurePolicy: field(spec, 'failurePolicy') === 'Ignore' ? 'Ignore' : 'Fail'
  }
  if (field(spec, 'paramKind') !== undefined) {
    rule.unsupported = `ValidatingAdmissionPolicy '${name}' takes parameters (paramKind); its params live in the cluster, so it is not evaluated here`
  }
  return rule
}

function resourceRuleMatches(rule: unknown, object: KubeObject, excluding = false): boolean {
  if (!isRecord(rule)) return false
  const [group, version] = (object.apiVersion ?? '').includes('/') ? object.apiVersion!.split('/') : ['', object.apiVersion ?? '']
  const list = (key: string): string[] => (Array.isArray(rule[key]) ? (rule[key] as unknown[]).map(String) : [])
  const has = (values: string[], value: string): boolean => values.includes('*') || values.includes(value)
  // An object in the repository is created or updated; a rule only for DELETE or CONNECT never sees it.
  const operations = list('operations')
  if (!excluding && operations.length > 0 && !['*', 'CREATE', 'UPDATE'].some((op) => operations.includes(op))) return false
  if (!has(list('apiGroups'), group ?? '') || !has(list('apiVersions'), version ?? '')) return false
  const names = list('resourceNames')
  if (names.length > 0 && !names.includes(object.metadata?.name ?? '')) return false
  const resource = resourceOf(object.kind ?? '')
  return list('resources').some((r) => r === '*' || r === resource)
}

const IRREGULAR_RESOURCES: Record<string, string> = { Endpoints: 'endpoints', PodSecurityPolicy: 'podsecuritypolicies' }

/** The REST resource of a kind, as the API server pluralizes it (`Deployment` → `deployments`, `Ingress` → `ingresses`). */
export function resourceOf(kind: string): string {
  if (IRREGULAR_RESOURCES[kind]) return IRREGULAR_RESOURCES[kind]!
  const lower = kind.toLowerCase()
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`
  return `${lower}s`
}

/** The result of one rule on one object: messages of failed validations, or an evaluation error. */
export type CelOutcome = { kind: 'violation'; message: string } | { kind: 'error'; message: string }

/** Evaluates a rule against an object, as the API server would on CREATE. */
export function evaluateCelRule(rule: CelRule, object: KubeObject, namespaceObject: KubeObject | undefined): CelOutcome[] {
  if (rule.unsupported || !rule.applies(object)) return []
  const [group, version] = (object.apiVersion ?? '').includes('/') ? object.apiVersion!.split('/') : ['', object.apiVersion ?? '']
  const bindings: Record<string, unknown> = {
    object,
    oldObject: null,
    params: null,
    namespaceObject: namespaceObject ?? null,
    request: {
      operation: 'CREATE',
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: resourceOf(object.kind ?? '') },
      name: object.metadata?.name ?? '',
      namespace: object.metadata?.namespace ?? '',
      dryRun: false
    }
  }
  const failed = (what: string, error: string): CelOutcome[] =>
    rule.failurePolicy === 'Ignore' ? [] : [{ kind: 'error', message: `${what} failed on ${describeObject(object)}: ${error}` }]

  for (const condition of rule.matchConditions) {
    const result = condition.evaluate(bindings)
    if ('error' in result) return failed(`matchCondition \`${condition.source}\``, result.error)
    if (result.value !== true) return []
  }
  const values: Record<string, unknown> = {}
  bindings.variables = values
  for (const variable of rule.variables) {
    const result = variable.expression.evaluate(bindings)
    if ('error' in result) return failed(`variable '${variable.name}'`, result.error)
    values[variable.name] = result.value
  }
  const outcomes: CelOutcome[] = []
  for (const validation of rule.validations) {
    const result = validation.expression.evaluate(bindings)
    if ('error' in result) {
      outcomes.push(...failed(`expression \`${validation.expression.source}\``, result.error))
      continue
    }
    if (result.value === true) continue
    if (typeof result.value !== 'boolean') {
      outcomes.push(...failed(`expression \`${validation.expression.source}\``, `it returned ${typeof result.value}, not a bool`))
      continue
    }
    let message = validation.message?.trim() ? validation.message : `failed expression: ${validation.expression.source}`
    if (validation.messageExpression) {
      const text = validation.messageExpression.evaluate(bindings)
      if ('value' in text && typeof text.value === 'string' && text.value.trim() !== '') message = text.value
    }
    outcomes.push({ kind: 'violation', message })
  }
  return outcomes
}
