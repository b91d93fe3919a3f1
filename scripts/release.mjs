#!/usr/bin/env node
// Releases gitops-actions: creates the annotated tag vX.Y.Z for package.json's version and moves the
// major tag vX to it, so that `uses: <owner>/<name>/<action>@v1` follows the latest 1.x.y.
//
//   node scripts/release.mjs [--dry-run] [--push] [--remote origin]
//   node scripts/release.mjs --notes [X.Y.Z]      # the CHANGELOG section, for the GitHub Release
//
// Before tagging it checks, and refuses with one message when any fails: package.json's version is
// X.Y.Z (or X.Y.Z-pre, which gets no moving major tag), is not released yet and is newer than every
// release; CHANGELOG.md has a section for it; the working tree is clean; dist/, the short-form
// action.yml files and the reusable workflows are what the sources build; package.json's
// `repository` names the repository the release is published in (GITHUB_REPOSITORY in a workflow).
//
// The tags point at a release commit made on top of HEAD (the branch does not move): in it, every
// workflow's `uses:` of one of our actions names HEAD's commit (`<repo>/compute-tag@<sha> # vX.Y.Z`),
// and every `uses:` of one of our reusable workflows names the tag. A workflow pinned to the release
// (by tag or by SHA) so runs the actions of that same release, not whatever `@v1` points at later.
// --dry-run checks everything and prints the plan without tagging; --push also pushes both tags (the
// major one with --force).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { escapeRegExp, repositoryOf } from './lib/repository.mjs'
import { fileURLToPath } from 'node:url'

class ReleaseError extends Error {}

const git = (cwd, args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
const gitMaybe = (cwd, args) => {
  try {
    return git(cwd, args)
  } catch {
    return null
  }
}

/** [major, minor, patch, prerelease] of `X.Y.Z[-pre]`, or null. */
export function parseVersion(version) {
  const match = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$/.exec(version)
  return match ? [Number(match[1]), Number(match[2]), Number(match[3]), match[4] ?? ''] : null
}

/** Semver order for release versions (a pre-release sorts before its release). */
export function compareVersions(a, b) {
  const [x, y] = [parseVersion(a), parseVersion(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  if (x[3] === y[3]) return 0
  if (!x[3]) return 1
  if (!y[3]) return -1
  return x[3] < y[3] ? -1 : 1
}

/** Files under dist/ and the short-form action.yml files that differ from a fresh build. */
function staleBuildOutputs(root) {
  const fresh = mkdtempSync(join(tmpdir(), 'release-build-'))
  try {
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out', fresh], { cwd: root, stdio: 'pipe' })
    } catch (error) {
      throw new ReleaseError(`the build failed, so dist/ cannot be checked:\n${String(error.stderr || error.message).trim()}`)
    }
    const stale = []
    const actions = readdirSync(join(root, 'actions')).filter((name) => existsSync(join(root, 'actions', name, 'action.yml')))
    const listed = (dir, name) => (existsSync(join(dir, 'dist', name)) ? readdirSync(join(dir, 'dist', name)) : [])
    for (const name of actions) {
      // index.js, package.json, licenses.txt and the chunks a bundle loads on demand, in either tree
      const bundleFiles = new Set([...listed(root, name), ...listed(fresh, name), 'index.js'].map((file) => `dist/${name}/${file}`))
      for (const file of [...[...bundleFiles].sort(), `${name}/action.yml`]) {
        const read = (dir) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : null)
        if (read(root) !== read(fresh)) stale.push(file)
      }
    }
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'workflows.mjs'), '--check'], { cwd: root, stdio: 'pipe' })
    } catch {
      stale.push('.github/workflows/ (reusable workflows)')
    }
    return stale
  } finally {
    rmSync(fresh, { recursive: true, force: true })
  }
}

/**
 * A workflow as the release publishes it: `uses:` of one of our actions at `@vN` (any ref) pinned to
 * `commit` with the tag as a comment, `uses:` of one of our reusable workflows pinned to the tag.
 * Only `uses:` keys change; comments and everything else stay as they are.
 */
