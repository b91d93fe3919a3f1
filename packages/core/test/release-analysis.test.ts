import { analyzeCommits } from '@semantic-release/commit-analyzer'
import { describe, expect, test } from 'vitest'
import {
  bumpFromCommits,
  bumpOfMessage,
  isUserError,
  parseGitopsConfig,
  parseReleaseRules,
  releaseRulesFromText,
  type Preset,
  type ReleaseAnalysis
} from '../src/index.js'

// semantic-release's own commit-analyzer is the referee: every case below is decided by it too,
// with semantic-release's `[skip release]` filter applied first as semantic-release does.
interface RawRule {
  release: string | false
  [field: string]: unknown
}

async function referee(commits: ReadonlyArray<{ sha: string; message: string }>, preset: Preset, releaseRules?: RawRule[]) {
  const kept = commits.filter((c) => !/\[skip\s+release]|\[release\s+skip]/i.test(c.message))
  const release = await analyzeCommits(
    { preset, ...(releaseRules ? { releaseRules } : {}) },
    { commits: kept.map((c) => ({ hash: c.sha, message: c.message })), logger: { log() {} }, cwd: process.cwd() }
  )
  return (release as string | null) ?? 'none'
}

const sha = (n: number) => n.toString(16).padStart(40, 'a')

/** A history, newest first (git log order), of messages; `revert(i)` reverts the commit at index i. */
function history(...messages: Array<string | ((shas: string[]) => string)>) {
  const shas = messages.map((_, i) => sha(i + 1))
  const resolved = messages.map((m) => (typeof m === 'string' ? m : m(shas)))
  return resolved.map((message, i) => ({ sha: shas[i]!, message }))
}

const revertOf = (header: string, index: number) => (shas: string[]) => `Revert "${header}"\n\nThis reverts commit ${shas[index]}.`
const revertOfOlder = (header: string) => `Revert "${header}"\n\nThis reverts commit ${sha(999)}.`

// [name, history, angular, conventionalcommits]
const CASES: Array<[string, ReturnType<typeof history>, string, string]> = [
  [
    'only a git revert of a fix released before',
    history(revertOfOlder('fix(deps): update dependency x to v2'), 'chore: lint'),
    'patch',
    'patch'
  ],
  ['a revert of a chore released before', history(revertOfOlder('chore: lint')), 'patch', 'patch'],
  ['a feat and its revert in the same range cancel out', history(revertOf('feat: login', 1), 'feat: login', 'chore: x'), 'none', 'none'],
  ['a chore and its revert in the same range', history(revertOf('chore: lint', 1), 'chore: lint'), 'none', 'none'],
  [
    'a revert of a revert brings the commit back',
    history(revertOf('Revert "feat: a"', 1), revertOf('feat: a', 2), 'feat: a'),
    'minor',
    'minor'
  ],
  [
    'a revert with an abbreviated hash does not cancel',
    history((s) => `Revert "feat: b"\n\nThis reverts commit ${s[1]!.slice(0, 7)}.`, 'feat: b'),
    'minor',
    'minor'
  ],
  ['revert: prefix form', history(`revert: fix: x\n\nThis reverts commit ${sha(77)}.`), 'patch', 'patch'],
  ['feat, fix, perf', history('fix: a', 'perf(db): b', 'feat(api): c'), 'minor', 'minor'],
  ['fix and perf only', history('perf: a', 'fix(ui): b', 'docs: c'), 'patch', 'patch'],
  ['BREAKING CHANGE footer', history('fix: y\n\nBREAKING CHANGE: config moved'), 'major', 'major'],
  ['BREAKING-CHANGE footer', history('fix: y\n\nBREAKING-CHANGE: config moved'), 'patch', 'major'],
  ['lower-case breaking change footer', history('feat: y\n\nbreaking change: config moved'), 'major', 'major'],
  ['a ! after the type', history('feat!: drop v1'), 'none', 'major'],
  ['a ! after the scope', history('fix(api)!: drop v1', 'docs: x'), 'none', 'major'],
  ['a ! inside the scope', history('feat(api!): x'), 'minor', 'minor'],
  [
    'a squash merge whose title is not conventional',
    history('Add login (#12)\n\n* feat: login form\n\n* fix: typo\n\n* chore: lint'),
    'none',
    'none'
  ],
  ['a squash merge with a conventional title', history('fix(auth): login (#13)\n\n* feat: login form\n\n* chore: lint'), 'patch', 'patch'],
  [
    'a squash merge whose body has a breaking footer',
    history('Refactor API (#14)\n\n* refactor: x\n\nBREAKING CHANGE: v1 routes removed'),
    'major',
    'major'
  ],
  [
    'merge commits',
    history('Merge pull request #7 from org/feat-x\n\nfeat: add x', "Merge branch 'main' into feat-x", 'chore: y'),
    'none',
    'none'
  ],
  [
    'a merge commit and the branch commits it brings',
    history('Merge pull request #8 from org/fix\n\nfix: y', 'fix: y', 'chore: z'),
    'patch',
    'patch'
  ],
  ['[skip release] in a message', history('feat: x [skip release]', 'chore: y'), 'none', 'none'],
  ['[release skip] in a body', history('feat: x\n\nnot yet [release skip]', 'fix: y'), 'patch', 'patch'],
  ['a type with a capital', history('Feat: x', 'Fix: y'), 'none', 'none'],
  ["JSHint's upper-case types", history('FIX: y', 'FEAT: x'), 'minor', 'minor'],
  ['no space after the colon', history('feat:x'), 'none', 'none'],
  ['nothing releasable', history('chore(deps): bump', 'docs: readme', 'ci: cache', 'Update README'), 'none', 'none']
]

