import { buildSchema, GraphQLError, graphql, type GraphQLSchema } from 'graphql'
import { nodeId, repoHtmlUrl, type Actor } from '../objects.ts'
import type { PullState, Reply, RepoState, StandInCore } from '../state.ts'
import { mergeabilityState } from './pulls.ts'

/**
 * POST /graphql. GraphQL is not in GitHub's REST description, so the referee here is a small
 * schema written from GitHub's public GraphQL reference, with the real type and field names, for
 * the part the actions use: enabling (and disabling) auto-merge on a pull request, and finding a
 * pull request's node id. graphql-js parses and validates every query against it; a query
 * outside it is a violation, answered with GitHub's GraphQL error shape.
 */

const SDL = /* GraphQL */ `
  scalar DateTime
  scalar URI
  scalar GitObjectID

  enum PullRequestMergeMethod {
    MERGE
    SQUASH
    REBASE
  }

  enum PullRequestState {
    OPEN
    CLOSED
    MERGED
  }

  type User {
    login: String!
  }

  type AutoMergeRequest {
    enabledAt: DateTime
    enabledBy: User
    mergeMethod: PullRequestMergeMethod!
    commitHeadline: String
    commitBody: String
  }

  type PullRequest {
    id: ID!
    number: Int!
    title: String!
    url: URI!
    state: PullRequestState!
    isDraft: Boolean!
    headRefName: String!
    baseRefName: String!
    autoMergeRequest: AutoMergeRequest
  }

  type Repository {
    id: ID!
    name: String!
    nameWithOwner: String!
    autoMergeAllowed: Boolean!
    pullRequest(number: Int!): PullRequest
  }

  type Query {
    repository(owner: String!, name: String!): Repository
  }

  input EnablePullRequestAutoMergeInput {
    pullRequestId: ID!
    mergeMethod: PullRequestMergeMethod
    commitHeadline: String
    commitBody: String
    authorEmail: String
    expectedHeadOid: GitObjectID
    clientMutationId: String
  }

  type EnablePullRequestAutoMergePayload {
    actor: User
    clientMutationId: String
    pullRequest: PullRequest
  }

  input DisablePullRequestAutoMergeInput {
    pullRequestId: ID!
    clientMutationId: String
  }

  type DisablePullRequestAutoMergePayload {
    actor: User
    clientMutationId: String
    pullRequest: PullRequest
  }

  type Mutation {
    enablePullRequestAutoMerge(input: EnablePullRequestAutoMergeInput!): EnablePullRequestAutoMergePayload
    disablePullRequestAutoMerge(input: DisablePullRequestAutoMergeInput!): DisablePullRequestAutoMergePayload
  }
`

let schema: GraphQLSchema | undefined

function findByNodeId(core: StandInCore, id: string): { repo: RepoState; pull: PullState } | undefined {
  for (const repo of core.repos.values()) {
    const pull = repo.pulls.find((p) => nodeId('PR', p.id) === id)
    if (pull) return { repo, pull }
  }
  return undefined
}

function pullObject(core: StandInCore, repo: RepoState, pull: PullState) {
  return {
    id: nodeId('PR', pull.id),
    number: pull.number,
    title: pull.title,
    url: `${repoHtmlUrl(core.urls, repo.record)}/pull/${pull.number}`,
    state: pull.mergedAt ? 'MERGED' : pull.state.toUpperCase(),
    isDraft: pull.draft,
    headRefName: pull.headRef,
    baseRefName: pull.baseRef,
    autoMergeRequest: pull.autoMerge
      ? {
          enabledAt: pull.updatedAt,
          enabledBy: { login: pull.autoMerge.enabledBy.login },
          mergeMethod: pull.autoMerge.mergeMethod.toUpperCase(),
          commitHeadline: pull.autoMerge.commitTitle,
          commitBody: pull.autoMerge.commitMessage
        }
      : null
  }
}

