import { describe, expect, test } from 'vitest'
import {
  comparePromotions,
  bodyWithCommits,
  decidePromotion,
  defaultGitopsConfig,
  deploymentWindowState,
  markerComment,
  markerFromBody,
  markerFromCommitMessage,
  parseGitopsConfig,
  PR_BODY_LIMIT,
  promotionCommitMessage,
  promotionNames,
  renderedDiff,
  renderPrBody,
  resolveRoute,
  retryRefRaces,
  reviewersFromOwners,
  teamReviewerSlugs,
  runningImageOf,
  RefRaceError,
  trimDiff,
  type OpenPullRequest,
  type PrBodyInput,
  type PromotionMarker
} from '../src/index.js'

describe('promotion names follow the seed', () => {
  test.each([
    [
      { mode: 'auto-deploy', app: 'myapp', env: 'dev', tag: 'sha-abc123d' },
      'auto-deploy/myapp-sha-abc123d',
      'deploy: myapp sha-abc123d to dev',
      'deploy: myapp sha-abc123d to dev'
    ],
    [
      { mode: 'promote', app: 'myapp', env: 'staging', tag: 'myapp-staging-abc123d' },
      'promote/myapp-to-staging',
      'promote: myapp myapp-staging-abc123d to staging',
      'Promote myapp myapp-staging-abc123d to staging'
    ],
    [
      { mode: 'auto-deploy', app: 'myapp', env: 'dev', tag: 'a..b.lock' },
      'auto-deploy/myapp-a.b-lock',
      'deploy: myapp a..b.lock to dev',
      'deploy: myapp a..b.lock to dev'
    ]
  ] as const)('%j', (marker, branch, commitMessage, title) => {
    expect(promotionNames(marker)).toEqual({ branch, commitMessage, title })
  })
})

const marker = (tag: string, requestedAt = '2026-01-01T10:00:00.000Z', extra: Partial<PromotionMarker> = {}): PromotionMarker => ({
  app: 'myapp',
  env: 'staging',
  tag,
  mode: 'promote',
  requestedAt,
  ...extra
})

describe('markers', () => {
  test('round-trip through a PR body and a commit message; foreign text is not a marker', () => {
    const m = marker('myapp-staging-abc123d', '2026-01-01T10:00:00.000Z', { base: 'a'.repeat(40) })
    expect(markerFromBody(`${markerComment(m)}\n\nhello`)).toEqual(m)
    expect(markerFromCommitMessage(promotionCommitMessage('promote: x', m, 'detail'))).toEqual(m)
    expect(markerFromBody('<!-- gitops-actions:promotion {"app":1} -->')).toBeUndefined()
    expect(markerFromBody(null)).toBeUndefined()
    expect(markerFromCommitMessage('fix: by hand')).toBeUndefined()
  })

  test('later request wins; the tag breaks ties', () => {
    expect(comparePromotions(marker('a', '2026-01-01T10:00:00.000Z'), marker('b', '2026-01-01T10:00:01.000Z'))).toBeLessThan(0)
    expect(comparePromotions(marker('b'), marker('a'))).toBeGreaterThan(0)
    expect(comparePromotions(marker('a'), marker('a'))).toBe(0)
  })
})