describe("the next release agrees with semantic-release's commit-analyzer", () => {
  test.each(CASES)('%s', async (_, commits, angular, conventional) => {
    for (const [preset, expected] of [
      ['angular', angular],
      ['conventionalcommits', conventional]
    ] as const) {
      const ours = bumpFromCommits(commits, { preset, releaseRules: [] }).bump
      expect({ preset, ours }).toEqual({ preset, ours: expected })
      expect({ preset, semanticRelease: await referee(commits, preset) }).toEqual({ preset, semanticRelease: expected })
    }
  })

  const RULES: Array<[string, RawRule[], ReturnType<typeof history>, string]> = [
    [
      'a docs rule adds to the defaults',
      [{ type: 'docs', scope: 'README', release: 'patch' }],
      history('docs(README): x', 'chore: y'),
      'patch'
    ],
    ['a docs rule does not match another scope', [{ type: 'docs', scope: 'README', release: 'patch' }], history('docs(api): x'), 'none'],
    ['release: false silences a type', [{ type: 'feat', release: false }], history('feat: x'), 'none'],
    [
      'release: false for one scope, defaults for the rest',
      [{ scope: 'no-release', release: false }],
      history('feat(no-release): x', 'fix: y'),
      'patch'
    ],
    ['a subject glob', [{ subject: '*security*', release: 'minor' }], history('chore: close a security hole'), 'minor'],
    ['a scope glob', [{ type: 'refactor', scope: 'core-*', release: 'patch' }], history('refactor(core-api): x'), 'patch'],
    ['brace expansion in a glob', [{ type: '{build,ci}', release: 'patch' }], history('ci: x'), 'patch'],
    ['breaking as minor (0.x projects)', [{ breaking: true, release: 'minor' }], history('feat: x\n\nBREAKING CHANGE: y'), 'minor'],
    ['revert rule off', [{ revert: true, release: false }], history(revertOfOlder('fix: z')), 'none'],
    [
      'a later false rule outranks an earlier patch rule',
      [
        { type: 'fix', release: 'patch' },
        { scope: 'ui', release: false }
      ],
      history('fix(ui): x'),
      'none'
    ],
    [
      'a later patch rule after a false one wins',
      [
        { scope: 'ui', release: false },
        { type: 'fix', release: 'patch' }
      ],
      history('fix(ui): x'),
      'patch'
    ]
  ]

  test.each(RULES)('release rules: %s', async (_, rules, commits, expected) => {
    const analysis: ReleaseAnalysis = { preset: 'angular', releaseRules: parseReleaseRules(rules, 'rules') }
    expect(bumpFromCommits(commits, analysis).bump).toBe(expected)
    expect(await referee(commits, 'angular', rules)).toBe(expected)
  })

  test('random histories from real-world headers decide the same release', async () => {
    const pool = [
      'feat: a',
      'feat(api): b',
      'fix: c',
      'fix(deps): update x',
      'perf: d',
      'chore: e',
      'docs(README): f',
      'refactor!: g',
      'feat(ui)!: h',
      'fix: i\n\nBREAKING CHANGE: j',
      'fix: k\n\nBREAKING-CHANGE: l',
      'Merge pull request #1 from a/b\n\nfeat: m',
      'Update README.md',
      'style: n [skip release]',
      'ci(release)!: o'
    ]
    let seed = 42
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let round = 0; round < 60; round++) {
      const size = 1 + Math.floor(random() * 6)
      const messages: Array<string | ((shas: string[]) => string)> = []
      for (let i = 0; i < size; i++) {
        const header = pool[Math.floor(random() * pool.length)]!
        // Now and then a revert of a later (older) commit of the range, or of one released before.
        if (i + 1 < size && random() < 0.2) messages.push(revertOf(pool[0]!, i + 1))
        else if (random() < 0.1) messages.push(revertOfOlder(header.split('\n')[0]!))
        else messages.push(header)
      }
      const commits = history(...messages)
      for (const preset of ['angular', 'conventionalcommits'] as const) {
        expect({ commits, preset, bump: bumpFromCommits(commits, { preset, releaseRules: [] }).bump }).toEqual({
          commits,
          preset,
          bump: await referee(commits, preset)
        })
      }
    }
  })
})

