#!/usr/bin/env node
// Releases gitops-actions: creates the annotated tag vX.Y.Z for package.json's version and moves the
// major tag vX to it, so that `uses: org/gitops-actions/<action>@v1` follows the latest 1.x.y.
//
//   node scripts/release.mjs [--dry-run] [--push] [--remote origin]
//
// Before tagging it checks, and refuses with one message when any fails: package.json's version is
// X.Y.Z (or X.Y.Z-pre, which gets no moving major tag), is not released yet and is newer than every
// release; CHANGELOG.md has a section for it; the working tree is clean; dist/, the short-form
// action.yml files and the reusable workflows are what the sources build. --dry-run checks everything
// and prints the plan without tagging; --push also pushes both tags (the major one with --force).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

/** Checks everything and returns the plan; throws ReleaseError with the first thing that is wrong. */
export function planRelease(root) {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
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
  const escaped = version.replace(/[.+-]/g, '\\$&')
  if (!new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`, 'm').test(changelog))
    throw new ReleaseError(`CHANGELOG.md has no "## ${version}" section`)
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=normal'])
  if (dirty) throw new ReleaseError(`the working tree has uncommitted changes:\n${dirty}`)
  const stale = staleBuildOutputs(root)
  if (stale.length > 0) throw new ReleaseError(`build outputs are stale (run npm run build and commit): ${stale.join(', ')}`)
  const commit = git(root, ['rev-parse', 'HEAD'])
  const previousMajor = major ? gitMaybe(root, ['rev-parse', '-q', '--verify', `refs/tags/${major}^{commit}`]) : null
  return { version, tag, major, commit, previousMajor }
}

/** Creates the tags of a plan (and pushes them when asked). */
export function applyRelease(root, plan, { push = false, remote = 'origin' } = {}) {
  git(root, ['tag', '-a', plan.tag, '-m', `gitops-actions ${plan.tag}`, plan.commit])
  if (plan.major) git(root, ['tag', '-f', '-a', plan.major, '-m', `gitops-actions ${plan.major} (${plan.tag})`, plan.commit])
  if (push) {
    git(root, ['push', remote, `refs/tags/${plan.tag}`])
    if (plan.major) git(root, ['push', '--force', remote, `refs/tags/${plan.major}`])
  }
}

function describePlan(plan, { push, remote }) {
  const lines = [`create ${plan.tag} at ${plan.commit}`]
  if (plan.major)
    lines.push(
      plan.previousMajor ? `move ${plan.major} from ${plan.previousMajor} to ${plan.commit}` : `create ${plan.major} at ${plan.commit}`
    )
  else lines.push(`${plan.tag} is a pre-release: no major tag moves`)
  if (push) lines.push(`push ${plan.tag}${plan.major ? ` and ${plan.major} (forced)` : ''} to ${remote}`)
  return lines
}

function main() {
  const args = process.argv.slice(2)
  const known = new Set(['--dry-run', '--push', '--remote'])
  const unknown = args.filter((a, i) => a.startsWith('--') && !known.has(a) && args[i - 1] !== '--remote')
  if (unknown.length > 0) throw new ReleaseError(`unknown option ${unknown[0]} (options: --dry-run, --push, --remote NAME)`)
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
