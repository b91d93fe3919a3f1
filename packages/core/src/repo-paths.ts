import { lstatSync, realpathSync } from 'node:fs'
import { posix, relative, resolve, sep } from 'node:path'
import { parameterError, subjectError, UserError, type Subject } from './errors.js'

/**
 * Safe paths inside the config repo. Every action that reads or writes the user's repository
 * goes through here, so one set of rules refuses `..` or absolute paths leading out of the repo,
 * symlinks pointing outside it, and app or environment names that would escape the layout
 * (`apps/{app}/overlays/{env}`).
 *
 * Repo paths are relative, POSIX-style (`apps/myapp/overlays/dev`), without `./` or a trailing
 * slash; the repo root itself is `.`.
 */

/** App and environment names: lower-case letters, digits and inner `-` (a DNS label, at most 63). */
export const LAYOUT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** Why an app or environment name cannot be used in a path, or undefined when it can. */
export function layoutNameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty'
  if (!LAYOUT_NAME.test(name)) {
    return `'${name}' may only contain lower-case letters, digits and '-' (not at either end), at most 63 characters, so it cannot leave its directory`
  }
  return undefined
}

/** Checks an app or environment name; the UserError is about `what` (e.g. { parameter: 'app' }). */
export function checkLayoutName(name: string, what: Subject): string {
  const problem = layoutNameProblem(name)
  if (problem) throw subjectError(what, problem)
  return name
}

/**
 * Normalizes a path the user gave (an input, a kustomization reference resolved against its
 * directory) to a repo path. Refuses absolute paths, NUL bytes, backslashes and any `..` that
 * would climb above the repo root. `what` names the source in the error.
 */
export function normalizeRepoPath(path: string, what: Subject): string {
  const trimmed = path.trim()
  if (trimmed === '') throw subjectError(what, 'the path is empty')
  if (trimmed.includes('\0')) throw subjectError(what, 'the path contains a NUL byte')
  if (trimmed.includes('\\')) throw subjectError(what, `'${trimmed}' contains a backslash; write repo paths with '/'`)
  if (trimmed.startsWith('/') || /^[A-Za-z]:/.test(trimmed)) {
    throw subjectError(what, `'${trimmed}' is an absolute path; give a path relative to the repository root`)
  }
  const normalized = posix.normalize(trimmed).replace(/\/+$/, '')
  if (normalized === '..' || normalized.startsWith('../')) {
    throw subjectError(what, `'${trimmed}' leads out of the repository`)
  }
  return normalized === '' ? '.' : normalized
}

/** Joins a relative reference (e.g. `../../base` in a kustomization) to a repo directory, refusing escapes. */
export function joinRepoPath(dir: string, reference: string, what: string): string {
  if (reference.startsWith('/')) throw new UserError(`${what}: '${reference}' is an absolute path; kustomize references must be relative`)
  return normalizeRepoPath(posix.join(dir, reference), what)
}

/** True when `path` is `dir` or inside it (both repo paths). */
export function isWithin(dir: string, path: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`)
}

/**
 * Fills a layout template (`apps/{app}/overlays/{env}`) after checking the names, so `app: ../x`
 * or `environment: prod/../../etc` never reaches the filesystem.
 */
export function layoutPath(template: string, names: { app?: string | undefined; env?: string | undefined }, what = 'layout'): string {
  let path = template
  for (const [placeholder, name, input] of [
    ['{app}', names.app, 'app'],
    ['{env}', names.env, 'environment']
  ] as const) {
    if (!path.includes(placeholder)) continue
    if (name === undefined) throw parameterError(input, `needed to fill ${what} '${template}'`)
    checkLayoutName(name, { parameter: input })
    path = path.replaceAll(placeholder, name)
  }
  return normalizeRepoPath(path, what)
}

/**
 * The app and environment a repo path stands for under a layout template, or undefined when the
 * path does not follow the layout. The inverse of layoutPath().
 */
export function matchLayoutPath(template: string, path: string): { app?: string; env?: string } | undefined {
  const names: string[] = []
  const pattern = template
    .replace(/\/+$/, '')
    .split(/(\{app\}|\{env\})/)
    .map((part) => {
      if (part === '{app}' || part === '{env}') {
        names.push(part.slice(1, -1))
        return '([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)'
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('')
  const match = new RegExp(`^${pattern}$`).exec(path)
  if (!match) return undefined
  const result: { app?: string; env?: string } = {}
  names.forEach((name, i) => {
    const value = match[i + 1]!
    const key = name as 'app' | 'env'
    if (result[key] !== undefined && result[key] !== value) return
    result[key] = value
  })
  return result
}

/**
 * The absolute path of a repo path on disk, after checking that no symlink along the way leads
 * out of the repository. `mustBeFile` also refuses a symlink as the final component (a file we
 * edit must be a real file: renaming over a symlink would replace the link, not its target).
 * Missing paths resolve without error; callers decide what absence means.
 */
export function resolveInRepo(repoRoot: string, repoPath: string, what: string, options: { mustBeFile?: boolean } = {}): string {
  const path = normalizeRepoPath(repoPath, what)
  const root = realpathSync(repoRoot)
  const absolute = resolve(root, path)
  let real: string
  try {
    real = realpathSync(absolute)
  } catch {
    real = realpathOfExistingPrefix(absolute)
  }
  const rel = relative(root, real)
  if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(root, rel) !== real) {
    throw new UserError(`${what}: '${path}' is a symlink (or goes through one) that leads out of the repository`, { file: path })
  }
  if (options.mustBeFile) {
    try {
      if (lstatSync(absolute).isSymbolicLink()) {
        throw new UserError(`${what}: '${path}' is a symlink; only regular files are edited`, { file: path })
      }
    } catch (error) {
      if (error instanceof UserError) throw error
    }
  }
  return absolute
}

function realpathOfExistingPrefix(absolute: string): string {
  const parts = absolute.split(sep)
  for (let i = parts.length - 1; i > 0; i--) {
    try {
      const real = realpathSync(parts.slice(0, i).join(sep) || sep)
      return [real, ...parts.slice(i)].join(sep)
    } catch {
      // keep climbing until a part exists
    }
  }
  return absolute
}
