/**
 * GitHub's response bodies, built the way api.github.com shapes them (every field the REST
 * description requires, URLs pointing back at the stand-in). Pure functions over the stand-in's
 * state; the OpenAPI referee checks each one on the way out.
 */

/** A user or organisation the stand-in knows. */
export interface Actor {
  login: string
  id: number
  type: 'User' | 'Organization' | 'Bot'
}

/** Where URLs point: the stand-in's API root and its "web" root (the same server). */
export interface Urls {
  api: string
  web: string
}

/** The stand-in's record of one repository (git data lives in its bare repository). */
export interface RepoRecord {
  id: number
  owner: Actor
  name: string
  defaultBranch: string
  private: boolean
  createdAt: string
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`stand-in:${prefix}:${id}`).toString('base64url')}`
}

export function simpleUser(urls: Urls, actor: Actor): Record<string, unknown> {
  // Bot logins (`name[bot]`) are percent-encoded in URLs, as on api.github.com.
  const login = encodeURIComponent(actor.login)
  const url = `${urls.api}/users/${login}`
  return {
    login: actor.login,
    id: actor.id,
    node_id: nodeId(actor.type === 'Organization' ? 'O' : 'U', actor.id),
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: '',
    url,
    html_url: `${urls.web}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: actor.type,
    user_view_type: 'public',
    site_admin: false
  }
}

export function repoApiUrl(urls: Urls, repo: RepoRecord): string {
  return `${urls.api}/repos/${repo.owner.login}/${repo.name}`
}

export function repoHtmlUrl(urls: Urls, repo: RepoRecord): string {
  return `${urls.web}/${repo.owner.login}/${repo.name}`
}

/** A team of the repository's organisation, by slug (the `team` shape; also a valid `team-simple`). */
export function team(urls: Urls, org: Actor, slug: string): Record<string, unknown> {
  const id = 5000 + [...slug].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100000, 7)
  const base = `${urls.api}/organizations/${org.id}/team/${id}`
  return {
    id,
    node_id: nodeId('T', id),
    url: base,
    html_url: `${urls.web}/orgs/${org.login}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'push',
    members_url: `${base}/members{/member}`,
    repositories_url: `${base}/repos`,
    type: 'organization',
    parent: null
  }
}

/** The fields shared by minimal-repository, repository and full-repository. */
export function minimalRepository(urls: Urls, repo: RepoRecord): Record<string, unknown> {
  const url = repoApiUrl(urls, repo)
  const html = repoHtmlUrl(urls, repo)
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: `${repo.owner.login}/${repo.name}`,
    owner: simpleUser(urls, repo.owner),
    private: repo.private,
    html_url: html,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    hooks_url: `${url}/hooks`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`
  }
}

/** The `repository` schema (used inside pull requests). */
export function repository(urls: Urls, repo: RepoRecord, pushedAt: string, openIssues: number): Record<string, unknown> {
  const html = repoHtmlUrl(urls, repo)
  return {
    ...minimalRepository(urls, repo),
    clone_url: `${html}.git`,
    git_url: `${html.replace(/^https?:/, 'git:')}.git`,
    ssh_url: `git@${new URL(urls.web).host}:${repo.owner.login}/${repo.name}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: pushedAt,
    created_at: repo.createdAt,
    updated_at: pushedAt,
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: true,
    delete_branch_on_merge: false,
    license: null
  }
}

/** The `full-repository` schema (GET /repos/{owner}/{repo}). */
export function fullRepository(urls: Urls, repo: RepoRecord, pushedAt: string, openIssues: number): Record<string, unknown> {
  return {
    ...repository(urls, repo, pushedAt, openIssues),
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    network_count: 0,
    subscribers_count: 0,
    allow_update_branch: true,
    allow_forking: false,
    web_commit_signoff_required: false,
    ...(repo.owner.type === 'Organization' ? { organization: simpleUser(urls, repo.owner) } : {})
  }
}

/** GitHub's error bodies. */
export function basicError(message: string, status: number, documentation = 'https://docs.github.com/rest'): Record<string, unknown> {
  return { message, documentation_url: documentation, status: String(status) }
}

export interface ValidationErrorItem {
  resource?: string
  field?: string
  code: string
  message?: string
}

export function validationError(
  message: string,
  errors: ValidationErrorItem[] = [],
  documentation = 'https://docs.github.com/rest'
): Record<string, unknown> {
  return { message, errors, documentation_url: documentation, status: '422' }
}

export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}
