import type { BranchRules } from '../config/protection.js'
import { UserError } from '../errors.js'
import { desiredBranchProtection, desiredRuleset, RULESET_NAME, type TeamIds } from './desired-state.js'
import { diffSettings, flattenBody, flattenBranchProtection, flattenRuleset, type ProtectionChange } from './protection-diff.js'

/** The part of Octokit this needs: `octokit.request` fits. Errors carry `status` as Octokit's do. */
export interface GitHubRequester {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: any }>
}

export interface ProtectionTarget {
  owner: string
  repo: string
}

export type ProtectionMethod = 'ruleset' | 'classic'

export interface ProtectionResult {
  method: ProtectionMethod
  branch: string
  changes: ProtectionChange[]
  /** True when changes were written (not a dry run and something differed). */
  applied: boolean
  rulesetId?: number | undefined
  /** Why classic protection was used, when it was. */
  fallbackReason?: string | undefined
}

export interface ProtectionOptions {
  dryRun: boolean
  /** `auto` prefers rulesets and falls back to classic branch protection where the server lacks them. */
  method: ProtectionMethod | 'auto'
}

function statusOf(error: unknown): number | undefined {
  return typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : undefined
}

async function maybe<T>(work: Promise<T>, missing: number[] = [404]): Promise<T | undefined> {
  try {
    return await work
  } catch (error) {
    if (missing.includes(statusOf(error) ?? 0)) return undefined
    throw error
  }
}

/**
 * Brings a repository's protected-branch settings to what gitops.yaml says: reads the live
 * settings, computes the difference, and applies it unless dry-run. Applying twice changes
 * nothing the second time. Only the ruleset named RULESET_NAME is ever touched.
 */
export async function syncProtection(
  github: GitHubRequester,
  target: ProtectionTarget,
  rules: BranchRules,
  options: ProtectionOptions
): Promise<ProtectionResult> {
  let fallbackReason: string | undefined
  if (options.method !== 'classic') {
    const list = await maybe(github.request('GET /repos/{owner}/{repo}/rulesets', { ...target, per_page: 100, includes_parents: false }))
    if (list) return syncRuleset(github, target, rules, list.data as Array<{ id: number; name: string }>, options)
    if (options.method === 'ruleset') {
      throw new UserError(`${target.owner}/${target.repo}: this server has no repository rulesets API; use method classic`)
    }
    fallbackReason = 'the server has no repository rulesets API (404)'
  }
  return { ...(await syncClassic(github, target, rules, options)), fallbackReason }
}

async function syncRuleset(
  github: GitHubRequester,
  target: ProtectionTarget,
  rules: BranchRules,
  existing: Array<{ id: number; name: string }>,
  options: ProtectionOptions
): Promise<ProtectionResult> {
  const teamIds: Record<string, number> = {}
  for (const actor of rules.bypass) {
    if (!('team' in actor)) continue
    const team = await maybe(github.request('GET /orgs/{org}/teams/{team_slug}', { org: target.owner, team_slug: actor.team }))
    if (!team) throw new UserError(`protection bypass: team '${actor.team}' does not exist in ${target.owner}`)
    teamIds[actor.team] = team.data.id
  }
  const desired = desiredRuleset(rules, teamIds as TeamIds)
  const current = existing.find((r) => r.name === RULESET_NAME)
  const live = current
    ? (await github.request('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', { ...target, ruleset_id: current.id })).data
    : undefined
  const changes = diffSettings(flattenRuleset(live), flattenRuleset(desired))
  const base = { method: 'ruleset' as const, branch: rules.branch, changes, rulesetId: current?.id }
  if (changes.length === 0 || options.dryRun) return { ...base, applied: false }
  if (current) {
    await github.request('PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}', { ...target, ruleset_id: current.id, ...desired })
    return { ...base, applied: true }
  }
  const created = await github.request('POST /repos/{owner}/{repo}/rulesets', { ...target, ...desired })
  return { ...base, applied: true, rulesetId: created.data.id }
}

async function syncClassic(
  github: GitHubRequester,
  target: ProtectionTarget,
  rules: BranchRules,
  options: ProtectionOptions
): Promise<ProtectionResult> {
  const route = '/repos/{owner}/{repo}/branches/{branch}/protection'
  const parameters = { ...target, branch: rules.branch }
  const live = await maybe(github.request(`GET ${route}`, parameters))
  const desired = desiredBranchProtection(rules)
  const changes = diffSettings(flattenBranchProtection(live?.data), flattenBody(desired))
  if (changes.length === 0 || options.dryRun) return { method: 'classic', branch: rules.branch, changes, applied: false }
  await github.request(`PUT ${route}`, { ...parameters, ...desired })
  return { method: 'classic', branch: rules.branch, changes, applied: true }
}
