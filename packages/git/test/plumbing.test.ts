import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { commitFiles, pushCommit } from '../src/index.js'

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bot',
  GIT_AUTHOR_EMAIL: 'bot@example.com',
  GIT_COMMITTER_NAME: 'Bot',
  GIT_COMMITTER_EMAIL: 'bot@example.com'
}
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env }).trim()

describe('commitFiles and pushCommit', () => {
  test('a commit over a tree without touching the checkout; a push that is not a fast-forward is rejected, not forced', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'remote-'))
    git(remote, 'init', '-q', '--bare', '-b', 'main')
    const a = mkdtempSync(join(tmpdir(), 'clone-a-'))
    git(a, 'clone', '-q', remote, '.')
    git(a, 'commit', '-q', '--allow-empty', '-m', 'init')
    git(a, 'push', '-q', 'origin', 'main')
    const base = git(a, 'rev-parse', 'HEAD')
    const tree = git(a, 'rev-parse', 'HEAD^{tree}')

    const first = await commitFiles(a, {
      baseTree: tree,
      files: [{ path: 'apps/x/k.yaml', text: 'a: 1\n' }],
      parents: [base],
      message: 'promote: x\n',
      env
    })
    expect(git(a, 'show', `${first}:apps/x/k.yaml`)).toBe('a: 1')
    expect(git(a, 'log', '-1', '--format=%P%n%s', first)).toBe(`${base}\npromote: x`)
    expect(git(a, 'status', '--porcelain')).toBe('')
    expect(git(a, 'rev-parse', 'HEAD')).toBe(base)
    expect(await pushCommit(a, 'origin', first, 'promote/x')).toBe('pushed')

    // Another writer's commit on the same base: not a descendant of the branch head, so refused.
    const other = await commitFiles(a, {
      baseTree: tree,
      files: [{ path: 'apps/x/k.yaml', text: 'a: 2\n' }],
      parents: [base],
      message: 'other\n',
      env
    })
    expect(await pushCommit(a, 'origin', other, 'promote/x')).toBe('rejected')
    expect(git(remote, 'rev-parse', 'promote/x')).toBe(first)
    // A child of the head is a fast-forward.
    const child = await commitFiles(a, {
      baseTree: tree,
      files: [{ path: 'apps/x/k.yaml', text: 'a: 3\n' }],
      parents: [first],
      message: 'next\n',
      env
    })
    expect(await pushCommit(a, 'origin', child, 'promote/x')).toBe('pushed')
    expect(git(remote, 'rev-parse', 'promote/x')).toBe(child)
  })
})
