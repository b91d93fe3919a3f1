import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { GitopsConfig } from './gitops-config.js'

const APP_PATTERN = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'

/**
 * The apps of a config repo: every directory that the layout's overlay pattern matches for at
 * least one environment (`apps/{app}/overlays/{env}` finds `apps/myapp/overlays/dev`), sorted.
 * An overlay counts when it holds a kustomization file.
 */
export function discoverApps(repoRoot: string, config: Pick<GitopsConfig, 'layout' | 'environments'>): string[] {
  const apps = new Set<string>()
  for (const environment of config.environments) {
    const segments = config.layout.overlay
      .replaceAll('{env}', environment.name)
      .split('/')
      .filter((s) => s !== '' && s !== '.')
    walk(repoRoot, segments, undefined, apps)
  }
  return [...apps].sort()
}

function walk(dir: string, segments: readonly string[], app: string | undefined, found: Set<string>): void {
  if (segments.length === 0) {
    if (app !== undefined && hasKustomization(dir)) found.add(app)
    return
  }
  const [segment, ...rest] = segments as [string, ...string[]]
  if (!segment.includes('{app}')) {
    if (isDirectory(join(dir, segment))) walk(join(dir, segment), rest, app, found)
    return
  }
  if (app !== undefined) {
    const name = segment.replaceAll('{app}', app)
    if (isDirectory(join(dir, name))) walk(join(dir, name), rest, app, found)
    return
  }
  const pattern = new RegExp(
    `^${segment
      .split('{app}')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join(`(${APP_PATTERN})`)}$`
  )
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names.sort()) {
    const match = pattern.exec(name)
    // A pattern using {app} twice in one segment must see the same name both times.
    if (!match || new Set(match.slice(1)).size !== 1) continue
    if (isDirectory(join(dir, name))) walk(join(dir, name), rest, match[1], found)
  }
}

/** The names kustomize accepts for a kustomization file. */
const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const

/** The kustomization file in a directory, or undefined. */
export function kustomizationFileIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILE_NAMES.map((name) => join(dir, name)).find((path) => isFile(path))
}

function hasKustomization(dir: string): boolean {
  return kustomizationFileIn(dir) !== undefined
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
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
