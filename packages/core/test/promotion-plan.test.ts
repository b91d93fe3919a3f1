import { describe, expect, test } from 'vitest'
import {
  checkGate,
  defaultGitopsConfig,
  parseGitopsConfig,
  releaseVersionOf,
  resolveRoute,
  tagValuesFromTemplate,
  targetTag,
  type PromotionRoute
} from '../src/index.js'

const config = defaultGitopsConfig()
const four = parseGitopsConfig(
  'environments:\n  - name: dev\n  - name: qa\n    tagTemplate: "{app}-qa-{sha}"\n  - name: staging\n  - name: prod\n',
  'gitops.yaml'
)

describe('resolveRoute', () => {
  test.each([
    [{ mode: 'auto-deploy' }, undefined, 'dev', []],
    [{ mode: 'promote', to: 'staging' }, 'dev', 'staging', []],
    [{ mode: 'promote', from: 'staging' }, 'staging', 'prod', []],
    [{ mode: 'promote', from: 'dev', to: 'prod', allowSkip: true }, 'dev', 'prod', ['staging']],
    [{ mode: 'auto-deploy', to: 'staging', allowSkip: true }, undefined, 'staging', ['dev']]
  ] as const)('%j', (request, from, to, skipped) => {
    const route = resolveRoute(config, { allowSkip: false, ...request })
    expect(route.from?.name).toBe(from)
    expect(route.to.name).toBe(to)
    expect(route.skipped).toEqual(skipped)
  })

  test.each([
    [{ mode: 'promote', from: 'dev', to: 'prod' }, /skips 'staging' \(dev → staging → prod\).*allow-skip: true/],
    [{ mode: 'promote', from: 'prod', to: 'dev' }, /'dev' comes before 'prod'.*promotions go forward/],
    [{ mode: 'promote', from: 'dev', to: 'dev', allowSkip: true }, /'dev' comes before 'dev'|promotions go forward/],
    [{ mode: 'promote' }, /needs 'to' \(or 'from'\): one of staging, prod/],
    [{ mode: 'promote', to: 'dev' }, /^'to': 'dev' is the first environment; new builds reach it by auto-deploy$/],
    [{ mode: 'promote', from: 'prod' }, /last environment; there is nothing to promote to/],
    [
      { mode: 'promote', to: 'qa' },
      /^'to': unknown environment 'qa'. Environments in the default configuration, in order: dev, staging, prod/
    ],
    [{ mode: 'auto-deploy', to: 'prod' }, /auto-deploys land in the first environment, 'dev'/],
    [{ mode: 'auto-deploy', from: 'dev' }, /^'from': only promotions start from an environment/]
  ] as const)('refuses %j', (request, message) => {
    expect(() => resolveRoute(config, { allowSkip: false, ...request })).toThrow(message)
  })

  test('order comes from gitops.yaml: qa sits between dev and staging', () => {
    expect(resolveRoute(four, { mode: 'promote', to: 'staging', allowSkip: false }).from?.name).toBe('qa')
    expect(() => resolveRoute(four, { mode: 'promote', from: 'dev', to: 'staging', allowSkip: false })).toThrow(/skips 'qa'/)
  })
})

describe('tagValuesFromTemplate', () => {
  test.each([
    ['sha-{sha}', 'sha-abc123d', { sha: 'abc123d' }],
    ['{app}-staging-{sha}', 'myapp-staging-abc123d', { sha: 'abc123d' }],
    ['{app}-{sha}-{timestamp}', 'myapp-abc123d-20241201-143022', { sha: 'abc123d', timestamp: '20241201-143022' }],
    ['{app}-v{version}', 'myapp-v1.3.0', { version: '1.3.0' }],
    ['v{version}', 'v1.3.0-rc.1', { version: '1.3.0-rc.1' }],
    ['{app}-staging-{sha}', 'other-staging-abc123d', undefined],
    ['sha-{sha}', 'sha-XYZ', undefined],
    ['{sha}.{sha}', 'abc1234.abc1234', { sha: 'abc1234' }],
    ['{sha}.{sha}', 'abc1234.abc1235', undefined]
  ])('%s on %s', (template, tag, expected) => {
    expect(tagValuesFromTemplate(template, tag, { app: 'myapp', env: 'staging' })).toEqual(expected)
  })
})

const route = (from: string | undefined, to: string, mode: 'promote' | 'auto-deploy' = 'promote'): PromotionRoute =>
  resolveRoute(config, { mode, from, to: from ? to : mode === 'auto-deploy' ? undefined : to, allowSkip: true })

