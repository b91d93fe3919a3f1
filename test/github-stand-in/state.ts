import type { BareRepo } from './git-store.ts'
import type { Operation } from './openapi.ts'
import type { Actor, RepoRecord, Urls } from './objects.ts'

/** What the stand-in keeps per repository besides its bare git repository. */
export interface RepoState {
  record: RepoRecord
  git: BareRepo
  /** Issue and pull request numbers share one sequence, as on GitHub. */
  nextNumber: number
  pulls: PullState[]
  /** Repository labels by lower-case name. */
  labels: Map<string, LabelState>
  comments: CommentState[]
  statuses: StatusState[]
  /** Classic branch protection by branch name. */
  protections: Map<string, Record<string, unknown>>
  rulesets: RulesetState[]
  pushedAt: string
  /** Serialises writes to this repository (GitHub does not interleave them either). */
  lock: Promise<unknown>
}

export interface PullState {
  number: number
  id: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  draft: boolean
  user: Actor
  headRef: string
  baseRef: string
  /** The head and base commits frozen when the pull request was closed or merged. */
  closedHeadSha?: string
  closedBaseSha?: string
  /** Commits and line counts, frozen when the pull request was closed or merged. */
  stats?: { commits: number; additions: number; deletions: number; changedFiles: number }
  labels: string[]
  requestedReviewers: string[]
  requestedTeams: string[]
  createdAt: string
  updatedAt: string
  closedAt: string | null
  mergedAt: string | null
  mergeCommitSha: string | null
  mergedBy: Actor | null
  maintainerCanModify: boolean
  autoMerge: { enabledBy: Actor; mergeMethod: 'merge' | 'squash' | 'rebase'; commitTitle: string; commitMessage: string } | null
}

export interface LabelState {
  id: number
  name: string
  color: string
  description: string | null
}

export interface CommentState {
  id: number
  issueNumber: number
  body: string
  user: Actor
  createdAt: string
  updatedAt: string
}

export interface StatusState {
  id: number
  sha: string
  state: 'error' | 'failure' | 'pending' | 'success'
  context: string
  description: string | null
  targetUrl: string | null
  creator: Actor
  createdAt: string
  updatedAt: string
}

export interface RulesetState {
  id: number
  name: string
  target: 'branch' | 'tag' | 'push'
  enforcement: 'disabled' | 'active' | 'evaluate'
  bypassActors: unknown[]
  conditions: Record<string, unknown> | null
  rules: Array<Record<string, unknown>>
  createdAt: string
  updatedAt: string
}

/** An error response: GitHub's status and body. */
export class HttpError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Record<string, string>
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body.message ?? status))
    this.status = status
    this.body = body
    this.headers = headers
  }
}

/** What a handler answers. */
export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** The shared state handlers work on. */
export interface StandInCore {
  urls: Urls
  repos: Map<string, RepoState>
  nextId(): number
  actorFor(login: string, type?: Actor['type']): Actor
  /** Commits GitHub would have signed (made through the API without a custom identity, merges). */
  signedCommits: Set<string>
  /** GraphQL mutations accepted, for tests. */
  graphqlCalls: Array<{ query: string; variables: Record<string, unknown> }>
  /** Organisation teams: lower-case `org/slug` → the team's members (logins). */
  teams: Map<string, { org: string; slug: string; members: string[] }>
}

/** What a handler is given. */
export interface Context {
  core: StandInCore
  op: Operation
  params: Record<string, string>
  query: URLSearchParams
  body: any
  actor: Actor
  /** The repository named by {owner}/{repo}; handlers of repository routes always get one. */
  repo: RepoState
  /** Runs just before a merge moves the base branch (the 'race' fault's other writer). */
  beforeRefUpdate?: () => Promise<void>
}

export type Handler = (ctx: Context) => Promise<Reply>
