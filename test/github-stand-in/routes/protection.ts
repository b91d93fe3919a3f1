import { basicError, isoNow, nodeId, repoApiUrl, repoHtmlUrl, simpleUser, team, validationError } from '../objects.ts'
import { HttpError, type Handler, type RepoState, type RulesetState, type StandInCore } from '../state.ts'
import { latestStatuses } from './statuses.ts'

/**
 * Classic branch protection and repository rulesets, stored as set and answered in GitHub's
 * shapes. Both are enforced on merges: required status checks (and, for rulesets and classic
 * protection alike, "up to date" when strict). Every token is treated as subject to them (as if
 * enforce_admins were on), so a test cannot merge around a required check by accident.
 */

const DOCS = 'https://docs.github.com/rest/branches/branch-protection'
const RULESET_DOCS = 'https://docs.github.com/rest/repos/rules'

async function requireBranch(repo: RepoState, branch: string): Promise<void> {
  if (!(await repo.git.resolveRef(`refs/heads/${branch}`))) throw new HttpError(404, basicError('Branch not found', 404, DOCS))
}

function protectionBody(core: StandInCore, repo: RepoState, branch: string, settings: Record<string, any>): Record<string, unknown> {
  const url = `${repoApiUrl(core.urls, repo.record)}/branches/${encodeURIComponent(branch)}/protection`
  const body: Record<string, unknown> = { url }
  const checks = settings.required_status_checks
  if (checks) {
    const contexts: string[] = [
      ...(checks.contexts ?? []),
      ...((checks.checks ?? []) as Array<{ context: string }>).map((c) => c.context)
    ].filter((c, i, all) => all.indexOf(c) === i)
    body.required_status_checks = {
      url: `${url}/required_status_checks`,
      strict: checks.strict,
      contexts,
      contexts_url: `${url}/required_status_checks/contexts`,
      checks: contexts.map((context) => ({
        context,
        app_id: ((checks.checks ?? []) as Array<{ context: string; app_id?: number }>).find((c) => c.context === context)?.app_id ?? null
      }))
    }
  }
  const reviews = settings.required_pull_request_reviews
  if (reviews) {
    const actors = (given: { users?: string[]; teams?: string[] } | undefined) => ({
      users: (given?.users ?? []).map((login) => simpleUser(core.urls, core.actorFor(login))),
      teams: (given?.teams ?? []).map((slug) => team(core.urls, repo.record.owner, slug)),
      apps: []
    })
    body.required_pull_request_reviews = {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: reviews.dismiss_stale_reviews ?? false,
      require_code_owner_reviews: reviews.require_code_owner_reviews ?? false,
      required_approving_review_count: reviews.required_approving_review_count ?? 1,
      require_last_push_approval: reviews.require_last_push_approval ?? false,
      ...(reviews.dismissal_restrictions
        ? {
            dismissal_restrictions: {
              url: `${url}/dismissal_restrictions`,
              users_url: `${url}/dismissal_restrictions/users`,
              teams_url: `${url}/dismissal_restrictions/teams`,
              ...actors(reviews.dismissal_restrictions)
            }
          }
        : {}),
      ...(reviews.bypass_pull_request_allowances ? { bypass_pull_request_allowances: actors(reviews.bypass_pull_request_allowances) } : {})
    }
  }
  body.required_signatures = { url: `${url}/required_signatures`, enabled: false }
  body.enforce_admins = { url: `${url}/enforce_admins`, enabled: settings.enforce_admins === true }
  if (settings.restrictions) {
    body.restrictions = {
      url: `${url}/restrictions`,
      users_url: `${url}/restrictions/users`,
      teams_url: `${url}/restrictions/teams`,
      apps_url: `${url}/restrictions/apps`,
      users: (settings.restrictions.users ?? []).map((login: string) => simpleUser(core.urls, core.actorFor(login))),
      teams: (settings.restrictions.teams ?? []).map((slug: string) => team(core.urls, repo.record.owner, slug)),
      apps: []
    }
  }
  for (const flag of [
    'required_linear_history',
    'allow_force_pushes',
    'allow_deletions',
    'block_creations',
    'required_conversation_resolution',
    'lock_branch',
    'allow_fork_syncing'
  ]) {
    body[flag] = { enabled: settings[flag] === true }
  }
  return body
}