describe('decidePromotion: create or update, never duplicate, never overwrite a person', () => {
  const base = 'b'.repeat(40)
  const ours = marker('myapp-staging-2222222', '2026-01-01T12:00:00.000Z')
  const branch = 'promote/myapp-to-staging'
  const pr = (number: number, branchName: string, m: PromotionMarker | undefined, body = ''): OpenPullRequest => ({
    number,
    url: `https://github.com/org/config/pull/${number}`,
    branch: branchName,
    title: 't',
    body: m ? `${markerComment(m)}\n${body}` : body,
    draft: false,
    marker: m
  })
  const botHead = (m: PromotionMarker, sha = 'c'.repeat(40)) => ({
    sha,
    message: promotionCommitMessage('promote', m, 'x'),
    author: 'gitops-bot'
  })
  const input = { ours, branch, baseSha: base, body: 'BODY', title: 'TITLE' }

  test('nothing there: write on the base, create the PR', () => {
    expect(decidePromotion({ ...input, head: undefined, openPullRequests: [] })).toEqual({
      kind: 'proceed',
      write: true,
      parents: [base],
      pullRequest: undefined,
      supersedes: [],
      operation: 'created'
    })
  })

  test('an older promotion on the branch with an open PR: a child commit, PR updated', () => {
    const older = marker('myapp-staging-1111111', '2026-01-01T11:00:00.000Z', { base })
    const open = pr(7, branch, older)
    const decision = decidePromotion({ ...input, head: botHead(older), openPullRequests: [open] })
    expect(decision).toMatchObject({ kind: 'proceed', write: true, parents: ['c'.repeat(40)], operation: 'updated' })
  })

  test('base moved since the branch was written: the base becomes a second parent', () => {
    const older = marker('myapp-staging-1111111', '2026-01-01T11:00:00.000Z', { base: 'a'.repeat(40) })
    const decision = decidePromotion({ ...input, head: botHead(older), openPullRequests: [] })
    expect(decision).toMatchObject({ kind: 'proceed', parents: ['c'.repeat(40), base], operation: 'created' })
  })

  test('the same promotion on the same base with the same PR body: unchanged', () => {
    const same = { ...ours, requestedAt: '2026-01-01T11:59:00.000Z', base }
    const open = { ...pr(7, branch, same), title: 'TITLE', body: `${markerComment(same)}\nBODY` }
    expect(decidePromotion({ ...input, head: botHead(same), openPullRequests: [open] })).toMatchObject({
      kind: 'proceed',
      write: false,
      operation: 'unchanged'
    })
  })

  test("a person's commit on the branch: stop and say so", () => {
    const decision = decidePromotion({
      ...input,
      head: { sha: 'd'.repeat(40), message: 'fix: tweak replicas', author: 'alice' },
      openPullRequests: []
    })
    expect(decision.kind).toBe('stop')
    expect(decision.kind === 'stop' && decision.reason).toMatch(/commit that gitops-actions did not make \(ddddddd by alice\)/)
  })

  test.each([
    ['its SHA is one the PR records: ours', ['c'.repeat(40)], 'proceed'],
    ['the message is ours but the SHA is not (amended, cherry-picked): stop', ['e'.repeat(40)], 'stop'],
    ['the PR records no commits (opened before they were recorded): the message decides', undefined, 'proceed'],
    ["a concurrent run's, on top of the newest recorded one", ['e'.repeat(40), 'f'.repeat(40)], 'proceed'],
    ['an amended one, whose parent is an older recorded one', ['f'.repeat(40), 'e'.repeat(40)], 'stop']
  ])('a head with our message, %s', (_name, knownCommits, kind) => {
    const older = marker('myapp-staging-1111111', '2026-01-01T11:00:00.000Z', { base })
    const head = { ...botHead(older), parents: ['f'.repeat(40)] }
    const decision = decidePromotion({ ...input, head, knownCommits, openPullRequests: [pr(7, branch, older)] })
    expect(decision.kind).toBe(kind)
    if (decision.kind === 'stop') {
      expect(decision.reason).toMatch(
        /its pull request #7 records the commits this action wrote \((eeeeeee|fffffff, eeeeeee)\), and this is not one of them/
      )
    }
  })

  test('bodyWithCommits: the marker lists the commits, old ones first, no repeats', () => {
    const body = `${markerComment(ours)}\nBODY`
    const once = bodyWithCommits(body, ours, ['a'.repeat(40)])
    expect(markerFromBody(once)?.commits).toEqual(['a'.repeat(40)])
    const twice = bodyWithCommits(once, ours, ['a'.repeat(40), 'c'.repeat(40)])
    expect(markerFromBody(twice)?.commits).toEqual(['a'.repeat(40), 'c'.repeat(40)])
    expect(twice.endsWith('\nBODY')).toBe(true)
    // A marker whose commits are not commit ids is not ours.
    expect(markerFromBody(`<!-- gitops-actions:promotion ${JSON.stringify({ ...ours, commits: ['x'] })} -->`)).toBeUndefined()
  })

  test('a newer promotion on the branch or in another open PR: superseded, nothing written', () => {
    const newer = marker('myapp-staging-3333333', '2026-01-01T13:00:00.000Z', { base })
    expect(decidePromotion({ ...input, head: botHead(newer), openPullRequests: [] }).kind).toBe('superseded')
    const other = pr(9, 'auto-deploy/myapp-x', newer)
    const decision = decidePromotion({ ...input, head: undefined, openPullRequests: [other] })
    expect(decision).toMatchObject({ kind: 'superseded', by: { pullRequest: { number: 9 } } })
  })

  test('a branch left from a merged PR (older base, no open PR) does not compete, whatever its marker says', () => {
    const stale = marker('myapp-staging-9999999', '2026-01-01T23:00:00.000Z', { base: 'a'.repeat(40) })
    expect(decidePromotion({ ...input, head: botHead(stale), openPullRequests: [] })).toMatchObject({
      kind: 'proceed',
      parents: ['c'.repeat(40), base],
      operation: 'created'
    })
  })

  test('older open PRs of the same app and env are superseded; other apps and envs are left alone', () => {
    const older = pr(3, 'auto-deploy/myapp-old', marker('old', '2026-01-01T09:00:00.000Z'))
    const otherApp = pr(4, 'promote/web-to-staging', marker('w', '2026-01-01T09:00:00.000Z', { app: 'web' }))
    const otherEnv = pr(5, 'promote/myapp-to-prod', marker('v1.0.0', '2026-01-01T09:00:00.000Z', { env: 'prod' }))
    const human = pr(6, 'feature/x', undefined)
    const decision = decidePromotion({ ...input, head: undefined, openPullRequests: [older, otherApp, otherEnv, human] })
    expect(decision.kind === 'proceed' && decision.supersedes.map((p) => p.number)).toEqual([3])
  })
})

