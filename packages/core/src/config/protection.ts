import type { JSONSchemaType } from 'ajv'

/** Who may bypass a branch's rules: a team by slug, a GitHub App by its id, a repository role, or org admins. */
export type BypassActor = { team: string } | { app: number } | { role: 'admin' | 'maintain' | 'write' } | { organizationAdmins: true }

/** The protected-branch rules of one kind of repository (the seed's section 2). */
export interface BranchRules {
  branch: string
  requiredApprovals: number
  codeOwnerReview: boolean
  dismissStaleReviews: boolean
  /** Require branches to be up to date with the base before merging (strict status checks). */
  requireUpToDate: boolean
  requiredChecks: string[]
  /** Refuse force pushes and deletion of the branch. */
  blockForcePush: boolean
  bypass: BypassActor[]
}

export interface ProtectionConfig {
  app: BranchRules
  config: BranchRules
}

/** The seed's required status checks for each kind of repository. */
export const SEED_APP_CHECKS = ['build-test-pipeline', 'security-scan', 'code-quality-check', 'docker-build-push']
export const SEED_CONFIG_CHECKS = ['kustomize-validate', 'security-policy-check', 'quota-validation', 'flux-sync-validation']

const common = { branch: 'main', requiredApprovals: 1, dismissStaleReviews: true, requireUpToDate: true, blockForcePush: true, bypass: [] }

/** The seed: app repos need review and checks; config repos also need CODEOWNERS approval. */
export const DEFAULT_PROTECTION: ProtectionConfig = {
  app: { ...common, codeOwnerReview: false, requiredChecks: SEED_APP_CHECKS },
  config: { ...common, codeOwnerReview: true, requiredChecks: SEED_CONFIG_CHECKS }
}

const bypassSchema = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['team'], properties: { team: { type: 'string', minLength: 1 } } },
    { type: 'object', additionalProperties: false, required: ['app'], properties: { app: { type: 'integer', minimum: 1 } } },
    {
      type: 'object',
      additionalProperties: false,
      required: ['role'],
      properties: { role: { type: 'string', enum: ['admin', 'maintain', 'write'] } }
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['organizationAdmins'],
      properties: { organizationAdmins: { type: 'boolean', const: true } }
    }
  ]
}

const rulesSchema = {
  type: 'object',
  additionalProperties: false,
  nullable: true,
  properties: {
    branch: { type: 'string', minLength: 1, nullable: true },
    requiredApprovals: { type: 'integer', minimum: 0, maximum: 10, nullable: true },
    codeOwnerReview: { type: 'boolean', nullable: true },
    dismissStaleReviews: { type: 'boolean', nullable: true },
    requireUpToDate: { type: 'boolean', nullable: true },
    requiredChecks: { type: 'array', items: { type: 'string', minLength: 1 }, nullable: true },
    blockForcePush: { type: 'boolean', nullable: true },
    bypass: { type: 'array', items: bypassSchema, nullable: true }
  }
}

export const protectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { app: rulesSchema, config: rulesSchema }
} as unknown as JSONSchemaType<{ app?: Partial<BranchRules>; config?: Partial<BranchRules> }>

/** The protection section with the seed's defaults under the user's keys. */
export function completeProtection(input: { app?: Partial<BranchRules>; config?: Partial<BranchRules> } | undefined): ProtectionConfig {
  return {
    app: { ...DEFAULT_PROTECTION.app, ...input?.app },
    config: { ...DEFAULT_PROTECTION.config, ...input?.config }
  }
}