/** GitHub's GraphQL errors carry a type; graphql-js puts extensions beside the message. */
function unprocessable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type: 'UNPROCESSABLE' } })
}

export async function graphqlHandler(core: StandInCore, actor: Actor, body: any, violate: (errors: string[]) => void): Promise<Reply> {
  schema ??= buildSchema(SDL)
  if (!body || typeof body.query !== 'string') {
    violate(['the body must be {"query": string, "variables"?: object}'])
    return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' } }
  }
  const variables = (body.variables ?? {}) as Record<string, unknown>
  const rootValue = {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = core.repos.get(`${owner}/${name}`.toLowerCase())
      if (!repo)
        throw new GraphQLError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, { extensions: { type: 'NOT_FOUND' } })
      return {
        id: nodeId('R', repo.record.id),
        name: repo.record.name,
        nameWithOwner: `${repo.record.owner.login}/${repo.record.name}`,
        autoMergeAllowed: true,
        pullRequest: ({ number }: { number: number }) => {
          const pull = repo.pulls.find((p) => p.number === number)
          if (!pull)
            throw new GraphQLError(`Could not resolve to a PullRequest with the number of ${number}.`, {
              extensions: { type: 'NOT_FOUND' }
            })
          return pullObject(core, repo, pull)
        }
      }
    },
    enablePullRequestAutoMerge: async ({ input }: { input: Record<string, string | undefined> }) => {
      const found = findByNodeId(core, input.pullRequestId!)
      if (!found)
        throw new GraphQLError(`Could not resolve to a node with the global id of '${input.pullRequestId}'`, {
          extensions: { type: 'NOT_FOUND' }
        })
      const { repo, pull } = found
      if (pull.state !== 'open') throw unprocessable('Pull request is closed')
      // GitHub refuses auto-merge on a pull request that could merge right now.
      const state = await mergeabilityState(repo, pull)
      if (state === 'clean') throw unprocessable('Pull request is in clean status')
      if (input.expectedHeadOid && input.expectedHeadOid !== (await repo.git.resolveRef(`refs/heads/${pull.headRef}`))) {
        throw unprocessable('Head branch was modified. Review and try the merge again.')
      }
      pull.autoMerge = {
        enabledBy: actor,
        mergeMethod: (input.mergeMethod ?? 'MERGE').toLowerCase() as 'merge' | 'squash' | 'rebase',
        commitTitle: input.commitHeadline ?? '',
        commitMessage: input.commitBody ?? ''
      }
      return { actor: { login: actor.login }, clientMutationId: input.clientMutationId ?? null, pullRequest: pullObject(core, repo, pull) }
    },
    disablePullRequestAutoMerge: ({ input }: { input: Record<string, string | undefined> }) => {
      const found = findByNodeId(core, input.pullRequestId!)
      if (!found)
        throw new GraphQLError(`Could not resolve to a node with the global id of '${input.pullRequestId}'`, {
          extensions: { type: 'NOT_FOUND' }
        })
      found.pull.autoMerge = null
      return {
        actor: { login: actor.login },
        clientMutationId: input.clientMutationId ?? null,
        pullRequest: pullObject(core, found.repo, found.pull)
      }
    }
  }
  const result = await graphql({ schema, source: body.query, rootValue, variableValues: variables, operationName: body.operationName })
  const errors = (result.errors ?? []).map((e) => ({
    type: (e.extensions?.type as string | undefined) ?? (result.data === undefined ? 'INVALID' : 'UNPROCESSABLE'),
    path: e.path,
    locations: e.locations,
    message: e.message
  }))
  // A query the schema rejects (no data at all) is a violation: the action asked for something
  // this stand-in's part of GitHub's schema does not have, or asked wrongly.
  if (result.data === undefined) violate(errors.map((e) => e.message))
  else core.graphqlCalls.push({ query: body.query, variables })
  return { status: 200, body: { ...(result.data !== undefined ? { data: result.data } : {}), ...(errors.length > 0 ? { errors } : {}) } }
}
