import { describe, expect, test } from 'vitest'
import { snapshotFiles } from '../../../test/harness/file-snapshot.js'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { exampleCheckout, runBin, runCli } from './test-terminal.js'

const overlay = (env: string) => `apps/myapp/overlays/${env}/kustomization.yaml`

/** The example repo with dev running a newer build than staging, and staging on a build of `appSha`. */
function checkout(appSha: string): GitRepo {
  const repo = exampleCheckout('cli-promote')
  repo.commit('newer builds', {
    [overlay('dev')]: repo.git('show', `HEAD:${overlay('dev')}`).replace('sha-abc123d', 'sha-def4567'),
    [overlay('staging')]: repo.git('show', `HEAD:${overlay('staging')}`).replace('myapp-staging-abc123d', `myapp-staging-${appSha}`)
  })
  return repo
}

// Each plan renders the source overlay and the target before and after (real kustomize).
describe('gitops-actions promote --dry-run', () => {
  const app = GitRepo.create('cli-promote-app')
  app.commit('feat: first')
  app.tag('v1.3.0')
  const released = app.commit('feat: second')
  app.tag('v1.4.0')
  const appSha = released.slice(0, 7)

  test('dev → staging: the tags per environment, the gate, the file and rendered diffs; nothing written', async () => {
    const repo = checkout(appSha)
    const before = snapshotFiles(repo.dir)
    const run = await runCli(['promote', '--dry-run', '--app', 'myapp', '--to', 'staging'], { cwd: repo.dir })
    expect(run.errors()).toBe('')
    expect(run.code).toBe(0)
    const text = run.text()
    expect(text).toMatch(/^myapp: dev → staging\n/)
    expect(text).toMatch(/^dev +sha-def4567 +runs now$/m)
    expect(text).toMatch(new RegExp(`^staging +myapp-staging-${appSha} → myapp-staging-def4567 +changes$`, 'm'))
    expect(text).toMatch(/^gate: .*sha-def4567/m)
    expect(text).toContain('pull request: Promote myapp myapp-staging-def4567 to staging (branch promote/myapp-to-staging)')
    expect(text).toContain(`-  newTag: "myapp-staging-${appSha}"`)
    expect(text).toContain('+  newTag: "myapp-staging-def4567"')
    // The rendered overlay's diff: the Deployment's image.
    expect(text).toMatch(/^\+ +image: ghcr\.io\/org\/myapp:myapp-staging-def4567$/m)
    expect(text.split('\n').at(-1)).toBe('Dry run: nothing written. The open-promotion-pr action opens this pull request.')
    expect(snapshotFiles(repo.dir)).toEqual(before)
  })

  test.each([
    ['its registry path', 'ghcr.io/org/myapp', 'ghcr.io/org/myapp', []],
    ["Docker Hub's short name, given by its long name", 'team/myapp', 'team/myapp', ['--image', 'docker.io/team/myapp']]
  ])('overlays that name the image by %s promote it', async (_, baseImage, overlayName, extra) => {
    const rendered = overlayName
    const repo = checkout(appSha)
    const files: Record<string, string> = {
      'apps/myapp/base/deployment.yaml': repo
        .git('show', 'HEAD:apps/myapp/base/deployment.yaml')
        .replace('image: myapp', `image: ${baseImage}:v0`)
    }
    for (const env of ['dev', 'staging', 'prod']) {
      files[overlay(env)] = repo
        .git('show', `HEAD:${overlay(env)}`)
        .replace(/- name: myapp\n {2}newName: ghcr\.io\/org\/myapp\n/, `- name: ${overlayName}\n`)
    }
    repo.commit('images by registry path', files)
    const run = await runCli(['promote', '--dry-run', '--app', 'myapp', '--to', 'staging', ...extra], { cwd: repo.dir })
    expect(run.errors()).toBe('')
    expect(run.code).toBe(0)
    const text = run.text()
    expect(text).toMatch(/^dev +sha-def4567 +runs now$/m)
    expect(text).toContain('+  newTag: "myapp-staging-def4567"')
    expect(text).toMatch(new RegExp(`^\\+ +image: ${rendered.replace(/[./]/g, '\\$&')}:myapp-staging-def4567$`, 'm'))
    expect(text.split('\n').at(-1)).toBe('Dry run: nothing written. The open-promotion-pr action opens this pull request.')
  })

  test('without --image, two images named after the app are an error that lists them', async () => {
    const repo = checkout(appSha)
    const deployment = repo.git('show', 'HEAD:apps/myapp/base/deployment.yaml')
    repo.commit('a sidecar named like the app', {
      'apps/myapp/base/deployment.yaml': deployment.replace(
        /(\n( +)- name: myapp\n)/,
        '\n$2- name: mirror\n$2  image: quay.io/mirror/myapp:v1$1'
      )
    })
    const run = await runCli(['promote', '--dry-run', '--app', 'myapp', '--to', 'staging'], { cwd: repo.dir })
    expect(run.code).toBe(3)
    expect(run.errors()).toMatch(
      /--image: the overlays of myapp run several images named after it \((ghcr\.io\/org\/myapp, quay\.io\/mirror\/myapp|quay\.io\/mirror\/myapp, ghcr\.io\/org\/myapp)\); say which one to promote/
    )
  })

  test('staging → prod: {version} from the app repository’s release tag on the build’s commit (--json)', async () => {
    const repo = checkout(appSha)
    // --app-repo, the option's former name, still works (with a note).
    const run = await runCli(['promote', '--dry-run', '--app', 'myapp', '--from', 'staging', '--app-repo', app.dir, '--json'], {
      cwd: repo.dir
    })
    expect(run.errors()).toBe('gitops-actions promote: --app-repo is now --app-repository; the old name still works')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.text())).toMatchObject({
      app: 'myapp',
      from: 'staging',
      to: 'prod',
      previousTag: 'v1.2.3',
      tag: 'v1.4.0',
      version: '1.4.0',
      changed: true,
      files: [overlay('prod')],
      branch: 'promote/myapp-to-prod',
      // Flux's commit statuses live on GitHub: the plan on a checkout says it did not look.
      verification: { environment: 'staging', required: true, state: 'unchecked' },
      dryRun: true
    })
  })

  test.each([
    [
      ['promote', '--app', 'myapp', '--to', 'staging'],
      2,
      /promote only plans \(--dry-run\): opening the pull request.* is the open-promotion-pr action’s job/
    ],
    [['promote', '--dry-run', '--to', 'staging'], 2, /--app is required/],
    [['promote', '--dry-run', '--app', 'myapp'], 2, /give --to \(or --from\)/],
    [['promote', '--dry-run', '--app', 'myapp', '--from', 'dev', '--to', 'prod'], 3, /skips 'staging'/],
    [['promote', '--dry-run', '--app', 'myapp', '--to', 'staging', '--tag', 'sha-0000000'], 3, /sha-0000000/],
    [
      ['promote', '--dry-run', '--app', 'myapp', '--to', 'prod'],
      3,
      /needs a version.*Give --version, or --app-repository whose release tag/
    ],
    [
      ['promote', '--dry-run', '--app', 'myapp', '--from', 'staging', '--version', '1.0.0'],
      3,
      /prod runs v1\.2\.3 \(1\.2\.3\); this moves it back to the older v1\.0\.0 \(1\.0\.0\)\. To roll back on purpose, set allow-downgrade: true \(CLI: --allow-downgrade\)/
    ]
  ])('%j exits %i with a clear message, nothing written', async (argv, code, message) => {
    const repo = checkout(appSha)
    const before = snapshotFiles(repo.dir)
    const run = await runCli(argv, { cwd: repo.dir })
    expect(run.code).toBe(code)
    expect(run.errors()).toMatch(message)
    expect(run.out).toEqual([])
    expect(snapshotFiles(repo.dir)).toEqual(before)
  })

  test('the built CLI plans too', async () => {
    const repo = checkout(appSha)
    const run = await runBin(['promote', '--dry-run', '--app', 'myapp', '--from', 'staging', '--version', '1.5.0', repo.dir])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^prod +v1\.2\.3 → v1\.5\.0 +changes$/m)
  })
})
