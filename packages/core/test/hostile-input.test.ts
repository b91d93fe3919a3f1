import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import { describe, expect, test } from 'vitest'
import {
  checkYamlAliases,
  defaultGitopsConfig,
  DiskRepoReader,
  environmentTagProblem,
  expandOverlayPatterns,
  globMatches,
  parseGitopsConfig,
  tagMatches,
  tagPatternProblem
} from '../src/index.js'

// Issue 20: what a pull request can put in gitops.yaml and the overlays, checked where core decides.

const prod = defaultGitopsConfig().environments.find((e) => e.name === 'prod')!

describe("prod's tags are strict SemVer 2.0", () => {
  // Each verdict agrees with the semver package (semver.org's grammar); `-` is a letter there.
  test.each(['v1.2.3', 'v0.0.0', 'v1.2.3-rc.1', 'v1.2.3--', 'v1.2.3-0a', 'v1.2.3-x-y.0', 'myapp-v2.0.0'])('%s is allowed', (tag) => {
    expect(semver.valid(tag.replace(/^(myapp-)?v/, ''))).not.toBeNull()
    expect(environmentTagProblem(tag, prod, 'myapp')).toBeUndefined()
  })
  test.each(['v01.02.03', 'v1.02.3', 'v1.2.3-.', 'v1.2.3-01', 'v1.2.3-a..b', 'v1.2', 'v1.2.3-'])('%s is refused', (tag) => {
    expect(semver.valid(tag.slice(1))).toBeNull()
    expect(environmentTagProblem(tag, prod, 'myapp')).toMatch(/does not match the tags allowed in prod/)
  })
})

describe('tag patterns run in linear time', () => {
  test('^(a+)+$ on a 31-character tag answers at once (a backtracking engine takes about a minute)', () => {
    expect(tagMatches('^(a+)+$', `${'a'.repeat(30)}!`)).toBe(false)
    expect(tagMatches('^(a+)+$', 'a'.repeat(31))).toBe(true)
  })
  test.each(['^(?=sha-).*$', '^(a)\\1$', '(?<!x)y'])('%s (no linear-time equivalent) is refused at its gitops.yaml line', (pattern) => {
    expect(tagPatternProblem(pattern)).toMatch(/RE2/)
    const text = `version: 1\nenvironments:\n  - name: dev\n    allowedTags:\n      - '${pattern}'\n`
    expect(() => parseGitopsConfig(text)).toThrow(expect.objectContaining({ location: expect.objectContaining({ line: 5 }) }))
  })
})

describe('gitops.yaml', () => {
  test.each([
    ['layout:\n  overlay: ../{app}/{env}\n', 2, /layout\.overlay: '\.\.\/\{app\}\/\{env\}' leads out of the repository/],
    ['layout:\n  overlay: /etc/{app}/{env}\n', 2, /absolute path/],
    ['kustomize:\n  remoteResources: [https://github.com]\n', 2, /remoteResources/]
  ])('%s is refused at its line', (yaml, line, message) => {
    expect(() => parseGitopsConfig(`version: 1\n${yaml}`)).toThrow(expect.objectContaining({ message: expect.stringMatching(message) }))
    expect(() => parseGitopsConfig(`version: 1\n${yaml}`)).toThrow(
      expect.objectContaining({ location: expect.objectContaining({ line: line + 1 }) })
    )
  })
  test('kustomize.remoteResources lists hosts', () => {
    expect(parseGitopsConfig('kustomize:\n  remoteResources: [GitHub.com, "*.example.com"]\n').kustomize).toEqual({
      remoteResources: ['github.com', '*.example.com']
    })
    expect(defaultGitopsConfig().kustomize.remoteResources).toEqual([])
  })
})

describe('alias bombs in files kustomize reads', () => {
  test('a bomb is refused at its line; ordinary anchors and invalid YAML are left alone', () => {
    const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    expect(() => checkYamlAliases(bomb, 'bomb.yaml')).toThrow(/bomb\.yaml expands YAML aliases too far/)
    expect(() => checkYamlAliases('a: &x {k: v}\nb: *x\n', 'ok.yaml')).not.toThrow()
    expect(() => checkYamlAliases('a: [*\n', 'broken.yaml')).not.toThrow()
  })
})

describe('overlay glob patterns', () => {
  test.each([
    ['*', 'anything', true],
    ['my*', 'myapp', true],
    ['*app', 'web', false],
    ['a?c', 'abc', true],
    ['*a*a*a*a*a*a*a*b', 'a'.repeat(200), false]
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected)
  })

  test('patterns expand to overlay directories in order, never out of the repository', async () => {
    const root = mkdtempSync(join(tmpdir(), 'overlay-patterns-'))
    for (const app of ['web', 'api', 'docs']) {
      mkdirSync(join(root, 'apps', app, 'overlays/dev'), { recursive: true })
      if (app !== 'docs') writeFileSync(join(root, 'apps', app, 'overlays/dev/kustomization.yaml'), 'resources: []\n')
    }
    const reader = new DiskRepoReader(root)
    expect(await expandOverlayPatterns(reader, ['apps/web/overlays/dev', 'apps/*/overlays/dev'], { parameter: 'overlays' })).toEqual([
      'apps/web/overlays/dev',
      'apps/api/overlays/dev'
    ])
    await expect(expandOverlayPatterns(reader, ['../*/overlays/dev'], { parameter: 'overlays' })).rejects.toThrow(
      /leads out of the repository/
    )
    await expect(expandOverlayPatterns(reader, ['apps/*/overlays/qa'], { parameter: 'overlays' })).rejects.toThrow(/matches no overlay/)
  })
})