describe('deployment windows', () => {
  const cfg = parseGitopsConfig(
    [
      'deploymentWindows:',
      '  - environments: [prod]',
      '    timeZone: Europe/Berlin',
      '    days: [mon, tue, wed, thu]',
      '    hours: "09:00-16:00"',
      '  - environments: [staging]',
      '    hours: "22:00-02:00"',
      '    days: [fri]'
    ].join('\n'),
    'gitops.yaml'
  )

  test.each([
    // 2026-01-05 is a Monday; Berlin is UTC+1 in January, UTC+2 in July.
    ['prod', '2026-01-05T08:00:00Z', true, undefined],
    ['prod', '2026-01-05T07:59:00Z', false, '2026-01-05T08:00:00.000Z'],
    ['prod', '2026-01-05T15:00:00Z', false, '2026-01-06T08:00:00.000Z'],
    ['prod', '2026-01-08T15:30:00Z', false, '2026-01-12T08:00:00.000Z'],
    ['prod', '2026-07-06T07:30:00Z', true, undefined],
    ['staging', '2026-01-09T23:30:00Z', true, undefined],
    ['staging', '2026-01-10T01:59:00Z', true, undefined],
    ['staging', '2026-01-10T02:00:00Z', false, '2026-01-16T22:00:00.000Z'],
    ['dev', '2026-01-10T02:00:00Z', true, undefined]
  ])('%s at %s: open %s', (env, at, open, next) => {
    const state = deploymentWindowState(cfg.deploymentWindows, env, new Date(at))
    expect(state.open).toBe(open)
    expect(state.nextOpen?.toISOString()).toBe(next)
    expect(state.restricted).toBe(env !== 'dev')
  })

  test.each([
    [
      'deploymentWindows:\n  - environments: [prod]\n    timeZone: Mars/Olympus',
      /^gitops.yaml:3: deploymentWindows\[0\]\.timeZone: 'Mars\/Olympus' is not a known IANA time zone/
    ],
    [
      'deploymentWindows:\n  - environments: [qa]',
      /^gitops.yaml:2: deploymentWindows\[0\]\.environments\[0\]: no environment 'qa'; environments: dev, staging, prod$/
    ],
    [
      'deploymentWindows:\n  - environments: [prod]\n    hours: "9-5"',
      /^gitops.yaml:3: deploymentWindows\[0\]\.hours: '9-5' is not a range of 24-hour times, HH:MM-HH:MM/
    ],
    [
      'deploymentWindows:\n  - environments: [prod]\n    days: [monday]',
      /^gitops.yaml:3: deploymentWindows\[0\]\.days\[0\]: 'monday' is not one of sun, mon, tue, wed, thu, fri, sat$/
    ]
  ])('bad section %#', (text, message) => {
    let error: unknown
    try {
      parseGitopsConfig(text, 'gitops.yaml')
    } catch (e) {
      error = e
    }
    const e = error as { message: string; location?: { file: string; line?: number } }
    expect(`${e.location?.file}:${e.location?.line}: ${e.message}`).toMatch(message)
  })
})

