// scripts/release.mjs (and adopt.mjs) on a temporary clone of this repository, with a bare remote:
// real git, real builds. The clone's actions are replaced by one tiny action (and the CLI entry by a stub), and its
// tsconfig covers only that action, so that each ncc build (which type-checks the tsconfig's files) takes a second or two.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { repoRoot } from './harness/run-action.js'
import { GitRepo } from './harness/git-repo.js'
import { compareVersions, parseVersion, pinWorkflow, releaseNotes } from '../scripts/release.mjs'
import { renameRepository } from '../scripts/adopt.mjs'
import { repositoryOf } from '../scripts/lib/repository.mjs'

let clone: GitRepo
let remote: string
let previous: string
let base: string

function script(name: string, args: string[], env: Record<string, string> = {}) {
  const { GITHUB_REPOSITORY: _, ...rest } = process.env
  const result = spawnSync(process.execPath, [join(clone.dir, 'scripts', name), ...args], {
    cwd: clone.dir,
    encoding: 'utf8',
    env: { ...rest, ...env }
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}
const release = (...args: string[]) => script('release.mjs', args)
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
  for (const file of ['release.mjs', 'build.mjs', 'workflows.mjs', 'adopt.mjs', 'lib/repository.mjs'])
    cpSync(join(repoRoot, 'scripts', file), join(clone.dir, 'scripts', file))
  for (const dir of ['workflows-templates', '.github', 'examples']) cpSync(join(repoRoot, dir), join(clone.dir, dir), { recursive: true })
  cpSync(join(repoRoot, 'package.json'), join(clone.dir, 'package.json'))
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
  // A workflow of ours that calls the action, and one that calls a reusable workflow.
  clone.write(
    'workflows-templates/hello.yml',
    'name: hello\non:\n  push:\n  workflow_call:\npermissions: {}\njobs:\n  hello:\n    runs-on: ubuntu-latest\n    steps:\n' +
      '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n      - uses: org/gitops-actions/hello@v1\n'
  )
  // The CLI bundle (every package behind it) would cost a minute per build; a stub entry keeps it.
  clone.write('packages/cli/src/index.ts', "console.log('cli')\n")
  const tsconfig = JSON.parse(clone.git('show', 'HEAD:tsconfig.json'))
  clone.write('tsconfig.json', JSON.stringify({ ...tsconfig, include: ['actions/*/src/**/*.ts'] }, null, 2) + '\n')
  symlinkSync(join(repoRoot, 'node_modules'), join(clone.dir, 'node_modules'))
  const build = spawnSync(process.execPath, [join(clone.dir, 'scripts', 'build.mjs')], { cwd: clone.dir, encoding: 'utf8' })
  expect(build.status, build.stderr).toBe(0)
  const workflows = spawnSync(process.execPath, [join(clone.dir, 'scripts', 'workflows.mjs')], { cwd: clone.dir, encoding: 'utf8' })
  expect(workflows.status, workflows.stderr).toBe(0)
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

  test('it runs in a repository that package.json does not name', () => {
    const result = script('release.mjs', ['--dry-run'], { GITHUB_REPOSITORY: 'acme/gitops-actions' })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(
      'release: package.json names org/gitops-actions, but this release runs in acme/gitops-actions: run `npm run adopt -- acme/gitops-actions`, commit, and release again'
    )
  })
})

