import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { snapshotFiles } from '../../../test/harness/file-snapshot.js'
import { ALIAS_BOMB, commandsTheRunnerRuns, LOW_TOOL_BOUNDS, WORKFLOW_COMMAND_LINES } from '../../../test/harness/hostile-input.js'
import { repoRoot, runAction } from '../../../test/harness/run-action.js'

// A pull request is hostile input (issue 20): attacks on bump-overlay, started as the runner starts it.

const EXAMPLE = join(repoRoot, 'examples', 'config-repo')
const DEV = 'apps/myapp/overlays/dev/kustomization.yaml'
const PROD = 'apps/myapp/overlays/prod/kustomization.yaml'
const env = LOW_TOOL_BOUNDS

function configRepo(): { workspace: string; repo: string } {
  const workspace = mkdtempSync(join(tmpdir(), 'hostile-bump-'))
  const repo = join(workspace, 'config')
  cpSync(EXAMPLE, repo, { recursive: true })
  return { workspace, repo }
}

function edit(repo: string, path: string, change: (text: string) => string): void {
  writeFileSync(join(repo, path), change(readFileSync(join(repo, path), 'utf8')))
}

const errors = (run: Awaited<ReturnType<typeof runAction>>) => run.annotations.filter((a) => a.level === 'error')
const dev = (tag: string) => ({ 'working-directory': 'config', app: 'myapp', environment: 'dev', image: 'myapp', tag })

