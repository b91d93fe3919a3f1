import { readFileSync, realpathSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import { kustomizationFileIn } from '../config/app-discovery.js'
import { UserError } from '../errors.js'
import type { SourceLocation } from '../source-location.js'
import { locationOf, parseYamlFile, parseYamlStream, toPlain, type YamlSource } from '../yaml-source.js'

/*
 * Reading a kustomization for the status view: its images[] entries, the bases and components
 * it builds on, and its patches. Read-only and deliberately small: the kustomization editing
 * core (bump-overlay) owns writing, and this reader is meant to give way to its reader.
 */

/** One entry of a kustomization's `images:` list. */
export interface ImageSetting {
  name: string
  newName?: string
  newTag?: string
  digest?: string
  /** Where the entry is. */
  location: SourceLocation
}

/** One patch a kustomization applies, and the objects it targets (`Kind/name`). */
export interface PatchSetting {
  /** The patch file as written (`hpa-patch.yaml`), or `inline` for a patch in the kustomization. */
  source: string
  /** `Kind/name` of each object patched, from the `target` or from the patch's own documents. */
  targets: string[]
  location: SourceLocation
}

/** The parts of one kustomization file that the status view reads. */
export interface KustomizationSummary {
  /** Repo-relative path of the file, forward slashes. */
  file: string
  /** Repo-relative directory. */
  dir: string
  images: ImageSetting[]
  /** Repo-relative directories among `resources:` (remote and file resources left out). */
  bases: string[]
  /** Repo-relative directories of `components:`. */
  components: string[]
  patches: PatchSetting[]
}

/** Reads a kustomization directory (repo-relative); undefined when it has no kustomization file. */
export function readKustomizationSummary(repoRoot: string, dir: string): KustomizationSummary | undefined {
  const path = kustomizationFileIn(join(repoRoot, dir))
  if (!path) return undefined
  const file = toRepoPath(repoRoot, path)
  const source = parseYamlFile(readFileSync(path, 'utf8'), file)
  const data = (toPlain(source) ?? {}) as Record<string, unknown>
  if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`${file} is not a YAML map`, { file, line: 1 })
  return {
    file,
    dir: toRepoPath(repoRoot, join(repoRoot, dir)),
    images: readImages(source, data.images),
    bases: directories(repoRoot, dir, source, 'resources', data.resources),
    components: directories(repoRoot, dir, source, 'components', data.components),
    patches: readPatches(repoRoot, dir, source, data)
  }
}

function readImages(source: YamlSource, raw: unknown): ImageSetting[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new UserError(`${source.file}: images must be a list`, locationOf(source, ['images']))
  return raw.map((entry: unknown, index) => {
    const location = locationOf(source, ['images', index])
    const item = entry as Record<string, unknown> | null
    if (!item || typeof item !== 'object' || typeof item.name !== 'string' || item.name === '') {
      throw new UserError(`${source.file}: images[${index}] needs a name`, location)
    }
    const setting: ImageSetting = { name: item.name, location }
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const value = item[key]
      if (value === undefined || value === null) continue
      // An unquoted newTag such as 1.10 or 20241201 reads as a number; kustomize takes its text.
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new UserError(`${source.file}: images[${index}].${key} must be a string`, locationOf(source, ['images', index, key]))
      }
      setting[key] = String(value)
    }
    return setting
  })
}

function directories(repoRoot: string, dir: string, source: YamlSource, key: string, raw: unknown): string[] {
  if (!Array.isArray(raw)) return []
  const found: string[] = []
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('github.com/')) return
    const target = inRepo(repoRoot, dir, entry, source, [key, index])
    if (kustomizationFileIn(join(repoRoot, target))) found.push(target)
  })
  return found
}

