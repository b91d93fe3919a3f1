import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { adoptedManifest } from '../../../scripts/adopt.mjs'
import { repoRoot } from '../../../test/harness/run-action.js'
import { repositoryHome, SUITE_HOME, SUITE_VERSION } from '../src/index.js'

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))

describe("the suite's version and home, from package.json", () => {
  test("are package.json's version and repository", () => {
    expect(SUITE_VERSION).toBe(manifest.version)
    expect(SUITE_HOME).toBe(repositoryHome(manifest))
    expect(SUITE_HOME).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/)
  })

  test.each([
    [{ type: 'git', url: 'git+https://github.com/org/gitops-actions.git' }, 'https://github.com/org/gitops-actions'],
    [{ url: 'https://github.com/acme/platform-actions' }, 'https://github.com/acme/platform-actions'],
    [{ url: 'ssh://git@github.com/acme/platform-actions.git' }, 'https://github.com/acme/platform-actions'],
    ['github:acme/platform-actions', 'https://github.com/acme/platform-actions'],
    ['acme/platform-actions', 'https://github.com/acme/platform-actions'],
    [{ url: 'https://gitlab.example.com/acme/platform-actions.git' }, undefined],
    [undefined, undefined]
  ])('repository %j: %s', (repository, home) => {
    expect(repositoryHome({ repository })).toBe(home)
  })

  test('a copy adopted as another repository (npm run adopt) has its own home', () => {
    expect(repositoryHome(adoptedManifest(manifest, 'acme/platform-actions'))).toBe('https://github.com/acme/platform-actions')
  })
})