describe('PR body', () => {
  const config = defaultGitopsConfig()
  const base: PrBodyInput = {
    marker: marker('v1.3.0', '2026-01-01T10:00:00.000Z', { env: 'prod' }),
    route: resolveRoute(config, { mode: 'promote', to: 'prod', allowSkip: false }),
    image: 'ghcr.io/org/myapp',
    gate: { tag: 'myapp-staging-abc123d', proof: 'source-overlay', explanation: 'myapp-staging-abc123d is what runs in staging.' },
    previous: { tag: 'v1.2.3', digest: `sha256:${'1'.repeat(64)}` },
    next: { tag: 'v1.3.0', digest: `sha256:${'2'.repeat(64)}` },
    files: ['apps/myapp/overlays/prod/kustomization.yaml'],
    renderedDiff: renderedDiff('apps/myapp/overlays/prod', 'image: ghcr.io/org/myapp:v1.2.3\n', 'image: ghcr.io/org/myapp:v1.3.0\n'),
    changelog: {
      repository: 'org/app-repo',
      fromSha: 'a'.repeat(40),
      toSha: 'b'.repeat(40),
      commits: [
        { sha: 'c'.repeat(40), subject: 'feat: add new feature', author: 'alice', url: 'https://github.com/org/app-repo/commit/ccc' }
      ],
      compareUrl: 'https://github.com/org/app-repo/compare/a...b',
      more: 0
    },
    window: { open: false, restricted: true, nextOpen: new Date('2026-01-05T08:00:00Z'), windows: ['mon, tue 09:00-16:00 Europe/Berlin'] },
    lastEnvironment: true,
    links: [{ label: 'app commit', url: 'https://github.com/org/app-repo/commit/bbb' }]
  }

  test('prod: tags, digests, gate, diff, changelog, checklist with rollback and window, marker first', () => {
    const body = renderPrBody(base)
    expect(markerFromBody(body)).toEqual(base.marker)
    expect(body).toContain('| tag | `v1.2.3` | `v1.3.0` |')
    expect(body).toContain(`| digest | \`sha256:${'1'.repeat(64)}\``)
    expect(body).toContain('**Gate:** myapp-staging-abc123d is what runs in staging.')
    expect(body).toContain('-image: ghcr.io/org/myapp:v1.2.3\n+image: ghcr.io/org/myapp:v1.3.0')
    expect(body).toContain(
      '- [cccccc c](https://github.com/org/app-repo/commit/ccc) feat: add new feature (alice)'.replace('cccccc c', 'ccccccc')
    )
    expect(body).toContain('- [ ] Rollback plan: the previous tag is `v1.2.3`')
    expect(body).toContain('- [ ] Deployment window: closed now (mon, tue 09:00-16:00 Europe/Berlin); next opens 2026-01-05T08:00:00.000Z')
  })

  test('staging: no production checklist', () => {
    const body = renderPrBody({
      ...base,
      lastEnvironment: false,
      window: { open: true, restricted: false, nextOpen: undefined, windows: [] }
    })
    expect(body).not.toContain('Production checklist')
    expect(body).not.toContain('Deployment window')
  })

  test('a huge rendered diff is cut at a line so the body fits GitHub’s limit', () => {
    const huge = Array.from({ length: 20_000 }, (_, i) => `+  line ${i} ${'x'.repeat(20)}`).join('\n')
    const body = renderPrBody({ ...base, renderedDiff: huge })
    expect(body.length).toBeLessThanOrEqual(PR_BODY_LIMIT)
    expect(body).toMatch(/… \d+ more lines cut to fit GitHub's 65536-character limit/)
    expect(body).toContain('Production checklist') // what follows the diff survives
    expect(body).toMatch(/````\n\n<\/details>/)
    expect(renderPrBody({ ...base, renderedDiff: huge }, 10_000).length).toBeLessThanOrEqual(10_000)
  })

  test('the environments section sits before the rendered diff, which is cut to leave it room', () => {
    const environments = '### Environments\n\n```mermaid\nflowchart LR\n  a ==> b\n```\n'
    const huge = Array.from({ length: 20_000 }, (_, i) => `+  line ${i}`).join('\n')
    const body = renderPrBody({ ...base, environments, renderedDiff: huge })
    expect(body.length).toBeLessThanOrEqual(PR_BODY_LIMIT)
    expect(body.indexOf('### Environments')).toBeGreaterThan(body.indexOf('**Files:**'))
    expect(body.indexOf('### Environments')).toBeLessThan(body.indexOf('Rendered diff'))
    expect(body).toContain(environments.trimEnd())
    expect(renderPrBody(base)).not.toContain('### Environments')
  })

  test('trimDiff keeps short diffs whole and cuts long ones at a line', () => {
    expect(trimDiff('a\nb\n', 100)).toBe('a\nb')
    const cut = trimDiff(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n'), 300)
    expect(cut.length).toBeLessThanOrEqual(300)
    expect(cut.split('\n').slice(-2, -1)[0]).toMatch(/^line \d+$/)
  })
})

describe('retryRefRaces', () => {
  test('re-runs the attempt after a lost race, bounded', async () => {
    let calls = 0
    const result = await retryRefRaces(
      'promote',
      async (n) => {
        calls++
        if (n < 3) throw new RefRaceError('not a fast-forward')
        return n
      },
      { delayMs: () => 0 }
    )
    expect(result).toBe(3)
    expect(calls).toBe(3)
    await expect(
      retryRefRaces(
        'promote',
        async () => {
          throw new RefRaceError('moved')
        },
        { maxAttempts: 2, delayMs: () => 0 }
      )
    ).rejects.toThrow(/another writer changed the branch 2 times/)
    await expect(
      retryRefRaces(
        'promote',
        async () => {
          throw new Error('boom')
        },
        { delayMs: () => 0 }
      )
    ).rejects.toThrow('boom')
  })
})

describe('reviewers and the running image', () => {
  test('CODEOWNERS owners become user and team reviewers; foreign-org teams and e-mails are dropped', () => {
    expect(reviewersFromOwners(['@org/platform-team', '@alice', '@Other/team', 'ops@example.com', '@org/platform-team'], 'org')).toEqual({
      reviewers: ['alice'],
      teamReviewers: ['platform-team']
    })
  })

  test('team-reviewers as given become slugs; a team of another organization is refused, not requested by its slug here', () => {
    expect(teamReviewerSlugs(['platform', 'org/platform-team', '@Org/sre'], 'org')).toEqual(['platform', 'platform-team', 'sre'])
    expect(() => teamReviewerSlugs(['acme/platform'], 'org')).toThrow(
      "'acme/platform' is a team of acme: GitHub requests reviews only from teams of the repository's organization (org)"
    )
    expect(() => teamReviewerSlugs(['platform team'], 'org')).toThrow("'platform team' is not a team slug (e.g. platform or org/platform)")
  })

  test.each([
    [['ghcr.io/org/myapp:sha-abc123d', 'busybox:1.36'], 'myapp', { name: 'ghcr.io/org/myapp', tag: 'sha-abc123d', digest: undefined }],
    [
      ['ghcr.io/org/myapp:v1@sha256:' + 'a'.repeat(64)],
      'ghcr.io/org/myapp',
      { name: 'ghcr.io/org/myapp', tag: 'v1', digest: 'sha256:' + 'a'.repeat(64) }
    ],
    [['ghcr.io/org/notmyapp:v1'], 'myapp', undefined],
    [['ghcr.io/org/myapp:v1', 'ghcr.io/org/myapp:v1'], 'myapp', { name: 'ghcr.io/org/myapp', tag: 'v1', digest: undefined }]
  ])('%j', (references, image, expected) => {
    expect(runningImageOf(references, image)).toEqual(expected)
  })

  test('two different references of one image are ambiguous', () => {
    expect(() => runningImageOf(['ghcr.io/org/myapp:v1', 'ghcr.io/org/myapp:v2'], 'myapp')).toThrow(/runs myapp under several references/)
  })
})

describe('PR body: app-repo commit subjects are inert text (issue 20)', () => {
  const config = defaultGitopsConfig()
  const hostile = [
    '</details><img src="https://tracker.example/p.gif"> pwned',
    '<!-- everything after this is hidden',
    'ping @org/platform-team and @alice about #123',
    '![x](https://tracker.example/i.png) [click](https://evil.example) https://evil.example/path www.evil.example',
    '<script>alert(1)</script> **bold** `code` | table |',
    `${'long '.repeat(100)}end`
  ]
  const input: PrBodyInput = {
    marker: marker('v1.3.0', '2026-01-01T10:00:00.000Z', { env: 'prod' }),
    route: resolveRoute(config, { mode: 'promote', to: 'prod', allowSkip: false }),
    image: 'ghcr.io/org/myapp',
    gate: { tag: 'myapp-staging-abc123d', proof: 'source-overlay', explanation: 'myapp-staging-abc123d is what runs in staging.' },
    previous: { tag: 'v1.2.3', digest: undefined },
    next: { tag: 'v1.3.0', digest: undefined },
    files: ['apps/myapp/overlays/prod/kustomization.yaml'],
    renderedDiff: renderedDiff('apps/myapp/overlays/prod', 'image: ghcr.io/org/myapp:v1.2.3\n', 'image: ghcr.io/org/myapp:v1.3.0\n'),
    changelog: {
      repository: 'org/app-repo',
      fromSha: 'a'.repeat(40),
      toSha: 'b'.repeat(40),
      commits: hostile.map((subject, i) => ({
        sha: String(i).repeat(40),
        subject,
        author: i === 0 ? '<b>@mallory</b>' : 'alice',
        url: `https://github.com/org/app-repo/commit/${i}`
      })),
      compareUrl: undefined,
      more: 0
    },
    window: { open: true, restricted: false, nextOpen: undefined, windows: [] },
    lastEnvironment: true,
    links: []
  }

  test('rendered as GitHub renders markdown: no HTML, images, links or mentions from subjects; the structure holds', async () => {
    const { marked } = await import('marked')
    const { JSDOM } = await import('jsdom')
    const body = renderPrBody(input)
    const document = new JSDOM(await marked.parse(body, { gfm: true })).window.document
    expect(document.querySelectorAll('img, script')).toHaveLength(0)
    // The only links are the commits' own.
    expect([...document.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(
      hostile.map((_, i) => `https://github.com/org/app-repo/commit/${i}`)
    )
    // The diff stays inside its <details>, and the checklist after the changelog is not swallowed by a comment.
    expect(document.querySelector('details pre')?.textContent).toContain('+image: ghcr.io/org/myapp:v1.3.0')
    expect(document.body.textContent).toContain('Production checklist')
    expect(document.body.textContent).toContain('</details><img src=')
    const items = [...document.querySelectorAll('li')].map((li) => li.textContent ?? '')
    const mentions = items.join('\n').match(/@[A-Za-z0-9][A-Za-z0-9/-]*/g) ?? []
    expect(mentions).toEqual([])
    expect(items.some((item) => item.includes('@\u200dorg/platform-team'))).toBe(true)
    // Bounded: a subject is cut at 200 characters.
    expect(Math.max(...items.filter((i) => i.includes('long')).map((i) => i.length))).toBeLessThan(260)
  })
})
