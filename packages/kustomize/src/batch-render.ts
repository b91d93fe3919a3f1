import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { isUserError, type SourceLocation } from '@gitops-actions/core'
import { checkBuildClosure, checkBuildResource } from './build-closure.js'
import { findRenderer, runRenderer, RenderError } from './renderer.js'
import { addsToBuild, batchNamePrefix, checkFluxBuild, withoutNamePrefix, writeFluxBuild, type FluxBuild } from './flux-build.js'

/**
 * Rendering many kustomize roots at the cost of a few: one `kustomize build` costs about 0.15–0.3 s,
 * almost all of it start-up, so N overlays are listed as resources of one generated kustomization
 * and built in one call. Marker objects between the roots (with `sortOptions: fifo`) tell which root
 * produced which object, and `buildMetadata: [originAnnotations]` tells each object's source file.
 * A batch that fails (an error in one root, or two roots producing the same object ID) is split in
 * halves until the failing roots stand alone, so every error belongs to the root that caused it.
 */

/** One root to build, relative to the repository root. */
export interface RootSpec {
  /** Directory relative to the repository root, forward slashes (`apps/myapp/overlays/dev`). */
  path: string
  /** Roots are batched only with roots of the same key (e.g. the environment), to avoid ID collisions. */
  batchKey?: string
  /**
   * Files to list in a kustomization generated for a directory that has none (what Flux does for a
   * path without kustomization.yaml), relative to the repository root. Built with
   * `--load-restrictor=LoadRestrictionsNone` since the generated file lives outside the directory.
   */
  generatedResources?: readonly string[]
  /** What a Flux Kustomization applying the path adds to its build (targetNamespace, patches, images, components). */
  flux?: FluxBuild
  /** Where `flux.patches[i]` is written (the Kustomization's file and line), for an error about it. */
  fluxPatchAt?: (index: number) => SourceLocation | undefined
}

/** Where kustomize says an object came from (`config.kubernetes.io/origin`), paths relative to the repository root. */
export interface ObjectOrigin {
  path?: string
  /** For generated objects (configMapGenerator…): the kustomization that configured them. */
  configuredIn?: string
  repo?: string
  ref?: string
}

export interface RenderedObject {
  object: Record<string, unknown>
  origin: ObjectOrigin | undefined
}

export type RootRender =
  { root: string; objects: RenderedObject[]; error?: undefined } | { root: string; error: RenderError; objects?: undefined }

export interface BatchRenderOptions {
  /** Renders at once; default: the machine's cores. */
  concurrency?: number
  /** Most roots in one call; default: spread evenly over the workers, at most 60. */
  maxBatchSize?: number
  /** Extra kustomize flags for every build (e.g. `--enable-helm`). */
  flags?: readonly string[]
  /** Hosts gitops.yaml allows remote resources from; without any, every build runs offline (see render). */
  remoteHosts?: readonly string[]
  /** Called with the roots rendered so far (built or failed) and their number, at the start and after each batch. */
  onProgress?: (done: number, total: number) => void
}

export interface BatchRenderStats {
  /** kustomize processes started. */
  calls: number
  /** Batches that failed and were split to find the root at fault. */
  splits: number
}

const ORIGIN = 'config.kubernetes.io/origin'
const MARKER_PREFIX = 'gitops-actions-root-marker-'

/** Renders every root; the result is in the order of `roots`. */
export async function renderRoots(
  repoRoot: string,
  roots: readonly RootSpec[],
  options: BatchRenderOptions = {},
  stats: BatchRenderStats = { calls: 0, splits: 0 }
): Promise<RootRender[]> {
  if (roots.length === 0) return []
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism())
  const limit = semaphore(concurrency)
  // The batch files are written synchronously, so the first kustomize calls start before renderRoots returns.
  const work = mkdtempSync(join(tmpdir(), 'gitops-render-'))
  const results = new Map<string, RootRender>()
  let counter = 0
  const total = dedupe(roots).length
  options.onProgress?.(0, total)
  try {
    // Each root's closure is checked first: a refused root fails alone, at the line that names what was refused.
    const buildable = roots.filter((spec) => {
      const refused = closureProblem(repoRoot, spec, options.remoteHosts ?? [])
      if (refused) results.set(spec.path, { root: spec.path, error: refused })
      return !refused
    })
    if (results.size > 0) options.onProgress?.(results.size, total)
    const batches = planBatches(buildable, concurrency, options.maxBatchSize ?? 60)
    const renderBatch = async (batch: readonly RootSpec[]): Promise<void> => {
      const dir = join(work, `b${counter++}`)
      const outcome = await limit(() => buildBatch(repoRoot, dir, batch, options, stats))
      if (!(outcome instanceof RenderError)) {
        for (const [index, spec] of batch.entries()) results.set(spec.path, { root: spec.path, objects: outcome[index] ?? [] })
        options.onProgress?.(results.size, total)
        return
      }
      if (batch.length === 1) {
        results.set(batch[0]!.path, { root: batch[0]!.path, error: new RenderError(batch[0]!.path, outcome.stderr) })
        options.onProgress?.(results.size, total)
        return
      }
      stats.splits++
      const half = Math.ceil(batch.length / 2)
      await Promise.all([renderBatch(batch.slice(0, half)), renderBatch(batch.slice(half))])
    }
    await Promise.all(batches.map(renderBatch))
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return roots.map((spec) => results.get(spec.path)!)
}

