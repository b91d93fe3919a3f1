import { stripVTControlCharacters } from 'node:util'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { readEnvironmentStatus, renderStatusMarkdown } from '@gitops-actions/core'
import { startGitHubStandIn } from '../../../test/github-stand-in/index.js'
import { standInOctokit } from '../../../test/github-stand-in/octokit.js'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { EXAMPLE, runCli } from './test-terminal.js'

/** A config repo with the default layout: app `web` built from one base, with dev ahead of staging and prod. */
function laggingRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-status-'))
  const files: Record<string, string> = {
    'apps/web/base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
    'apps/web/base/deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web\n'
  }
  for (const [env, tag] of [
    ['dev', 'v1.3.0'],
    ['staging', 'v1.2.0'],
    ['prod', 'v1.2.0']
  ])
    files[`apps/web/overlays/${env}/kustomization.yaml`] =
      `resources:\n- ../../base\nimages:\n- name: web\n  newName: ghcr.io/org/web\n  newTag: ${tag}\n`
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

describe('gitops-actions status', () => {
  test('the example repo: the app × environment table, drift per environment pair, and a summary line', async () => {
    const run = await runCli(['status', EXAMPLE])
    expect(run.code).toBe(0)
    expect(run.err).toEqual([])
    expect(run.text()).toBe(
      [
        'APP    DEV          STAGING                PROD',
        'myapp  sha-abc123d  myapp-staging-abc123d  v1.2.3',
        '                    = in sync              ~ differs',
        '',
        'drift myapp dev → staging: HorizontalPodAutoscaler/myapp exists in staging only',
        'no drift myapp staging → prod',
        '',
        '1 app in 3 environments, nothing waiting to be promoted, drift in 1 of 2 environment pairs.'
      ].join('\n')
    )
  })

  test('a lagging environment, read from the files alone (--no-render): table, --json model, --markdown with its Mermaid chain', async () => {
    const repo = laggingRepo()
    const [human, json, markdown] = await Promise.all([
      runCli(['status', '--no-render'], { cwd: repo, color: true }),
      runCli(['status', '--no-render', '--json', '--app', 'web'], { cwd: repo }),
      runCli(['status', '--no-render', '--markdown', repo])
    ])
    expect(human.code).toBe(0)
    const plain = stripVTControlCharacters(human.text())
    expect(plain).toContain('web  v1.3.0  v1.2.0')
    expect(plain).toContain('< behind 1 minor')
    expect(plain.split('\n').at(-1)).toBe('1 app in 3 environments, 1 promotion waiting, drift not computed (--no-render).')
    expect(human.text()).toContain('\u001b[33m< behind 1 minor')

    const model = JSON.parse(json.text())
    expect(model.environments).toEqual(['dev', 'staging', 'prod'])
    expect(model.drift).toBeUndefined()
    expect(model.apps[0].steps.map((s: { from: string; to: string; state: string }) => `${s.from}→${s.to} ${s.state}`)).toEqual([
      'dev→staging behind',
      'staging→prod in-sync'
    ])

    // The markdown of job summaries and promotion PRs, as the core renders it (its Mermaid syntax is checked there).
    expect(markdown.text()).toMatch(/^### Environments\n\n```mermaid\n/)
    expect(markdown.text() + '\n').toBe(renderStatusMarkdown(readEnvironmentStatus(repo)))
  })

  test('--fail-on-drift: exit 1 when environments drift apart (the example repo), 0 when they do not, with the same output', async () => {
    const [drifting, aligned] = await Promise.all([
      runCli(['status', '--fail-on-drift', '--json', EXAMPLE]),
      runCli(['status', '--fail-on-drift', laggingRepo()])
    ])
    expect(drifting.code).toBe(1)
    expect(drifting.errors()).toBe('--fail-on-drift: myapp dev → staging drift apart')
    expect(JSON.parse(drifting.text()).drift.map((d: { objects: unknown[] }) => d.objects.length > 0)).toEqual([true, false])
    expect(aligned.code).toBe(0)
    expect(aligned.err).toEqual([])
    expect(aligned.text()).toContain('no drift')
  })

  test.each([
    [['status', '--json', '--markdown'], 2, /give --json or --markdown, not both/],
    [['status', '--no-render', '--fail-on-drift', EXAMPLE], 2, /--fail-on-drift needs the rendered overlays: leave out --no-render/],
    [
      ['status', '--no-render', '--app', 'nope', EXAMPLE],
      3,
      /error: Unknown app 'nope': no overlay matches apps\/\{app\}\/overlays\/\{env\} for it. Apps found: myapp/
    ]
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const run = await runCli(argv)
    expect(run.code).toBe(code)
    expect(run.errors()).toMatch(message)
    // --json: the error as JSON on stdout too.
    expect(argv.includes('--json') ? JSON.parse(run.text()).error.exitCode : run.out).toEqual(argv.includes('--json') ? code : [])
  })
})

describe('gitops-actions status with what the repository alone cannot tell', () => {
  test("--app-repository gives a build its release version, --github each cell Flux's health from the commit statuses", async () => {
    // An app repo whose commit is released as v1.2.3, and the example config repo deploying that commit.
    const app = GitRepo.create('cli-status-app')
    const sha = app.commit('feat: the release', { 'README.md': '# app\n' }).slice(0, 7)
    app.tag('v1.2.3', true)
    const config = mkdtempSync(join(tmpdir(), 'cli-status-config-'))
    cpSync(EXAMPLE, config, { recursive: true })
    for (const env of ['dev', 'staging']) {
      const file = join(config, `apps/myapp/overlays/${env}/kustomization.yaml`)
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('abc123d', sha))
    }
    const hub = await startGitHubStandIn({ repos: [{ name: 'org/config-repo', fromDir: config }] })
    try {
      const github = standInOctokit(hub)
      const head = (await hub.branchHead('org/config-repo', 'main'))!
      // Flux's notification-controller: dev healthy, staging failing; prod's cluster has said nothing.
      for (const [env, state] of [
        ['dev', 'success'],
        ['staging', 'failure']
      ] as const) {
        await github.rest.repos.createCommitStatus({
          owner: 'org',
          repo: 'config-repo',
          sha: head,
          context: `kustomization/myapp-${env}/5ac9cbd2`,
          state
        })
      }
      const argv = ['status', '--app-repository', app.dir, '--github', 'org/config-repo', '--api-url', hub.url, config]
      const run = await runCli(argv, { env: { GITHUB_TOKEN: hub.token } })
      expect(run.err).toEqual([])
      expect(run.code).toBe(0)
      expect(run.text().split('\n').slice(0, 4)).toEqual([
        'APP    DEV          STAGING                PROD',
        `myapp  sha-${sha}  myapp-staging-${sha}  v1.2.3`,
        '       ✓ verified   = in sync              = in sync',
        '                    ✗ failing              ? unverified'
      ])
      const markdown = await runCli([...argv, '--markdown'], { env: { GITHUB_TOKEN: hub.token } })
      expect(markdown.text()).toContain(`\`myapp-staging-${sha}\` (version 1.2.3 (release tag), commit ${sha})`)
      expect(markdown.text()).toMatch(new RegExp(`✅ verified since \\d{4}-[^ ]+Z \\(${head.slice(0, 7)}\\)`))
      expect(markdown.text()).toContain(`❌ failing (${head.slice(0, 7)})`)
      expect(hub.violations).toEqual([])
    } finally {
      await hub.close()
    }
  })

  test.each([
    [['status', '--github', 'org', EXAMPLE], /--github 'org' is not owner\/name/],
    [['status', '--github', 'org/config-repo', EXAMPLE], /--github needs a token/],
    [['status', '--no-render', '--app-repository', '.', EXAMPLE], /--app-repository and --github go with the rendered status/]
  ])('%j is a usage error', async (argv, message) => {
    const run = await runCli(argv)
    expect(run.code).toBe(2)
    expect(run.errors()).toMatch(message)
  })
})
