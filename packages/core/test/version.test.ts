import { describe, expect, test } from 'vitest'
import { computeVersion, type ReleaseTag } from '../src/index.js'

function source(tags: ReleaseTag[], commits: Record<string, string[]>) {
  return {
    releaseTags: async () => tags,
    commitsSince: async (since: string | undefined) => (commits[since ?? 'ROOT'] ?? []).map((message, i) => ({ sha: `c${i}`, message }))
  }
}

const request = { head: 'HEAD', prefix: 'v', prerelease: '', initialVersion: '0.1.0' }

describe('computeVersion', () => {
  test('bumps from the highest stable tag, not the newest pre-release', async () => {
    const result = await computeVersion(
      request,
      source(
        [
          { name: 'v1.2.3', sha: 's1' },
          { name: 'v1.10.0', sha: 's2' },
          { name: 'v2.0.0-rc.1', sha: 's3' },
          { name: 'vnext', sha: 's4' }
        ],
        { s2: ['fix: a', 'feat: b'] }
      )
    )
    expect(result).toMatchObject({ version: '1.11.0', previousVersion: '1.10.0', previousTag: 'v1.10.0', bump: 'minor' })
  })
  test('a commit that carries a release tag keeps that version', async () => {
    const result = await computeVersion(
      request,
      source(
        [
          { name: 'v1.0.0', sha: 'old' },
          { name: 'v1.1.0', sha: 'HEAD' }
        ],
        {}
      )
    )
    expect(result).toMatchObject({ version: '1.1.0', previousVersion: '1.0.0', released: true })
  })
  test('no release yet gives the initial version', async () => {
    expect((await computeVersion(request, source([], { ROOT: ['feat!: x'] }))).version).toBe('0.1.0')
  })
  test('pre-releases count up', async () => {
    const result = await computeVersion(
      { ...request, prerelease: 'rc' },
      source(
        [
          { name: 'v1.2.0', sha: 'a' },
          { name: 'v1.3.0-rc.1', sha: 'b' },
          { name: 'v1.3.0-rc.2', sha: 'c' }
        ],
        { a: ['feat: y'] }
      )
    )
    expect(result.version).toBe('1.3.0-rc.3')
  })
  test('only chores since the release is unchanged', async () => {
    const result = await computeVersion(request, source([{ name: 'v1.2.0', sha: 'a' }], { a: ['chore: y'] }))
    expect(result).toMatchObject({ version: '1.2.0', bump: 'none', unchanged: true })
  })
  test('monorepo prefixes', async () => {
    const result = await computeVersion(
      { ...request, prefix: 'myapp/v' },
      source(
        [
          { name: 'myapp/v2.0.0', sha: 'a' },
          { name: 'v9.0.0', sha: 'b' }
        ],
        { a: ['fix: x'] }
      )
    )
    expect(result.version).toBe('2.0.1')
  })
})
