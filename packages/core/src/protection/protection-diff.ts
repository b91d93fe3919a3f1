import type { BranchProtectionBody, RulesetBody } from './desired-state.js'

/** One setting that differs between the repository and gitops.yaml. */
export interface ProtectionChange {
  setting: string
  live: unknown
  desired: unknown
}

type Flat = Record<string, unknown>

/** The settings of a ruleset as `rules.pull_request.required_approving_review_count`-style keys. */
export function flattenRuleset(ruleset: Partial<RulesetBody> | undefined): Flat {
  if (!ruleset) return {}
  const flat: Flat = {
    enforcement: ruleset.enforcement,
    'conditions.ref_name.include': [...(ruleset.conditions?.ref_name?.include ?? [])].sort(),
    'conditions.ref_name.exclude': [...(ruleset.conditions?.ref_name?.exclude ?? [])].sort(),
    bypass_actors: (ruleset.bypass_actors ?? []).map((a) => `${a.actor_type}:${a.actor_id ?? ''}:${a.bypass_mode}`).sort()
  }
  for (const rule of ruleset.rules ?? []) {
    const parameters = 'parameters' in rule ? (rule.parameters as Record<string, unknown>) : {}
    flat[`rules.${rule.type}`] = true
    for (const [key, value] of Object.entries(parameters)) {
      flat[`rules.${rule.type}.${key}`] =
        key === 'required_status_checks' ? (value as Array<{ context: string }>).map((c) => c.context).sort() : value
    }
  }
  return flat
}

/**
 * Classic protection as GET returns it, in the shape PUT takes, flattened. GET wraps booleans in
 * `{ enabled }` and lists people as objects; PUT takes plain values and names.
 */
export function flattenBranchProtection(live: any): Flat {
  if (!live) return {}
  const reviews = live.required_pull_request_reviews
  const body: BranchProtectionBody = {
    required_status_checks: live.required_status_checks
      ? { strict: Boolean(live.required_status_checks.strict), contexts: [...(live.required_status_checks.contexts ?? [])] }
      : null,
    enforce_admins: typeof live.enforce_admins === 'object' ? Boolean(live.enforce_admins?.enabled) : Boolean(live.enforce_admins),
    required_pull_request_reviews: {
      dismiss_stale_reviews: Boolean(reviews?.dismiss_stale_reviews),
      require_code_owner_reviews: Boolean(reviews?.require_code_owner_reviews),
      required_approving_review_count: reviews?.required_approving_review_count ?? 0,
      bypass_pull_request_allowances: {
        users: (reviews?.bypass_pull_request_allowances?.users ?? []).map((u: any) => u.login ?? u),
        teams: (reviews?.bypass_pull_request_allowances?.teams ?? []).map((t: any) => t.slug ?? t),
        apps: (reviews?.bypass_pull_request_allowances?.apps ?? []).map((a: any) => a.slug ?? a)
      }
    },
    restrictions: null,
    allow_force_pushes:
      typeof live.allow_force_pushes === 'object' ? Boolean(live.allow_force_pushes?.enabled) : Boolean(live.allow_force_pushes),
    allow_deletions: typeof live.allow_deletions === 'object' ? Boolean(live.allow_deletions?.enabled) : Boolean(live.allow_deletions)
  }
  if (!reviews) (body as { required_pull_request_reviews: unknown }).required_pull_request_reviews = null
  return flattenBody(body)
}

/** A PUT body flattened the same way, for comparison with flattenBranchProtection(). */
export function flattenBody(body: BranchProtectionBody): Flat {
  const flat: Flat = {
    'required_status_checks.strict': body.required_status_checks?.strict ?? null,
    'required_status_checks.contexts': body.required_status_checks ? [...body.required_status_checks.contexts].sort() : null,
    enforce_admins: body.enforce_admins,
    allow_force_pushes: body.allow_force_pushes,
    allow_deletions: body.allow_deletions
  }
  const reviews = body.required_pull_request_reviews
  flat['required_pull_request_reviews.dismiss_stale_reviews'] = reviews?.dismiss_stale_reviews ?? null
  flat['required_pull_request_reviews.require_code_owner_reviews'] = reviews?.require_code_owner_reviews ?? null
  flat['required_pull_request_reviews.required_approving_review_count'] = reviews?.required_approving_review_count ?? null
  flat['required_pull_request_reviews.bypass.teams'] = reviews ? [...reviews.bypass_pull_request_allowances.teams].sort() : null
  return flat
}

/** The settings whose desired value differs from the live one (missing live settings count as different). */
export function diffSettings(live: Flat, desired: Flat): ProtectionChange[] {
  const changes: ProtectionChange[] = []
  for (const [setting, value] of Object.entries(desired)) {
    if (JSON.stringify(live[setting] ?? null) !== JSON.stringify(value ?? null)) {
      changes.push({ setting, live: live[setting] ?? null, desired: value })
    }
  }
  // Rules the live ruleset has and the desired one does not (e.g. a required signature rule added
  // by hand). Extra parameters GitHub adds to a rule we manage (allowed_merge_methods) are not ours.
  for (const setting of Object.keys(live)) {
    if (/^rules\.[^.]+$/.test(setting) && !(setting in desired)) {
      changes.push({ setting, live: live[setting], desired: null })
    }
  }
  return changes
}
