import { comparePromotions, markerFromCommitMessage, type PromotionMarker } from './conventions.js'

/** An open pull request as the decision sees it. */
export interface OpenPullRequest {
  number: number
  url: string
  branch: string
  title: string
  body: string
  draft: boolean
  marker: PromotionMarker | undefined
}

/** The promotion branch as it is on GitHub now. */
export interface BranchHead {
  sha: string
  message: string
  author: string
  /** Its parents, when known: a concurrent run's commit is a child of the newest one this action recorded. */
  parents?: string[]
}

export type PromotionOperation = 'created' | 'updated' | 'unchanged' | 'superseded'

export type PromotionDecision =
  | {
      kind: 'stop'
      /** Why the action must not touch the branch: a person's commit is on it. */
      reason: string
    }
  | {
      kind: 'superseded'
      /** The newer promotion of the same app and environment. */
      by: { marker: PromotionMarker; pullRequest: OpenPullRequest | undefined }
    }
  | {
      kind: 'proceed'
      /** Whether a commit has to be written to the branch. */
      write: boolean
      /** The parents of the commit to write: the branch head is kept (a fast-forward), never rewritten. */
      parents: string[]
      /** The open PR of this branch, to update; undefined: create one. */
      pullRequest: OpenPullRequest | undefined
      /** Older open PRs of the same app and environment, to close with a comment. */
      supersedes: OpenPullRequest[]
      operation: Exclude<PromotionOperation, 'superseded'>
    }

export interface DecisionInput {
  ours: PromotionMarker
  branch: string
  /** The base branch's head commit, which the promotion applies to. */
  baseSha: string
  /** The branch's head, or undefined when the branch does not exist. */
  head: BranchHead | undefined
  /**
   * The commits this action wrote on the branch, as its open PR's marker records them; undefined
   * when there is no such PR (or it predates the list): then the commit message's marker decides.
   */
  knownCommits?: readonly string[] | undefined
  /** Open PRs against the base: this branch's, and any carrying a promotion marker. */
  openPullRequests: readonly OpenPullRequest[]
  /** The PR body and title this run would write, to tell `updated` from `unchanged`. */
  body: string
  title: string
}

const sameTarget = (a: PromotionMarker, b: PromotionMarker) => a.app === b.app && a.env === b.env

/**
 * Create or update, decided from what is on GitHub, with no side effects:
 * - a person's commit at the head of the promotion branch: stop, never overwrite it;
 * - a newer promotion of the same app and environment (open PR or branch head): superseded, write nothing;
 * - otherwise write a commit when the branch does not already hold this promotion on this base,
 *   as a child of the branch head (so a concurrent writer makes the update fail instead of being
 *   lost), with the base as a second parent when the base has moved;
 * - update this branch's open PR or create one; close older promotions of the same app and env.
 */
export function decidePromotion(input: DecisionInput): PromotionDecision {
  const { ours, head } = input
  let headMarker: PromotionMarker | undefined
  if (head) {
    headMarker = markerFromCommitMessage(head.message)
    const pr = input.openPullRequests.find((p) => p.branch === input.branch)
    // Ours: a commit the PR records, or a concurrent run's, written (as every run writes) on top of the newest recorded one and
    // not yet recorded. An amended or cherry-picked commit has another parent: a person's.
    const newest = input.knownCommits?.at(-1)
    const concurrentRun = newest !== undefined && head.parents?.[0] === newest
    if (headMarker && input.knownCommits && !input.knownCommits.includes(head.sha) && !concurrentRun) {
      return {
        kind: 'stop',
        reason: `The branch ${input.branch} has a commit that gitops-actions did not make (${head.sha.slice(0, 7)} by ${head.author}): it carries a promotion's message, but its pull request${pr ? ` #${pr.number}` : ''} records the commits this action wrote (${input.knownCommits.map((c) => c.slice(0, 7)).join(', ')}), and this is not one of them — an amended or cherry-picked commit keeps the message, not the SHA. It is never overwritten: merge or close that pull request, or delete the branch, then run the promotion again.`
      }
    }
    if (!headMarker) {
      return {
        kind: 'stop',
        reason: `The branch ${input.branch} has a commit that gitops-actions did not make (${head.sha.slice(0, 7)} by ${head.author}). It is never overwritten: merge or close that pull request, or delete the branch, then run the promotion again.`
      }
    }
    if (!sameTarget(headMarker, ours)) {
      return {
        kind: 'stop',
        reason: `The branch ${input.branch} holds a promotion of ${headMarker.app} to ${headMarker.env}, not of ${ours.app} to ${ours.env}; it is left alone.`
      }
    }
  }
  const pullRequest = input.openPullRequests.find((pr) => pr.branch === input.branch)
  const related = input.openPullRequests.filter((pr) => pr.branch !== input.branch && pr.marker && sameTarget(pr.marker, ours))
  // The branch head competes when its PR is open, or when it was written on the current base (a
  // concurrent run that has not opened its PR yet). A head left from a merged or closed PR does not.
  const headCompetes = headMarker !== undefined && (pullRequest !== undefined || headMarker.base === input.baseSha)
  const newer = [
    ...related.map((pr) => ({ marker: pr.marker!, pullRequest: pr as OpenPullRequest | undefined })),
    ...(headCompetes ? [{ marker: headMarker!, pullRequest }] : [])
  ]
    .filter((candidate) => comparePromotions(candidate.marker, ours) > 0 && candidate.marker.tag !== ours.tag)
    .sort((a, b) => comparePromotions(b.marker, a.marker))
  if (newer.length > 0) return { kind: 'superseded', by: newer[0]! }

  const upToDate = headMarker !== undefined && headMarker.tag === ours.tag && headMarker.base === input.baseSha
  const parents = !head ? [input.baseSha] : headMarker?.base === input.baseSha ? [head.sha] : [head.sha, input.baseSha]
  const supersedes = related.filter((pr) => comparePromotions(pr.marker!, ours) < 0 || pr.marker!.tag === ours.tag)
  let operation: Exclude<PromotionOperation, 'superseded'>
  if (!pullRequest) operation = 'created'
  else if (!upToDate || pullRequest.title !== input.title || bodyWithoutMarker(pullRequest.body) !== bodyWithoutMarker(input.body)) {
    operation = 'updated'
  } else operation = 'unchanged'
  return { kind: 'proceed', write: !upToDate, parents, pullRequest, supersedes, operation }
}

/** The marker carries the request time, which differs on every run; it is not a change. */
function bodyWithoutMarker(body: string): string {
  return body.replace(/<!-- gitops-actions:promotion \{.*?\} -->/, '').trim()
}
