import {
  applyFileEdits,
  DiskRepoReader,
  expandOverlayPatterns,
  layoutPath,
  loadGitopsConfig,
  planImageUpdate,
  silentLogger,
  unifiedDiff,
  parameterError,
  type ImageChange,
  type ImageEdit,
  type ImageTarget,
  type Logger
} from '@gitops-actions/core'
import { verifyImageUpdate, type ImageRenderCheck, type VerifyOptions } from '@gitops-actions/kustomize'
import { existsSync, statSync } from 'node:fs'

export interface BumpOverlayRequest {
  /** The config repo checkout. */
  root: string
  /** Overlay directories (repo paths); empty to find the overlay from app and environment through gitops.yaml's layout. */
  overlays: string[]
  app: string | undefined
  environment: string | undefined
  changes: ImageChange[]
  /** Plan and verify, write nothing. */
  dryRun: boolean
  logger?: Logger
  render?: VerifyOptions
}

export interface BumpOverlayResult {
  /** Whether a file changes (or would, on a dry run). */
  changed: boolean
  dryRun: boolean
  previousTag: string
  previousDigest: string
  /** Repo paths of the files that change. */
  files: string[]
  /** Repo paths actually written (empty on a dry run). */
  written: string[]
  /** Overlays where something changes. */
  overlays: string[]
  targets: ImageTarget[]
  changes: ImageEdit[]
  /** The containers the render check saw, per overlay and image. */
  checks: Array<{ overlay: string; image: string; containers: Array<{ object: string; container: string; image: string }> }>
  /** Unified diff of the change. */
  diff: string
}

/**
 * bump-overlay end to end in a checkout: plan the edit through gitops.yaml (layout, tag rules),
 * render the overlays as they will be with real kustomize without touching the checkout, then
 * write every file or none. Any failure leaves the checkout as it was.
 */
export async function bumpOverlay(request: BumpOverlayRequest): Promise<BumpOverlayResult> {
  const logger = request.logger ?? silentLogger
  if (!existsSync(request.root) || !statSync(request.root).isDirectory()) {
    throw parameterError('working-directory', `'${request.root}' is not a directory. Check out the config repo (actions/checkout) first.`)
  }
  const config = loadGitopsConfig(request.root)
  const reader = new DiskRepoReader(request.root)
  const overlays =
    request.overlays.length > 0
      ? await expandOverlayPatterns(reader, request.overlays, { parameter: 'overlays' })
      : [layoutPath(config.layout.overlay, { app: request.app, env: request.environment }, 'layout.overlay')]
  const plan = await planImageUpdate(reader, {
    overlays,
    changes: request.changes,
    config,
    environment: request.environment,
    app: request.app
  })

  let checks: ImageRenderCheck[] = []
  let written: string[] = []
  if (plan.changed) {
    const count = new Set(plan.targets.map((t) => t.overlay)).size
    checks = await logger.group(`Rendering ${count} overlay(s) with the change`, () =>
      verifyImageUpdate(request.root, plan, { remoteHosts: config.kustomize.remoteResources, ...request.render })
    )
    for (const check of checks) {
      logger.info(`${check.overlay}: ${check.containers.length} container(s) of ${check.image} run ${check.containers[0]?.image ?? '?'}`)
    }
    if (!request.dryRun) written = applyFileEdits(request.root, plan.edits)
  } else {
    logger.info('Every overlay already runs the requested image: nothing to change.')
  }

  return {
    changed: plan.changed,
    dryRun: request.dryRun,
    previousTag: plan.previousTag ?? '',
    previousDigest: plan.previousDigest ?? '',
    files: plan.edits.map((e) => e.path),
    written,
    overlays: [...new Set(plan.targets.filter((t) => t.changed).map((t) => t.overlay))],
    targets: plan.targets,
    changes: plan.changes,
    checks: checks.map((c) => ({
      overlay: c.overlay,
      image: c.image,
      containers: c.containers.map((x) => ({ object: x.object, container: x.container, image: x.image }))
    })),
    diff: unifiedDiff(plan.edits)
  }
}
