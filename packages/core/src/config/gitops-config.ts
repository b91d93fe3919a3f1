import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import type { Node } from 'yaml'
import { parameterError, UserError } from '../errors.js'
import { normalizeRepoPath, resolveInRepo } from '../repo-paths.js'
import { tagPatternProblem } from '../tags/tag-pattern.js'
import { parseDuration } from './durations.js'
import { locationOf, parseYamlFile, toPlain } from '../yaml-source.js'
import {
  completeEnvironments,
  DEFAULT_ENVIRONMENTS,
  environmentsSchema,
  type EnvironmentConfig,
  type EnvironmentInput
} from './environments.js'
import { configSchemaError } from './config-schema-errors.js'
import { didYouMean } from '../names.js'
import { completeDrift, driftSchema, type DriftConfig } from './drift.js'
import { DEFAULT_LAYOUT, layoutSchema, type LayoutConfig } from './layout.js'
import { completeProtection, protectionSchema, type BranchRules, type ProtectionConfig } from './protection.js'
import { codeownersSchema, completeCodeowners, type CodeownersConfig, type CodeownersInput } from './codeowners.js'
import { completePolicy, policySchema, type PolicyConfig, type PolicyInput } from './policy.js'
import {
  completeDeploymentWindow,
  deploymentWindowsSchema,
  isKnownTimeZone,
  type DeploymentWindowConfig,
  type DeploymentWindowInput
} from './deployment-windows.js'
import { completeQuota, quotaProblems, quotaSchema, type QuotaConfig, type QuotaInput } from './quota.js'
import {
  completeKubernetes,
  kubernetesSchema,
  kubernetesVersionProblem,
  type KubernetesConfig,
  type KubernetesInput
} from './kubernetes.js'
import { completeVersioning, versioningSchema, type VersioningConfig, type VersioningInput } from './versioning.js'
import { completeSchemas, schemasSchema, type SchemasConfig, type SchemasInput } from './schemas.js'
import { completeKustomize, kustomizeSchema, type KustomizeConfig, type KustomizeInput } from './kustomize.js'

/**
 * The config repo's one settings file, `gitops.yaml` at its root. Every action reads it through
 * loadGitopsConfig(); when it is absent the defaults reproduce the seed workflow. Each feature
 * owns one top-level section: its schema, its defaults and its typed form live in a module of
 * this folder, and are registered in `sections` below.
 */
export interface GitopsConfig {
  /** Path of the file read, relative to the repo root; undefined when the defaults apply. */
  file: string | undefined
  environments: EnvironmentConfig[]
  layout: LayoutConfig
  /** Protected-branch rules per kind of repository, applied by `gitops-actions protect`. */
  protection: ProtectionConfig
  /** Protected paths and their required code owners, checked by validate-manifests' codeowners check. */
  codeowners: CodeownersConfig
  /** Differences between neighbouring environments that drift reports leave out. */
  drift: DriftConfig
  /** Severities, rule settings and custom CEL rules of validate-manifests' security-policy-check. */
  policy: PolicyConfig
  /** When promotions may reach an environment (open-promotion-pr); empty: always. */
  deploymentWindows: DeploymentWindowConfig[]
  /** Budgets and counting rules of validate-manifests' quota-validation check. */
  quota: QuotaConfig
  /** The Kubernetes version the clusters run (per environment: `environments[].kubernetesVersion`); see clusterVersion(). */
  kubernetes: KubernetesConfig
  /** How compute-tag derives versions from commits (semantic-release's preset and release rules). */
  versioning: VersioningConfig
  /** Schemas of custom resources that validate-manifests uses beyond the packaged ones (CRD files, JSON schema directories). */
  schemas: SchemasConfig
  /** What kustomize builds may fetch (remote resources by host); nothing by default. */
  kustomize: KustomizeConfig
}

export const GITOPS_CONFIG_FILES = ['gitops.yaml', 'gitops.yml'] as const

