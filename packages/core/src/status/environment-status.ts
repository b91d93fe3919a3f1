import { join } from 'node:path'
import semver from 'semver'
import { discoverApps } from '../config/app-discovery.js'
import type { EnvironmentConfig } from '../config/environments.js'
import { loadGitopsConfig, type GitopsConfig } from '../config/gitops-config.js'
import { overlayPath } from '../config/layout.js'
import { UserError } from '../errors.js'
import type { KubeObject } from '../manifests/manifest.js'
import type { SourceLocation } from '../source-location.js'
import type { SourceVerification } from '../promotion/verification.js'
import { containersOf, podSpecOf } from '../workloads/pod-spec.js'
import { parseYamlStream, toPlain } from '../yaml-source.js'
import { compareRenderedEnvironments, type EnvironmentDrift } from './drift.js'
import { kustomizationChain, resolveOverlayImages, type KustomizationSummary, type ResolvedImage } from './overlay-images.js'
import { compareVersions, tagFacts, versionDistance, type VersionDistance } from './tag-facts.js'

/** One image an overlay deploys, and what its tag tells. */
export interface ImageStatus {
  /** The image's name in the resources (the images[] entry name, e.g. `myapp`). */
  name: string
  /** The name it is deployed under (`ghcr.io/org/myapp`). */
  repository: string
  tag?: string
  digest?: string
  /** `repository:tag@digest`. */
  reference: string
  /** The app commit the tag names (`sha-abc123d` → `abc123d`), when its shape tells. */
  commit?: string
  /** The semantic version: from a `v1.2.3`-style tag, or from the rendered workload's `app.kubernetes.io/version` label. */
  version?: string
  /** Where the version comes from: the tag, the rendered label, the app's release tag on the commit, or the image's OCI labels. */
  versionFrom?: 'tag' | 'label' | 'release-tag' | 'oci-label'
  /** UTC `YYYYMMDD-HHMMSS` for `<app>-<sha>-<timestamp>` tags. */
  builtAt?: string
  /** The images[] entry that sets the tag or digest. */
  setBy: SourceLocation
  /** False when the tag comes from the base because the overlay does not set one. */
  setInOverlay: boolean
}

/** One app in one environment. */
export interface AppEnvironmentStatus {
  environment: string
  /** The overlay directory, repo-relative. */
  overlay: string
  /** False when the app has no overlay for this environment. */
  present: boolean
  images: ImageStatus[]
  /** The container images of the rendered overlay, when it was rendered. */
  renderedImages?: string[]
  /** Why kustomize could not build the overlay, when it could not (no drift is reported for it then). */
  renderError?: string
  /** What is wrong with the overlay's images (an entry that changes nothing, a render that disagrees). */
  problems: string[]
  /** Flux's health evidence for this environment (commit statuses), when asked for (CollectStatusOptions.healthOf). */
  health?: SourceVerification
}

/**
 * How the next environment stands against the one before it:
 * `in-sync` (same build), `behind` (an older version: waiting to be promoted), `ahead` (a newer
 * version than the environment before it), `differs` (other build, no versions to order them),
 * `unknown` (an overlay or image is missing on one side).
 */
export type PromotionState = 'in-sync' | 'behind' | 'ahead' | 'differs' | 'unknown'

/** One image compared across a promotion step. */
export interface ImageStep {
  name: string
  state: PromotionState
  /** For `behind` and `ahead`: how many versions apart. */
  distance?: VersionDistance
  /** One line for people: `2 minor versions behind (1.2.3 → 1.4.0)`. */
  detail: string
}

/** One step of the promotion chain of an app: `from` → `to` (the next environment). */
export interface PromotionStep {
  from: string
  to: string
  /** The most pressing state among the images: behind, differs, ahead, unknown, in-sync. */
  state: PromotionState
  images: ImageStep[]
  detail: string
}

export interface AppStatus {
  app: string
  /** One entry per environment, in promotion order. */
  environments: AppEnvironmentStatus[]
  /** One entry per pair of neighbouring environments. */
  steps: PromotionStep[]
}