describe('npm run adopt', () => {
  test('names another owner/name in package.json, the workflows and the docs, and the workflows stay generated', () => {
    const good = clone.head()
    try {
      const result = script('adopt.mjs', ['acme/platform-actions'])
      expect(result.status, result.stderr).toBe(0)
      expect(repositoryOf(JSON.parse(readFileSync(join(clone.dir, 'package.json'), 'utf8')))).toBe('acme/platform-actions')
      const left = spawnSync('git', ['grep', '-l', 'org/gitops-actions', '--', '*.yml', '*.md', ':!CHANGELOG.md', ':!test/**'], {
        cwd: clone.dir,
        encoding: 'utf8'
      })
      expect(left.stdout).toBe('')
      expect(readFileSync(join(clone.dir, 'workflows-templates', 'hello.yml'), 'utf8')).toContain('uses: acme/platform-actions/hello@v1')
      expect(readFileSync(join(clone.dir, '.github', 'workflows', 'hello.yml'), 'utf8')).toContain('uses: acme/platform-actions/hello@v1')
      const check = spawnSync(process.execPath, [join(clone.dir, 'scripts', 'workflows.mjs'), '--check'], {
        cwd: clone.dir,
        encoding: 'utf8'
      })
      expect(check.status, check.stderr).toBe(0)
      expect(script('adopt.mjs', ['not a repo']).status).toBe(2)
    } finally {
      clone.git('checkout', '-q', '--', '.')
      clone.git('reset', '-q', '--hard', good)
    }
  })

  test('renames whole names only', () => {
    const text =
      'uses: org/gitops-actions/x@v1\nuses: myorg/gitops-actions/x@v1\nsee org/gitops-actions-docs, org/gitops-actions.io, org/gitops-actions@v2 and `org/gitops-actions`.\n'
    expect(renameRepository(text, 'org/gitops-actions', 'acme/ga')).toBe(
      'uses: acme/ga/x@v1\nuses: myorg/gitops-actions/x@v1\nsee org/gitops-actions-docs, org/gitops-actions.io, acme/ga@v2 and `acme/ga`.\n'
    )
  })
})

describe('pinWorkflow', () => {
  const release = { repository: 'org/gitops-actions', commit: 'a'.repeat(40), tag: 'v1.4.0' }
  test('our actions at the commit, our reusable workflows at the tag, the rest as written', () => {
    const text = [
      '# uses: org/gitops-actions/compute-tag@v1 in a comment stays',
      'jobs:',
      '  ci:',
      '    uses: org/gitops-actions/.github/workflows/app-ci.yml@v1',
      '  build:',
      '    steps:',
      '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      '      - uses: org/gitops-actions/compute-tag@v1',
      "      - uses: 'org/gitops-actions/actions/bump-overlay@v1' # short form",
      '        with: { uses: org/gitops-actions/x@v1 }',
      '      - uses: other/gitops-actions/compute-tag@v1',
      ''
    ].join('\n')
    expect(pinWorkflow(text, release).split('\n')).toEqual([
      '# uses: org/gitops-actions/compute-tag@v1 in a comment stays',
      'jobs:',
      '  ci:',
      '    uses: org/gitops-actions/.github/workflows/app-ci.yml@v1.4.0',
      '  build:',
      '    steps:',
      '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      `      - uses: org/gitops-actions/compute-tag@${'a'.repeat(40)} # v1.4.0`,
      `      - uses: 'org/gitops-actions/actions/bump-overlay@${'a'.repeat(40)}' # v1.4.0`,
      '        with: { uses: org/gitops-actions/x@v1 }',
      '      - uses: other/gitops-actions/compute-tag@v1',
      ''
    ])
  })

  test('release notes are the section below the heading, up to the next', () => {
    const changelog = '# Changelog\n\n## 1.1.0\n\n### Fixed\n\n- A.\n\n## 1.0.0 (2026-12-04)\n\n- First.\n'
    expect(releaseNotes(changelog, '1.1.0')).toBe('### Fixed\n\n- A.\n')
    expect(releaseNotes(changelog, '1.0.0')).toBe('- First.\n')
    expect(releaseNotes(changelog, '1.0')).toBeNull()
  })
})