const getProtection: Handler = async ({ core, repo, params }) => {
  await requireBranch(repo, params.branch!)
  const settings = repo.protections.get(params.branch!)
  if (!settings) throw new HttpError(404, basicError('Branch not protected', 404, `${DOCS}#get-branch-protection`))
  return { status: 200, body: protectionBody(core, repo, params.branch!, settings) }
}

const putProtection: Handler = async ({ core, repo, params, body }) => {
  await requireBranch(repo, params.branch!)
  const count = body.required_pull_request_reviews?.required_approving_review_count
  if (count !== undefined && (count < 0 || count > 6)) {
    throw new HttpError(
      422,
      validationError(
        'Invalid request.\n\nrequired_approving_review_count must be between 0 and 6.',
        [],
        `${DOCS}#update-branch-protection`
      )
    )
  }
  repo.protections.set(params.branch!, structuredClone(body))
  return { status: 200, body: protectionBody(core, repo, params.branch!, body) }
}

const deleteProtection: Handler = async ({ repo, params }) => {
  await requireBranch(repo, params.branch!)
  if (!repo.protections.delete(params.branch!))
    throw new HttpError(404, basicError('Branch not protected', 404, `${DOCS}#delete-branch-protection`))
  return { status: 204 }
}

// --- rulesets

function rulesetBody(core: StandInCore, repo: RepoState, ruleset: RulesetState, full: boolean): Record<string, unknown> {
  const api = `${repoApiUrl(core.urls, repo.record)}/rulesets/${ruleset.id}`
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: ruleset.target,
    source_type: 'Repository',
    source: `${repo.record.owner.login}/${repo.record.name}`,
    enforcement: ruleset.enforcement,
    node_id: nodeId('RRS', ruleset.id),
    _links: { self: { href: api }, html: { href: `${repoHtmlUrl(core.urls, repo.record)}/rules/${ruleset.id}` } },
    created_at: ruleset.createdAt,
    updated_at: ruleset.updatedAt,
    // GitHub's list omits the rules, conditions and bypass actors; the single GET has them.
    ...(full
      ? { bypass_actors: ruleset.bypassActors, current_user_can_bypass: 'never', conditions: ruleset.conditions, rules: ruleset.rules }
      : {})
  }
}

function findRuleset(repo: RepoState, id: string): RulesetState {
  const ruleset = repo.rulesets.find((r) => r.id === Number(id))
  if (!ruleset) throw new HttpError(404, basicError('Not Found', 404, RULESET_DOCS))
  return ruleset
}

function checkRulesetName(repo: RepoState, name: string, except?: RulesetState): void {
  if (repo.rulesets.some((r) => r !== except && r.name === name)) {
    throw new HttpError(
      422,
      validationError(
        'Validation Failed',
        [{ resource: 'Ruleset', field: 'name', code: 'already_exists', message: 'Name must be unique' }],
        RULESET_DOCS
      )
    )
  }
}

const listRulesets: Handler = async ({ core, repo, query }) => {
  const targets = query.get('targets')?.split(',')
  const rulesets = repo.rulesets.filter((r) => !targets || targets.includes(r.target))
  return { status: 200, body: rulesets.map((r) => rulesetBody(core, repo, r, false)) }
}

const getRuleset: Handler = async ({ core, repo, params }) => ({
  status: 200,
  body: rulesetBody(core, repo, findRuleset(repo, params.ruleset_id!), true)
})

const createRuleset: Handler = async ({ core, repo, body }) => {
  checkRulesetName(repo, body.name)
  const now = isoNow()
  const ruleset: RulesetState = {
    id: core.nextId(),
    name: body.name,
    target: body.target ?? 'branch',
    enforcement: body.enforcement,
    bypassActors: body.bypass_actors ?? [],
    conditions: body.conditions ?? null,
    rules: body.rules ?? [],
    createdAt: now,
    updatedAt: now
  }
  repo.rulesets.push(ruleset)
  return { status: 201, body: rulesetBody(core, repo, ruleset, true) }
}

