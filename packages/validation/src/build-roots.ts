import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import type { GitopsConfig, SourceLocation } from '@gitops-actions/core'
import { kustomizationFileIn } from './kustomization.js'
import { listedDirectory, type RepoTree, type SourceFiles } from './source-files.js'

/** A directory that is built on its own: an overlay of the layout, or a path a Flux Kustomization applies. */
export interface BuildRoot {
  /** Repository path ('' is the repository root). */
  path: string
  app?: string | undefined
  environment?: string | undefined
  /** Why it is built: an overlay of the layout, a path Flux applies, or a Kustomize root found without gitops.yaml. */
  reasons: Array<'layout' | 'flux' | 'discovered'>
  /** For a directory without kustomization.yaml (Flux generates one): the manifests it holds. */
  generatedResources?: string[] | undefined
  /** Where a Flux Kustomization names this path (`spec.path`): a failed build without a kustomization file is reported there. */
  appliedAt?: SourceLocation | undefined
}

/**
 * The overlays that the gitops.yaml layout names, e.g. every apps/{app}/overlays/{env} that exists.
 * With the repository's listing (a regular tree, a layout the walk enters), they are read from it.
 */
export function layoutRoots(repoRoot: string, config: GitopsConfig, tree?: RepoTree): BuildRoot[] {
  const roots: BuildRoot[] = []
  const segments = config.layout.overlay
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '')
    .split('/')
  const listed =
    tree && !tree.irregular && listedDirectory(segments.join('/').replaceAll('{app}', 'a').replaceAll('{env}', 'e'))
      ? listedLayoutRoots(config, segments, tree)
      : undefined
  if (listed) return listed
  for (const environment of config.environments) {
    const expand = (dir: string, index: number, app: string | undefined): void => {
      if (index === segments.length) {
        if (kustomizationFileIn(repoRoot, dir)) roots.push({ path: dir, app, environment: environment.name, reasons: ['layout'] })
        return
      }
      const segment = segments[index]!.replaceAll('{env}', environment.name)
      if (!segment.includes('{app}')) {
        const next = dir ? `${dir}/${segment}` : segment
        if (existsSync(join(repoRoot, next))) expand(next, index + 1, app)
        return
      }
      const pattern = new RegExp(`^${segment.split('{app}').map(escapeRegExp).join('([a-z0-9][a-z0-9._-]*)')}$`)
      let entries: string[]
      try {
        entries = readdirSync(join(repoRoot, dir || '.'))
      } catch {
        return
      }
      for (const name of entries.sort()) {
        const match = pattern.exec(name)
        if (!match || name.startsWith('.')) continue
        const next = dir ? `${dir}/${name}` : name
        if (statSync(join(repoRoot, next)).isDirectory()) expand(next, index + 1, match[1])
      }
    }
    expand('', 0, undefined)
  }
  return roots.sort((a, b) => a.path.localeCompare(b.path))
}

/** layoutRoots read from the listing: each directory holding a kustomization file, matched segment by segment. */
function listedLayoutRoots(config: GitopsConfig, segments: readonly string[], tree: RepoTree): BuildRoot[] | undefined {
  const dirs = [...new Set(tree.kustomizationFiles.map((file) => posix.dirname(file)))].map((dir) => dir.split('/'))
  const roots: BuildRoot[] = []
  for (const environment of config.environments) {
    const patterns = segments.map((segment) => {
      const named = segment.replaceAll('{env}', environment.name)
      return named.includes('{app}') ? new RegExp(`^${named.split('{app}').map(escapeRegExp).join('([a-z0-9][a-z0-9._-]*)')}$`) : named
    })
    // An app named vendor or node_modules: the walk did not enter it.
    if (tree.skipped.some((dir) => dir.split('/').every((part, index) => index < patterns.length && matches(patterns[index]!, part))))
      return undefined
    for (const parts of dirs) {
      if (parts.length !== patterns.length || !parts.every((part, index) => matches(patterns[index]!, part))) continue
      let app: string | undefined
      for (const [index, pattern] of patterns.entries()) if (typeof pattern !== 'string') app = pattern.exec(parts[index]!)![1]
      roots.push({ path: parts.join('/'), app, environment: environment.name, reasons: ['layout'] })
    }
  }
  return roots.sort((a, b) => a.path.localeCompare(b.path))
}

