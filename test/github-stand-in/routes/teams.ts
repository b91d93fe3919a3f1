import { basicError, isoNow, nodeId, team, type Actor } from '../objects.ts'
import { HttpError, type Handler, type StandInCore } from '../state.ts'

/** Organisation teams, as configured with `teams` / hub.addTeam() (for CODEOWNERS reviewers and ruleset bypass actors). */

const started = isoNow()

function organization(core: StandInCore, org: Actor): Record<string, unknown> {
  const login = encodeURIComponent(org.login)
  const url = `${core.urls.api}/orgs/${login}`
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId('O', org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${core.urls.web}/avatars/${login}`,
    description: null,
    html_url: `${core.urls.web}/${login}`,
    has_organization_projects: false,
    has_repository_projects: false,
    public_repos: [...core.repos.values()].filter((r) => r.record.owner.login === org.login && !r.record.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    type: 'Organization',
    created_at: started,
    updated_at: started,
    archived_at: null
  }
}

/** Whether `org` has teams configured (then requests naming other teams are refused). */
export function organizationHasTeams(core: StandInCore, org: string): boolean {
  return [...core.teams.values()].some((t) => t.org.toLowerCase() === org.toLowerCase())
}

export function teamExists(core: StandInCore, org: string, slug: string): boolean {
  return core.teams.has(`${org}/${slug}`.toLowerCase())
}

const getByName: Handler = async ({ core, params }) => {
  const found = core.teams.get(`${params.org}/${params.team_slug}`.toLowerCase())
  if (!found) throw new HttpError(404, basicError('Not Found', 404, 'https://docs.github.com/rest/teams/teams#get-a-team-by-name'))
  const org = core.actorFor(found.org, 'Organization')
  return {
    status: 200,
    body: {
      ...team(core.urls, org, found.slug),
      members_count: found.members.length,
      repos_count: [...core.repos.values()].filter((r) => r.record.owner.login === org.login).length,
      created_at: started,
      updated_at: started,
      organization: organization(core, org)
    }
  }
}

export const teamRoutes: Record<string, Handler> = {
  'teams/get-by-name': getByName
}
