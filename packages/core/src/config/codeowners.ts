import type { JSONSchemaType } from 'ajv'

/** A path that must be owned by certain code owners in CODEOWNERS. */
export interface ProtectedPath {
  /** A CODEOWNERS pattern (GitHub's gitignore-like syntax), e.g. `apps/*\/overlays/prod/`. */
  pattern: string
  /**
   * Owners that the winning CODEOWNERS rule of every file under the pattern must list. An owner
   * without an organization (`@platform-team`) also accepts a team of that name in any
   * organization (`@org/platform-team`); one with an organization must match exactly.
   * Compared case-insensitively, as GitHub compares logins, team slugs and emails.
   */
  owners: string[]
}

/** The `codeowners` section of gitops.yaml: what the CODEOWNERS check demands beyond valid syntax. */
export interface CodeownersConfig {
  protectedPaths: ProtectedPath[]
  /** The CODEOWNERS file itself must have a code owner, so that changing ownership needs a review. */
  protectSelf: boolean
}

/** The seed's production rule: prod overlays need platform, senior platform engineers and app team leads. */
export const DEFAULT_CODEOWNERS: CodeownersConfig = {
  protectedPaths: [{ pattern: 'apps/*/overlays/prod/', owners: ['@platform-team', '@senior-platform-engineers', '@app-team-leads'] }],
  protectSelf: true
}

export type CodeownersInput = Partial<CodeownersConfig>

/** `@user`, `@org/team` or an email address: what a CODEOWNERS line accepts as an owner. */
export const OWNER_SYNTAX = '^(?:@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?|[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,})$'

export const codeownersSchema: JSONSchemaType<CodeownersInput> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    protectedPaths: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pattern', 'owners'],
        properties: {
          // GitHub refuses negation, character ranges and a leading `\#`; so do we.
          pattern: {
            type: 'string',
            minLength: 1,
            pattern: '^[^!#\\s\\\\\\[\\]][^\\s\\[\\]]*$',
            description: 'a CODEOWNERS pattern GitHub supports (no spaces, no leading !, # or \\\\, no [ ] ranges)'
          },
          owners: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: OWNER_SYNTAX, description: 'an owner: @user, @org/team or an email address' }
          }
        }
      }
    },
    protectSelf: { type: 'boolean', nullable: true }
  }
}

/** The codeowners section with the seed's defaults for absent keys. */
export function completeCodeowners(input: CodeownersInput | undefined): CodeownersConfig {
  return {
    protectedPaths: (input?.protectedPaths ?? DEFAULT_CODEOWNERS.protectedPaths).map((p) => ({
      pattern: p.pattern,
      owners: [...p.owners]
    })),
    protectSelf: input?.protectSelf ?? DEFAULT_CODEOWNERS.protectSelf
  }
}
