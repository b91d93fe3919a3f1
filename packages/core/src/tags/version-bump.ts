import { CommitParser } from 'conventional-commits-parser'

export type Bump = 'major' | 'minor' | 'patch' | 'none'

const rank: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 }

export interface BumpReason {
  sha: string
  header: string
  bump: Exclude<Bump, 'none'>
}

export interface BumpResult {
  bump: Bump
  /** The commits (or squash-merge body lines) that decided the bump, strongest first. */
  reasons: BumpReason[]
}

const parser = new CommitParser({
  headerPattern: /^(\w+)(?:\(([^)]*)\))?!?: (.+)$/,
  breakingHeaderPattern: /^(\w+)(?:\(([^)]*)\))?!: (.+)$/
})

// GitHub's squash merge lists the branch's commits in the body as "* feat: ..." lines.
const SQUASHED_LINE = /^\s*(?:[*-]\s+)?(\w+(?:\([^)]*\))?!?: .+)$/

/** The bump one conventional header or message calls for: feat → minor, fix/perf → patch, `!` or BREAKING CHANGE → major. */
export function bumpOfMessage(message: string): Bump {
  const parsed = parser.parse(message)
  if (parsed.notes.some((note) => /^BREAKING[ -]CHANGE$/.test(note.title))) return 'major'
  if (parsed.type === 'feat') return 'minor'
  if (parsed.type === 'fix' || parsed.type === 'perf') return 'patch'
  return 'none'
}

/**
 * The strongest bump among commits. A commit's body lines that are conventional headers
 * themselves (squash merges) count as commits of their own.
 */
export function bumpFromCommits(commits: ReadonlyArray<{ sha: string; message: string }>): BumpResult {
  const reasons: BumpReason[] = []
  for (const commit of commits) {
    const [header = '', ...body] = commit.message.split('\n')
    const candidates = [{ header, message: commit.message }]
    for (const line of body) {
      const match = SQUASHED_LINE.exec(line)
      if (match) candidates.push({ header: match[1]!, message: match[1]! })
    }
    for (const candidate of candidates) {
      const bump = bumpOfMessage(candidate.message)
      if (bump !== 'none') reasons.push({ sha: commit.sha, header: candidate.header, bump })
    }
  }
  reasons.sort((a, b) => rank[b.bump] - rank[a.bump])
  return { bump: reasons[0]?.bump ?? 'none', reasons }
}

export function strongerBump(a: Bump, b: Bump): Bump {
  return rank[a] >= rank[b] ? a : b
}