/** Why a root may not be built (see checkBuildClosure), as its RenderError; undefined when it may. */
function closureProblem(repoRoot: string, spec: RootSpec, remoteHosts: readonly string[]): RenderError | undefined {
  try {
    if (spec.generatedResources) {
      for (const file of spec.generatedResources) checkBuildResource(repoRoot, file, remoteHosts)
    } else checkBuildClosure(repoRoot, resolve(repoRoot, spec.path), remoteHosts)
    if (spec.flux) checkFluxBuild(repoRoot, spec.flux, remoteHosts, spec.fluxPatchAt)
    return undefined
  } catch (error) {
    if (isUserError(error)) return new RenderError(spec.path, error.message, error.location)
    throw error
  }
}

/** Groups roots by batch key, then cuts each group so that every worker gets a share. */
export function planBatches(roots: readonly RootSpec[], concurrency: number, maxBatchSize: number): RootSpec[][] {
  const groups = new Map<string, RootSpec[]>()
  for (const spec of dedupe(roots)) {
    const key = `${spec.generatedResources ? 'generated' : 'kustomization'}:${spec.batchKey ?? ''}`
    groups.set(key, [...(groups.get(key) ?? []), spec])
  }
  const total = [...groups.values()].reduce((n, g) => n + g.length, 0)
  const size = Math.max(1, Math.min(maxBatchSize, Math.ceil(total / concurrency)))
  const batches: RootSpec[][] = []
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += size) batches.push(group.slice(i, i + size))
  }
  // Largest first, so the last batch to start is a small one.
  return batches.sort((a, b) => b.length - a.length)
}

function dedupe(roots: readonly RootSpec[]): RootSpec[] {
  const seen = new Set<string>()
  return roots.filter((spec) => (seen.has(spec.path) ? false : (seen.add(spec.path), true)))
}