const sections = {
  environments: environmentsSchema,
  layout: layoutSchema,
  protection: protectionSchema,
  codeowners: codeownersSchema,
  drift: driftSchema,
  policy: policySchema,
  deploymentWindows: deploymentWindowsSchema,
  quota: quotaSchema,
  kubernetes: kubernetesSchema,
  versioning: versioningSchema,
  schemas: schemasSchema,
  kustomize: kustomizeSchema
}

/** The JSON schema of gitops.yaml (also published for editors as gitops.schema.json). */
export const gitopsConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'gitops-actions config (gitops.yaml)',
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'integer', enum: [1] }, ...sections }
} as const

// Compiled on first use: a run without gitops.yaml (the defaults) never pays for it.
let compiledSchema: ValidateFunction | undefined
const configValidator = (): ValidateFunction =>
  (compiledSchema ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(gitopsConfigSchema))

/** The configuration when the repo has no gitops.yaml: the seed's. */
export function defaultGitopsConfig(): GitopsConfig {
  return {
    file: undefined,
    environments: DEFAULT_ENVIRONMENTS.map((e) => ({ ...e })),
    layout: { ...DEFAULT_LAYOUT },
    protection: completeProtection(undefined),
    codeowners: completeCodeowners(undefined),
    drift: completeDrift(undefined),
    policy: completePolicy(undefined),
    deploymentWindows: [],
    quota: completeQuota(undefined),
    kubernetes: completeKubernetes(undefined),
    versioning: completeVersioning(undefined, 'gitops.yaml', () => undefined),
    schemas: completeSchemas(undefined),
    kustomize: completeKustomize(undefined)
  }
}

/** Reads and checks gitops.yaml (or gitops.yml) at a repo root; the defaults when neither exists. */
export function loadGitopsConfig(repoRoot: string): GitopsConfig {
  for (const name of GITOPS_CONFIG_FILES) {
    const path = join(repoRoot, name)
    if (!existsSync(path)) continue
    // A gitops.yaml symlinked to a file outside the checkout would put that file's values in the outputs.
    resolveInRepo(repoRoot, name, name)
    return parseGitopsConfig(readFileSync(path, 'utf8'), name)
  }
  return defaultGitopsConfig()
}

