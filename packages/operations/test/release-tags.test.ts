import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { newestReleasesFirst } from '@gitops-actions/core'
import { startGitHubStandIn, type GitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { git } from '../../../test/harness/git-repo.js'
import { GitHubRepo, RELEASE_TAGS_PEELED } from '../src/promotion/github-repo.js'

const APP = 'org/long-lived-app'
let hub: GitHubStandIn
/** Each tag's commit, as git itself peels it. */
const commitOf = new Map<string, string>()

beforeAll(async () => {
  hub = await startGitHubStandIn({ repos: [{ name: APP, files: { 'README.md': '# app\n' } }], logViolations: true })
  // Years of releases: 30 annotated tags over 10 commits, one lightweight tag among the oldest, one tag that is no version.
  const clone = mkdtempSync(join(tmpdir(), 'release-tags-'))
  git(clone, 'clone', '-q', hub.repoDir(APP), '.')
  for (let n = 0; n < 30; n++) {
    if (n % 3 === 0) {
      writeFileSync(join(clone, 'CHANGES'), `${n}\n`)
      git(clone, 'add', '-A')
      git(clone, 'commit', '-q', '-m', `release ${n}`)
    }
    git(clone, 'tag', '-a', `v1.${n}.0`, '-m', `v1.${n}.0`)
  }
  git(clone, 'tag', 'v0.9.0', 'HEAD~9')
  git(clone, 'tag', 'v-nightly')
  git(clone, 'push', '-q', 'origin', 'main', '--tags')
  for (const tag of git(clone, 'tag', '--list').split('\n')) commitOf.set(tag, git(clone, 'rev-parse', `${tag}^{commit}`))
}, 60_000)

afterAll(async () => {
  expect(hub?.violations).toEqual([])
  await hub?.close()
})

test('release tags cost one listing plus one request for each of the newest annotated tags only', async () => {
  const repo = new GitHubRepo(standInOctokit(hub), { owner: 'org', repo: 'long-lived-app' })
  const seen = hub.traffic.length
  const tags = await repo.releaseTags('v')
  expect(hub.traffic.length - seen).toBe(1 + RELEASE_TAGS_PEELED)
  const newest = Array.from({ length: RELEASE_TAGS_PEELED }, (_, i) => `v1.${29 - i}.0`)
  expect(tags.map((t) => t.name)).toEqual([...newest, 'v0.9.0'])
  for (const tag of tags) expect(tag.sha, tag.name).toBe(commitOf.get(tag.name))
})

test('newestReleasesFirst orders by version, not by name, and drops what is no version', () => {
  const names = ['v1.10.0', 'v1.9.0', 'v1.10.0-rc.1', 'v2.0.0', 'latest', 'v1.2']
  expect(
    newestReleasesFirst(
      names.map((name) => ({ name })),
      'v'
    ).map((t) => t.name)
  ).toEqual(['v2.0.0', 'v1.10.0', 'v1.10.0-rc.1', 'v1.9.0'])
})