async function buildBatch(
  repoRoot: string,
  dir: string,
  batch: readonly RootSpec[],
  options: BatchRenderOptions,
  stats: BatchRenderStats
): Promise<RenderedObject[][] | RenderError> {
  const flags = options.flags ?? []
  mkdirSync(dir, { recursive: true })
  const resources: string[] = []
  const generated = batch.some((spec) => spec.generatedResources)
  for (const [index, spec] of batch.entries()) {
    const marker = `marker-${index}.yaml`
    writeFileSync(join(dir, marker), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${MARKER_PREFIX}${index}\n`)
    resources.push(marker)
    if (addsToBuild(spec.flux)) {
      const entries = (spec.generatedResources ?? [spec.path]).map((path) => resolve(repoRoot, path))
      writeFluxBuild(join(dir, `generated-${index}`), entries, spec.flux, repoRoot, batchNamePrefix(spec.flux, index))
      resources.push(`generated-${index}`)
    } else if (spec.generatedResources) {
      const sub = join(dir, `generated-${index}`)
      mkdirSync(sub)
      const listed = spec.generatedResources.map((file) => toPosix(relative(sub, resolve(repoRoot, file))))
      writeFileSync(join(sub, 'kustomization.yaml'), `resources:\n${listed.map((f) => `- ${JSON.stringify(f)}`).join('\n')}\n`)
      resources.push(`generated-${index}`)
    } else {
      resources.push(toPosix(relative(dir, resolve(repoRoot, spec.path))) || '.')
    }
  }
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'buildMetadata: [originAnnotations]',
      'sortOptions:',
      '  order: fifo',
      'resources:',
      ...resources.map((r) => `- ${JSON.stringify(r)}`),
      ''
    ].join('\n')
  )
  stats.calls++
  let output: string
  try {
    const renderer = findRenderer()
    const allFlags = generated ? [...flags, '--load-restrictor=LoadRestrictionsNone'] : flags
    output = await runRenderer(renderer, dir, [...renderer.args, ...allFlags, dir], options)
  } catch (error) {
    if (error instanceof RenderError)
      return new RenderError(batch.length === 1 ? batch[0]!.path : dir, rebase(error.stderr, dir, repoRoot, batch))
    throw error
  }
  const perRoot = splitByMarkers(output, batch.length, dir, repoRoot)
  for (const [index, spec] of batch.entries()) {
    const prefix = batchNamePrefix(spec.flux, index)
    if (prefix === undefined) continue
    for (const rendered of perRoot[index]!) rendered.object = withoutNamePrefix(rendered.object, prefix) as Record<string, unknown>
  }
  return perRoot
}

/** Cuts a batch's output at the markers and turns origin paths into repository paths. */
function splitByMarkers(output: string, count: number, dir: string, repoRoot: string): RenderedObject[][] {
  const perRoot: RenderedObject[][] = Array.from({ length: count }, () => [])
  let current = -1
  for (const document of parseAllDocuments(output)) {
    const object = document.toJS() as Record<string, unknown> | null
    if (!object || typeof object !== 'object') continue
    const metadata = object.metadata as { name?: unknown; annotations?: Record<string, string> } | undefined
    const origin = takeOrigin(metadata, dir, repoRoot)
    if (object.kind === 'ConfigMap' && typeof metadata?.name === 'string' && metadata.name.startsWith(MARKER_PREFIX)) {
      const index = Number(metadata.name.slice(MARKER_PREFIX.length))
      if (Number.isInteger(index) && index < count) {
        current = index
        continue
      }
    }
    if (current >= 0) perRoot[current]!.push({ object, origin })
  }
  return perRoot
}

function takeOrigin(
  metadata: { annotations?: Record<string, string> } | undefined,
  dir: string,
  repoRoot: string
): ObjectOrigin | undefined {
  const text = metadata?.annotations?.[ORIGIN]
  if (text === undefined || !metadata?.annotations) return undefined
  delete metadata.annotations[ORIGIN]
  if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations
  const origin: ObjectOrigin = {}
  for (const line of text.split('\n')) {
    const match = /^(path|configuredIn|repo|ref):\s*(.+)$/.exec(line.trim())
    if (match) origin[match[1] as keyof ObjectOrigin] = match[2]!.replace(/^['"]|['"]$/g, '')
  }
  for (const key of ['path', 'configuredIn'] as const) {
    const value = origin[key]
    if (value !== undefined && origin.repo === undefined) origin[key] = repoPath(resolve(dir, value), repoRoot)
  }
  return origin
}

function repoPath(absolute: string, repoRoot: string): string {
  return toPosix(relative(repoRoot, absolute))
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}

/**
 * kustomize names files by absolute path or relative to our temporary directory: make them
 * repository paths. The kustomization generated for a directory without one is ours, not the
 * user's: its frame goes, and its files are named from the repository root like the others.
 */
function rebase(stderr: string, dir: string, repoRoot: string, batch: readonly RootSpec[]): string {
  let text = stderr.split(dir + '/').join('')
  for (const [index, spec] of batch.entries()) {
    if (!spec.generatedResources && !addsToBuild(spec.flux)) continue
    const name = `generated-${index}`
    text = text
      .split(`accumulating resources from '${name}': read ${name}: is a directory': recursed accumulation of path '${name}': `)
      .join('')
    const fromSub = toPosix(relative(join(dir, name), repoRoot))
    if (fromSub) text = text.split(fromSub + '/').join('')
    text = text.split(`'${name}'`).join(`'${spec.path || '.'}'`)
  }
  const fromDir = toPosix(relative(dir, repoRoot))
  if (fromDir) text = text.split(fromDir + '/').join('')
  return text.split(resolve(repoRoot) + '/').join('')
}

function semaphore(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: Array<() => void> = []
  return async (task) => {
    if (active >= size) await new Promise<void>((go) => waiting.push(go))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