export function pinWorkflow(text, { repository, commit, tag }) {
  const uses = new RegExp(
    `^([ \\t]*(?:-[ \\t]+)?uses:[ \\t]*)(['"]?)${escapeRegExp(repository)}/([^@\\s'"]+)@[^\\s'"#]+\\2([ \\t]*#[^\\n]*)?$`,
    'gm'
  )
  return text.replace(uses, (_, key, quote, path) =>
    path.startsWith('.github/workflows/')
      ? `${key}${quote}${repository}/${path}@${tag}${quote}`
      : `${key}${quote}${repository}/${path}@${commit}${quote} # ${tag}`
  )
}

/** The workflow files a release pins: the reusable workflows, the templates and the examples'. */
export function workflowFiles(root) {
  const yml = (dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => `${dir}/${f}`)
      : []
  const examples = existsSync(join(root, 'examples')) ? readdirSync(join(root, 'examples')) : []
  return [
    ...yml('.github/workflows'),
    ...yml('workflows-templates'),
    ...examples.flatMap((example) => yml(`examples/${example}/.github/workflows`))
  ]
}

/**
 * Makes the release commit on top of `plan.commit` without touching the working tree, the index or
 * the branch: the same tree with the workflows pinned (pinWorkflow). Returns its hash.
 */
