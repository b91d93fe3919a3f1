import { describe, expect, test } from 'vitest'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { runAction } from '../../../test/harness/run-action.js'

/** The seed's app history: a release, then a feature merged to main. */
function seedHistory(): GitRepo {
  const repo = GitRepo.create('app')
  repo.commit('feat: first release', { 'src/app.js': 'v1' })
  repo.tag('v1.2.3', true)
  repo.commit('fix: handle empty input', { 'src/app.js': 'v2' })
  repo.commit('feat: add new feature', { 'src/feature.js': 'x' }, '2024-12-01T14:30:22Z')
  return repo
}

const base = { app: 'myapp', image: 'ghcr.io/org/myapp' }

describe('compute-tag bundle, started as the runner starts it', () => {
  const repo = seedHistory()
  const sha = repo.head()
  const short = sha.slice(0, 7)
  const env = { GITHUB_SHA: sha }

  test.each([
    ['dev', `myapp-${short}-20241201-143022`, [`ghcr.io/org/myapp:myapp-${short}-20241201-143022`, `ghcr.io/org/myapp:sha-${short}`]],
    ['staging', `myapp-staging-${short}`, [`ghcr.io/org/myapp:myapp-staging-${short}`, `ghcr.io/org/myapp:sha-${short}`]],
    ['prod', 'myapp-v1.3.0', ['ghcr.io/org/myapp:myapp-v1.3.0', `ghcr.io/org/myapp:sha-${short}`, 'ghcr.io/org/myapp:v1.3.0']]
  ])('%s: the seed convention', async (environment, tag, tags) => {
    const run = await runAction('compute-tag', { workspace: repo.dir, env, inputs: { ...base, environment } })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.tag).toBe(tag)
    expect(run.outputs.tags!.split('\n')).toEqual(tags)
    expect(run.outputs).toMatchObject({
      version: '1.3.0',
      'previous-version': '1.2.3',
      bump: 'minor',
      sha,
      'short-sha': short,
      timestamp: '20241201-143022'
    })
    expect(run.outputs.labels!.split('\n')).toEqual(
      expect.arrayContaining([
        `org.opencontainers.image.revision=${sha}`,
        'org.opencontainers.image.created=2024-12-01T14:30:22.000Z',
        'org.opencontainers.image.source=https://github.com/org/app-repo'
      ])
    )
    expect(run.json).toMatchObject({ tag, bump: 'minor' })
    expect(run.summary).toContain(`| \`${tag}\` | 1.3.0 | 1.2.3 | minor |`)
  })

  test('a re-run of the same commit yields the same dev tag (commit time, not now)', async () => {
    const first = await runAction('compute-tag', { workspace: repo.dir, env, inputs: base })
    const second = await runAction('compute-tag', { workspace: repo.dir, env, inputs: base })
    expect(second.outputs.tag).toBe(first.outputs.tag)
    expect(first.outputs['flux-filter-pattern']).toBe('^myapp-[0-9a-f]{4,40}-(?P<ts>[0-9]{8}-[0-9]{6})$')
    expect(first.outputs['flux-filter-extract']).toBe('$ts')
  })

  test('on pull_request the PR head is tagged, not the merge commit', async () => {
    const pr = GitRepo.create('app-pr')
    pr.commit('feat: base')
    pr.git('checkout', '-q', '-b', 'feature/login')
    const head = pr.commit('feat: login')
    pr.git('checkout', '-q', 'main')
    pr.commit('fix: on main')
    pr.git('merge', '-q', '--no-ff', '-m', 'Merge refs/pull/7/head', 'feature/login')
    const merge = pr.head()
    const run = await runAction('compute-tag', {
      workspace: pr.dir,
      eventName: 'pull_request',
      event: { pull_request: { number: 7, head: { sha: head, ref: 'feature/login' } } },
      env: { GITHUB_SHA: merge, GITHUB_REF: 'refs/pull/7/merge', GITHUB_HEAD_REF: 'feature/login' },
      inputs: { ...base, 'tag-template': 'pr-{pr}-{branch}-{sha}' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.sha).toBe(head)
    expect(run.outputs.tag).toBe(`pr-7-feature-login-${head.slice(0, 7)}`)
  })

  test('squash merges, breaking changes and monorepo paths, as semantic-release reads them', async () => {
    const mono = GitRepo.create('mono')
    mono.commit('chore: init', { 'apps/api/a': '1', 'apps/web/a': '1' })
    mono.tag('api/v1.0.0')
    mono.commit('feat(web)!: rewrite web', { 'apps/web/a': '2' })
    mono.commit('Add retries (#31)\n\n* feat(api): retry on 503\n\n* chore: lint', { 'apps/api/a': '2' })
    mono.commit('fix(api): time out after 5 s (#32)\n\n* fix: a\n\n* chore: b', { 'apps/api/a': '3' })
    const inputs = { app: 'api', environment: 'prod', 'release-tag-prefix': 'api/v' }
    const run = await runAction('compute-tag', {
      workspace: mono.dir,
      env: { GITHUB_SHA: mono.head() },
      inputs: { ...inputs, paths: 'apps/api\n' }
    })
    expect(run.exitCode).toBe(0)
    // A squash merge counts by its title: '* feat(api): …' in the body of #31 is no commit of its own.
    expect(run.outputs).toMatchObject({ tag: 'api-v1.0.1', bump: 'patch', version: '1.0.1' })
    expect(run.summary).toContain('The patch bump comes from')
    expect(run.summary).toContain('`fix(api): time out after 5 s (#32)` (angular preset)')
    // The angular preset (semantic-release's default) does not read '!': the web rewrite is no major release.
    const angular = await runAction('compute-tag', { workspace: mono.dir, env: { GITHUB_SHA: mono.head() }, inputs })
    expect(angular.outputs).toMatchObject({ tag: 'api-v1.0.1', bump: 'patch' })
    const conventional = await runAction('compute-tag', {
      workspace: mono.dir,
      env: { GITHUB_SHA: mono.head() },
      inputs: { ...inputs, preset: 'conventionalcommits' }
    })
    expect(conventional.outputs).toMatchObject({ tag: 'api-v2.0.0', bump: 'major' })
  })

  test('a git revert of a released fix is a patch release; a revert within the range cancels its commit', async () => {
    const app = GitRepo.create('reverts')
    app.commit('chore: init', { a: '1' })
    const fix = app.commit('fix(deps): update dependency left-pad to v2', { a: '2' })
    app.tag('v1.4.0')
    app.git('revert', '--no-edit', fix)
    const only = await runAction('compute-tag', {
      workspace: app.dir,
      env: { GITHUB_SHA: app.head() },
      inputs: { app: 'myapp', environment: 'prod' }
    })
    expect(only.exitCode).toBe(0)
    expect(only.outputs).toMatchObject({ tag: 'myapp-v1.4.1', bump: 'patch', 'previous-version': '1.4.0' })
    expect(only.summary).toContain('`Revert "fix(deps): update dependency left-pad to v2"`')
    const feat = app.commit('feat: left-pad everything', { b: '1' })
    app.git('revert', '--no-edit', feat)
    app.tag('v1.4.1')
    app.commit('docs: readme', { c: '1' })
    const reverted = app.commit('feat: right-pad', { d: '1' })
    app.git('revert', '--no-edit', reverted)
    const none = await runAction('compute-tag', {
      workspace: app.dir,
      env: { GITHUB_SHA: app.head() },
      inputs: { app: 'myapp', environment: 'prod' }
    })
    expect(none.exitCode).toBe(1)
    expect(none.annotations[0]?.message).toMatch(
      /No commit since v1\.4\.1 calls for a release \(3 commit\(s\) read with the angular preset/
    )
    expect(none.annotations[0]?.message).toMatch(/1 commit\(s\) were reverted within the range.*release-rules/)
    const rules = await runAction('compute-tag', {
      workspace: app.dir,
      env: { GITHUB_SHA: app.head() },
      inputs: { app: 'myapp', environment: 'prod', 'release-rules': '- type: docs\n  release: patch\n' }
    })
    expect(rules.outputs).toMatchObject({ tag: 'myapp-v1.4.2', bump: 'patch' })
    expect(rules.summary).toMatch(/reverted later in the same range/)
  })

  test("release rules and preset from the checkout's gitops.yaml; the inputs win", async () => {
    const app = GitRepo.create('versioning')
    const rules = '  releaseRules:\n    - breaking: true\n      release: major\n    - type: refactor\n      release: minor\n'
    app.commit('chore: init', { 'gitops.yaml': `versioning:\n  preset: conventionalcommits\n${rules}` })
    app.tag('v2.0.0')
    app.commit('refactor(api)!: new routes', { a: '1' })
    const env = { GITHUB_SHA: app.head() }
    const configured = await runAction('compute-tag', { workspace: app.dir, env, inputs: { app: 'myapp', environment: 'prod' } })
    expect(configured.outputs).toMatchObject({ tag: 'myapp-v3.0.0', bump: 'major' })
    // As in semantic-release, a custom rule that matches a commit replaces the default rules for it.
    const refactorOnly = await runAction('compute-tag', {
      workspace: app.dir,
      env,
      inputs: { app: 'myapp', environment: 'prod', 'release-rules': '[{ type: refactor, release: minor }]' }
    })
    expect(refactorOnly.outputs).toMatchObject({ tag: 'myapp-v2.1.0', bump: 'minor' })
    const angular = await runAction('compute-tag', {
      workspace: app.dir,
      env,
      inputs: { app: 'myapp', environment: 'prod', preset: 'angular' }
    })
    expect(angular.exitCode).toBe(1)
    expect(angular.annotations[0]?.message).toMatch(
      /'refactor\(api\)!: new routes' use '!', which the angular preset does not read as breaking/
    )
    const broken = GitRepo.create('versioning-broken')
    broken.commit('feat: x', { 'gitops.yaml': 'versioning:\n  releaseRules:\n    - type: docs\n      release: pach\n' })
    const bad = await runAction('compute-tag', {
      workspace: broken.dir,
      env: { GITHUB_SHA: broken.head() },
      inputs: { app: 'myapp', environment: 'prod' }
    })
    expect(bad.exitCode).toBe(1)
    expect(bad.annotations[0]?.properties).toMatchObject({ file: 'gitops.yaml', line: '4' })
    expect(bad.annotations[0]?.message).toMatch(/rule 1: release 'pach' is not a release type.*did you mean 'patch'/)
  })

  test('a shallow clone is a clear error when the version is needed, and fine when not', async () => {
    const shallowDir = `${repo.dir}-shallow`
    new GitRepo(repo.dir).git('clone', '-q', '--depth', '1', `file://${repo.dir}`, shallowDir)
    const prod = await runAction('compute-tag', { workspace: shallowDir, env, inputs: { ...base, environment: 'prod' } })
    expect(prod.exitCode).toBe(1)
    expect(prod.annotations[0]?.message).toMatch(/shallow.*fetch-depth: 0/)
    const dev = await runAction('compute-tag', { workspace: shallowDir, env, inputs: base })
    expect(dev.exitCode).toBe(0)
    expect(dev.outputs.tag).toBe(`myapp-${short}-20241201-143022`)
    const given = await runAction('compute-tag', {
      workspace: shallowDir,
      env,
      inputs: { ...base, environment: 'prod', version: 'v2.0.0' }
    })
    expect(given.outputs.tag).toBe('myapp-v2.0.0')
  })

  test.each([
    [{ app: '' }, /Input 'app': required and not supplied/],
    [{ app: 'My_App' }, /Input 'app': 'My_App' is not a valid app name/],
    [{ 'sha-length': '3' }, /'sha-length'.*between 4 and 40/],
    [{ 'timestamp-source': 'yesterday' }, /Input 'timestamp-source': 'yesterday' is not valid. Valid values are: commit, now/],
    [{ environment: 'qa' }, /no tag template for 'qa'/],
    [{ 'tag-template': '{app}:{sha}' }, /produced the tag 'myapp:[0-9a-f]{7}', which is invalid/],
    [{ 'tag-template': '{app}-{build}' }, /unknown placeholder \{build\}/],
    [{ image: 'ghcr.io/Org/App' }, /Input 'image'/],
    [{ version: 'one' }, /Input 'version': 'one' is not a semantic version/],
    [{ environment: 'prod', preset: 'angluar' }, /Input 'preset': 'angluar' is not valid. Valid values are: angular, conventionalcommits/],
    [
      { environment: 'prod', 'release-rules': '- type: docs\n  relase: patch' },
      /Input 'release-rules': rule 1: 'relase' is not a field.*did you mean 'release'/
    ],
    [{ 'working-directory': 'missing' }, /is not a git checkout/]
  ])('bad input %j fails with a clear message and exit 1', async (inputs, message) => {
    const run = await runAction('compute-tag', { workspace: repo.dir, env, inputs: { ...base, ...inputs } })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.tag).toBeUndefined()
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(message)
    expect(errors[0]!.message).not.toMatch(/bug in gitops-actions|\n\s+at /)
  })

  test('only chores since the release: prod refuses to re-tag the released version', async () => {
    const chores = GitRepo.create('chores')
    chores.commit('feat: x')
    chores.tag('v1.0.0')
    chores.commit('chore: deps')
    const run = await runAction('compute-tag', {
      workspace: chores.dir,
      env: { GITHUB_SHA: chores.head() },
      inputs: { ...base, environment: 'prod' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.annotations[0]?.message).toMatch(/No commit since v1.0.0 .* mutable tag/)
  })
})