/** Which version of which app runs where, read from the config repo alone. JSON-ready. */
export interface EnvironmentStatus {
  /** gitops.yaml, or undefined when the defaults apply. */
  configFile: string | undefined
  /** Environment names in promotion order. */
  environments: string[]
  /** Where overlays are looked for (gitops.yaml layout.overlay). */
  overlayLayout: string
  apps: AppStatus[]
  /** Drift between neighbouring environments, when the overlays were rendered. */
  drift?: EnvironmentDrift[]
}

export interface StatusOptions {
  config?: GitopsConfig
  /** Only these apps (default: every app the layout finds). An unknown name is a UserError. */
  apps?: readonly string[]
}

/** Renders one kustomization directory (absolute path) to its YAML stream: `render` of @gitops-actions/kustomize. */
export type RenderOverlay = (directory: string) => Promise<string>

/** An overlay the status will render, for a renderer that builds many at once. */
export interface OverlayToRender {
  /** Absolute path, as `render` will be asked for it. */
  directory: string
  environment: string
}

export interface CollectStatusOptions extends StatusOptions {
  render: RenderOverlay
  /**
   * Called once with every overlay before `render` is asked for each: a renderer that batches
   * (`batchedRender` of @gitops-actions/kustomize) builds them here in a few kustomize calls.
   */
  renderAhead?: (overlays: readonly OverlayToRender[]) => Promise<void>
  /** Renders run at once (default 2: kustomize wants a core each). */
  concurrency?: number
  /**
   * The version of an image whose tag and labels tell none (`sha-abc123d`): the app repository's
   * release tag on its commit, or the image's OCI labels. Undefined when it cannot be known.
   */
  versionOf?: (image: ImageStatus, app: string) => Promise<{ version: string; from: 'release-tag' | 'oci-label' } | undefined>
  /** Flux's health evidence of an app in an environment (commit statuses); undefined when not known. */
  healthOf?: (app: string, environment: EnvironmentConfig, overlay: string) => Promise<SourceVerification | undefined>
}

const STATE_ORDER: readonly PromotionState[] = ['behind', 'differs', 'ahead', 'unknown', 'in-sync']

/**
 * The status of every app in every environment from the config repo's files alone (no render,
 * no cluster, no registry): the images each overlay sets, what their tags tell, and how each
 * environment stands against the one before it.
 */
export function readEnvironmentStatus(repoRoot: string, options: StatusOptions = {}): EnvironmentStatus {
  const config = options.config ?? loadGitopsConfig(repoRoot)
  const apps = selectApps(repoRoot, config, options.apps)
  return {
    configFile: config.file,
    environments: config.environments.map((e) => e.name),
    overlayLayout: config.layout.overlay,
    apps: apps.map((app) => appStatus(repoRoot, config, app).status)
  }
}

/**
 * The status with the overlays rendered by real kustomize, each once: the rendered images are
 * checked against what the kustomizations say, and each pair of neighbouring environments is
 * compared for drift.
 */