export function releaseCommit(root, plan) {
  const scratch = mkdtempSync(join(tmpdir(), 'release-index-'))
  const env = { ...process.env, GIT_INDEX_FILE: join(scratch, 'index') }
  const run = (args, input) =>
    execFileSync('git', args, { cwd: root, env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim()
  try {
    run(['read-tree', plan.commit])
    for (const file of workflowFiles(root)) {
      const blob = gitMaybe(root, ['rev-parse', '-q', '--verify', `${plan.commit}:${file}`])
      if (!blob) continue
      const text = execFileSync('git', ['cat-file', 'blob', blob], { cwd: root, encoding: 'utf8' })
      const pinned = pinWorkflow(text, { repository: plan.repository, commit: plan.commit, tag: plan.tag })
      if (pinned === text) continue
      const path = join(scratch, 'blob')
      writeFileSync(path, pinned)
      const hash = run(['hash-object', '-w', path])
      run(['update-index', '--cacheinfo', `100644,${hash},${file}`])
    }
    const tree = run(['write-tree'])
    return run(
      ['commit-tree', tree, '-p', plan.commit, '-F', '-'],
      `gitops-actions ${plan.tag}\n\nThe workflows of ${plan.commit.slice(0, 12)}, pinned to its actions: ${plan.repository}/<action>@${plan.commit}.\n`
    )
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** The CHANGELOG.md section of `version` (its text below the `## X.Y.Z` heading), or null. */
export function releaseNotes(changelog, version) {
  const heading = new RegExp(`^## \\[?v?${escapeRegExp(version)}\\]?(?:\\s.*)?$`, 'm').exec(changelog)
  if (!heading) return null
  const rest = changelog.slice(heading.index + heading[0].length)
  const next = /^## /m.exec(rest)
  return (next ? rest.slice(0, next.index) : rest).trim() + '\n'
}

/**
 * Checks everything and returns the plan; throws ReleaseError with the first thing that is wrong.
 * `runningIn` is the repository the release runs in (GITHUB_REPOSITORY in a workflow), and
 * `staleOutputs` lists the build outputs that differ from a fresh build of `root` (a full build: a
 * test that proves dist/ fresh on its own may give its own).
 */
export function planRelease(root, { runningIn = process.env.GITHUB_REPOSITORY, staleOutputs = staleBuildOutputs } = {}) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const version = manifest.version
  const repository = repositoryOf(manifest)
  if (!repository)
    throw new ReleaseError(
      'package.json: "repository" must name the GitHub repository the actions are published in (github.com/<owner>/<name>)'
    )
  if (runningIn && runningIn.toLowerCase() !== repository.toLowerCase())
    throw new ReleaseError(
      `package.json names ${repository}, but this release runs in ${runningIn}: run \`npm run adopt -- ${runningIn}\`, commit, and release again`
    )
  const parsed = parseVersion(String(version))
  if (!parsed) throw new ReleaseError(`package.json: version "${version}" is not X.Y.Z`)
  const tag = `v${version}`
  const major = parsed[3] ? null : `v${parsed[0]}`
  if (gitMaybe(root, ['rev-parse', '-q', '--verify', `refs/tags/${tag}`]))
    throw new ReleaseError(`${tag} is already released: raise the version in package.json`)
  const released = git(root, ['tag', '--list', 'v*'])
    .split('\n')
    .map((t) => t.slice(1))
    .filter((v) => parseVersion(v))
    .sort(compareVersions)
  const latest = released.at(-1)
  if (latest && compareVersions(version, latest) < 0)
    throw new ReleaseError(`package.json: version ${version} is older than the latest release v${latest}`)
  const changelog = existsSync(join(root, 'CHANGELOG.md')) ? readFileSync(join(root, 'CHANGELOG.md'), 'utf8') : ''
  if (releaseNotes(changelog, version) === null) throw new ReleaseError(`CHANGELOG.md has no "## ${version}" section`)
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=normal'])
  if (dirty) throw new ReleaseError(`the working tree has uncommitted changes:\n${dirty}`)
  const stale = staleOutputs(root)
  if (stale.length > 0) throw new ReleaseError(`build outputs are stale (run npm run build and commit): ${stale.join(', ')}`)
  const commit = git(root, ['rev-parse', 'HEAD'])
  const previousMajor = major ? gitMaybe(root, ['rev-parse', '-q', '--verify', `refs/tags/${major}^{commit}`]) : null
  return { version, tag, major, commit, previousMajor, repository }
}

/** Creates the tags of a plan (and pushes them when asked). */
export function applyRelease(root, plan, { push = false, remote = 'origin' } = {}) {
  const release = releaseCommit(root, plan)
  git(root, ['tag', '-a', plan.tag, '-m', `gitops-actions ${plan.tag}`, release])
  if (plan.major) git(root, ['tag', '-f', '-a', plan.major, '-m', `gitops-actions ${plan.major} (${plan.tag})`, release])
  if (push) {
    git(root, ['push', remote, `refs/tags/${plan.tag}`])
    if (plan.major) git(root, ['push', '--force', remote, `refs/tags/${plan.major}`])
  }
}

function describePlan(plan, { push, remote }) {
  const lines = [
    `create ${plan.tag} at the release commit on ${plan.commit} (workflows pinned to ${plan.repository}/<action>@${plan.commit})`
  ]
  if (plan.major)
    lines.push(plan.previousMajor ? `move ${plan.major} from ${plan.previousMajor} to ${plan.tag}` : `create ${plan.major} at ${plan.tag}`)
  else lines.push(`${plan.tag} is a pre-release: no major tag moves`)
  if (push) lines.push(`push ${plan.tag}${plan.major ? ` and ${plan.major} (forced)` : ''} to ${remote}`)
  return lines
}

function main() {
  const args = process.argv.slice(2)
  const known = new Set(['--dry-run', '--push', '--remote', '--notes'])
  const unknown = args.filter((a, i) => a.startsWith('--') && !known.has(a) && args[i - 1] !== '--remote')
  if (unknown.length > 0)
    throw new ReleaseError(`unknown option ${unknown[0]} (options: --dry-run, --push, --remote NAME, --notes [X.Y.Z])`)
  if (args.includes('--notes')) {
    const root = git(process.cwd(), ['rev-parse', '--show-toplevel'])
    const version =
      args[args.indexOf('--notes') + 1]?.replace(/^v/, '') || JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
    const changelog = existsSync(join(root, 'CHANGELOG.md')) ? readFileSync(join(root, 'CHANGELOG.md'), 'utf8') : ''
    const notes = releaseNotes(changelog, version)
    if (notes === null) throw new ReleaseError(`CHANGELOG.md has no "## ${version}" section`)
    process.stdout.write(notes)
    return
  }
  const dryRun = args.includes('--dry-run')
  const push = args.includes('--push')
  const remote = args.includes('--remote') ? args[args.indexOf('--remote') + 1] : 'origin'
  if (!remote || remote.startsWith('--')) throw new ReleaseError('--remote needs a remote name')
  const root = git(process.cwd(), ['rev-parse', '--show-toplevel'])
  const plan = planRelease(root)
  for (const line of describePlan(plan, { push, remote })) console.log(`${dryRun ? 'would ' : ''}${line}`)
  if (dryRun) return
  applyRelease(root, plan, { push, remote })
  console.log(`released ${plan.tag}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main()
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error
    console.error(`release: ${error.message}`)
    process.exit(1)
  }
}