const updateRuleset: Handler = async ({ core, repo, params, body }) => {
  const ruleset = findRuleset(repo, params.ruleset_id!)
  if (body.name !== undefined) {
    checkRulesetName(repo, body.name, ruleset)
    ruleset.name = body.name
  }
  if (body.target !== undefined) ruleset.target = body.target
  if (body.enforcement !== undefined) ruleset.enforcement = body.enforcement
  if (body.bypass_actors !== undefined) ruleset.bypassActors = body.bypass_actors
  if (body.conditions !== undefined) ruleset.conditions = body.conditions
  if (body.rules !== undefined) ruleset.rules = body.rules
  ruleset.updatedAt = isoNow()
  return { status: 200, body: rulesetBody(core, repo, ruleset, true) }
}

const deleteRuleset: Handler = async ({ repo, params }) => {
  const ruleset = findRuleset(repo, params.ruleset_id!)
  repo.rulesets.splice(repo.rulesets.indexOf(ruleset), 1)
  return { status: 204 }
}

/** Whether a ruleset's ref_name condition selects `branch` (~DEFAULT_BRANCH, ~ALL, fnmatch patterns). */
function rulesetApplies(repo: RepoState, ruleset: RulesetState, branch: string): boolean {
  if (ruleset.enforcement !== 'active' || ruleset.target !== 'branch') return false
  const refName = (ruleset.conditions as { ref_name?: { include?: string[]; exclude?: string[] } } | null)?.ref_name
  const ref = `refs/heads/${branch}`
  const matches = (pattern: string) =>
    pattern === '~ALL' ||
    (pattern === '~DEFAULT_BRANCH' && branch === repo.record.defaultBranch) ||
    globToRegExp(pattern).test(ref) ||
    globToRegExp(`refs/heads/${pattern}`).test(ref)
  const include = refName?.include ?? []
  return include.some(matches) && !(refName?.exclude ?? []).some(matches)
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '\0')
    .replace(/\*/g, '[^/]*')
    .replace(/\0/g, '.*')
    .replace(/\?/g, '[^/]')
  return new RegExp(`^${escaped}$`)
}

/**
 * Why a merge of `head` into `branch` is refused (empty: it may merge): required status checks
 * from classic protection and active rulesets, and "up to date" when strict.
 */
export async function mergeBlockers(repo: RepoState, branch: string, head: string): Promise<string[]> {
  const required = new Map<string, 'protection' | 'ruleset'>()
  let strict = false
  const protection = repo.protections.get(branch) as Record<string, any> | undefined
  const classic = protection?.required_status_checks
  if (classic) {
    for (const c of [...(classic.contexts ?? []), ...(classic.checks ?? []).map((x: { context: string }) => x.context)])
      required.set(c, 'protection')
    strict ||= classic.strict === true
  }
  for (const ruleset of repo.rulesets.filter((r) => rulesetApplies(repo, r, branch))) {
    for (const rule of ruleset.rules as Array<{ type: string; parameters?: any }>) {
      if (rule.type !== 'required_status_checks') continue
      for (const c of rule.parameters?.required_status_checks ?? []) if (!required.has(c.context)) required.set(c.context, 'ruleset')
      strict ||= rule.parameters?.strict_required_status_checks_policy === true
    }
  }
  const statuses = new Map(latestStatuses(repo, head).map((s) => [s.context, s.state]))
  const blockers: string[] = []
  for (const [context, source] of required) {
    const state = statuses.get(context)
    const prefix = source === 'ruleset' ? 'Repository rule violations found\n\n' : ''
    if (state === undefined || state === 'pending') blockers.push(`${prefix}Required status check "${context}" is expected.`)
    else if (state !== 'success') blockers.push(`${prefix}Required status check "${context}" is failing.`)
  }
  if (strict) {
    const base = await repo.git.resolveRef(`refs/heads/${branch}`)
    if (base && !(await repo.git.isAncestor(base, head))) blockers.push('Head branch is not up to date with the base branch.')
  }
  return blockers
}

export const protectionRoutes: Record<string, Handler> = {
  'repos/get-branch-protection': getProtection,
  'repos/update-branch-protection': putProtection,
  'repos/delete-branch-protection': deleteProtection,
  'repos/get-repo-rulesets': listRulesets,
  'repos/get-repo-ruleset': getRuleset,
  'repos/create-repo-ruleset': createRuleset,
  'repos/update-repo-ruleset': updateRuleset,
  'repos/delete-repo-ruleset': deleteRuleset
}
