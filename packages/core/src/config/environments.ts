import type { JSONSchemaType } from 'ajv'
import { parseDuration } from './durations.js'
import { environmentKubernetesVersionSchema, normalizeKubernetesVersion } from './kubernetes.js'

/**
 * How an environment's health is known, for promotions out of it: the commit statuses Flux's
 * notification-controller (a `github` Provider and an Alert on Kustomizations) posts on the
 * config-repo commit it applied, `success` once the Kustomization is Ready and healthy.
 */
export interface VerificationConfig {
  /** Whether a promotion out of this environment needs that evidence (default: on for the environment before the last). */
  required: boolean
  /** The status contexts that report this environment (`*` globs; `{app}` and `{env}` replaced), e.g. `kustomization/{app}-{env}/*`. */
  contexts: string[]
  /** How long the promoted tag must have been healthy here, as written (`24h`); undefined: no soak. */
  minSoak: string | undefined
  /** minSoak in milliseconds (0 without one). */
  minSoakMs: number
}

/** Flux names a status `<kind>/<name>/<provider uid prefix>`; the seed's Kustomizations are `<app>-<env>`. */
export const DEFAULT_VERIFICATION_CONTEXTS: readonly string[] = ['kustomization/{app}-{env}/*']

export type VerificationInput = Partial<Pick<VerificationConfig, 'required' | 'contexts' | 'minSoak'>>

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
  /** Flux's health evidence, needed to promote out of this environment (see VerificationConfig). */
  verification: VerificationConfig
}

export type EnvironmentInput = Partial<Omit<EnvironmentConfig, 'name' | 'kubernetesVersion' | 'verification'>> & {
  name: string
  verification?: VerificationInput
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
    autoMerge: true,
    verification: defaultVerification(false)
  },
  {
    name: 'staging',
    namespace: 'app-staging',
    tagTemplate: '{app}-staging-{sha}',
    allowedTags: [`^{app}-staging-${SHA}$`, `^sha-${SHA}$`, `^staging-${SHA}$`],
    forbiddenTags: MUTABLE_TAGS,
    autoMerge: false,
    verification: defaultVerification(true)
  },
  {
    name: 'prod',
    namespace: 'app-prod',
    tagTemplate: 'v{version}',
    allowedTags: [`^v${SEMVER}$`, `^{app}-v${SEMVER}$`],
    forbiddenTags: MUTABLE_TAGS,
    autoMerge: false,
    verification: defaultVerification(false)
  }
]

function defaultVerification(required: boolean): VerificationConfig {
  return { required, contexts: [...DEFAULT_VERIFICATION_CONTEXTS], minSoak: undefined, minSoakMs: 0 }
}

export const environmentsSchema: JSONSchemaType<EnvironmentInput[]> = {
  type: 'array',
  minItems: 1,
  description: 'The environments in promotion order (first is where auto-deploys land).',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        pattern: '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$',
        description: 'a name of lowercase letters, digits and hyphens (at most 32, e.g. staging)'
      },
      namespace: { type: 'string', nullable: true, minLength: 1 },
      tagTemplate: { type: 'string', nullable: true, minLength: 1 },
      allowedTags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
      forbiddenTags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
      autoMerge: { type: 'boolean', nullable: true },
      kubernetesVersion: { ...environmentKubernetesVersionSchema, nullable: true },
      verification: {
        type: 'object',
        nullable: true,
        additionalProperties: false,
        description: "Flux's health evidence (commit statuses) a promotion out of this environment needs.",
        properties: {
          required: { type: 'boolean', nullable: true },
          contexts: { type: 'array', nullable: true, minItems: 1, items: { type: 'string', minLength: 1 } },
          minSoak: { type: 'string', nullable: true }
        }
      }
    }
  }
}

/**
 * Fills the environments from the seed's defaults for the same name, or generic ones. Verification
 * is on by default for the environment before the last: what reaches production ran healthy first.
 */
export function completeEnvironments(inputs: readonly EnvironmentInput[]): EnvironmentConfig[] {
  return inputs.map((input, index) => completeEnvironment(input, index === inputs.length - 2))
}

/** Fills an environment from the seed's defaults for the same name, or generic ones. */
export function completeEnvironment(input: EnvironmentInput, sourceOfLast = false): EnvironmentConfig {
  const seed = DEFAULT_ENVIRONMENTS.find((e) => e.name === input.name)
  return {
    name: input.name,
    namespace: input.namespace ?? seed?.namespace ?? `app-${input.name}`,
    tagTemplate: input.tagTemplate ?? seed?.tagTemplate ?? `{app}-${input.name}-{sha}`,
    allowedTags: input.allowedTags ?? seed?.allowedTags ?? ['^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'],
    forbiddenTags: input.forbiddenTags ?? seed?.forbiddenTags ?? MUTABLE_TAGS,
    autoMerge: input.autoMerge ?? seed?.autoMerge ?? false,
    verification: {
      required: input.verification?.required ?? sourceOfLast,
      contexts: input.verification?.contexts ?? [...DEFAULT_VERIFICATION_CONTEXTS],
      minSoak: input.verification?.minSoak,
      minSoakMs: input.verification?.minSoak ? (parseDuration(input.verification.minSoak) ?? 0) : 0
    },
    ...(input.kubernetesVersion !== undefined ? { kubernetesVersion: normalizeKubernetesVersion(input.kubernetesVersion) } : {})
  }
}
