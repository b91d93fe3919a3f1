import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  applyFileEdits,
  checkLayoutName,
  DiskRepoReader,
  layoutPath,
  matchLayoutPath,
  MemoryRepoReader,
  normalizeRepoPath,
  prefixErrorLocation,
  prefixLocation,
  resolveInRepo,
  UserError,
  userErrorText
} from '../src/index.js'
import { snapshotFiles } from '../../../test/harness/file-snapshot.js'

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'config-repo')

function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'repo-paths-'))
  cpSync(EXAMPLE, dir, { recursive: true })
  return dir
}

describe('repo paths', () => {
  test.each([
    ['apps/myapp/overlays/dev', 'apps/myapp/overlays/dev'],
    ['./apps/myapp/overlays/dev/', 'apps/myapp/overlays/dev'],
    ['apps/myapp/../myapp/overlays/dev', 'apps/myapp/overlays/dev'],
    ['.', '.']
  ])('normalizeRepoPath(%j) is %j', (input, expected) => {
    expect(normalizeRepoPath(input, "Input 'overlays'")).toBe(expected)
  })

  test.each([
    ['../outside', /Input 'overlays': '..\/outside' leads out of the repository/],
    ['apps/../../outside', /leads out of the repository/],
    ['/etc/passwd', /is an absolute path/],
    ['apps\\myapp', /contains a backslash/],
    ['', /the path is empty/]
  ])('normalizeRepoPath refuses %j', (input, message) => {
    expect(() => normalizeRepoPath(input, "Input 'overlays'")).toThrow(message)
  })

  test.each([
    [{ app: 'myapp', env: 'prod' }, 'apps/myapp/overlays/prod'],
    [{ app: '../etc', env: 'prod' }, /^'app': '..\/etc' may only contain lower-case letters/],
    [{ app: 'myapp', env: 'prod/../../x' }, /^'environment': 'prod\/..\/..\/x' may only contain/],
    [{ app: 'MyApp', env: 'prod' }, /^'app'/],
    [{ app: 'myapp' }, /^'environment': needed to fill/]
  ])('layoutPath(%j)', (names, expected) => {
    const run = () => layoutPath('apps/{app}/overlays/{env}', names)
    if (typeof expected === 'string') expect(run()).toBe(expected)
    else expect(run).toThrow(expected)
  })

  test('matchLayoutPath reads app and env back', () => {
    expect(matchLayoutPath('apps/{app}/overlays/{env}', 'apps/myapp/overlays/prod')).toEqual({ app: 'myapp', env: 'prod' })
    expect(matchLayoutPath('clusters/{env}/{app}', 'clusters/dev/api')).toEqual({ app: 'api', env: 'dev' })
    expect(matchLayoutPath('apps/{app}/overlays/{env}', 'other/myapp')).toBeUndefined()
    expect(() => checkLayoutName('a'.repeat(64), 'x')).toThrow(/at most 63/)
  })

  test('symlinks leading out of the repo are refused; inside the repo a symlinked file is never edited', () => {
    const repo = tempRepo()
    const outside = mkdtempSync(join(tmpdir(), 'outside-'))
    writeFileSync(join(outside, 'kustomization.yaml'), 'resources: []\n')
    symlinkSync(outside, join(repo, 'apps/myapp/overlays/evil'))
    expect(() => resolveInRepo(repo, 'apps/myapp/overlays/evil/kustomization.yaml', 'Overlay')).toThrow(
      /symlink .* leads out of the repository/
    )
    symlinkSync('kustomization.yaml', join(repo, 'apps/myapp/overlays/dev/link.yaml'))
    expect(() => resolveInRepo(repo, 'apps/myapp/overlays/dev/link.yaml', 'File', { mustBeFile: true })).toThrow(
      /is a symlink; only regular files/
    )
    expect(resolveInRepo(repo, 'apps/myapp/overlays/dev/missing.yaml', 'File')).toBe(join(repo, 'apps/myapp/overlays/dev/missing.yaml'))
  })

  test('DiskRepoReader and MemoryRepoReader list and read alike', async () => {
    const repo = tempRepo()
    const disk = new DiskRepoReader(repo)
    const dir = 'apps/myapp/overlays/dev'
    const names = (await disk.list(dir))!.map((e) => e.name)
    const memory = new MemoryRepoReader(Object.fromEntries(names.map((n) => [`${dir}/${n}`, readFileSync(join(repo, dir, n), 'utf8')])))
    expect(await memory.list(dir)).toEqual(await disk.list(dir))
    expect(await memory.read(`${dir}/kustomization.yaml`)).toBe(await disk.read(`${dir}/kustomization.yaml`))
    expect(await disk.read(`${dir}/nope.yaml`)).toBeUndefined()
    expect(await disk.list('apps/nope')).toBeUndefined()
    expect(await memory.list('apps')).toEqual([{ name: 'myapp', type: 'dir' }])
  })
})

