import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  discoverApps,
  kustomizationChain,
  loadGitopsConfig,
  parseGitopsConfig,
  readEnvironmentStatus,
  resolveOverlayImages,
  tagFacts,
  UserError,
  versionDistance,
  type EnvironmentConfig
} from '../src/index.js'

const EXAMPLE = join(import.meta.dirname, '../../../examples/config-repo')

/** Writes a config repo from a path → content table into a fresh temp dir. */
function configRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'status-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

function overlay(images: string, extra = ''): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\n${extra}images:\n${images}`
}

const BASE = 'resources: []\n'

/** The UserError a call throws (and a failed test when it throws nothing or something else). */
function userError(fn: () => unknown): UserError {
  const thrown = ((): unknown => {
    try {
      fn()
    } catch (error) {
      return error
    }
  })()
  expect(thrown).toBeInstanceOf(UserError)
  return thrown as UserError
}

describe('what a tag tells', () => {
  const staging: EnvironmentConfig[] = loadGitopsConfig(EXAMPLE).environments
  test.each([
    ['sha-abc123d', { commit: 'abc123d', template: 'sha-{sha}' }],
    ['myapp-abc123def-20241201-143022', { commit: 'abc123def', builtAt: '20241201-143022' }],
    ['myapp-staging-abc123d', { commit: 'abc123d', template: '{app}-staging-{sha}' }],
    ['staging-abc123d', { commit: 'abc123d' }],
    ['v1.2.3', { version: '1.2.3', template: 'v{version}' }],
    ['myapp-v1.3.0-rc.1', { version: '1.3.0-rc.1' }],
    ['1.4.0', { version: '1.4.0' }],
    ['latest', {}],
    ['otherapp-staging-abc123d', {}],
    ['v1.2', {}]
  ])('%s', (tag, facts) => {
    const read = tagFacts(tag, 'myapp', staging)
    expect(read).toMatchObject(facts)
    if (Object.keys(facts).length === 0) expect(read).toEqual({})
  })

  test('a gitops.yaml tag template is recognised', () => {
    const config = parseGitopsConfig('environments:\n  - name: dev\n  - name: qa\n    tagTemplate: "{app}-qa-{sha}-{date}"\n')
    expect(tagFacts('shop-qa-0a1b2c3-20250101', 'shop', config.environments)).toEqual({
      commit: '0a1b2c3',
      template: '{app}-qa-{sha}-{date}'
    })
  })

  test.each([
    ['1.2.3', '1.4.0', { part: 'minor', count: 2 }],
    ['1.2.3', '1.2.4', { part: 'patch', count: 1 }],
    ['1.9.9', '3.0.0', { part: 'major', count: 2 }],
    ['1.3.0-rc.1', '1.3.0', { part: 'prerelease', count: 1 }],
    ['1.4.0', '1.2.3', undefined],
    ['1.2.3', '1.2.3', undefined]
  ])('%s up to %s', (older, newer, distance) => {
    expect(versionDistance(older, newer)).toEqual(distance)
  })
})

describe('the images an overlay sets', () => {
  test('an overlay entry naming an image the base already renamed changes nothing, and says so', () => {
    const repo = configRepo({
      'apps/a/base/kustomization.yaml': 'images:\n- name: a\n  newName: ghcr.io/org/a\n',
      'apps/a/overlays/dev/kustomization.yaml': overlay('- name: a\n  newTag: sha-abc123d\n')
    })
    const { images, problems } = resolveOverlayImages(kustomizationChain(repo, 'apps/a/overlays/dev'))
    expect(images).toEqual([expect.objectContaining({ name: 'a', reference: 'ghcr.io/org/a', setInOverlay: false })])
    expect(problems).toEqual([
      {
        message:
          "apps/a/overlays/dev/kustomization.yaml: the images entry 'a' changes nothing: apps/a/base/kustomization.yaml:2 already renames 'a' to 'ghcr.io/org/a', so this entry must be named 'ghcr.io/org/a'",
        location: expect.objectContaining({ file: 'apps/a/overlays/dev/kustomization.yaml', line: 6 })
      }
    ])
  })

  test.each([
    [
      'the overlay sets the tag',
      'images:\n- name: a\n  newName: r.io/a\n',
      '- name: r.io/a\n  newTag: "20241201"\n',
      'r.io/a:20241201',
      true
    ],
    [
      'the base tag when the overlay only renames',
      'images:\n- name: a\n  newTag: v1.0.0\n',
      '- name: a\n  newName: r.io/a\n',
      'r.io/a:v1.0.0',
      false
    ],
    [
      'a digest replaces the tag',
      'images:\n- name: a\n  newTag: v1.0.0\n',
      `- name: a\n  digest: sha256:${'a'.repeat(64)}\n`,
      `a@sha256:${'a'.repeat(64)}`,
      true
    ],
    [
      'tag and digest together',
      '',
      `- name: a\n  newTag: v2.0.0\n  digest: sha256:${'b'.repeat(64)}\n`,
      `a:v2.0.0@sha256:${'b'.repeat(64)}`,
      true
    ],
    ['an unquoted number tag', '', '- name: a\n  newTag: 1.10\n', 'a:1.1', true]
  ])('%s', (_name, base, images, reference, setInOverlay) => {
    const repo = configRepo({ 'apps/a/base/kustomization.yaml': base || BASE, 'apps/a/overlays/dev/kustomization.yaml': overlay(images) })
    const { images: resolved, problems } = resolveOverlayImages(kustomizationChain(repo, 'apps/a/overlays/dev'))
    expect(problems).toEqual([])
    expect(resolved.map((i) => [i.reference, i.setInOverlay])).toEqual([[reference, setInOverlay]])
  })

  test.each([
    ['images: {name: a}\n', 'apps/a/overlays/dev/kustomization.yaml', 1, /images must be a list/],
    ['images:\n- newTag: x\n', 'apps/a/overlays/dev/kustomization.yaml', 2, /images\[0\] needs a name/],
    [
      'resources:\n- ../../../../../etc\n',
      'apps/a/overlays/dev/kustomization.yaml',
      2,
      /'..\/..\/..\/..\/..\/etc' leads outside the repository/
    ],
    ['resources:\n- /etc\n', 'apps/a/overlays/dev/kustomization.yaml', 2, /absolute path/],
    ['images:\n- name: a\n- name: a\n  name: b\n', 'apps/a/overlays/dev/kustomization.yaml', 4, /Duplicate key/]
  ])('%j is refused at its line', (text, file, line, message) => {
    const repo = configRepo({ 'apps/a/overlays/dev/kustomization.yaml': text })
    const error = userError(() => readEnvironmentStatus(repo))
    expect(error.message).toMatch(message)
    expect(error.location).toMatchObject({ file, line })
  })

  test('a symlinked base leading out of the repository is refused', () => {
    const outside = configRepo({ 'kustomization.yaml': BASE })
    const repo = configRepo({ 'apps/a/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\n' })
    symlinkSync(outside, join(repo, 'apps/a/base'))
    expect(userError(() => readEnvironmentStatus(repo)).message).toMatch(/'..\/..\/base' leads outside the repository/)
  })
})

describe('apps from the layout', () => {
  test('a custom layout, environments from gitops.yaml, directories without a kustomization ignored', () => {
    const repo = configRepo({
      'gitops.yaml': 'layout:\n  overlay: "deploy/{env}/{app}"\nenvironments:\n  - name: test\n  - name: live\n',
      'deploy/test/alpha/kustomization.yaml': BASE,
      'deploy/live/beta/kustomization.yaml': BASE,
      'deploy/live/notes/README.md': 'not an app',
      'deploy/other/gamma/kustomization.yaml': BASE
    })
    expect(discoverApps(repo, loadGitopsConfig(repo))).toEqual(['alpha', 'beta'])
    const status = readEnvironmentStatus(repo)
    expect(status.environments).toEqual(['test', 'live'])
    expect(status.apps.find((a) => a.app === 'alpha')!.environments.map((e) => [e.overlay, e.present])).toEqual([
      ['deploy/test/alpha', true],
      ['deploy/live/alpha', false]
    ])
    expect(status.apps.find((a) => a.app === 'alpha')!.steps[0]).toMatchObject({
      state: 'unknown',
      detail: 'no overlay for live (deploy/live/alpha)'
    })
  })

  test('asking for an app that has no overlay names the apps there are', () => {
    expect(userError(() => readEnvironmentStatus(EXAMPLE, { apps: ['nope'] })).message).toBe(
      "Unknown app 'nope': no overlay matches apps/{app}/overlays/{env} for it. Apps found: myapp"
    )
  })
})

describe('the example config repo, from its files', () => {
  const status = readEnvironmentStatus(EXAMPLE)

  test('every environment with its tag, commit or version, and where it is set', () => {
    expect(status.configFile).toBe('gitops.yaml')
    const cells = status.apps[0]!.environments
    expect(cells.map((c) => [c.environment, c.images.map((i) => [i.reference, i.commit, i.version, i.setBy.file, i.setBy.line])])).toEqual([
      ['dev', [['ghcr.io/org/myapp:sha-abc123d', 'abc123d', undefined, 'apps/myapp/overlays/dev/kustomization.yaml', 14]]],
      [
        'staging',
        [['ghcr.io/org/myapp:myapp-staging-abc123d', 'abc123d', undefined, 'apps/myapp/overlays/staging/kustomization.yaml', 15]]
      ],
      ['prod', [['ghcr.io/org/myapp:v1.2.3', undefined, '1.2.3', 'apps/myapp/overlays/prod/kustomization.yaml', 15]]]
    ])
    expect(cells.flatMap((c) => c.problems)).toEqual([])
  })

  test('staging runs the commit dev runs; prod runs a release no version of staging can be ordered against', () => {
    expect(status.apps[0]!.steps.map((s) => [s.from, s.to, s.state, s.detail])).toEqual([
      ['dev', 'staging', 'in-sync', 'in sync with dev (commit abc123d)'],
      ['staging', 'prod', 'differs', 'differs from staging (v1.2.3 vs myapp-staging-abc123d; no version known for staging)']
    ])
  })

  test('the status is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(status))).toEqual(status)
  })

  test('the example kustomization files are left as they were', () => {
    const before = readdirSync(join(EXAMPLE, 'apps/myapp/overlays/dev')).map((f) =>
      readFileSync(join(EXAMPLE, 'apps/myapp/overlays/dev', f), 'utf8')
    )
    readEnvironmentStatus(EXAMPLE)
    expect(
      readdirSync(join(EXAMPLE, 'apps/myapp/overlays/dev')).map((f) => readFileSync(join(EXAMPLE, 'apps/myapp/overlays/dev', f), 'utf8'))
    ).toEqual(before)
  })
})

describe('drift section of gitops.yaml', () => {
  test('the default expects replicas, autoscaling bounds, config values and the version label', () => {
    expect(loadGitopsConfig(configRepo({})).drift.expected).toEqual({
      '*': ['metadata.labels[app.kubernetes.io/version]', 'spec.template.metadata.labels[app.kubernetes.io/version]'],
      Deployment: ['spec.replicas'],
      StatefulSet: ['spec.replicas'],
      HorizontalPodAutoscaler: ['spec.minReplicas', 'spec.maxReplicas'],
      ConfigMap: ['data.*']
    })
  })

  test('the example declares its own list, which replaces the default', () => {
    expect(loadGitopsConfig(EXAMPLE).drift.expected.Deployment).toEqual([
      'spec.replicas',
      'spec.template.spec.containers[myapp].env[ENVIRONMENT].value'
    ])
    expect(loadGitopsConfig(EXAMPLE).drift.expected.StatefulSet).toBeUndefined()
  })

  test.each([
    [
      'drift:\n  expected:\n    Deployment: ["spec..replicas"]\n',
      3,
      /^drift\.expected\.Deployment\[0\]: 'spec\.\.replicas' is not a field path such as spec\.replicas/
    ],
    ['drift:\n  expected:\n    Deployment: spec.replicas\n', 3, /^drift\.expected\.Deployment: expected a list, found 'spec\.replicas'$/],
    ['drift:\n  expect: {}\n', 2, /^drift: unknown key 'expect' \(did you mean 'expected'\?\); valid keys: expected$/],
    ['drift:\n  expected:\n    "apps/v1": []\n', 3, /^drift\.expected: the key 'apps\/v1' is not a kind \(e\.g\. Deployment\) or \*$/]
  ])('%j is refused at its line', (text, line, message) => {
    const error = userError(() => parseGitopsConfig(text))
    expect(error.message).toMatch(message)
    expect(error.location).toMatchObject({ file: 'gitops.yaml', line })
  })
})
