import type { BranchRules, BypassActor } from '../config/protection.js'

/** The name of the ruleset gitops-actions manages; other rulesets are left alone. */
export const RULESET_NAME = 'gitops-actions: protected branch'

/** GitHub's ids for the built-in repository roles in ruleset bypass lists. */
const REPOSITORY_ROLE_IDS = { maintain: 2, write: 4, admin: 5 } as const

export interface RulesetBypassActor {
  actor_id: number | null
  actor_type: 'Team' | 'Integration' | 'RepositoryRole' | 'OrganizationAdmin'
  bypass_mode: 'always' | 'pull_request'
}

export type RulesetRule =
  | {
      type: 'pull_request'
      parameters: {
        required_approving_review_count: number
        require_code_owner_review: boolean
        dismiss_stale_reviews_on_push: boolean
        require_last_push_approval: boolean
        required_review_thread_resolution: boolean
      }
    }
  | {
      type: 'required_status_checks'
      parameters: { strict_required_status_checks_policy: boolean; required_status_checks: Array<{ context: string }> }
    }
  | { type: 'non_fast_forward' }
  | { type: 'deletion' }

/** The body of POST/PUT /repos/{owner}/{repo}/rulesets for our ruleset. */
export interface RulesetBody {
  name: string
  target: 'branch'
  enforcement: 'active'
  conditions: { ref_name: { include: string[]; exclude: string[] } }
  bypass_actors: RulesetBypassActor[]
  rules: RulesetRule[]
}

/** The body of PUT /repos/{owner}/{repo}/branches/{branch}/protection (classic protection). */
export interface BranchProtectionBody {
  required_status_checks: { strict: boolean; contexts: string[] } | null
  enforce_admins: boolean
  required_pull_request_reviews: {
    dismiss_stale_reviews: boolean
    require_code_owner_reviews: boolean
    required_approving_review_count: number
    bypass_pull_request_allowances: { users: string[]; teams: string[]; apps: string[] }
  }
  restrictions: null
  allow_force_pushes: boolean
  allow_deletions: boolean
}

/** Ids the ruleset API needs for teams, looked up by the caller. */
export type TeamIds = Readonly<Record<string, number>>

/** The ruleset that expresses the rules. Teams must be resolved to ids first. */
export function desiredRuleset(rules: BranchRules, teamIds: TeamIds): RulesetBody {
  const list: RulesetRule[] = [
    {
      type: 'pull_request',
      parameters: {
        required_approving_review_count: rules.requiredApprovals,
        require_code_owner_review: rules.codeOwnerReview,
        dismiss_stale_reviews_on_push: rules.dismissStaleReviews,
        require_last_push_approval: false,
        required_review_thread_resolution: false
      }
    }
  ]
  if (rules.requiredChecks.length > 0) {
    list.push({
      type: 'required_status_checks',
      parameters: {
        strict_required_status_checks_policy: rules.requireUpToDate,
        required_status_checks: rules.requiredChecks.map((context) => ({ context }))
      }
    })
  }
  if (rules.blockForcePush) list.push({ type: 'non_fast_forward' }, { type: 'deletion' })
  return {
    name: RULESET_NAME,
    target: 'branch',
    enforcement: 'active',
    conditions: { ref_name: { include: [`refs/heads/${rules.branch}`], exclude: [] } },
    bypass_actors: rules.bypass.map((actor) => rulesetActor(actor, teamIds)),
    rules: list
  }
}

function rulesetActor(actor: BypassActor, teamIds: TeamIds): RulesetBypassActor {
  if ('team' in actor) {
    const id = teamIds[actor.team]
    if (id === undefined) throw new Error(`team ${actor.team} was not resolved to an id`)
    return { actor_id: id, actor_type: 'Team', bypass_mode: 'always' }
  }
  if ('app' in actor) return { actor_id: actor.app, actor_type: 'Integration', bypass_mode: 'always' }
  if ('role' in actor) return { actor_id: REPOSITORY_ROLE_IDS[actor.role], actor_type: 'RepositoryRole', bypass_mode: 'always' }
  return { actor_id: 1, actor_type: 'OrganizationAdmin', bypass_mode: 'always' }
}

/**
 * Classic branch protection for servers without rulesets. It can express bypass only for pull
 * request reviews, by team slug; roles and org admins map to "admins are not enforced".
 */
export function desiredBranchProtection(rules: BranchRules): BranchProtectionBody {
  const teams = rules.bypass.flatMap((a) => ('team' in a ? [a.team] : []))
  const adminsBypass = rules.bypass.some((a) => 'role' in a || 'organizationAdmins' in a)
  return {
    required_status_checks: rules.requiredChecks.length > 0 ? { strict: rules.requireUpToDate, contexts: [...rules.requiredChecks] } : null,
    enforce_admins: !adminsBypass,
    required_pull_request_reviews: {
      dismiss_stale_reviews: rules.dismissStaleReviews,
      require_code_owner_reviews: rules.codeOwnerReview,
      required_approving_review_count: rules.requiredApprovals,
      bypass_pull_request_allowances: { users: [], teams, apps: [] }
    },
    restrictions: null,
    allow_force_pushes: !rules.blockForcePush,
    allow_deletions: !rules.blockForcePush
  }
}
