// scripts/release.mjs on a temporary clone of this repository, with a bare remote: real git, real
// builds. The clone's actions are replaced by one tiny action (and the CLI entry by a stub), and its
// tsconfig covers only that action, so that each ncc build (which type-checks the tsconfig's files) takes a second or two.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { repoRoot } from './harness/run-action.js'
import { GitRepo } from './harness/git-repo.js'
import { compareVersions, parseVersion } from '../scripts/release.mjs'

let clone: GitRepo
let remote: string
let previous: string
let base: string

function release(...args: string[]) {
  const result = spawnSync(process.execPath, [join(clone.dir, 'scripts', 'release.mjs'), ...args], { cwd: clone.dir, encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}
const tags = (dir: string) => new GitRepo(dir).git('tag', '--list').split('\n').filter(Boolean).sort()
const tagCommit = (dir: string, tag: string) => new GitRepo(dir).git('rev-parse', `${tag}^{commit}`)
const setVersion = (version: string, changelog = `# Changelog\n\n## ${version}\n\n- Something.\n`) => {
  const pkg = JSON.parse(clone.git('show', 'HEAD:package.json'))
  clone.write('package.json', JSON.stringify({ ...pkg, version }, null, 2) + '\n')
  clone.write('CHANGELOG.md', changelog)
  clone.commit(`release ${version}`)
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'release-'))
  remote = join(base, 'remote.git')
  spawnSync('git', ['init', '-q', '--bare', remote])
  spawnSync('git', ['clone', '-q', repoRoot, join(base, 'clone')])
  clone = new GitRepo(join(base, 'clone'))
  clone.git('config', 'user.email', 'dev@example.com')
  clone.git('config', 'user.name', 'Dev')
  clone.git('remote', 'set-url', 'origin', remote)
  // The scripts under test as they are in this working tree (the same as committed, in CI).
  for (const script of ['release.mjs', 'build.mjs', 'workflows.mjs'])
    cpSync(join(repoRoot, 'scripts', script), join(clone.dir, 'scripts', script))
  for (const dir of ['workflows-templates', '.github']) cpSync(join(repoRoot, dir), join(clone.dir, dir), { recursive: true })
  for (const name of readdirSync(join(clone.dir, 'actions'))) {
    rmSync(join(clone.dir, 'actions', name), { recursive: true, force: true })
    rmSync(join(clone.dir, name), { recursive: true, force: true })
  }
  rmSync(join(clone.dir, 'dist'), { recursive: true, force: true })
  clone.write(
    'actions/hello/action.yml',
    'name: hello\ndescription: Says hello.\nruns:\n  using: node24\n  main: ../../dist/hello/index.js\n'
  )
  clone.write('actions/hello/src/index.ts', "console.log('hello')\n")
  // The CLI bundle (every package behind it) would cost a minute per build; a stub entry keeps it.
  clone.write('packages/cli/src/index.ts', "console.log('cli')\n")
  const tsconfig = JSON.parse(clone.git('show', 'HEAD:tsconfig.json'))
  clone.write('tsconfig.json', JSON.stringify({ ...tsconfig, include: ['actions/*/src/**/*.ts'] }, null, 2) + '\n')
  symlinkSync(join(repoRoot, 'node_modules'), join(clone.dir, 'node_modules'))
  const build = spawnSync(process.execPath, [join(clone.dir, 'scripts', 'build.mjs')], { cwd: clone.dir, encoding: 'utf8' })
  expect(build.status, build.stderr).toBe(0)
  clone.commit('one tiny action')
  // An earlier release, which the major tag points at and the next release moves it from.
  setVersion('1.2.2')
  previous = clone.head()
  clone.git('tag', '-a', 'v1.2.2', '-m', 'v1.2.2')
  clone.git('tag', '-a', 'v1', '-m', 'v1')
  clone.git('push', '-q', 'origin', 'v1.2.2', 'v1')
  setVersion('1.2.3')
}, 120_000)

afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('release.mjs refuses, and tags nothing, when', () => {
  test('the working tree has uncommitted changes', () => {
    writeFileSync(join(clone.dir, 'stray.txt'), 'x')
    const result = release('--dry-run')
    rmSync(join(clone.dir, 'stray.txt'))
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/release: the working tree has uncommitted changes:\n\?\? stray.txt/)
    expect(tags(clone.dir)).toEqual(['v1', 'v1.2.2'])
  })

  test('dist/ is not what the sources build', () => {
    const good = clone.head()
    clone.commit('edit the bundle by hand', { 'dist/hello/index.js': "console.log('tampered')\n" })
    const result = release()
    clone.git('reset', '-q', '--hard', good)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('release: build outputs are stale (run npm run build and commit): dist/hello/index.js')
    expect(tags(clone.dir)).toEqual(['v1', 'v1.2.2'])
  })

  test('CHANGELOG.md has no section for the version', () => {
    const good = clone.head()
    setVersion('1.2.3', '# Changelog\n\n## 1.2.2\n')
    const result = release()
    clone.git('reset', '-q', '--hard', good)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('release: CHANGELOG.md has no "## 1.2.3" section')
  })

  test('the version is not X.Y.Z', () => {
    const good = clone.head()
    setVersion('1.2')
    const result = release()
    clone.git('reset', '-q', '--hard', good)
    expect(result.stderr).toContain('release: package.json: version "1.2" is not X.Y.Z')
  })

  test('an option is unknown', () => {
    expect(release('--dryrun').stderr).toContain('release: unknown option --dryrun')
  })
})

describe('a release', () => {
  test('--dry-run checks everything and prints the plan without tagging', () => {
    const result = release('--dry-run', '--push')
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(
      `would create v1.2.3 at ${clone.head()}\nwould move v1 from ${previous} to ${clone.head()}\nwould push v1.2.3 and v1 (forced) to origin\n`
    )
    expect(tags(clone.dir)).toEqual(['v1', 'v1.2.2'])
    expect(tags(remote)).toEqual(['v1', 'v1.2.2'])
  })

  test('creates the annotated vX.Y.Z, moves vX to it, and pushes both', () => {
    const first = release('--push')
    expect(first.status, first.stderr).toBe(0)
    const head = clone.head()
    expect(first.stdout).toBe(
      `create v1.2.3 at ${head}\nmove v1 from ${previous} to ${head}\npush v1.2.3 and v1 (forced) to origin\nreleased v1.2.3\n`
    )
    expect(tags(clone.dir)).toEqual(['v1', 'v1.2.2', 'v1.2.3'])
    expect(clone.git('cat-file', '-t', 'v1.2.3')).toBe('tag')
    expect(clone.git('cat-file', '-t', 'v1')).toBe('tag')
    expect(tagCommit(clone.dir, 'v1.2.3')).toBe(head)
    expect(tagCommit(clone.dir, 'v1')).toBe(head)
    expect(tagCommit(clone.dir, 'v1.2.2')).toBe(previous)
    expect(tagCommit(remote, 'v1')).toBe(head)
    expect(tagCommit(remote, 'v1.2.3')).toBe(head)
  }, 120_000)

  test('refuses a version that is released or older than the latest release', () => {
    expect(release().stderr).toContain('release: v1.2.3 is already released: raise the version in package.json')
    setVersion('1.2.1')
    expect(release().stderr).toContain('release: package.json: version 1.2.1 is older than the latest release v1.2.3')
  })
})

describe('versions', () => {
  test.each([
    ['1.2.3', [1, 2, 3, '']],
    ['2.0.0-rc.1', [2, 0, 0, 'rc.1']],
    ['1.2', null],
    ['v1.2.3', null],
    ['01.2.3', null]
  ])('parseVersion(%s)', (version, parsed) => {
    expect(parseVersion(version)).toEqual(parsed)
  })

  test('sort in semver order, a pre-release before its release', () => {
    expect(['1.10.0', '1.2.0', '2.0.0', '2.0.0-rc.1', '1.2.0-alpha'].sort(compareVersions)).toEqual([
      '1.2.0-alpha',
      '1.2.0',
      '1.10.0',
      '2.0.0-rc.1',
      '2.0.0'
    ])
  })
})