export async function collectEnvironmentStatus(repoRoot: string, options: CollectStatusOptions): Promise<EnvironmentStatus> {
  const config = options.config ?? loadGitopsConfig(repoRoot)
  const apps = selectApps(repoRoot, config, options.apps)
  const read = apps.map((app) => appStatus(repoRoot, config, app))
  const present = read.flatMap(({ status }) => status.environments.filter((e) => e.present))
  const jobs = present.map((e) => e.overlay)
  await options.renderAhead?.(present.map((e) => ({ directory: join(repoRoot, e.overlay), environment: e.environment })))
  const renders = await renderAll(repoRoot, jobs, options.render, options.concurrency ?? 2)
  const drift: EnvironmentDrift[] = []
  for (const { status, chains } of read) {
    for (const cell of status.environments) {
      const rendered = renders.get(cell.overlay)
      if (rendered && 'error' in rendered) {
        cell.renderError = rendered.error
        cell.problems.push(rendered.error)
      } else if (rendered) checkRenderedImages(cell, rendered.yaml)
    }
    await enrich(status, config, options)
    // Versions read from labels, release tags or the registry can settle steps the tags alone could not.
    status.steps = status.environments.slice(1).map((to, i) => promotionStep(status.environments[i]!, to))
    status.environments.forEach((cell, i) => {
      const next = status.environments[i + 1]
      const yamlFrom = renderedYaml(renders.get(cell.overlay))
      const yamlTo = next ? renderedYaml(renders.get(next.overlay)) : undefined
      if (!next || yamlFrom === undefined || yamlTo === undefined) return
      const from = config.environments[i]!
      const to = config.environments[i + 1]!
      const [ownFrom, ownTo] = unshared(chains.get(from.name)!, chains.get(to.name)!)
      drift.push(
        compareRenderedEnvironments(
          status.app,
          { environment: from.name, namespace: namespaceOf(from, status.app), yaml: yamlFrom, patches: ownFrom },
          { environment: to.name, namespace: namespaceOf(to, status.app), yaml: yamlTo, patches: ownTo },
          config.drift
        )
      )
    })
  }
  return {
    configFile: config.file,
    environments: config.environments.map((e) => e.name),
    overlayLayout: config.layout.overlay,
    apps: read.map((r) => r.status),
    drift
  }
}

/** Versions from outside the repository (release tags, OCI labels) and Flux's health, where the caller can tell them. */
async function enrich(status: AppStatus, config: GitopsConfig, options: CollectStatusOptions): Promise<void> {
  for (const cell of status.environments) {
    if (!cell.present) continue
    if (options.versionOf) {
      for (const image of cell.images) {
        if (image.version) continue
        const known = await options.versionOf(image, status.app)
        if (known && semver.valid(known.version)) Object.assign(image, { version: known.version, versionFrom: known.from })
      }
    }
    const environment = config.environments.find((e) => e.name === cell.environment)
    const health = environment && (await options.healthOf?.(status.app, environment, cell.overlay))
    if (health) cell.health = health
  }
}

function selectApps(repoRoot: string, config: GitopsConfig, wanted: readonly string[] | undefined): string[] {
  const found = discoverApps(repoRoot, config)
  if (!wanted) return found
  for (const app of wanted) {
    if (!found.includes(app)) {
      throw new UserError(
        `Unknown app '${app}': no overlay matches ${config.layout.overlay} for it. Apps found: ${found.join(', ') || '(none)'}`
      )
    }
  }
  return [...wanted]
}

function appStatus(
  repoRoot: string,
  config: GitopsConfig,
  app: string
): { status: AppStatus; chains: Map<string, KustomizationSummary[]> } {
  const chains = new Map<string, KustomizationSummary[]>()
  const environments = config.environments.map((environment): AppEnvironmentStatus => {
    const overlay = overlayPath(config.layout, app, environment.name)
    const chain = kustomizationChain(repoRoot, overlay)
    chains.set(environment.name, chain)
    if (chain.length === 0) return { environment: environment.name, overlay, present: false, images: [], problems: [] }
    const resolved = resolveOverlayImages(chain)
    return {
      environment: environment.name,
      overlay,
      present: true,
      images: resolved.images.map((image) => imageStatus(image, app, config.environments)),
      problems: resolved.problems.map((p) => p.message)
    }
  })
  const steps = environments.slice(1).map((to, i) => promotionStep(environments[i]!, to))
  return { status: { app, environments, steps }, chains }
}

function imageStatus(image: ResolvedImage, app: string, environments: readonly EnvironmentConfig[]): ImageStatus {
  const { commit, version, builtAt } = image.tag !== undefined ? tagFacts(image.tag, app, environments) : {}
  return {
    ...image,
    ...(commit !== undefined ? { commit } : {}),
    ...(version !== undefined ? { version, versionFrom: 'tag' as const } : {}),
    ...(builtAt !== undefined ? { builtAt } : {})
  }
}