describe('targetTag: the target environment convention', () => {
  test.each([
    ['dev → staging', route('dev', 'staging'), 'sha-abc123d', {}, 'myapp-staging-abc123d', undefined],
    ['dev (compute-tag form) → staging', route('dev', 'staging'), 'myapp-abc123d-20241201-143022', {}, 'myapp-staging-abc123d', undefined],
    ['staging → prod, version given', route('staging', 'prod'), 'myapp-staging-abc123d', { version: 'v1.3.0' }, 'v1.3.0', 'input'],
    [
      'staging → prod, version from the release tag on the commit',
      route('staging', 'prod'),
      'myapp-staging-abc123d',
      {
        releaseTags: [
          { name: 'v1.2.3', sha: '0000000aaaa' },
          { name: 'v1.3.0', sha: 'abc123def456' },
          { name: 'v1.3.0-rc.1', sha: 'abc123def456' }
        ]
      },
      'v1.3.0',
      'release-tag'
    ],
    ['prod tag carried along', route('staging', 'prod'), 'myapp-v2.0.0', {}, 'v2.0.0', 'tag'],
    [
      'auto-deploy of a compute-tag dev tag',
      route(undefined, 'dev', 'auto-deploy'),
      'myapp-abc123d-20241201-143022',
      {},
      'sha-abc123d',
      undefined
    ]
  ] as const)('%s', (_name, r, sourceTag, extra, expected, versionSource) => {
    const result = targetTag({ app: 'myapp', route: r, sourceTag, retag: true, ...extra })
    expect(result.tag).toBe(expected)
    expect(result.versionSource).toBe(versionSource)
  })

  test('keep-tag: the source tag as is', () => {
    expect(targetTag({ app: 'myapp', route: route('dev', 'staging'), sourceTag: 'sha-abc123d', retag: false }).tag).toBe('sha-abc123d')
  })

  test.each([
    [
      route('staging', 'prod'),
      'myapp-staging-abc123d',
      /needs a version.*Give the input 'version', or the input 'app-repository'.*commit abc123d/
    ],
    [route('dev', 'staging'), 'nightly', /needs the commit, and 'nightly' names none/],
    [route('staging', 'prod'), 'myapp-staging-abc123d', /not a semantic version/, { version: 'one' }]
  ] as const)('refuses %#', (r, sourceTag, message, extra = {}) => {
    expect(() => targetTag({ app: 'myapp', route: r, sourceTag, retag: true, ...extra })).toThrow(message)
  })

  test('releaseVersionOf picks the highest stable-or-pre version on that commit', () => {
    const tags = [
      { name: 'v1.3.0-rc.1', sha: 'abc123d0' },
      { name: 'v1.3.0', sha: 'abc123d0' },
      { name: 'v1.4.0', sha: 'fff' },
      { name: 'web-v9.0.0', sha: 'abc123d0' }
    ]
    expect(releaseVersionOf('abc123d', tags, 'v')).toBe('1.3.0')
    expect(releaseVersionOf('abc123d', tags, 'web-v')).toBe('9.0.0')
    expect(releaseVersionOf('0000000', tags, 'v')).toBeUndefined()
  })
})

describe('checkGate: what goes to an environment must run in the one before', () => {
  const staging = route('dev', 'staging')
  const source = { image: 'ghcr.io/org/myapp', tag: 'sha-abc123d', digest: undefined }
  const digest = (c: string) => `sha256:${c.repeat(64)}`

  test.each([
    ['no tag given: what runs in dev', undefined, undefined, 'sha-abc123d', 'source-overlay'],
    ['the tag that runs in dev', 'sha-abc123d', undefined, 'sha-abc123d', 'source-overlay'],
    [
      'another name of the same image (equal digests)',
      'myapp-abc123d-20241201-143022',
      { requested: digest('a'), source: digest('a') },
      'myapp-abc123d-20241201-143022',
      'registry-digest'
    ]
  ] as const)('%s', (_name, requestedTag, digests, tag, proof) => {
    const gate = checkGate({ route: staging, app: 'myapp', requestedTag, source, digests })
    expect(gate).toMatchObject({ tag, proof })
  })

  test.each([
    [
      'a tag that does not run in dev, no registry',
      'sha-fff0000',
      undefined,
      /refuses myapp sha-fff0000 for staging: dev runs sha-abc123d, and no registry was given/
    ],
    [
      'different digests',
      'sha-fff0000',
      { requested: digest('b'), source: digest('a') },
      /sha-fff0000 is sha256:b+, but dev runs sha-abc123d \(sha256:a+\)/
    ],
    ['the digest of the requested tag is unknown', 'sha-fff0000', { requested: undefined, source: digest('a') }, /no registry was given/]
  ] as const)('refuses %s', (_name, requestedTag, digests, message) => {
    expect(() => checkGate({ route: staging, app: 'myapp', requestedTag, source, digests })).toThrow(message)
  })

  test('a source overlay without the image is refused; auto-deploys need a tag', () => {
    expect(() => checkGate({ route: staging, app: 'myapp', requestedTag: undefined, source: undefined })).toThrow(
      /no image tag in its dev overlay/
    )
    const auto = route(undefined, 'dev', 'auto-deploy')
    expect(() => checkGate({ route: auto, app: 'myapp', requestedTag: undefined, source: undefined })).toThrow(
      /^'tag': required for auto-deploys/
    )
    expect(checkGate({ route: auto, app: 'myapp', requestedTag: 'sha-1234567', source: undefined }).proof).toBe('new-build')
  })

  test('a digest pinned in the source overlay is proof enough', () => {
    const pinned = { image: 'ghcr.io/org/myapp', tag: 'sha-abc123d', digest: digest('c') }
    expect(
      checkGate({ route: staging, app: 'myapp', requestedTag: 'other', source: pinned, digests: { requested: digest('c') } }).proof
    ).toBe('registry-digest')
  })
})