describe('bump-overlay on hostile repository content', { timeout: 120_000 }, () => {
  test('an alias bomb in the base is refused before kustomize runs; nothing is written', async () => {
    const { workspace, repo } = configRepo()
    writeFileSync(join(repo, 'apps/myapp/base/bomb.yaml'), ALIAS_BOMB)
    edit(repo, 'apps/myapp/base/kustomization.yaml', (t) => t.replace('resources:\n', 'resources:\n- bomb.yaml\n'))
    const files = snapshotFiles(workspace)
    const run = await runAction('bump-overlay', { workspace, env, inputs: dev('sha-def4567') })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0]!.message).toMatch(/apps\/myapp\/base\/bomb\.yaml expands YAML aliases too far.*alias bomb/)
    expect(snapshotFiles(workspace)).toEqual(files)
  })

  test('workflow commands in the diff are printed inert: the runner acts on none of them', async () => {
    const { workspace, repo } = configRepo()
    const block = WORKFLOW_COMMAND_LINES.map((line) => `    ${line}`).join('\n')
    edit(repo, DEV, (t) => `${t}commonAnnotations:\n  note: |2\n${block}\n`)
    const run = await runAction('bump-overlay', { workspace, env, inputs: dev('sha-def4567') })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('      ::error file=apps/x.yaml,line=1::injected annotation') // a diff context line, shown …
    expect(commandsTheRunnerRuns(run.stdout).filter((c) => c.line.includes('injected') || c.line.includes('hidden'))).toEqual([]) // … never run
    expect(run.outputs.changed).toBe('true')
  })

  test('environment=dev cannot write a sha tag into the prod overlay: the overlay decides the rules', async () => {
    const { workspace, repo } = configRepo()
    const files = snapshotFiles(workspace)
    const run = await runAction('bump-overlay', {
      workspace,
      env,
      inputs: {
        'working-directory': 'config',
        overlays: 'apps/myapp/overlays/prod',
        environment: 'dev',
        image: 'myapp',
        tag: 'sha-def4567'
      }
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]!.message).toMatch(
      /Input 'environment': 'dev' does not match overlay apps\/myapp\/overlays\/prod, which is prod's/
    )
    expect(snapshotFiles(workspace)).toEqual(files)
    expect(readFileSync(join(repo, PROD), 'utf8')).toContain('newTag: "v1.2.3"')
  })

  // semver.org's grammar: no leading zeros, no empty pre-release identifier; `-` is a letter there.
  test.each([
    ['v01.02.03', false],
    ['v1.2.3-.', false],
    ['v1.2.3-01', false],
    ['v1.2.3--', true],
    ['v1.2.3-rc.1', true]
  ])('prod tag %s is accepted: %s', async (tag, accepted) => {
    const { workspace } = configRepo()
    const run = await runAction('bump-overlay', {
      workspace,
      env,
      inputs: { 'working-directory': 'config', app: 'myapp', environment: 'prod', image: 'myapp', tag, 'dry-run': 'true' }
    })
    expect(run.exitCode).toBe(accepted ? 0 : 1)
    if (!accepted) expect(errors(run)[0]!.message).toContain('does not match the tags allowed in prod')
  })

  test(
    'allowedTags ^(a+)+$ answers at once for a 31-character tag; lookaround is refused at its gitops.yaml line',
    async () => {
      const { workspace, repo } = configRepo()
      edit(repo, 'gitops.yaml', (t) =>
        // A function as replacement: in a replacement string `$'` means the text after the match.
        t.replace('  - name: dev\n    namespace: app-dev\n', () => "  - name: dev\n    namespace: app-dev\n    allowedTags: ['^(a+)+$']\n")
      )
      const slow = await runAction('bump-overlay', { workspace, env, inputs: dev(`${'a'.repeat(30)}b`) })
      expect(slow.exitCode).toBe(1)
      expect(errors(slow)[0]!.message).toMatch(/Input 'tag': .*does not match the tags allowed in dev/)

      edit(repo, 'gitops.yaml', (t) => t.replace("allowedTags: ['^(a+)+$']", () => "allowedTags: ['^(?=sha-).*$']"))
      const lookahead = await runAction('bump-overlay', { workspace, env, inputs: dev('sha-def4567') })
      expect(lookahead.exitCode).toBe(1)
      expect(errors(lookahead)[0]!.properties.file).toBe('config/gitops.yaml')
      expect(errors(lookahead)[0]!.message).toMatch(/environments\[0\]\.allowedTags\[0\]: .*RE2/)
    },
    // A backtracking engine needs about a minute for this tag: the test's own limit is the proof.
    20_000
  )

  test.each(['../outside', '/tmp'])("working-directory '%s' is refused and nothing outside is written", async (path) => {
    const { workspace } = configRepo()
    const outside = join(workspace, '..', 'outside')
    const run = await runAction('bump-overlay', {
      workspace: join(workspace, 'config'),
      env,
      inputs: { ...dev('sha-def4567'), 'working-directory': path }
    })
    expect(run.exitCode).toBe(1)
    expect(errors(run)[0]!.message).toMatch(/Input 'working-directory':.*(out of the workspace|absolute)/)
    expect(existsSync(outside)).toBe(false)
  })

  test('overlays as a glob pattern: every matching overlay changes; a pattern that matches none is an error', async () => {
    const { workspace, repo } = configRepo()
    cpSync(join(repo, 'apps/myapp'), join(repo, 'apps/web'), { recursive: true })
    const run = await runAction('bump-overlay', {
      workspace,
      env,
      inputs: { 'working-directory': 'config', overlays: 'apps/*/overlays/dev', image: 'myapp', tag: 'sha-def4567' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.overlays).toBe('apps/myapp/overlays/dev\napps/web/overlays/dev')
    expect(readFileSync(join(repo, 'apps/web/overlays/dev/kustomization.yaml'), 'utf8')).toContain('newTag: "sha-def4567"')
    expect(readFileSync(join(repo, PROD), 'utf8')).toContain('newTag: "v1.2.3"')

    const none = await runAction('bump-overlay', {
      workspace,
      env,
      inputs: { 'working-directory': 'config', overlays: 'apps/*/overlays/qa', image: 'myapp', tag: 'sha-def4567' }
    })
    expect(none.exitCode).toBe(1)
    expect(errors(none)[0]!.message).toMatch(/Input 'overlays': the pattern 'apps\/\*\/overlays\/qa' matches no overlay/)
  })

  test('SIGTERM in the middle of the write phase leaves every overlay changed or none, and no temp file', async () => {
    const { workspace, repo } = configRepo()
    // 40 apps with large kustomization files, so that writing them takes long enough to be interrupted.
    const padding = `# ${'x'.repeat(1000)}\n`.repeat(800)
    edit(repo, DEV, (t) => t + padding)
    for (let i = 1; i < 40; i++) cpSync(join(repo, 'apps/myapp'), join(repo, `apps/app${String(i).padStart(2, '0')}`), { recursive: true })
    const overlays = readdirSync(join(repo, 'apps')).map((app) => join(repo, 'apps', app, 'overlays/dev/kustomization.yaml'))
    let signalled = false
    const run = await runAction('bump-overlay', {
      workspace,
      env,
      inputs: { 'working-directory': 'config', overlays: 'apps/*/overlays/dev', image: 'myapp', tag: 'sha-def4567' },
      // 40 renders before the write phase: minutes on a loaded 2-core machine.
      timeoutMs: 240_000,
      onStart: (child) => {
        // The first temp file beside the first overlay marks the write phase: cancel then, as GitHub does.
        const watcher = watch(join(repo, 'apps/app01/overlays/dev'), (_event, name) => {
          if (!signalled && name?.endsWith('.tmp')) {
            signalled = true
            child.kill('SIGTERM')
            watcher.close()
          }
        })
        child.on('exit', () => watcher.close())
      }
    })
    expect(signalled).toBe(true)
    const tags = overlays.map((file) => /newTag: "([^"]+)"/.exec(readFileSync(file, 'utf8'))![1])
    expect(new Set(tags).size).toBe(1)
    const leftovers = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? leftovers(join(dir, e.name)) : e.name.endsWith('.tmp') ? [e.name] : []
      )
    expect(leftovers(repo)).toEqual([])
    expect([0, 143]).toContain(run.exitCode)
    if (run.exitCode === 143) expect(errors(run).some((a) => a.message.includes('cancelled (SIGTERM)'))).toBe(true)
  }, 300_000)
})
