import { describe, expect, test } from 'vitest'
import {
  checkDowngrade,
  downgradeOf,
  formatDuration,
  parseDuration,
  parseGitopsConfig,
  verificationRefusal,
  verifyEnvironment,
  type CommitStatus,
  type HealthEvidence,
  type UserError
} from '../src/index.js'

const config = parseGitopsConfig(
  [
    'environments:',
    '  - name: dev',
    '    verification: { required: true, minSoak: 1h }',
    '  - name: staging',
    '    verification: { contexts: ["kustomization/apps/*", "flux/{env}-*"], minSoak: 1d12h }',
    '  - name: prod',
    ''
  ].join('\n')
)
const dev = config.environments[0]!
const staging = config.environments[1]!
const NOW = new Date('2026-01-05T12:00:00Z')
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString()
const flux = (state: CommitStatus['state'], hoursAgo: number, context = 'kustomization/myapp-dev/1a2b3c4d'): CommitStatus => ({
  context,
  state,
  createdAt: at(hoursAgo),
  description: `Health check ${state}`
})
const ci = (hoursAgo: number): CommitStatus => ({ context: 'checks / kustomize-validate', state: 'success', createdAt: at(hoursAgo) })
/** Commits newest first; the last one put the tag into the overlay. */
const evidence = (...commits: CommitStatus[][]): HealthEvidence => ({
  introducedBy: `${commits.length}`.padStart(40, 'a'),
  overlay: 'apps/myapp/overlays/dev',
  commits: commits.map((statuses, i) => ({ sha: `${commits.length - i}`.padStart(40, 'a'), statuses })),
  truncated: false
})

describe('gitops.yaml verification', () => {
  test('defaults: on for the environment before the last, with the seed’s Kustomization names', () => {
    const defaults = parseGitopsConfig('version: 1\n').environments.map((e) => [e.name, e.verification.required, e.verification.contexts])
    expect(defaults).toEqual([
      ['dev', false, ['kustomization/{app}-{env}/*']],
      ['staging', true, ['kustomization/{app}-{env}/*']],
      ['prod', false, ['kustomization/{app}-{env}/*']]
    ])
    expect([dev.verification, staging.verification]).toMatchObject([
      { required: true, minSoak: '1h', minSoakMs: 3_600_000 },
      { required: true, minSoakMs: 36 * 3_600_000, contexts: ['kustomization/apps/*', 'flux/{env}-*'] }
    ])
  })

  test.each([
    ['    verification: { minSoak: 24 }', /^environments\[0\]\.verification\.minSoak: expected a string, found 24$/],
    [
      '    verification: { minSoak: 1 day }',
      /^environments\[0\]\.verification\.minSoak: '1 day' is not a duration: write it as 30m, 24h or 1d12h/
    ],
    ['    verification: { contexts: [] }', /^environments\[0\]\.verification\.contexts: needs at least 1 entry$/],
    [
      '    verification: { requred: true }',
      /^environments\[0\]\.verification: unknown key 'requred' \(did you mean 'required'\?\); valid keys: required, contexts, minSoak$/
    ]
  ])('%s is refused at its line', (line, message) => {
    const error = (() => {
      try {
        parseGitopsConfig(['environments:', '  - name: dev', line, ''].join('\n'))
      } catch (caught) {
        return caught as UserError
      }
    })()
    expect(error?.message).toMatch(message)
    expect(error?.location).toMatchObject({ file: 'gitops.yaml', line: 3 })
  })

  test.each([
    ['24h', 86_400_000, '1d'],
    ['90m', 5_400_000, '1h 30m'],
    ['1d12h', 129_600_000, '1d 12h'],
    ['45s', 45_000, '45s']
  ])('duration %s', (text, ms, formatted) => {
    expect(parseDuration(text)).toBe(ms)
    expect(formatDuration(ms)).toBe(formatted)
  })
})