/** Compares each image of `from` with the same image in `to`. */
export function promotionStep(from: AppEnvironmentStatus, to: AppEnvironmentStatus): PromotionStep {
  let images: ImageStep[]
  if (!from.present || !to.present) {
    const missing = !from.present ? from : to
    images = [{ name: '*', state: 'unknown', detail: `no overlay for ${missing.environment} (${missing.overlay})` }]
  } else {
    const names = [...new Set([...from.images.map((i) => i.name), ...to.images.map((i) => i.name)])]
    images = names.map((name) => compareImage(name, from, to))
    if (images.length === 0) images = [{ name: '*', state: 'unknown', detail: 'neither overlay sets an image' }]
  }
  const state = STATE_ORDER.find((s) => images.some((i) => i.state === s)) ?? 'in-sync'
  const detail = images.length === 1 ? images[0]!.detail : images.map((i) => `${i.name}: ${i.detail}`).join('; ')
  return { from: from.environment, to: to.environment, state, images, detail }
}

function compareImage(name: string, fromCell: AppEnvironmentStatus, toCell: AppEnvironmentStatus): ImageStep {
  const a = fromCell.images.find((i) => i.name === name)
  const b = toCell.images.find((i) => i.name === name)
  const previous = fromCell.environment
  if (!a || !b) return { name, state: 'unknown', detail: `${name} is not set in ${(a ? toCell : fromCell).environment}` }
  if (a.digest && b.digest && a.digest === b.digest) return { name, state: 'in-sync', detail: `in sync with ${previous} (same digest)` }
  if (a.version && b.version) {
    const order = compareVersions(b.version, a.version)
    if (order === 0) return { name, state: 'in-sync', detail: `in sync with ${previous} (version ${b.version})` }
    if (order < 0) {
      const distance = versionDistance(b.version, a.version)!
      return {
        name,
        state: 'behind',
        distance,
        detail: `behind ${previous} by ${describeDistance(distance)} (${b.version} → ${a.version})`
      }
    }
    const distance = versionDistance(a.version, b.version)!
    return {
      name,
      state: 'ahead',
      distance,
      detail: `ahead of ${previous} by ${describeDistance(distance)} (${b.version} vs ${a.version})`
    }
  }
  if (a.commit && b.commit) {
    if (a.commit.startsWith(b.commit) || b.commit.startsWith(a.commit)) {
      return { name, state: 'in-sync', detail: `in sync with ${previous} (commit ${shortCommit(a.commit)})` }
    }
    return { name, state: 'differs', detail: `differs from ${previous} (commit ${shortCommit(b.commit)} vs ${shortCommit(a.commit)})` }
  }
  if (a.reference === b.reference) return { name, state: 'in-sync', detail: `in sync with ${previous} (same image)` }
  const why = a.version || b.version ? `; no version known for ${a.version ? toCell.environment : previous}` : ''
  return { name, state: 'differs', detail: `differs from ${previous} (${label(b)} vs ${label(a)}${why})` }
}

function label(image: ImageStatus): string {
  return image.tag ?? image.digest?.slice(0, 19) ?? 'no tag'
}

function shortCommit(commit: string): string {
  return commit.slice(0, 7)
}

/** `1 patch version`, `2 minor versions`, `a pre-release`. */
export function describeDistance(distance: VersionDistance): string {
  if (distance.part === 'prerelease') return 'a pre-release'
  return `${distance.count} ${distance.part} version${distance.count === 1 ? '' : 's'}`
}

/** The namespace an environment deploys an app to. */
export function namespaceOf(environment: EnvironmentConfig, app: string): string {
  return environment.namespace.replaceAll('{app}', app).replaceAll('{env}', environment.name)
}

