import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ALIAS_BOMB, LOW_TOOL_BOUNDS } from '../../../test/harness/hostile-input.js'
import { runAction } from '../../../test/harness/run-action.js'

// A pull request is hostile input (issue 20): each case is an attack on validate-manifests as it runs
// on a pull request, started as the runner starts the bundle.

const example = join(resolve(import.meta.dirname, '../../..'), 'examples/config-repo')
const env = { GITHUB_REPOSITORY: 'org/config-repo', ...LOW_TOOL_BOUNDS }
const DEV = 'apps/myapp/overlays/dev'

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-validate-'))
  cpSync(example, dir, { recursive: true })
  return dir
}

function addResource(dir: string, overlay: string, entry: string): number {
  const file = join(dir, overlay, 'kustomization.yaml')
  const text = readFileSync(file, 'utf8').replace('resources:\n', `resources:\n- ${entry}\n`)
  writeFileSync(file, text)
  return text.split('\n').indexOf(`- ${entry}`) + 1
}

function errors(run: Awaited<ReturnType<typeof runAction>>) {
  return run.annotations.filter((a) => a.level === 'error')
}

describe('validate-manifests on a hostile pull request', { timeout: 120_000 }, () => {
  test('a 342-byte alias bomb as an overlay resource is refused at its line before kustomize runs', async () => {
    const dir = workspace()
    writeFileSync(join(dir, DEV, 'bomb.yaml'), ALIAS_BOMB)
    addResource(dir, DEV, 'bomb.yaml')
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'all' } })
    expect(run.exitCode).toBe(1)
    const bomb = errors(run).filter((a) => a.properties.file === `${DEV}/bomb.yaml`)
    expect(bomb.length).toBeGreaterThan(0)
    expect(bomb[0]!.message).toMatch(/alias bomb/)
    expect(bomb[0]!.properties.line).toMatch(/^\d+$/)
    expect(run.stdout).not.toMatch(/bug in gitops-actions/)
  })

  test('an alias bomb as the patch file of a transformers: config (which the kustomization never names) is refused too', async () => {
    const dir = workspace()
    writeFileSync(join(dir, DEV, 'bomb.yaml'), ALIAS_BOMB)
    writeFileSync(
      join(dir, DEV, 'scale.yaml'),
      'apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: scale\npath: bomb.yaml\ntarget:\n  kind: Deployment\n'
    )
    const file = join(dir, DEV, 'kustomization.yaml')
    writeFileSync(file, `${readFileSync(file, 'utf8')}\ntransformers:\n- scale.yaml\n`)
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize' } })
    expect(run.exitCode).toBe(1)
    const bomb = errors(run).filter((a) => a.properties.file === `${DEV}/bomb.yaml`)
    expect(bomb.map((a) => a.message)).toEqual([expect.stringMatching(/alias bomb/)])
    expect(run.stdout).not.toMatch(/bug in gitops-actions/)
  })

  test.each([
    ['https://example.invalid/deploy.yaml', 'example.invalid'],
    ['github.com/org/repo//deploy?ref=v1.0.0', 'github.com'],
    ['git@github.com:org/repo.git//deploy', 'github.com'],
    ['ssh://git@gitlab.example.com/org/repo.git', 'gitlab.example.com']
  ])('a remote resource %s is refused at the line that names it, with the reason', async (entry, host) => {
    const dir = workspace()
    const line = addResource(dir, DEV, entry)
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize' } })
    expect(run.exitCode).toBe(1)
    const remote = errors(run).filter((a) => a.message.includes('is remote'))
    expect(remote).toHaveLength(1)
    expect(remote[0]!.properties).toMatchObject({ file: `${DEV}/kustomization.yaml`, line: String(line) })
    expect(remote[0]!.message).toContain(`(${host})`)
    expect(remote[0]!.message).toContain("gitops.yaml's kustomize.remoteResources")
  })

  test('configMapGenerator files and helm charts from the network are refused too; an allowed host is not', async () => {
    const dir = workspace()
    const file = join(dir, DEV, 'kustomization.yaml')
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}configMapGenerator:\n- name: remote\n  files:\n  - config.json=https://config.example.net/config.json\n`
    )
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize' } })
    expect(run.exitCode).toBe(1)
    expect(errors(run).find((a) => a.message.includes('is remote (config.example.net)'))?.properties.file).toBe(`${DEV}/kustomization.yaml`)

    writeFileSync(
      join(dir, 'gitops.yaml'),
      `${readFileSync(join(dir, 'gitops.yaml'), 'utf8')}kustomize:\n  remoteResources: ['not a host']\n`
    )
    const bad = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize' } })
    expect(bad.exitCode).toBe(1)
    expect(errors(bad)[0]!.properties.file).toBe('gitops.yaml')
  })

  test('sarif-file through a symlinked directory, or at a symlink, never writes outside the workspace', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'hostile-outside-'))
    writeFileSync(join(outside, 'victim'), 'precious\n')
    const dir = workspace()
    symlinkSync(outside, join(dir, 'reports'))
    symlinkSync(join(outside, 'victim'), join(dir, 'results.sarif'))

    const throughDir = await runAction('validate-manifests', {
      workspace: dir,
      env,
      inputs: { checks: 'kustomize', 'sarif-file': 'reports/out.sarif' }
    })
    expect(throughDir.exitCode).toBe(1)
    expect(errors(throughDir)[0]!.message).toMatch(/Input 'sarif-file':.*leads out of the workspace/)
    expect(existsSync(join(outside, 'out.sarif'))).toBe(false)

    const atLink = await runAction('validate-manifests', {
      workspace: dir,
      env,
      inputs: { checks: 'kustomize', 'sarif-file': 'results.sarif' }
    })
    expect(atLink.exitCode).toBe(1)
    expect(errors(atLink)[0]!.message).toMatch(/Input 'sarif-file':.*leads out of the workspace/)
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('precious\n')

    const outsidePath = await runAction('validate-manifests', {
      workspace: dir,
      env,
      inputs: { checks: 'kustomize', 'sarif-file': join(outside, 'x.sarif') }
    })
    expect(outsidePath.exitCode).toBe(1)
    expect(errors(outsidePath)[0]!.message).toMatch(/Input 'sarif-file'/)
    expect(existsSync(join(outside, 'x.sarif'))).toBe(false)
  })

  test('a sarif-file inside the workspace is written as a regular file by rename, no temp file left', async () => {
    const dir = workspace()
    const run = await runAction('validate-manifests', {
      workspace: dir,
      env,
      inputs: { checks: 'kustomize', 'sarif-file': 'reports/validate.sarif' }
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'reports/validate.sarif'), 'utf8')).version).toBe('2.1.0')
  })

  test('gitops.yaml symlinked to a file outside the workspace is refused, naming it', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'hostile-outside-'))
    writeFileSync(join(outside, 'secret.yaml'), 'version: 1\n')
    const dir = workspace()
    rmSync(join(dir, 'gitops.yaml'))
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'gitops.yaml'))
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize' } })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0]!.message).toMatch(/gitops\.yaml.*symlink.*leads out of the repository/)
  })

  test("layout.overlay '../…' is refused at its gitops.yaml line", async () => {
    const dir = workspace()
    const gitops = readFileSync(join(dir, 'gitops.yaml'), 'utf8')
    writeFileSync(join(dir, 'gitops.yaml'), gitops.replace('  overlay: apps/{app}/overlays/{env}', '  overlay: ../../etc/{app}/{env}'))
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize' } })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0]!.properties.file).toBe('gitops.yaml')
    expect(errors(run)[0]!.message).toMatch(/layout\.overlay.*leads out of the repository/)
  })

  test('an overlay directory symlinked to / is not walked: an error at the Flux Kustomization, not an internal error', async () => {
    const dir = workspace()
    rmSync(join(dir, DEV), { recursive: true })
    symlinkSync('/', join(dir, DEV))
    const run = await runAction('validate-manifests', { workspace: dir, env, inputs: { checks: 'kustomize,flux' } })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).not.toMatch(/bug in gitops-actions|EACCES|\/proc/)
    expect(errors(run).find((a) => a.message.includes(`spec.path '${DEV}' is a symlink`))?.properties.file).toMatch(/^cluster-configs\//)
  })

  test.each(['../', '/etc'])("working-directory '%s' outside the workspace is refused", async (path) => {
    const dir = workspace()
    mkdirSync(join(dir, 'sub'))
    const run = await runAction('validate-manifests', { workspace: join(dir, 'sub'), env, inputs: { 'working-directory': path } })
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0]!.message).toMatch(/Input 'working-directory':.*(out of the workspace|absolute)/)
  })
})