describe('what decided the release', () => {
  test('the strongest commits come first, and what was left out is named', () => {
    const commits = history(revertOf('feat: b', 2), 'fix: a', 'feat: b', 'chore: c [skip release]')
    const result = bumpFromCommits(commits)
    expect(result.bump).toBe('patch')
    expect(result.reasons).toEqual([{ sha: commits[1]!.sha, header: 'fix: a', bump: 'patch' }])
    expect(result.skipped.map((s) => [s.header, s.why])).toEqual([
      ['chore: c [skip release]', 'skip-release'],
      ['Revert "feat: b"', 'revert'],
      ['feat: b', 'reverted']
    ])
  })
  test("a '!' the angular preset does not read is reported for the hint", () => {
    expect(bumpFromCommits(history('feat(api)!: drop v1')).unreadBreaking).toEqual(['feat(api)!: drop v1'])
    expect(bumpFromCommits(history('feat(api)!: drop v1'), { preset: 'conventionalcommits', releaseRules: [] }).unreadBreaking).toEqual([])
  })
  test('bumpOfMessage judges one message', () => {
    expect(bumpOfMessage('feat: x')).toBe('minor')
    expect(bumpOfMessage('feat!: x', { preset: 'conventionalcommits', releaseRules: [] })).toBe('major')
  })
})

describe('release rules are checked like semantic-release checks them, with clearer words', () => {
  test.each([
    [{ type: 'feat' }, /rule 1 has no 'release'/],
    [{ type: 'feat', release: 'mayor' }, /rule 1: release 'mayor' is not a release type.*did you mean 'major'/],
    [{ typ: 'feat', release: 'minor' }, /rule 1: 'typ' is not a field of a parsed commit.*did you mean 'type'/],
    [{ type: ['feat'], release: 'minor' }, /rule 1: 'type' must be a glob/],
    [{ breaking: 'yes', release: 'major' }, /rule 1: 'breaking' must be true or false/],
    ['feat', /rule 1 must be a mapping/]
  ])('%j', (rule, message) => {
    expect(() => parseReleaseRules([rule], { parameter: 'release-rules' })).toThrow(message)
  })
  test('an input that is not a list, or not YAML', () => {
    expect(() => releaseRulesFromText('type: feat', 'release-rules')).toThrow(/must be a list of rules/)
    expect(() => releaseRulesFromText('[{type: feat, release: minor}', 'release-rules')).toThrow(/not a YAML or JSON list of rules/)
    expect(releaseRulesFromText('[{"type": "docs", "release": "patch"}]', 'release-rules')).toEqual([
      { release: 'patch', fields: { type: 'docs' } }
    ])
  })
  test('gitops.yaml versioning: a bad rule is an error at its line', () => {
    const text =
      'versioning:\n  preset: conventionalcommits\n  releaseRules:\n    - type: docs\n      release: patch\n    - type: refactor\n      relase: patch\n'
    try {
      parseGitopsConfig(text)
      expect.unreachable()
    } catch (error) {
      expect(isUserError(error) && error.location).toMatchObject({ file: 'gitops.yaml', line: 7 })
      expect((error as Error).message).toMatch(/versioning\.releaseRules: rule 2: 'relase' is not a field.*did you mean 'release'/)
    }
    const config = parseGitopsConfig(text.replace('relase', 'release'))
    expect(config.versioning.preset).toBe('conventionalcommits')
    expect(config.versioning.releaseRules).toHaveLength(2)
    expect(() => parseGitopsConfig('versioning:\n  preset: angluar\n')).toThrow(/versioning/)
  })
})
