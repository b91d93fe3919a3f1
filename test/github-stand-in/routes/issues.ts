import { basicError, isoNow, nodeId, repoApiUrl, repoHtmlUrl, simpleUser, validationError } from '../objects.ts'
import { HttpError, type CommentState, type Handler, type LabelState, type RepoState, type StandInCore } from '../state.ts'

/**
 * The issue side of pull requests: labels (unknown ones are created, as GitHub does) and
 * comments. Only pull requests exist as issues in the stand-in.
 */

const DOCS = 'https://docs.github.com/rest/issues'

export function labelBody(core: StandInCore, repo: RepoState, label: LabelState): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${repoApiUrl(core.urls, repo.record)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false
  }
}

function commentBody(core: StandInCore, repo: RepoState, comment: CommentState): Record<string, unknown> {
  const api = repoApiUrl(core.urls, repo.record)
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${repoHtmlUrl(core.urls, repo.record)}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: simpleUser(core.urls, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'MEMBER'
  }
}

function findIssue(repo: RepoState, number: string) {
  const pull = repo.pulls.find((p) => p.number === Number(number))
  if (!pull) throw new HttpError(404, basicError('Not Found', 404, `${DOCS}/issues`))
  return pull
}

/**
 * The label named `name` (case-insensitive), created with GitHub's default colour when missing.
 * Its description is '' rather than null: the label inside a pull request must have a string.
 */
export function ensureLabel(core: StandInCore, repo: RepoState, name: string): LabelState {
  const key = name.toLowerCase()
  let label = repo.labels.get(key)
  if (!label) repo.labels.set(key, (label = { id: core.nextId(), name, color: 'ededed', description: '' }))
  return label
}

const addLabels: Handler = async ({ core, repo, params, body }) => {
  const issue = findIssue(repo, params.issue_number!)
  const names = ((body.labels as Array<string | { name: string }>) ?? []).map((l) => (typeof l === 'string' ? l : l.name))
  for (const name of names) {
    if (name.trim() === '' || name.length > 50) {
      throw new HttpError(
        422,
        validationError(
          'Validation Failed',
          [{ resource: 'Label', field: 'name', code: 'invalid' }],
          `${DOCS}/labels#add-labels-to-an-issue`
        )
      )
    }
  }
  for (const name of names) {
    const label = ensureLabel(core, repo, name)
    if (!issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) issue.labels.push(label.name)
  }
  issue.updatedAt = isoNow()
  return { status: 200, body: issue.labels.map((n) => labelBody(core, repo, repo.labels.get(n.toLowerCase())!)) }
}

const listLabelsOnIssue: Handler = async ({ core, repo, params }) => {
  const issue = findIssue(repo, params.issue_number!)
  return { status: 200, body: issue.labels.map((n) => labelBody(core, repo, repo.labels.get(n.toLowerCase())!)) }
}

const createComment: Handler = async ({ core, repo, params, body, actor }) => {
  const issue = findIssue(repo, params.issue_number!)
  if (typeof body.body !== 'string' || body.body.length === 0) {
    throw new HttpError(422, validationError('Validation Failed', [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]))
  }
  if (body.body.length > 65536) {
    throw new HttpError(
      422,
      validationError('Validation Failed', [
        { resource: 'IssueComment', field: 'data', code: 'custom', message: 'Body is too long (maximum is 65536 characters)' }
      ])
    )
  }
  const now = isoNow()
  const comment: CommentState = {
    id: core.nextId(),
    issueNumber: issue.number,
    body: body.body,
    user: actor,
    createdAt: now,
    updatedAt: now
  }
  repo.comments.push(comment)
  return {
    status: 201,
    body: commentBody(core, repo, comment),
    headers: { location: `${repoApiUrl(core.urls, repo.record)}/issues/comments/${comment.id}` }
  }
}

const listComments: Handler = async ({ core, repo, params, query }) => {
  const issue = findIssue(repo, params.issue_number!)
  const since = query.get('since')
  const comments = repo.comments.filter((c) => c.issueNumber === issue.number && (!since || c.updatedAt >= since))
  return { status: 200, body: comments.map((c) => commentBody(core, repo, c)) }
}

export const issueRoutes: Record<string, Handler> = {
  'issues/add-labels': addLabels,
  'issues/list-labels-on-issue': listLabelsOnIssue,
  'issues/create-comment': createComment,
  'issues/list-comments': listComments
}
