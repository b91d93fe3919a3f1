import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { snapshotFiles } from '../../../test/harness/file-snapshot.js'
import { runAction } from '../../../test/harness/run-action.js'
import { terminalSafe } from '../src/terminal.js'
import { exampleCheckout, runBin, runCli } from './test-terminal.js'

const DEV = 'apps/myapp/overlays/dev/kustomization.yaml'

// Each changing run renders one overlay with real kustomize (≈0.3 s).
describe('gitops-actions bump', () => {
  test('--dry-run prints the diff and writes nothing; the real run writes exactly that diff; a second run changes nothing', async () => {
    const repo = exampleCheckout('cli-bump')
    const before = snapshotFiles(repo.dir)
    const argv = ['bump', '--app', 'myapp', '--env', 'dev', '--image', 'myapp', '--tag', 'sha-def4567']
    const dry = await runCli([...argv, '--dry-run'], { cwd: repo.dir })
    expect(dry.code).toBe(0)
    expect(dry.text()).toBe(
      [
        `--- a/${DEV}`,
        `+++ b/${DEV}`,
        '@@ -13,4 +13,4 @@',
        ' images:',
        ' - name: myapp',
        '   newName: ghcr.io/org/myapp',
        '-  newTag: "sha-abc123d"  # Auto-updated by CI',
        '+  newTag: "sha-def4567"  # Auto-updated by CI',
        'Would change 1 file in 1 overlay (dry run: nothing written).'
      ].join('\n')
    )
    expect(snapshotFiles(repo.dir)).toEqual(before)

    const real = await runCli([...argv.slice(0, 3), '-e', 'dev', ...argv.slice(5)], { cwd: repo.dir })
    expect(real.code).toBe(0)
    expect(real.out.at(-1)).toBe('Changed 1 file in 1 overlay.')
    expect(real.out.slice(0, -1)).toEqual(dry.out.slice(0, -1))
    expect(repo.git('status', '--porcelain')).toBe(`M ${DEV}`)
    expect(readFileSync(join(repo.dir, DEV), 'utf8')).toContain('newTag: "sha-def4567"  # Auto-updated by CI')

    const again = await runCli([...argv, '--json'], { cwd: repo.dir })
    expect(again.code).toBe(0)
    expect(JSON.parse(again.text())).toMatchObject({ changed: false, files: [], written: [], diff: '', previousTag: 'sha-def4567' })
  })

  test("a tag prod refuses: exit 3 with the rule, nothing written; the CLI names --tag where the action says Input 'tag'", async () => {
    const repo = exampleCheckout('cli-bump-prod')
    const before = snapshotFiles(repo.dir)
    const run = await runBin(['bump', '--app', 'myapp', '-e', 'prod', '--image', 'myapp', '--tag', 'sha-def4567', repo.dir], {
      env: { FORCE_COLOR: '1' }
    })
    const detail = "overlay apps/myapp/overlays/prod: 'sha-def4567' does not match the tags allowed in prod"
    expect(run.code).toBe(3)
    expect(run.stdout).toBe('')
    expect(run.stderr.startsWith(`\u001b[31merror\u001b[39m: --tag: ${detail}`)).toBe(true)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(snapshotFiles(repo.dir)).toEqual(before)

    // The same mistake through the action's bundle: the same words, the parameter named as an input.
    const action = await runAction('bump-overlay', {
      workspace: repo.dir,
      inputs: { app: 'myapp', environment: 'prod', image: 'myapp', tag: 'sha-def4567' }
    })
    expect(action.exitCode).toBe(1)
    const errors = action.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message.startsWith(`bump-overlay: Input 'tag': ${detail}`)).toBe(true)
    expect(snapshotFiles(repo.dir)).toEqual(before)
  })

  test.each([
    [['bump', '--image', 'myapp', '--tag', 'v1.0.0'], 2, /give --app and --environment, or --overlay/],
    [['bump', '--app', 'myapp', '-e', 'dev', '--tag', 'v1.0.0'], 2, /--image is required/],
    [['bump', '--app', 'myapp', '-e', 'dev', '--image', 'myapp'], 2, /give --tag, --digest or both/],
    [
      ['bump', '--app', 'myapp', '-e', 'qa', '--image', 'myapp', '--tag', 'v1.0.0', 'examples/config-repo'],
      3,
      /error: --environment: unknown environment 'qa'. Environments in gitops.yaml: dev, staging, prod/
    ]
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const run = await runCli(argv)
    expect(run.code).toBe(code)
    expect(run.errors()).toMatch(message)
    expect(run.out).toEqual([])
  })
})

describe('terminal control sequences from the repository (issue 20)', () => {
  test('terminalSafe keeps our colours and drops everything else a repository could smuggle in', () => {
    const hostile =
      'a\u001b]0;pwned title\u0007b\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\c\u001b[2J\u001b[1;1Hd\re\u009bf\u0000g'
    expect(terminalSafe(hostile)).toBe('ablinkcdefg')
    expect(terminalSafe('\u001b[31mred\u001b[39m')).toBe('\u001b[31mred\u001b[39m')
    expect(terminalSafe('\u001b[31mred\u001b[39m', false)).toBe('red')
  })

  test('the built CLI prints a tag holding an OSC title and a screen clear (YAML escapes) as plain text', async () => {
    const repo = exampleCheckout('cli-status-escapes')
    const file = join(repo.dir, DEV)
    writeFileSync(file, readFileSync(file, 'utf8').replace('newTag: "sha-abc123d"', 'newTag: "sha-abc123d\\e]0;pwned\\a\\e[2Jx"'))
    const run = await runBin(['status', '--no-render', repo.dir], { env: { FORCE_COLOR: '1' } })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('sha-abc123dx')
    // eslint-disable-next-line no-control-regex
    expect(run.stdout).not.toMatch(/\u001b\]|\u0007|\u001b\[2J/)
    expect(run.stdout).toContain('\u001b[1mAPP') // our own styles stay
  })
})