describe('applyFileEdits: all or nothing', () => {
  const a = 'apps/myapp/overlays/dev/kustomization.yaml'
  const b = 'apps/myapp/overlays/prod/kustomization.yaml'

  const snapshot = (repo: string) => snapshotFiles(repo)

  test('writes every file, keeps modes, leaves no temp file', () => {
    const repo = tempRepo()
    chmodSync(join(repo, b), 0o640)
    const before = snapshot(repo)
    const written = applyFileEdits(repo, [
      { path: a, before: before[a]!, after: before[a]!.replace('sha-abc123d', 'sha-def4567') },
      { path: b, before: before[b]!, after: before[b]!.replace('v1.2.3', 'v1.3.0') },
      {
        path: 'apps/myapp/base/service.yaml',
        before: before['apps/myapp/base/service.yaml']!,
        after: before['apps/myapp/base/service.yaml']!
      }
    ])
    expect(written).toEqual([a, b])
    const now = snapshot(repo)
    expect(Object.keys(now)).toEqual(Object.keys(before))
    expect(now[a]).toContain('sha-def4567')
    expect(now[b]).toContain('v1.3.0')
    expect(readdirSync(join(repo, 'apps/myapp/overlays/prod')).some((n) => n.endsWith('.tmp'))).toBe(false)
  })

  test('a file changed since the plan: nothing is written', () => {
    const repo = tempRepo()
    const before = snapshot(repo)
    expect(() =>
      applyFileEdits(repo, [
        { path: a, before: before[a]!, after: 'x' },
        { path: b, before: 'something else', after: 'y' }
      ])
    ).toThrow(/prod\/kustomization.yaml changed on disk after the edit was planned; nothing was changed/)
    expect(snapshot(repo)).toEqual(before)
  })

  test.each(['writeFile', 'rename'] as const)(
    '%s fails on the second file: the first is left or put back as it was, no temp file stays',
    (call) => {
      const repo = tempRepo()
      const before = snapshot(repo)
      let calls = 0
      const failing =
        (real: (...args: any[]) => void) =>
        (...args: any[]) => {
          if (++calls === 2) throw new Error('EIO: simulated failure')
          real(...args)
        }
      const io = call === 'writeFile' ? { writeFile: failing(writeFileSync) } : { rename: failing(renameSync) }
      expect(() =>
        applyFileEdits(
          repo,
          [
            { path: a, before: before[a]!, after: 'changed a' },
            { path: b, before: before[b]!, after: 'changed b' }
          ],
          io
        )
      ).toThrow(call === 'writeFile' ? /Could not write .*nothing was changed/ : /Could not replace .*the other files were restored/)
      expect(snapshot(repo)).toEqual(before)
    }
  )
})

describe('a mistake in a parameter is named by the caller', () => {
  test('the error carries the parameter; each boundary names it its own way', () => {
    let error: unknown
    try {
      normalizeRepoPath('../x', { parameter: 'overlays' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UserError)
    const userError = error as UserError
    expect(userError).toMatchObject({ parameter: 'overlays', detail: "'../x' leads out of the repository" })
    expect(userError.message).toBe("'overlays': '../x' leads out of the repository")
    expect(userErrorText(userError, (p) => `Input '${p}'`)).toBe("Input 'overlays': '../x' leads out of the repository")
    expect(userErrorText(userError, (p) => `--${p}`)).toBe("--overlays: '../x' leads out of the repository")
    expect(userErrorText(new UserError('plain'), (p) => `--${p}`)).toBe('plain')
  })
})

describe('paths from the checkout, named from the workspace root', () => {
  test.each([
    ['.', 'gitops.yaml'],
    ['', 'gitops.yaml'],
    ['config', 'config/gitops.yaml'],
    ['./config/', 'config/gitops.yaml'],
    ['checkouts/config', 'checkouts/config/gitops.yaml'],
    ['../config', '../config/gitops.yaml']
  ])('prefix %j gives %s', (prefix, file) => {
    expect(prefixLocation({ file: 'gitops.yaml', line: 3, column: 5 }, prefix)).toEqual({ file, line: 3, column: 5 })
  })

  test('a UserError keeps its parameter and words; one without a file is itself', () => {
    const error = new UserError('bad key', { file: 'apps/a/kustomization.yaml', line: 2 }, 'working-directory')
    const moved = prefixErrorLocation(error, 'config')
    expect(moved).toBeInstanceOf(UserError)
    expect(moved).toMatchObject({ location: { file: 'config/apps/a/kustomization.yaml', line: 2 }, parameter: 'working-directory' })
    expect(moved.message).toBe(error.message)
    expect(error.location?.file).toBe('apps/a/kustomization.yaml')
    const plain = new UserError('no file')
    expect(prefixErrorLocation(plain, 'config')).toBe(plain)
  })
})