/** The kustomizations of each chain that the other chain does not share, and their patches. */
function unshared(a: readonly KustomizationSummary[], b: readonly KustomizationSummary[]) {
  const dirsA = new Set(a.map((k) => k.dir))
  const dirsB = new Set(b.map((k) => k.dir))
  return [
    a.filter((k) => !dirsB.has(k.dir)).flatMap((k) => k.patches),
    b.filter((k) => !dirsA.has(k.dir)).flatMap((k) => k.patches)
  ] as const
}

/** kustomize's message on one line, paths relative to the repo, without kubectl's log prefix. */
function renderProblem(message: string, repoRoot: string): string {
  return message
    .replaceAll(`${repoRoot.replace(/\/+$/, '')}/`, '')
    .replace(/E\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] "command failed" err=<\s*/, '')
    .replace(/\s*>\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
}

type RenderOutcome = { yaml: string } | { error: string }

function renderedYaml(outcome: RenderOutcome | undefined): string | undefined {
  return outcome && 'yaml' in outcome ? outcome.yaml : undefined
}

/**
 * Renders each overlay once, a few at a time. An overlay kustomize cannot build is an outcome
 * (the status shows it), not a failure of the whole view; anything else (no renderer) is thrown.
 */
async function renderAll(
  repoRoot: string,
  overlays: readonly string[],
  render: RenderOverlay,
  concurrency: number
): Promise<Map<string, RenderOutcome>> {
  const results = new Map<string, RenderOutcome>()
  const queue = [...new Set(overlays)]
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      try {
        results.set(next, { yaml: await render(join(repoRoot, next)) })
      } catch (error) {
        if ((error as Error | undefined)?.name !== 'RenderError') throw error
        results.set(next, { error: renderProblem((error as Error).message, repoRoot) })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  return results
}

const VERSION_LABEL = 'app.kubernetes.io/version'

interface RenderedWorkload {
  images: string[]
  /** The `app.kubernetes.io/version` label of the workload. */
  version: string | undefined
}

function renderedWorkloads(yaml: string, file: string): RenderedWorkload[] {
  const workloads: RenderedWorkload[] = []
  for (const source of parseYamlStream(yaml, file)) {
    const object = toPlain(source) as KubeObject | null
    const pod = object && typeof object === 'object' ? podSpecOf(object) : undefined
    if (!pod) continue
    const images = containersOf(pod.spec, pod.path)
      .map((ref) => ref.container.image)
      .filter((image): image is string => typeof image === 'string')
    const label = object!.metadata?.labels?.[VERSION_LABEL]
    workloads.push({ images, version: typeof label === 'string' ? label : undefined })
  }
  return workloads
}

/** The container images of a render, in order of appearance, each once. */
export function renderedContainerImages(yaml: string, file = 'render'): string[] {
  return [...new Set(renderedWorkloads(yaml, file).flatMap((w) => w.images))]
}

/**
 * Checks each image's reference against the render (a difference is a problem), and takes the
 * version of an image whose tag tells none from the `app.kubernetes.io/version` label of the
 * workloads running it, when they agree on one.
 */
function checkRenderedImages(cell: AppEnvironmentStatus, yaml: string): void {
  const workloads = renderedWorkloads(yaml, cell.overlay)
  const rendered = [...new Set(workloads.flatMap((w) => w.images))]
  cell.renderedImages = rendered
  for (const image of cell.images) {
    if (!rendered.includes(image.reference)) {
      const near = rendered.filter((r) => r.startsWith(image.repository) || r.startsWith(image.name))
      cell.problems.push(
        near.length > 0
          ? `${cell.overlay} sets ${image.reference}, but kustomize renders ${near.join(', ')}`
          : `${cell.overlay} sets ${image.reference}, but no container of the render uses it (rendered: ${rendered.join(', ') || 'no containers'})`
      )
      continue
    }
    if (image.version !== undefined) continue
    const labels = new Set(workloads.filter((w) => w.images.includes(image.reference)).map((w) => w.version?.replace(/^v/, '')))
    const [label] = labels
    if (labels.size === 1 && label && semver.valid(label)) {
      image.version = label
      image.versionFrom = 'label'
    }
  }
}