describe('verifyEnvironment', () => {
  const verdict = (found: HealthEvidence | undefined, environment = dev) =>
    verifyEnvironment({ app: 'myapp', environment, evidence: found, now: NOW })

  test.each([
    ['success 2h ago on the commit', evidence([flux('success', 2), ci(3)]), 'verified', at(2)],
    ['success 30m ago: soaking for minSoak 1h', evidence([flux('success', 0.5)]), 'soaking', at(0.5)],
    ['pending', evidence([flux('pending', 0.1)]), 'pending', undefined],
    ['failure after a success on the same commit', evidence([flux('success', 3), flux('failure', 1)]), 'failing', undefined],
    ['only CI statuses', evidence([ci(3)]), 'missing', undefined],
    ['another app’s Kustomization', evidence([flux('success', 3, 'kustomization/web-dev/1a2b3c4d')]), 'missing', undefined],
    [
      // Flux applied the next head: the later commit carries the verdict, and the run of successes counts from the earlier one.
      'success on a later commit extends the run from the commit that put it',
      evidence([flux('success', 0.2)], [], [flux('success', 5)]),
      'verified',
      at(5)
    ],
    ['a failure between breaks the run', evidence([flux('success', 0.2)], [flux('failure', 2)], [flux('success', 5)]), 'soaking', at(0.2)],
    ['the newest report decides: a failure now', evidence([flux('failure', 0.2)], [flux('success', 5)]), 'failing', undefined],
    [
      'two clusters: healthy once both are',
      evidence([flux('success', 4), flux('success', 2, 'kustomization/myapp-dev/99887766')]),
      'verified',
      at(2)
    ],
    [
      'two clusters, one failing',
      evidence([flux('success', 4), flux('failure', 2, 'kustomization/myapp-dev/99887766')]),
      'failing',
      undefined
    ],
    [
      'recovered: success after a failure counts from the recovery',
      evidence([flux('failure', 5), flux('success', 0.5)]),
      'soaking',
      at(0.5)
    ],
    // GitHub stamps statuses to the second and lists them newest first: within one second the list order decides.
    ['pending then failure in one second, listed newest first', evidence([flux('failure', 1), flux('pending', 1)]), 'failing', undefined],
    ['failure then success in one second, listed newest first', evidence([flux('success', 2), flux('failure', 2)]), 'verified', at(2)]
  ])('%s', (_name, found, state, since) => {
    const result = verdict(found)
    expect(result.state).toBe(state)
    expect(result.healthySince).toBe(since)
  })

  test('contexts from gitops.yaml, with {env}', () => {
    const found = evidence([flux('success', 40, 'flux/staging-eu/abc'), flux('success', 39, 'kustomization/apps/def')])
    expect(verdict(found, staging)).toMatchObject({
      state: 'verified',
      healthySince: at(39),
      contexts: ['kustomization/apps/*', 'flux/staging-*']
    })
    expect(verdict(evidence([flux('success', 40, 'flux/staging-eu/abc')]), staging).state).toBe('verified')
    expect(verdict(evidence([flux('success', 30, 'flux/staging-eu/abc')]), staging)).toMatchObject({
      state: 'soaking',
      readyAt: new Date(NOW.getTime() + 6 * 3_600_000).toISOString()
    })
  })

  test('without evidence (no GitHub access) it is not checked, and nothing is refused', () => {
    const result = verdict(undefined)
    expect(result.state).toBe('unchecked')
    expect(
      verificationRefusal(result, { app: 'myapp', tag: 'sha-1234567', to: 'staging', base: 'main', configFile: 'gitops.yaml' })
    ).toBeUndefined()
  })

  const promotion = { app: 'myapp', tag: 'sha-1234567', to: 'staging', base: 'main', configFile: 'gitops.yaml' }
  test.each([
    [
      evidence([ci(1)]),
      /^Promoting myapp sha-1234567 from dev to staging needs Flux's report that dev runs it healthy: commit aaaaaaa \(the last change to dev's overlay on main\) has no status matching kustomization\/myapp-dev\/\*\. Other statuses seen: checks \/ kustomize-validate\. .*notification-controller.*set contexts in gitops\.yaml environments\[dev\]\.verification/
    ],
    [
      evidence([flux('pending', 0.1)]),
      /Flux has not finished with commit aaaaaaa: kustomization\/myapp-dev\/1a2b3c4d pending \("Health check pending"\)\. Run the promotion again/
    ],
    [
      evidence([flux('failure', 0.1)]),
      /Flux reports dev failing on commit aaaaaaa: kustomization\/myapp-dev\/1a2b3c4d failure .*Fix dev first/
    ],
    [
      evidence([flux('success', 0.5)]),
      /healthy since 2026-01-05T11:30:00.000Z .*minSoak asks for 1h: promote after 2026-01-05T12:30:00.000Z/
    ],
    [
      { introducedBy: undefined, overlay: 'apps/myapp/overlays/dev', commits: [], truncated: false },
      /main has no commit that changed dev's overlay/
    ]
  ])('refusal %#', (found, message) => {
    expect(verificationRefusal(verdict(found), promotion)?.message).toMatch(message)
  })

  test('a verified environment, or one that does not require it, is no refusal', () => {
    expect(verificationRefusal(verdict(evidence([flux('success', 2)])), promotion)).toBeUndefined()
    const prod = config.environments[2]!
    expect(verificationRefusal(verdict(evidence([]), prod), promotion)).toBeUndefined()
  })
})

describe('downgrades', () => {
  const prod = config.environments[2]!
  const of = (previousTag: string | undefined, tag: string, version?: string) =>
    downgradeOf({ app: 'myapp', environment: prod, environments: config.environments, previousTag, tag, version })
  test.each([
    ['v1.3.0', 'v1.2.4', undefined, true],
    ['myapp-v2.0.0', 'v1.9.9', undefined, true],
    ['v1.3.0', 'v1.3.0-rc.1', undefined, true],
    ['v1.3.0', 'v1.3.1', undefined, false],
    ['v1.3.0', 'v1.3.0', undefined, false],
    ['sha-abc1234', 'v1.0.0', undefined, false],
    [undefined, 'v1.0.0', undefined, false],
    ['v2.0.0', 'myapp-staging-abc1234', '1.5.0', true]
  ])('%s → %s (version %s): downgrade %s', (previous, tag, version, expected) => {
    expect(of(previous, tag, version) !== undefined).toBe(expected)
  })

  test('refused unless allowed, naming both versions and the way out', () => {
    const downgrade = of('v1.3.0', 'v1.2.4')
    expect(() => checkDowngrade(downgrade, false)).toThrow(
      /prod runs v1\.3\.0 \(1\.3\.0\); this moves it back to the older v1\.2\.4 \(1\.2\.4\)\. To roll back on purpose, set allow-downgrade: true/
    )
    expect(() => checkDowngrade(downgrade, true)).not.toThrow()
  })
})
