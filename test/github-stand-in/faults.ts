/**
 * Fault injection: a rule picks requests (by operation or route, after N matching calls, for M
 * calls) and makes them fail the way GitHub and networks fail.
 */

/** What goes wrong. */
export type Fault =
  /**
   * An error status with GitHub's body (500, 502, 503, 504), or an answer some servers and tokens
   * give: 404 (an endpoint GitHub Enterprise Server lacks, e.g. rulesets before 3.11), 403 (a
   * token without the permission: `Resource not accessible by integration`). `message` replaces
   * the default message. A 422 with a message plays a refusal such as a repository rule's
   * (`Repository rule violations found`).
   */
  | { kind: 'status'; status: 403 | 404 | 422 | 500 | 502 | 503 | 504; message?: string }
  /** 403 "You have exceeded a secondary rate limit" with Retry-After (seconds, default 1). */
  | { kind: 'secondary-rate-limit'; retryAfter?: number }
  /** 403 primary rate limit: x-ratelimit-remaining 0, reset `retryAfter` seconds from now (default 1). */
  | { kind: 'rate-limit'; retryAfter?: number }
  /** The connection is destroyed before any response byte (ECONNRESET on the client). */
  | { kind: 'reset' }
  /**
   * On create-ref: another writer creates the same ref first (at `sha`, default the requested
   * one), then the request is handled and answers 422 "Reference already exists".
   */
  | { kind: 'ref-exists'; sha?: string }
  /**
   * On update-ref, create-ref, delete-ref or a merge: another writer moves the ref (the branch
   * being merged into) between the client's read and its update, by committing on top of it;
   * then the request is handled as usual (a fast-forward check fails: 422 / 405).
   * `files` are the paths that writer changes (default a file named CONCURRENT_WRITER).
   */
  | { kind: 'race'; files?: Record<string, string>; message?: string }

/** Selects requests and says what happens to them. */
export interface FaultRule {
  /**
   * The requests this rule applies to: an operation id of GitHub's description
   * (`git/update-ref`), or `METHOD /path/template` (`PATCH /repos/{owner}/{repo}/git/refs/{ref}`),
   * or a function of the request. Omitted: every request.
   */
  route?: string | ((request: { method: string; path: string; operationId?: string }) => boolean)
  /** Matching calls to let through before the first fault (default 0). */
  after?: number
  /** How many matching calls fail (default 1; Infinity for all). */
  times?: number
  fault: Fault
}

/** A rule once installed: how often it fired, and a way to remove it. */
export interface FaultHandle {
  readonly rule: FaultRule
  /** Matching calls seen so far (faulted or not). */
  readonly seen: number
  /** Calls that were faulted. */
  readonly fired: number
  remove(): void
}

export class FaultTable {
  private readonly rules: Array<{ rule: FaultRule; seen: number; fired: number; removed: boolean }> = []

  add(rule: FaultRule): FaultHandle {
    const entry = { rule, seen: 0, fired: 0, removed: false }
    this.rules.push(entry)
    return {
      rule,
      get seen() {
        return entry.seen
      },
      get fired() {
        return entry.fired
      },
      remove: () => {
        entry.removed = true
      }
    }
  }

  clear(): void {
    for (const entry of this.rules) entry.removed = true
    this.rules.length = 0
  }

  /** The fault for this request, if a rule fires (the first matching rule that fires wins). */
  pick(request: { method: string; path: string; operationId?: string; template?: string }): Fault | undefined {
    for (const entry of this.rules) {
      if (entry.removed || !matches(entry.rule, request)) continue
      entry.seen++
      const after = entry.rule.after ?? 0
      const times = entry.rule.times ?? 1
      if (entry.seen > after && entry.seen <= after + times) {
        entry.fired++
        return entry.rule.fault
      }
    }
    return undefined
  }
}

function matches(rule: FaultRule, request: { method: string; path: string; operationId?: string; template?: string }): boolean {
  if (rule.route === undefined) return true
  if (typeof rule.route === 'function') return rule.route(request)
  if (rule.route === request.operationId) return true
  return rule.route === `${request.method} ${request.template}`
}