describe('a release', () => {
  test('--dry-run checks everything and prints the plan without tagging', () => {
    const result = release('--dry-run', '--push')
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toBe(
      `would create v1.2.3 at the release commit on ${clone.head()} (workflows pinned to org/gitops-actions/<action>@${clone.head()})\n` +
        `would move v1 from ${previous} to v1.2.3\nwould push v1.2.3 and v1 (forced) to origin\n`
    )
    expect(tags(clone.dir)).toEqual(['v1', 'v1.2.2'])
    expect(tags(remote)).toEqual(['v1', 'v1.2.2'])
  })

  test('creates the annotated vX.Y.Z on a release commit whose workflows run this release, moves vX to it, and pushes both', () => {
    const first = release('--push')
    expect(first.status, first.stderr).toBe(0)
    const head = clone.head()
    expect(first.stdout).toBe(
      `create v1.2.3 at the release commit on ${head} (workflows pinned to org/gitops-actions/<action>@${head})\n` +
        `move v1 from ${previous} to v1.2.3\npush v1.2.3 and v1 (forced) to origin\nreleased v1.2.3\n`
    )
    expect(tags(clone.dir)).toEqual(['v1', 'v1.2.2', 'v1.2.3'])
    expect(clone.git('cat-file', '-t', 'v1.2.3')).toBe('tag')
    expect(clone.git('cat-file', '-t', 'v1')).toBe('tag')
    const released = tagCommit(clone.dir, 'v1.2.3')
    // The release commit sits on HEAD, which stays where it was, with a clean tree.
    expect(clone.git('rev-parse', `${released}^`)).toBe(head)
    expect(clone.head()).toBe(head)
    expect(clone.git('status', '--porcelain')).toBe('')
    expect(tagCommit(clone.dir, 'v1')).toBe(released)
    expect(tagCommit(clone.dir, 'v1.2.2')).toBe(previous)
    expect(tagCommit(remote, 'v1')).toBe(released)
    expect(tagCommit(remote, 'v1.2.3')).toBe(released)
    // Only workflows differ from HEAD, and in them only our uses: lines.
    const changed = clone.git('diff', '--name-only', head, released).split('\n')
    expect(changed).toContain('workflows-templates/hello.yml')
    expect(changed).toContain('.github/workflows/hello.yml')
    expect(changed.every((file) => /(^|\/)(\.github\/workflows|workflows-templates)\/[^/]+\.yml$/.test(file))).toBe(true)
    const diff = clone.git('diff', '-U0', head, released)
    const removed = diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))
    expect(removed.length).toBeGreaterThan(4)
    expect(removed.every((l) => /^-\s*(- )?uses: org\/gitops-actions\//.test(l))).toBe(true)
    // As the runner would: a workflow pinned to the release (by tag or by its SHA) names the actions
    // of that release; fetch that ref from the remote and run the action's main.
    const workflow = new GitRepo(remote).git('show', `${released}:.github/workflows/hello.yml`)
    expect(workflow).toContain(`uses: org/gitops-actions/hello@${head} # v1.2.3`)
    const checkout = join(base, 'runner-hello')
    spawnSync('git', ['init', '-q', checkout])
    const runner = new GitRepo(checkout)
    runner.git('fetch', '-q', remote, head)
    runner.git('checkout', '-q', 'FETCH_HEAD')
    const main = /main:\s*(\S+)/.exec(readFileSync(join(checkout, 'hello', 'action.yml'), 'utf8'))![1]!
    const ran = spawnSync(process.execPath, [join(checkout, 'hello', main)], { encoding: 'utf8' })
    expect(ran.stdout).toBe('hello\n')
    // The examples call the reusable workflows at the release tag.
    const example = new GitRepo(remote).git('show', `${released}:examples/app-repo/.github/workflows/ci.yml`)
    expect(example).toContain('uses: org/gitops-actions/.github/workflows/app-ci.yml@v1.2.3')
  }, 120_000)

  test('--notes prints the CHANGELOG section of the version', () => {
    const notes = release('--notes')
    expect(notes.status, notes.stderr).toBe(0)
    expect(notes.stdout).toBe('- Something.\n')
    expect(release('--notes', '9.9.9').stderr).toContain('release: CHANGELOG.md has no "## 9.9.9" section')
  })

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
