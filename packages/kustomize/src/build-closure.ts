import { readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { checkYamlAliases, locationOf, parseYamlFile, toPlain, UserError, type YamlSource } from '@gitops-actions/core'
import { kustomizationEntries, type KustomizationEntry } from './kustomization-entries.js'
import { configReader, type ConfigReader } from './plugin-configs.js'

/**
 * What a kustomize build will read, checked before kustomize runs: a pull request decides what is
 * in it. Refused, as a UserError at the line that names it: a remote resource (kustomize would fetch
 * it from the runner) unless gitops.yaml allows its host, a path leading out of the repository, and
 * a YAML alias bomb in any file kustomize parses (kustomize expands aliases without a limit).
 */

/** The names kustomize accepts for a kustomization file, in its order of preference. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const

/**
 * The host a kustomization entry fetches from, or undefined for a local path: URLs (`https://…`,
 * `ssh://…`, `git::…`), scp-style git (`git@host:org/repo`), kustomize's scheme-less remote form
 * (`github.com/org/repo//path?ref=v1`) and `gh:` shorthands.
 */
export function remoteHost(value: string): string | undefined {
  const text = value.trim().replace(/^git::/, '')
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(text)
  if (url)
    return (
      url[2]!
        .replace(/^[^@]*@/, '')
        .replace(/:\d+$/, '')
        .toLowerCase() || url[1]!.toLowerCase()
    )
  const scp = /^[^/@:\s]+@([^:/\s]+):/.exec(text)
  if (scp) return scp[1]!.toLowerCase()
  if (/^gh:/.test(text)) return 'github.com'
  const hostLike = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?\//i.exec(text)
  if (hostLike && (text.includes('?ref=') || text.includes('//') || /\.(com|org|io|net|dev)$/i.test(hostLike[1]!)))
    return hostLike[1]!.toLowerCase()
  if (text.includes('?ref=') || text.includes('?version=')) return hostLike?.[1]?.toLowerCase() ?? text.split('/')[0]!.toLowerCase()
  return undefined
}

/** True when `host` is one gitops.yaml allows (`github.com`, or `*.example.com` for its subdomains). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase()
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern
  })
}

/** The entries a build follows: the kustomization's own, those of its generator and transformer configs, and a Helm chart's repository (fetched too). */
function entriesOf(data: Record<string, unknown>, readConfig: ConfigReader): KustomizationEntry[] {
  const entries = kustomizationEntries(data, readConfig)
  const charts = Array.isArray(data.helmCharts) ? (data.helmCharts as unknown[]) : []
  charts.forEach((entry, i) => {
    const repo = entry && typeof entry === 'object' ? (entry as { repo?: unknown }).repo : undefined
    if (typeof repo === 'string' && repo.trim() !== '')
      entries.push({
        field: 'helmCharts[].repo',
        kind: 'file',
        value: repo,
        path: ['helmCharts', i, 'repo'],
        yaml: false,
        directory: false
      })
  })
  return entries
}

/**
 * Walks the build of `directory` (absolute) inside `repoRoot` and throws a UserError at file:line
 * for the first thing refused. A directory without a kustomization is left to kustomize.
 */
export function checkBuildClosure(repoRoot: string, directory: string, remoteHosts: readonly string[]): void {
  const root = realpathSync(repoRoot)
  const name = (absolute: string) => relative(root, absolute).split(sep).join('/') || '.'
  const inside = (absolute: string, what: string, where: YamlSource | undefined, path: Array<string | number>): string => {
    let real: string
    try {
      real = realpathSync(absolute)
    } catch {
      return absolute // missing: kustomize says so in its own words
    }
    const rel = relative(root, real)
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new UserError(
        `${what} leads out of the repository (to ${real}); kustomize may read only files of the repository`,
        where ? locationOf(where, path) : undefined
      )
    }
    return real
  }
  const visited = new Set<string>()
  const visit = (dir: string): void => {
    if (visited.has(dir)) return
    visited.add(dir)
    const fileName = KUSTOMIZATION_FILES.find((candidate) => isFile(join(dir, candidate)))
    if (!fileName) return
    const file = join(dir, fileName)
    const source = parseYamlFile(readFileSync(file, 'utf8'), name(file))
    const data = toPlain(source)
    if (!data || typeof data !== 'object' || Array.isArray(data)) return
    for (const entry of entriesOf(data as Record<string, unknown>, configReader(root, dir))) {
      const host = remoteHost(entry.value)
      // A scheme-less entry that names an existing path (a directory called example.com) is local.
      const local = host !== undefined && !/:\/\/|^git@|^gh:|^git::/.test(entry.value) && exists(resolve(dir, entry.value))
      if (host !== undefined && !local) {
        if (hostAllowed(host, remoteHosts)) continue
        throw new UserError(
          `${entry.field} entry '${entry.value}' is remote (${host}): kustomize would fetch it from the runner while the change is checked. ` +
            `Vendor it into the repository, or allow its host in gitops.yaml's kustomize.remoteResources`,
          locationOf(source, entry.path)
        )
      }
      const target = inside(resolve(dir, entry.value), `${entry.field} entry '${entry.value}'`, source, entry.path)
      let stat
      try {
        stat = statSync(target)
      } catch {
        continue
      }
      if (stat.isDirectory()) {
        if (entry.directory) visit(target)
      } else if (entry.yaml && stat.isFile()) {
        checkYamlAliases(readFileSync(target, 'utf8'), name(target))
      }
    }
  }
  visit(inside(resolve(directory), `The directory ${directory}`, undefined, []))
}

/**
 * A resource of a kustomization we generate (a directory Flux applies without one): a file is
 * checked for alias bombs, a directory as a build of its own.
 */
export function checkBuildResource(repoRoot: string, repoPath: string, remoteHosts: readonly string[]): void {
  const absolute = resolve(repoRoot, repoPath)
  if (isFile(absolute)) {
    const root = realpathSync(repoRoot)
    const rel = relative(root, realpathSync(absolute))
    if (rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new UserError(`${repoPath} leads out of the repository`, { file: repoPath })
    checkYamlAliases(readFileSync(absolute, 'utf8'), repoPath)
  } else if (exists(absolute)) checkBuildClosure(repoRoot, absolute, remoteHosts)
}

function exists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
