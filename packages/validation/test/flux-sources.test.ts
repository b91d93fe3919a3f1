import { manifestsFromYaml } from '@gitops-actions/core'
import { describe, expect, test } from 'vitest'
import { FluxSources } from '../src/index.js'

/** A GitRepository in the shape flux2-multi-tenancy commits for a tenant, with the ref under test. */
function gitRepository(name: string, url: string, ref: string): string {
  return `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: ${name}
  namespace: apps
spec:
  interval: 1m
  url: ${url}
${ref ? `  ref:\n${ref}\n` : ''}`
}

const bootstrap = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: ssh://git@github.com/org/config-repo
`

describe('which GitRepository is the checkout', () => {
  test.each<[string, string, string, boolean, readonly string[] | undefined, string | undefined]>([
    ['same branch as the bootstrap source', 'https://github.com/org/config-repo', '    branch: main', true, undefined, undefined],
    ['no ref: the default branch', 'https://github.com/org/config-repo.git', '', true, undefined, undefined],
    [
      'another branch of this repository',
      'https://github.com/org/config-repo',
      '    branch: dev-team',
      true,
      undefined,
      'follows branch dev-team of this repository, not main'
    ],
    ['a tag', 'https://github.com/org/config-repo', '    tag: v1.2.0', true, undefined, 'follows tag v1.2.0 of this repository'],
    ['a semver range', 'https://github.com/org/config-repo', '    semver: ">=1.0.0"', true, undefined, 'follows semver range >=1.0.0'],
    [
      'a pinned commit',
      'https://github.com/org/config-repo',
      '    branch: main\n    commit: 3b0c5a1',
      true,
      undefined,
      'follows commit 3b0c5a1'
    ],
    ['a branch by its ref name', 'https://github.com/org/config-repo', '    name: refs/heads/main', true, undefined, undefined],
    ['a tag by its ref name', 'https://github.com/org/config-repo', '    name: refs/tags/v2', true, undefined, 'follows tag v2'],
    [
      'another repository',
      'https://github.com/org/dev-team-apps',
      '    branch: main',
      true,
      undefined,
      'points at https://github.com/org/dev-team-apps'
    ],
    // Without a committed bootstrap source (flux2-multi-tenancy does not commit gotk-sync.yaml), the run's branches decide.
    ['no bootstrap source, the run names main', 'https://github.com/org/config-repo', '    branch: dev-team', false, ['main'], 'not main'],
    [
      'no bootstrap source, a push to that branch',
      'https://github.com/org/config-repo',
      '    branch: dev-team',
      false,
      ['dev-team', 'main'],
      undefined
    ],
    [
      'nothing tells the branch: taken for the checkout',
      'https://github.com/org/config-repo',
      '    branch: dev-team',
      false,
      undefined,
      undefined
    ]
  ])('%s', (_, url, ref, withBootstrap, branches, note) => {
    const text = [withBootstrap ? bootstrap : '', gitRepository('dev-team', url, ref)].filter(Boolean).join('---\n')
    const sources = new FluxSources(manifestsFromYaml(text, 'sources.yaml'), { repository: 'org/config-repo', branches })
    const resolution = sources.resolveGit({ kind: 'GitRepository', name: 'dev-team' }, 'apps')
    if (note === undefined) expect(resolution).toEqual({ status: 'local' })
    else expect(resolution).toEqual({ status: 'external', note: expect.stringContaining(note) })
  })

  test('the bootstrap source is the checkout even when it is not committed; another missing source is external', () => {
    const sources = new FluxSources([], { repository: 'org/config-repo' })
    expect(sources.resolveGit({ kind: 'GitRepository', name: 'flux-system' }, 'flux-system')).toEqual({ status: 'local' })
    expect(sources.resolveGit({ kind: 'GitRepository', name: 'podinfo' }, 'apps')).toEqual({
      status: 'external',
      note: 'GitRepository apps/podinfo is not defined in this repository (created at bootstrap or in another repository)'
    })
  })
})
