import type { JSONSchemaType } from 'ajv'
import { environmentKubernetesVersionSchema, normalizeKubernetesVersion } from './kubernetes.js'

/** One environment of the promotion chain, as gitops.yaml describes it. */
export interface EnvironmentConfig {
  name: string
  /** Kubernetes namespace the overlay deploys to; `{env}` and `{app}` are replaced. */
  namespace: string
  /**
   * The tag this environment runs, as a compute-tag template. Promotions re-tag the image under
   * it (dev `sha-{sha}` → staging `{app}-staging-{sha}` → prod `v{version}`).
   */
  tagTemplate: string
  /** Regular expressions a tag must match to be deployed here (any one); `{app}` is replaced. */
  allowedTags: string[]
  /** Tags never accepted here, whatever the patterns say: mutable names such as latest. */
  forbiddenTags: string[]
  /** Whether promotion pull requests into this environment may merge themselves once checks pass. */
  autoMerge: boolean
  /**
   * The Kubernetes version (`v1.24`) of this environment's cluster, when it differs from
   * gitops.yaml's `kubernetes.version`; see clusterVersion().
   */
  kubernetesVersion?: string | undefined
}

export type EnvironmentInput = Partial<Omit<EnvironmentConfig, 'name' | 'kubernetesVersion'>> & {
  name: string
  /** A string; a YAML number passes the schema only to be refused with a clear message (kubernetesVersionProblem). */
  kubernetesVersion?: string | number
}

const SHA = '[0-9a-f]{7,40}'
/**
 * SemVer 2.0 as semver.org's grammar has it: no leading zeros in the version or in numeric
 * pre-release identifiers, no empty identifier (`1.2.3-.`), `-` a letter (`1.2.3--` is valid).
 * No build metadata: `+` is not allowed in an image tag.
 */
const NUMBER = '(?:0|[1-9][0-9]*)'
const PRERELEASE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`
export const SEMVER_TAG_PATTERN = `${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*)?`
const SEMVER = SEMVER_TAG_PATTERN
const MUTABLE_TAGS = ['latest', 'main', 'master', 'stable', 'edge', 'dev', 'staging', 'prod', 'production']

/** The seed's three environments. Prod runs only `v<semver>` (or `<app>-v<semver>`) tags. */
export const DEFAULT_ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    name: 'dev',
    namespace: 'app-dev',
    tagTemplate: 'sha-{sha}',
    allowedTags: [`^sha-${SHA}$`, `^{app}-${SHA}-[0-9]{8}-[0-9]{6}$`],
    forbiddenTags: MUTABLE_TAGS,
    autoMerge: true
  },
  {
    name: 'staging',
    namespace: 'app-staging',
    tagTemplate: '{app}-staging-{sha}',
    allowedTags: [`^{app}-staging-${SHA}$`, `^sha-${SHA}$`, `^staging-${SHA}$`],
    forbiddenTags: MUTABLE_TAGS,
    autoMerge: false
  },
  {
    name: 'prod',
    namespace: 'app-prod',
    tagTemplate: 'v{version}',
    allowedTags: [`^v${SEMVER}$`, `^{app}-v${SEMVER}$`],
    forbiddenTags: MUTABLE_TAGS,
    autoMerge: false
  }
]

export const environmentsSchema: JSONSchemaType<EnvironmentInput[]> = {
  type: 'array',
  minItems: 1,
  description: 'The environments in promotion order (first is where auto-deploys land).',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$' },
      namespace: { type: 'string', nullable: true, minLength: 1 },
      tagTemplate: { type: 'string', nullable: true, minLength: 1 },
      allowedTags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
      forbiddenTags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
      autoMerge: { type: 'boolean', nullable: true },
      kubernetesVersion: { ...environmentKubernetesVersionSchema, nullable: true }
    }
  }
}

/** Fills an environment from the seed's defaults for the same name, or generic ones. */
export function completeEnvironment(input: EnvironmentInput): EnvironmentConfig {
  const seed = DEFAULT_ENVIRONMENTS.find((e) => e.name === input.name)
  return {
    name: input.name,
    namespace: input.namespace ?? seed?.namespace ?? `app-${input.name}`,
    tagTemplate: input.tagTemplate ?? seed?.tagTemplate ?? `{app}-${input.name}-{sha}`,
    allowedTags: input.allowedTags ?? seed?.allowedTags ?? ['^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'],
    forbiddenTags: input.forbiddenTags ?? seed?.forbiddenTags ?? MUTABLE_TAGS,
    autoMerge: input.autoMerge ?? seed?.autoMerge ?? false,
    ...(input.kubernetesVersion !== undefined ? { kubernetesVersion: normalizeKubernetesVersion(input.kubernetesVersion) } : {})
  }
}
