// The command line as users get it: `npm run pack-cli`'s tarball, run through npx on Node 20 and
// Node 24 with an empty npm cache and no network use (the package has no dependencies).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { node24, repoRoot } from '../../../test/harness/run-action.js'
import { packCli } from '../../../scripts/pack-cli.mjs'

/** A Node.js of `major` on PATH, outside node_modules (the machine's own), or undefined. */
function systemNode(major: number): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const node = join(dir, 'node')
    if (dir.includes('node_modules') || !existsSync(node)) continue
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
    if (version.startsWith(`v${major}.`)) return node
  }
  return undefined
}

let dir: string
let tarball: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pack-cli-test-'))
  tarball = packCli(join(dir, 'out'))
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the packed command line', () => {
  test('is the bundle, its bin, LICENSE and a manifest without dependencies', () => {
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version
    expect(tarball).toMatch(new RegExp(`gitops-actions-${version.replace(/\./g, '\\.')}\\.tgz$`))
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
    expect(files).toContain('package/bin/gitops-actions.js')
    expect(files).toContain('package/dist/index.js')
    expect(files).toContain('package/LICENSE')
    expect(files.filter((f) => !/^package\/(bin\/gitops-actions\.js|dist\/.+|LICENSE|README\.md|package\.json)$/.test(f))).toEqual([])
    const manifest = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' }))
    expect(manifest).toMatchObject({ name: 'gitops-actions', version, bin: { 'gitops-actions': 'bin/gitops-actions.js' }, license: 'MIT' })
    expect(manifest.dependencies).toBeUndefined()
  })

  const node20 = systemNode(20)
  test.each([
    ['Node 20', node20],
    ['Node 24', node24]
  ])(
    'runs with npx on %s',
    (name, node) => {
      if (!node) throw new Error(`${name} is not on PATH (outside node_modules): the package must be tried on it`)
      const repo = GitRepo.create('packed-cli-app')
      repo.commit('feat: first')
      const cache = join(dir, `cache-${name.replace(' ', '')}`)
      const npx = join(node, '..', process.platform === 'win32' ? 'npx.cmd' : 'npx')
      // npx of the machine's Node, or npm's own npx-cli for the Node 24 of node_modules (it has no npm).
      const command = existsSync(npx)
        ? [npx]
        : [node, join(execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim(), 'npm', 'bin', 'npx-cli.js')]
      const result = spawnSync(
        command[0]!,
        [...command.slice(1), '--yes', '--package', tarball, 'gitops-actions', 'tag', '--app', 'myapp', '-e', 'staging', repo.dir],
        {
          encoding: 'utf8',
          cwd: dir,
          env: {
            PATH: `${join(node, '..')}${delimiter}${process.env.PATH}`,
            HOME: dir,
            npm_config_cache: cache,
            npm_config_offline: 'true'
          }
        }
      )
      expect(result.stderr).not.toMatch(/ERR!/)
      expect(result.status, result.stderr).toBe(0)
      expect(result.stdout).toContain(`myapp-staging-${repo.head().slice(0, 7)}`)
      const version = spawnSync(command[0]!, [...command.slice(1), '--yes', '--package', tarball, 'node', '--version'], {
        encoding: 'utf8',
        cwd: dir,
        env: { PATH: `${join(node, '..')}${delimiter}${process.env.PATH}`, HOME: dir, npm_config_cache: cache, npm_config_offline: 'true' }
      })
      expect(version.stdout.trim()).toMatch(new RegExp(`^v${name.slice(5)}\\.`))
    },
    120_000
  )
})
