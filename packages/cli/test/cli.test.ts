import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { node24, repoRoot } from '../../../test/harness/run-action.js'
import { main } from '../src/main.js'
import type { Terminal } from '../src/terminal.js'

function terminal(cwd = repoRoot, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const t: Terminal = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, interactive: false, env, cwd }
  return { t, out, err }
}

describe('gitops-actions CLI', () => {
  const repo = GitRepo.create('cli-app')
  repo.commit('feat: first')
  repo.tag('v1.0.0')
  repo.commit('fix: second', {}, '2024-12-01T14:30:22Z')

  test('tag prints the tag and, with --json, the same result as the action', async () => {
    const human = terminal(repo.dir)
    expect(await main(['tag', '--app', 'myapp', '-e', 'prod'], human.t)).toBe(0)
    expect(human.out[0]).toBe('myapp-v1.0.1  (myapp, prod)')
    const json = terminal(repo.dir)
    expect(await main(['tag', '--app', 'myapp', '--json', '--image', 'ghcr.io/org/myapp'], json.t)).toBe(0)
    const result = JSON.parse(json.out.join('\n'))
    expect(result).toMatchObject({ tag: `myapp-${repo.head().slice(0, 7)}-20241201-143022`, version: '1.0.1', bump: 'patch' })
    expect(result.tags).toContain(`ghcr.io/org/myapp:sha-${repo.head().slice(0, 7)}`)
  })

  test.each([
    [['tag'], 2, /--app is required/],
    [['tag', '--app', 'myapp', '--nope'], 2, /Unknown option '--nope'/],
    [['frobnicate'], 2, /unknown command 'frobnicate'. Commands: tag, protect/],
    [[], 2, undefined],
    [['tag', '--app', 'My_App'], 1, /error: Input 'app': 'My_App' is not a valid app name/],
    [['protect', '--repo', 'org/config-repo', '--kind', 'config'], 1, /No GitHub token/],
    [['protect', '--repo', 'org/config-repo', '--kind', 'both'], 2, /--kind must be 'app' or 'config'/]
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const { t, err } = terminal(repo.dir)
    expect(await main(argv, t)).toBe(code)
    if (message) expect(err.join('\n')).toMatch(message)
    expect(err.join('\n')).not.toMatch(/\n\s+at /)
  })

  test('--help for every command lists its options and the common ones', async () => {
    for (const command of ['tag', 'protect']) {
      const { t, out } = terminal()
      expect(await main([command, '--help'], t)).toBe(0)
      expect(out.join('\n')).toMatch(/Usage: gitops-actions /)
      expect(out.join('\n')).toContain('--json')
    }
  })

  test('the package bin runs the bundle, with colour only on request', () => {
    const bin = join(repoRoot, 'packages', 'cli', 'bin', 'gitops-actions.js')
    const plain = execFileSync(node24, [bin, 'tag', '--app', 'myapp', '-e', 'staging', repo.dir], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH }
    })
    expect(plain).toContain(`myapp-staging-${repo.head().slice(0, 7)}`)
    expect(plain).not.toContain('\u001b[')
    const colour = execFileSync(node24, [bin, 'tag', '--app', 'myapp', repo.dir], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, FORCE_COLOR: '1' }
    })
    expect(colour).toContain('\u001b[1m')
    const failed = spawnSync(node24, [bin, 'tag', '--app', 'myapp', '/nonexistent'], { encoding: 'utf8' })
    expect(failed.status).toBe(1)
    expect(failed.stderr).toMatch(/is not a git checkout/)
  })
})