/** A repo-relative path for `entry` written in `dir`; a path leaving the repo is refused. */
function inRepo(repoRoot: string, dir: string, entry: string, source: YamlSource, at: Array<string | number>): string {
  const location = locationOf(source, at)
  if (isAbsolute(entry)) throw new UserError(`${source.file}: '${entry}' is an absolute path; use a path inside the repository`, location)
  const full = join(repoRoot, dir, entry)
  let real = full
  try {
    real = realpathSync(full)
  } catch {
    // A missing path is kustomize's to report; only escapes matter here.
  }
  const root = realpathSync(repoRoot)
  for (const candidate of [relative(repoRoot, full), relative(root, real)]) {
    if (candidate === '..' || candidate.startsWith(`..${sep}`) || isAbsolute(candidate)) {
      throw new UserError(`${source.file}: '${entry}' leads outside the repository`, location)
    }
  }
  return toRepoPath(repoRoot, full)
}

function readPatches(repoRoot: string, dir: string, source: YamlSource, data: Record<string, unknown>): PatchSetting[] {
  const patches: PatchSetting[] = []
  const add = (key: string, index: number, path: string | undefined, inline: string | undefined, target: unknown) => {
    const location = locationOf(source, [key, index])
    const targets = describeTarget(target)
    let text = inline
    if (path !== undefined) {
      const file = inRepo(repoRoot, dir, path, source, [key, index])
      try {
        text = readFileSync(join(repoRoot, file), 'utf8')
      } catch {
        text = undefined // kustomize reports the missing file when it renders
      }
    }
    if (targets.length === 0 && text !== undefined) targets.push(...patchDocumentTargets(text, path ?? source.file))
    patches.push({ source: path ?? 'inline', targets, location })
  }
  const list = (key: string) => (Array.isArray(data[key]) ? (data[key] as unknown[]) : [])
  list('patches').forEach((entry, i) => {
    const item = (entry ?? {}) as Record<string, unknown>
    add('patches', i, str(item.path), str(item.patch), item.target)
  })
  list('patchesStrategicMerge').forEach((entry, i) => {
    const text = str(entry)
    const isInline = text !== undefined && text.includes('\n')
    add('patchesStrategicMerge', i, isInline ? undefined : text, isInline ? text : undefined, undefined)
  })
  list('patchesJson6902').forEach((entry, i) => {
    const item = (entry ?? {}) as Record<string, unknown>
    add('patchesJson6902', i, str(item.path), str(item.patch), item.target)
  })
  return patches
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function describeTarget(target: unknown): string[] {
  if (!target || typeof target !== 'object') return []
  const t = target as Record<string, unknown>
  if (typeof t.kind !== 'string' && typeof t.name !== 'string') return []
  const selector = typeof t.labelSelector === 'string' ? `[${t.labelSelector}]` : ''
  return [`${str(t.kind) ?? '*'}/${str(t.name) ?? '*'}${selector}`]
}

/** `Kind/name` of each document of a strategic-merge patch; JSON 6902 patches (lists) name none. */
function patchDocumentTargets(text: string, file: string): string[] {
  try {
    return parseYamlStream(text, file)
      .map((doc) => toPlain(doc) as { kind?: unknown; metadata?: { name?: unknown } } | null)
      .filter((object) => object && typeof object === 'object' && !Array.isArray(object) && typeof object.kind === 'string')
      .map((object) => `${String(object!.kind)}/${String(object!.metadata?.name ?? '*')}`)
  } catch {
    return [] // an unreadable patch is kustomize's to report when it renders
  }
}

function toRepoPath(repoRoot: string, path: string): string {
  return relative(repoRoot, path).split(sep).join('/') || '.'
}

/** The kustomizations an overlay builds on, deepest first, ending with the overlay itself. */
export function kustomizationChain(repoRoot: string, dir: string): KustomizationSummary[] {
  const seen = new Set<string>()
  const chain: KustomizationSummary[] = []
  const visit = (current: string) => {
    if (seen.has(current)) return
    seen.add(current)
    const summary = readKustomizationSummary(repoRoot, current)
    if (!summary) return
    for (const base of [...summary.bases, ...summary.components]) visit(base)
    chain.push(summary)
  }
  visit(toRepoPath(repoRoot, join(repoRoot, dir)))
  return chain
}

/** The image an overlay's build ends up with, as its kustomizations' images[] say. */
export interface ResolvedImage {
  /** The name the container image has in the resources, before any images[] entry applies. */
  name: string
  /** The image name after renames (`ghcr.io/org/myapp`). */
  repository: string
  tag?: string
  digest?: string
  /** `repository:tag@digest` as it will be rendered. */
  reference: string
  /** The entry that set the tag or digest (or, when neither is set, the last that touched it). */
  setBy: SourceLocation
  /** True when that entry is in the overlay itself rather than in a base it builds on. */
  setInOverlay: boolean
}

export interface OverlayImages {
  images: ResolvedImage[]
  /** Entries that change nothing, and why (e.g. the base already renamed the image). */
  problems: Array<{ message: string; location: SourceLocation }>
}

interface Tracked {
  name: string
  current: string
  tag?: string
  digest?: string
  setBy: SourceLocation
  setInOverlay: boolean
  renamedBy?: SourceLocation
}

/**
 * Resolves the images[] entries of an overlay and its bases the way kustomize applies them:
 * each kustomization's entries act on what its bases produced, matching by the image's current
 * name. An overlay entry that names an image its base has already renamed changes nothing, a
 * common slip that leaves the environment on the base's tag; it is reported as a problem.
 */
export function resolveOverlayImages(chain: readonly KustomizationSummary[]): OverlayImages {
  const tracked: Tracked[] = []
  const problems: OverlayImages['problems'] = []
  const overlay = chain.at(-1)
  for (const kustomization of chain) {
    const inOverlay = kustomization === overlay
    for (const entry of kustomization.images) {
      const matches = tracked.filter((t) => t.current === entry.name)
      if (matches.length === 0) {
        const renamed = tracked.find((t) => t.name === entry.name && t.renamedBy)
        if (renamed) {
          problems.push({
            message: `${entry.location.file}: the images entry '${entry.name}' changes nothing: ${renamed.renamedBy!.file}${
              renamed.renamedBy!.line ? `:${renamed.renamedBy!.line}` : ''
            } already renames '${entry.name}' to '${renamed.current}', so this entry must be named '${renamed.current}'`,
            location: entry.location
          })
          continue
        }
        const fresh: Tracked = { name: entry.name, current: entry.name, setBy: entry.location, setInOverlay: inOverlay }
        tracked.push(fresh)
        matches.push(fresh)
      }
      for (const image of matches) {
        if (entry.newName !== undefined && entry.newName !== image.current) {
          image.current = entry.newName
          image.renamedBy = entry.location
        }
        // kustomize: a new tag or digest replaces both the old tag and the old digest.
        if (entry.newTag !== undefined || entry.digest !== undefined) {
          delete image.tag
          delete image.digest
          if (entry.newTag !== undefined) image.tag = entry.newTag
          if (entry.digest !== undefined) image.digest = entry.digest
        }
        if (entry.newTag !== undefined || entry.digest !== undefined || (image.tag === undefined && image.digest === undefined)) {
          image.setBy = entry.location
          image.setInOverlay = inOverlay
        }
      }
    }
  }
  return {
    images: tracked.map((t) => ({
      name: t.name,
      repository: t.current,
      ...(t.tag !== undefined ? { tag: t.tag } : {}),
      ...(t.digest !== undefined ? { digest: t.digest } : {}),
      reference: `${t.current}${t.tag !== undefined ? `:${t.tag}` : ''}${t.digest !== undefined ? `@${t.digest}` : ''}`,
      setBy: t.setBy,
      setInOverlay: t.setInOverlay
    })),
    problems
  }
}
