import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { node24, repoRoot } from '../../../test/harness/run-action.js'
import { COMMANDS, main } from '../src/main.js'
import { BIN, testTerminal } from './test-terminal.js'

const terminal = (cwd?: string) => testTerminal({ cwd })

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
    expect(human.out[2]).toBe(`patch: fix: second (${repo.head().slice(0, 7)}, angular preset)`)
    const rules = terminal(repo.dir)
    expect(await main(['tag', '--app', 'myapp', '-e', 'prod', '--release-rules', '[{type: fix, release: minor}]'], rules.t)).toBe(0)
    expect(rules.out[0]).toBe('myapp-v1.1.0  (myapp, prod)')
  })

  test.each([
    [['tag'], 2, /--app is required/],
    [['tag', '--app', 'myapp', '--nope'], 2, /Unknown option '--nope'/],
    [['frobnicate'], 2, /unknown command 'frobnicate'. Commands: validate, status, tag, bump, promote, protect/],
    [[], 2, undefined],
    [['tag', '--app', 'My_App'], 3, /^error: --app: 'My_App' is not a valid app name/],
    [
      ['tag', '--app', 'myapp', '--tag-template', 'dev={sha}\nbroken'],
      3,
      /^error: --tag-template: the line 'broken' is not of the form env=template$/
    ],
    [['tag', '--app', 'myapp', '--env', 'qa'], 3, /^error: --environment: no tag template for 'qa'/],
    [['tag', '--app', 'myapp', 'one', 'two'], 2, /expected at most one directory, got: one two/],
    [['tag', '--app', 'myapp', '--preset', 'eslint'], 2, /--preset 'eslint' is not valid. Valid values are: angular, conventionalcommits/],
    [['tag', '--app', 'myapp', '--release-rules', '[{type: fix}]'], 3, /^error: --release-rules: rule 1 has no 'release'/],
    [['promote', '--dry-run', '--app', 'myapp', '--to', 'qa'], 3, /^error: --to: unknown environment 'qa'/],
    [['protect', '--repository', 'org/config-repo', '--kind', 'config'], 4, /No GitHub token: pass --token or set GITHUB_TOKEN/],
    [['protect', '--repository', 'org/config-repo', '--kind', 'both'], 2, /--kind must be 'app' or 'config'/],
    [['protect', '--kind', 'config'], 2, /--repository owner\/name is required/],
    [
      ['protect', '--repo', 'org/a', '--repository', 'org/b', '--kind', 'config'],
      2,
      /--repo is the former name of --repository, and the two disagree: give --repository only/
    ]
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const { t, err } = terminal(repo.dir)
    expect(await main(argv, t)).toBe(code)
    if (message) expect(err.join('\n')).toMatch(message)
    expect(err.join('\n')).not.toMatch(/\n\s+at /)
  })

  test('--help for every command lists its options and the common ones; the overview lists every command', async () => {
    for (const command of COMMANDS) {
      const { t, out } = terminal()
      expect(await main([command.name, '--help'], t)).toBe(0)
      const help = out.join('\n')
      expect(help).toContain(`Usage: gitops-actions ${command.usage}`)
      for (const option of [...Object.keys(command.options), 'json', 'help']) expect(help).toContain(`--${option}`)
    }
    const { t, out } = terminal()
    expect(await main(['--help'], t)).toBe(0)
    for (const command of COMMANDS) expect(out.join('\n')).toMatch(new RegExp(`^  ${command.name} +${command.summary.slice(0, 20)}`, 'm'))
  })

  test("--version prints package.json's version, the release the CLI was built from", async () => {
    const { t, out } = terminal()
    expect(await main(['--version'], t)).toBe(0)
    expect(out).toEqual([JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version])
  })

  test('the package bin runs the bundle, with colour only on request', () => {
    const bin = BIN
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
    expect(failed.status).toBe(3)
    expect(failed.stderr).toBe('error: /nonexistent is not a directory: give the app repository checkout\n')
    // The bundle knows its release without package.json beside it (the npm package has its own).
    expect(execFileSync(node24, [bin, '--version'], { encoding: 'utf8' })).toBe(
      `${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}\n`
    )
  })
})