/** Parses gitops.yaml text; every mistake is a UserError at file:line. */
export function parseGitopsConfig(text: string, file = 'gitops.yaml'): GitopsConfig {
  const source = parseYamlFile(text, file)
  const raw = toPlain(source) ?? {}
  const validate = configValidator()
  if (!validate(raw)) throw configSchemaError(source, validate.errors ?? [])
  const data = raw as {
    environments?: EnvironmentInput[]
    layout?: Partial<LayoutConfig>
    protection?: { app?: Partial<BranchRules>; config?: Partial<BranchRules> }
    codeowners?: CodeownersInput
    drift?: Partial<DriftConfig>
    policy?: PolicyInput
    deploymentWindows?: DeploymentWindowInput[]
    quota?: QuotaInput
    kubernetes?: KubernetesInput
    versioning?: VersioningInput
    schemas?: SchemasInput
    kustomize?: KustomizeInput
  }
  const [quotaProblem] = quotaProblems(data.quota)
  if (quotaProblem) {
    throw new UserError(
      `quota.${quotaProblem.path.join('.')}: ${quotaProblem.message}`,
      locationOf(source, ['quota', ...quotaProblem.path])
    )
  }
  const versionProblem = (value: unknown, path: Array<string | number>, name: string) => {
    const node = source.document.getIn(path, true) as Node | undefined
    const problem =
      value === undefined ? undefined : kubernetesVersionProblem(value, node?.range ? text.slice(node.range[0], node.range[1]) : undefined)
    if (problem) throw new UserError(`${name}: ${problem}`, locationOf(source, path))
  }
  versionProblem(data.kubernetes?.version, ['kubernetes', 'version'], 'kubernetes.version')
  data.environments?.forEach((environment, index) =>
    versionProblem(
      environment.kubernetesVersion,
      ['environments', index, 'kubernetesVersion'],
      `environments[${environment.name}].kubernetesVersion`
    )
  )
  data.environments?.forEach((environment, index) => {
    const minSoak = environment.verification?.minSoak
    if (minSoak !== undefined && parseDuration(minSoak) === undefined) {
      throw new UserError(
        `environments[${index}].verification.minSoak: '${minSoak}' is not a duration: write it as 30m, 24h or 1d12h (units s, m, h, d)`,
        locationOf(source, ['environments', index, 'verification', 'minSoak'])
      )
    }
  })
  for (const key of ['overlay', 'base'] as const) {
    const template = data.layout?.[key]
    if (template === undefined) continue
    try {
      normalizeRepoPath(template, `layout.${key}`)
    } catch (error) {
      throw new UserError((error as Error).message, locationOf(source, ['layout', key]))
    }
  }
  const environments = completeEnvironments(data.environments ?? DEFAULT_ENVIRONMENTS)
  const seen = new Set<string>()
  environments.forEach((environment, index) => {
    if (seen.has(environment.name)) {
      throw new UserError(
        `environments[${index}]: environment '${environment.name}' is listed twice`,
        locationOf(source, ['environments', index, 'name'])
      )
    }
    seen.add(environment.name)
    for (const [key, list] of [['allowedTags', environment.allowedTags] as const, ['forbiddenTags', environment.forbiddenTags] as const]) {
      list.forEach((pattern, i) => {
        if (key === 'forbiddenTags') return
        const problem = tagPatternProblem(pattern.replaceAll('{app}', 'app'))
        if (problem) {
          throw new UserError(
            `environments[${index}].${key}[${i}]: '${pattern}' is not a valid regular expression: ${problem}`,
            locationOf(source, ['environments', index, key, i])
          )
        }
      })
    }
  })
  const deploymentWindows = (data.deploymentWindows ?? []).map(completeDeploymentWindow)
  deploymentWindows.forEach((window, index) => {
    if (!isKnownTimeZone(window.timeZone)) {
      throw new UserError(
        `deploymentWindows[${index}].timeZone: '${window.timeZone}' is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`,
        locationOf(source, ['deploymentWindows', index, 'timeZone'])
      )
    }
    window.environments.forEach((name, i) => {
      if (!seen.has(name)) {
        throw new UserError(
          `deploymentWindows[${index}].environments[${i}]: no environment '${name}'${didYouMean(name, seen)}; environments: ${[...seen].join(', ')}`,
          locationOf(source, ['deploymentWindows', index, 'environments', i])
        )
      }
    })
  })
  return {
    file,
    environments,
    layout: { ...DEFAULT_LAYOUT, ...data.layout },
    protection: completeProtection(data.protection),
    codeowners: completeCodeowners(data.codeowners),
    drift: completeDrift(data.drift),
    policy: completePolicy(data.policy, (path) => locationOf(source, ['policy', ...path])),
    deploymentWindows,
    quota: completeQuota(data.quota),
    kubernetes: completeKubernetes(data.kubernetes),
    versioning: completeVersioning(data.versioning, file, (path) => locationOf(source, ['versioning', ...path])),
    schemas: completeSchemas(data.schemas, (path) => locationOf(source, path), file),
    kustomize: completeKustomize(data.kustomize)
  }
}

/** Finds an environment by name, or a UserError listing the known ones. */
export function environmentByName(config: GitopsConfig, name: string, input = 'environment'): EnvironmentConfig {
  const environment = config.environments.find((e) => e.name === name)
  if (!environment) {
    throw parameterError(
      input,
      `unknown environment '${name}'. Environments in ${config.file ?? 'the default configuration'}: ${config.environments.map((e) => e.name).join(', ')}`
    )
  }
  return environment
}
