#!/usr/bin/env node
// The end-to-end demo on the bundled examples, offline. It starts every action bundle exactly
// as GitHub's runner would (scripts/lib/action-runner.mjs) and prints what each step produced.
// Exits non-zero when a step fails.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, runAction } from './lib/action-runner.mjs'

const started = Date.now()
const steps = []

function git(cwd, args, date) {
  const env = date ? { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : process.env
  return execFileSync('git', args, { cwd, encoding: 'utf8', env }).trim()
}

async function step(title, name, options, show) {
  const result = await runAction(name, options)
  if (result.exitCode !== 0) {
    console.error(`✗ ${title}\n${result.stdout}${result.stderr}`)
    process.exit(1)
  }
  console.log(`✓ ${title}`)
  for (const [key, value] of Object.entries(show(result.outputs)))
    console.log(`    ${key}: ${value.replace(/\n/g, '\n' + ' '.repeat(key.length + 6))}`)
  steps.push({ title, result })
  return result.outputs
}

// 1. The app repo: the example app with a release and a feature on main.
const app = mkdtempSync(join(tmpdir(), 'demo-app-repo-'))
cpSync(join(repoRoot, 'examples', 'app-repo'), app, { recursive: true })
git(app, ['init', '-q', '-b', 'main'])
git(app, ['config', 'user.email', 'dev@example.com'])
git(app, ['config', 'user.name', 'Demo Developer'])
git(app, ['add', '-A'])
git(app, ['commit', '-q', '-m', 'feat: myapp serves requests'], '2024-11-20T09:00:00Z')
git(app, ['tag', 'v1.2.3'])
git(app, ['commit', '-q', '--allow-empty', '-m', 'feat: add new feature'], '2024-12-01T14:30:22Z')
const sha = git(app, ['rev-parse', 'HEAD'])
console.log(`app repo ${app}: a release v1.2.3, then "feat: add new feature" (${sha.slice(0, 7)})\n`)

// 2. compute-tag, for each environment's convention.
const tags = {}
for (const environment of ['dev', 'staging', 'prod']) {
  const outputs = await step(
    `compute-tag (${environment})`,
    'compute-tag',
    {
      workspace: app,
      env: { GITHUB_SHA: sha, GITHUB_REPOSITORY: 'org/myapp' },
      inputs: { app: 'myapp', environment, image: 'ghcr.io/org/myapp' }
    },
    (o) =>
      environment === 'prod'
        ? { tag: o.tag, version: `${o['previous-version']} → ${o.version} (${o.bump})`, tags: o.tags }
        : { tag: o.tag, tags: o.tags }
  )
  tags[environment] = outputs.tag
}

console.log('\n| step | result |\n| --- | --- |')
for (const { title, result } of steps) console.log(`| ${title} | ${result.outputs.tag ?? 'ok'} |`)
console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s`)