function matches(pattern: string | RegExp, segment: string): boolean {
  return typeof pattern === 'string' ? pattern === segment : pattern.test(segment)
}

/** A root as messages name it: its repository path, or the repository root for ''. */
export function rootName(path: string): string {
  return path === '' ? 'the repository root' : path
}

/** `./apps/x/`, `/apps/x`, `apps/x` → `apps/x`; `./` → ''. */
export function normalizeRepoPath(path: string): string {
  const normalized = posix.normalize(`/${path.trim()}`).replace(/^\/+/, '').replace(/\/+$/, '')
  return normalized === '.' ? '' : normalized
}

/**
 * The manifests Flux would include for a directory without a kustomization file: every YAML file
 * below it that holds an object with a kind, and sub-directories that have their own kustomization.
 */
export function generatedResources(repoRoot: string, dir: string, files: SourceFiles): string[] {
  const resources: string[] = []
  const walk = (current: string): void => {
    for (const entry of readdirSync(join(repoRoot, current || '.'), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue
      const path = current ? `${current}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (kustomizationFileIn(repoRoot, path)) resources.push(path)
        else walk(path)
      } else if (/\.ya?ml$/.test(entry.name)) {
        const manifests = files.manifests(path)
        if (Array.isArray(manifests) && manifests.some((m) => typeof m.object.kind === 'string')) resources.push(path)
      }
    }
  }
  walk(dir)
  return resources
}

/**
 * Without gitops.yaml, every Kustomize root of the repository, as Flux's own example repositories
 * validate them (scripts/validate.sh builds every directory with a kustomization file, outside dot
 * directories and Helm charts): a `kind: Component` cannot build alone, and a directory that another
 * root builds (a base, a component) is checked through that root, so it is not built twice.
 * `includedElsewhere` tells, for the candidates, which of them another root's build reads.
 */
export function discoveredRoots(
  repoRoot: string,
  yamlFiles: readonly string[],
  files: SourceFiles,
  includedElsewhere: (candidates: readonly string[]) => ReadonlySet<string>,
  kustomizationFileAt: (dir: string) => string | undefined = (dir) => kustomizationFileIn(repoRoot, dir)
): BuildRoot[] {
  const charts = yamlFiles.filter((file) => posix.basename(file) === 'Chart.yaml').map((file) => posix.dirname(file))
  const inChart = (dir: string) => charts.some((chart) => dir === chart || dir.startsWith(`${chart}/`))
  const candidates: string[] = []
  for (const dir of new Set(yamlFiles.map((file) => (posix.dirname(file) === '.' ? '' : posix.dirname(file))))) {
    const file = kustomizationFileAt(dir)
    if (!file || inChart(dir) || /^kind:\s*["']?Component\b/m.test(files.text(file) ?? '')) continue
    candidates.push(dir)
  }
  const included = includedElsewhere(candidates)
  return candidates
    .filter((dir) => !included.has(dir))
    .sort()
    .map((path) => ({ path, reasons: ['discovered'] }))
}

/** Merges roots found for several reasons into one entry per path. */
export function mergeRoots(roots: readonly BuildRoot[]): BuildRoot[] {
  const byPath = new Map<string, BuildRoot>()
  for (const root of roots) {
    const known = byPath.get(root.path)
    if (!known) {
      byPath.set(root.path, { ...root, reasons: [...root.reasons] })
      continue
    }
    for (const reason of root.reasons) if (!known.reasons.includes(reason)) known.reasons.push(reason)
    known.app ??= root.app
    known.environment ??= root.environment
    known.generatedResources ??= root.generatedResources
    known.appliedAt ??= root.appliedAt
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path))
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
