import type { EnvironmentConfig } from '../config/environments.js'
import { UserError } from '../errors.js'
import { compareVersions, tagFacts } from '../status/tag-facts.js'

/** A promotion that moves an environment to an older version than it runs. */
export interface Downgrade {
  environment: string
  /** The version it runs now, and the tag that says so. */
  running: { tag: string; version: string }
  /** The older version the promotion would deploy. */
  promoted: { tag: string; version: string }
}

/**
 * Whether writing `tag` (version `version` when known beside the tag) into `environment`, which
 * runs `previousTag`, goes back in version. Only versions that both tags tell (`v1.2.3`,
 * `<app>-v1.2.3`, or given) are compared; builds without versions cannot be ordered and are no
 * downgrade.
 */
export function downgradeOf(input: {
  app: string
  environment: EnvironmentConfig
  environments: readonly EnvironmentConfig[]
  previousTag: string | undefined
  tag: string
  /** The version of `tag`, when the plan knows it (input, release tag). */
  version?: string | undefined
  /** The version of `previousTag`, when known otherwise (release tag, OCI labels). */
  previousVersion?: string | undefined
}): Downgrade | undefined {
  if (!input.previousTag) return undefined
  const running = input.previousVersion ?? tagFacts(input.previousTag, input.app, input.environments).version
  const promoted = input.version ?? tagFacts(input.tag, input.app, input.environments).version
  if (!running || !promoted || compareVersions(promoted, running) >= 0) return undefined
  return {
    environment: input.environment.name,
    running: { tag: input.previousTag, version: running },
    promoted: { tag: input.tag, version: promoted }
  }
}

/** The sentence that flags a downgrade in the plan and the PR body. */
export function describeDowngrade(downgrade: Downgrade): string {
  return `${downgrade.environment} runs ${downgrade.running.tag} (${downgrade.running.version}); this moves it back to the older ${downgrade.promoted.tag} (${downgrade.promoted.version})`
}

/** Refuses a downgrade unless it was asked for (`allow-downgrade`): a rollback is a decision, not an accident. */
export function checkDowngrade(downgrade: Downgrade | undefined, allowDowngrade: boolean): void {
  if (!downgrade || allowDowngrade) return
  throw new UserError(
    `The promotion is refused: ${describeDowngrade(downgrade)}. To roll back on purpose, set allow-downgrade: true (CLI: --allow-downgrade); otherwise promote a newer version.`
  )
}
