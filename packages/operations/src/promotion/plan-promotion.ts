import { join } from 'node:path'
import {
  applyFileEdits,
  checkDowngrade,
  checkGate,
  collectEnvironmentStatus,
  containerImages,
  deploymentWindowState,
  DiskRepoReader,
  downgradeOf,
  enoughEvidence,
  loadGitopsConfig,
  manifestsFromYaml,
  planImageUpdate,
  promotionLabels,
  promotionNames,
  renderedDiff,
  renderStatusMarkdown,
  resolveRoute,
  appImageName,
  runningImageOf,
  silentLogger,
  targetTag,
  parameterError,
  UserError,
  unifiedDiff,
  verificationRefusal,
  verifyEnvironment,
  type CollectStatusOptions,
  type Downgrade,
  type GateDecision,
  type HealthEvidence,
  type GitopsConfig,
  type ImageUpdatePlan,
  type Logger,
  type PromotionMarker,
  type PromotionMode,
  type PromotionNames,
  type PromotionRoute,
  type ReleaseTag,
  type RenderOverlay,
  type SourceVerification,
  type TargetTag,
  type WindowState
} from '@gitops-actions/core'
import { memoizedRender, render, verifyImageUpdate } from '@gitops-actions/kustomize'
import type { RegistryClient } from '@gitops-actions/oci'
import { firstVersionOf, ociLabelVersions, releaseTagVersions } from '../status/status-sources.js'

export interface PromotionRegistry {
  client: RegistryClient
  /** The image's repository path in that registry (`org/myapp`). */
  repository: string
}

/** What a promotion is planned from: everything but where it is committed and how the PR is opened. */
export interface PromotionPlanRequest {
  mode: PromotionMode
  app: string
  from?: string | undefined
  to?: string | undefined
  /** Auto-deploy: the new build's tag. Promote: defaults to what runs in `from`. */
  tag?: string | undefined
  /** The image as the overlays' `images[].name` (or full name) writes it; the app name by default. */
  image?: string | undefined
  allowSkip: boolean
  /** Deploy the source tag as is instead of the target environment's tagTemplate. */
  keepTag: boolean
  version?: string | undefined
  releaseTagPrefix: string
  registry?: PromotionRegistry | undefined
  /** Write `tag@digest` into the overlay (needs a registry). */
  pinDigest: boolean
  /** Write nothing: no re-tag in the registry (the plan still checks that the target tag could be made); open-promotion-pr then commits nothing either. */
  dryRun: boolean
  now: Date
  /** Orders concurrent promotions of the same app and env; `now` by default. */
  requestedAt?: string | undefined
  /** The app repository's release tags, asked for only when the target's tagTemplate needs a `{version}` nothing else gives. */
  releaseTags?: (() => Promise<readonly ReleaseTag[] | undefined>) | undefined
  /** Moving the target environment to an older version than it runs is refused unless this is set. */
  allowDowngrade?: boolean | undefined
  /**
   * The config repo's health evidence for an overlay (Flux's commit statuses on the base branch),
   * asked for when the source environment requires verification; without it (the CLI's dry run)
   * the verification is reported as not checked.
   */
  healthEvidence?: ((query: { overlay: string; enough: (evidence: HealthEvidence) => boolean }) => Promise<HealthEvidence>) | undefined
  /** The base branch, for messages. */
  baseBranch?: string | undefined
  logger?: Logger
}

/** A planned promotion: the route, the gate's decision, the tags, the overlay edit and its rendered effect. */
export interface PromotionPlan {
  config: GitopsConfig
  route: PromotionRoute
  image: string
  /** The target overlay directory. */
  overlay: string
  /** What runs in `from` (rendered from its overlay); undefined for auto-deploys. */
  source: { image: string; tag: string | undefined; digest: string | undefined } | undefined
  gate: GateDecision
  /** Flux's health evidence for `from`, when gitops.yaml requires it there. */
  verification: SourceVerification | undefined
  target: TargetTag
  /** Set when the promotion moves `to` back to an older version (allowed with allowDowngrade). */
  downgrade: Downgrade | undefined
  digest: string | undefined
  retagged: boolean
  update: ImageUpdatePlan
  previous: { tag: string | undefined; digest: string | undefined }
  marker: PromotionMarker
  names: PromotionNames
  window: WindowState
  labels: string[]
  /** Files the promotion changes. */
  files: string[]
  /** Unified diff of the files. */
  diff: string
  /** Unified diff of the target overlay's kustomize render; empty when nothing changes. */
  renderedDiff: string
  /** Markdown of the app's environments on the base branch, this step highlighted (for the PR body); undefined when nothing changes or it could not be built. */
  environments: string | undefined
}

function overlayOf(config: GitopsConfig, app: string, env: string): string {
  return config.layout.overlay.replaceAll('{app}', app).replaceAll('{env}', env)
}

async function imagesIn(renderBase: RenderOverlay, dir: string, overlay: string): Promise<string[]> {
  const text = await renderBase(join(dir, overlay))
  return manifestsFromYaml(text, overlay).flatMap((m) => containerImages(m.object).map((c) => c.image))
}

/**
 * The PR body's environment section: the app's promotion chain with this step highlighted, its
 * tags per environment and the drift between neighbours, from the base branch. It informs the
 * reviewer; when it cannot be built the promotion goes on without it.
 */
async function environmentSection(
  work: string,
  config: GitopsConfig,
  app: string,
  route: PromotionRoute,
  renderBase: RenderOverlay,
  logger: Logger,
  known: Pick<CollectStatusOptions, 'versionOf' | 'healthOf'>
): Promise<string | undefined> {
  try {
    const status = await collectEnvironmentStatus(work, { config, apps: [app], render: renderBase, ...known })
    const highlight = route.from ? { app, from: route.from.name, to: route.to.name } : undefined
    return renderStatusMarkdown(status, { highlight, headingLevel: 3, maxDriftLines: 60 })
  } catch (error) {
    logger.warning(`The environment status for the PR body could not be built: ${(error as Error).message}`)
    return undefined
  }
}

/**
 * Plans a promotion in a copy of the config repo (`work`, which it edits): the route by
 * gitops.yaml order, the gate (what runs in `from`, rendered by kustomize, or equal registry
 * digests), the target tag by the environment's tagTemplate, the registry re-tag unless dry-run,
 * and the overlay edit through bump-overlay's planner, verified and rendered by kustomize.
 * open-promotion-pr commits it; `gitops-actions promote --dry-run` prints it.
 */
export async function planPromotion(work: string, request: PromotionPlanRequest): Promise<PromotionPlan> {
  const logger = request.logger ?? silentLogger
  const config = loadGitopsConfig(work)
  const route = resolveRoute(config, request)
  const overlay = overlayOf(config, request.app, route.to.name)
  // The gate, the diff and the status share one render of each base-branch overlay.
  const renderOptions = { repoRoot: work, remoteHosts: config.kustomize.remoteResources }
  const renderBase = memoizedRender(renderOptions)
  // Without 'image', the one image the app's overlays run that is named after the app.
  const image =
    request.image ??
    appImageName(
      (
        await Promise.all(
          [route.from?.name, route.to.name]
            .filter((env): env is string => env !== undefined)
            .map((env) => imagesIn(renderBase, work, overlayOf(config, request.app, env)).catch(() => []))
        )
      ).flat(),
      request.app
    ) ??
    request.app

  // The gate: what runs in `from` (rendered from its overlay on the base branch), or equal digests.
  let source: PromotionPlan['source']
  if (route.from) {
    const running = runningImageOf(await imagesIn(renderBase, work, overlayOf(config, request.app, route.from.name)), image)
    source = running && { image: running.name, tag: running.tag, digest: running.digest }
  }
  const registry = request.registry
  const digests = registry && {
    requested: request.tag ? await registry.client.manifestDigest(registry.repository, request.tag) : undefined,
    source: source?.tag ? await registry.client.manifestDigest(registry.repository, source.tag) : undefined
  }
  const gate = checkGate({ route, app: request.app, requestedTag: request.tag, source, digests })
  logger.info(`Gate: ${gate.explanation}`)

  // Verification: the source environment runs it healthy, by Flux's commit statuses (before anything is written).
  let verification: SourceVerification | undefined
  if (route.from?.verification.required) {
    const environment = route.from
    const evidence = await request.healthEvidence?.({
      overlay: overlayOf(config, request.app, environment.name),
      enough: (found) => enoughEvidence({ app: request.app, environment, evidence: found, now: request.now })
    })
    verification = verifyEnvironment({ app: request.app, environment, evidence, now: request.now })
    logger.info(`Health: ${verification.summary}`)
    const refusal = verificationRefusal(verification, {
      app: request.app,
      tag: gate.tag,
      to: route.to.name,
      base: request.baseBranch ?? 'the base branch',
      configFile: config.file
    })
    if (refusal) throw refusal
  }

  const needsVersion = route.to.tagTemplate.includes('{version}') && !request.keepTag && !request.version
  const releaseTags = needsVersion && request.releaseTags ? await request.releaseTags() : undefined
  const target = targetTag({
    app: request.app,
    route,
    sourceTag: gate.tag,
    version: request.version,
    releaseTags,
    releaseTagPrefix: request.releaseTagPrefix,
    retag: !request.keepTag
  })

  // A move back to an older version than the target runs is refused unless asked for, before any re-tag.
  const running = runningImageOf(await imagesIn(renderBase, work, overlay).catch(() => []), image)
  const downgrade = downgradeOf({
    app: request.app,
    environment: route.to,
    environments: config.environments,
    previousTag: running?.tag,
    tag: target.tag,
    version: target.version
  })
  checkDowngrade(downgrade, request.allowDowngrade === true)
  if (downgrade)
    logger.warning(`Downgrade (allow-downgrade): ${downgrade.environment} ${downgrade.running.tag} → ${downgrade.promoted.tag}`)

  // The registry: the target tag names the same manifest (re-tagged here when it is new).
  let digest: string | undefined
  let retagged = false
  if (registry) {
    if (target.tag === gate.tag) digest = await registry.client.manifestDigest(registry.repository, gate.tag)
    else if (request.dryRun) {
      digest = await registry.client.manifestDigest(registry.repository, gate.tag)
      const existing = await registry.client.manifestDigest(registry.repository, target.tag)
      if (existing && digest && existing !== digest) {
        throw new UserError(
          `${registry.client.registry}/${registry.repository}:${target.tag} already names ${existing}, not ${digest}; a release tag never moves`
        )
      }
    } else {
      const result = await registry.client.retag(registry.repository, gate.tag, target.tag)
      digest = result.digest
      retagged = result.changed
    }
    if (!digest) throw new UserError(`The registry ${registry.client.registry} has no image ${registry.repository}:${gate.tag}`)
  } else if (request.pinDigest) {
    throw parameterError('pin-digest', `needs a registry (registry-image) to read the digest from`)
  }

  // The edit, through bump-overlay's planner, verified by a real render.
  const update = await planImageUpdate(new DiskRepoReader(work), {
    overlays: [overlay],
    changes: [{ image, tag: target.tag, digest: request.pinDigest ? digest : undefined, source: `Promotion of ${request.app}` }],
    config,
    environment: route.to.name,
    app: request.app
  })
  const requestedAt = request.requestedAt ?? request.now.toISOString()
  const marker: PromotionMarker = { app: request.app, env: route.to.name, tag: target.tag, mode: route.mode, requestedAt }
  const plan: PromotionPlan = {
    config,
    route,
    image,
    overlay,
    source,
    gate,
    verification,
    target,
    downgrade,
    digest,
    retagged,
    update,
    previous: { tag: update.previousTag, digest: update.previousDigest },
    marker,
    names: promotionNames(marker),
    window: deploymentWindowState(config.deploymentWindows, route.to.name, request.now),
    labels: promotionLabels(route.to.name),
    files: update.edits.filter((e) => e.before !== e.after).map((e) => e.path),
    diff: unifiedDiff(update.edits),
    renderedDiff: '',
    environments: undefined
  }
  if (!update.changed) return plan
  // The check's render of the changed overlay is the "after" of the rendered diff.
  let after: string | undefined
  await verifyImageUpdate(work, update, {
    remoteHosts: config.kustomize.remoteResources,
    onRendered: (rendered, yaml) => {
      if (rendered === overlay) after = yaml
    }
  })
  const before = await renderBase(join(work, overlay))
  // The version each environment runs, where the tags alone do not say (release tags, OCI labels),
  // and the source's health as already read: no request beyond those the plan made or needs anyway.
  const environments = await environmentSection(work, config, request.app, route, renderBase, logger, {
    versionOf: firstVersionOf(
      request.releaseTags && releaseTagVersions(request.releaseTags, request.releaseTagPrefix),
      registry && ociLabelVersions(registry.client)
    ),
    healthOf: async (_app, environment) => (environment.name === verification?.environment ? verification : undefined)
  })
  applyFileEdits(work, update.edits)
  return { ...plan, renderedDiff: renderedDiff(overlay, before, after ?? (await render(join(work, overlay), renderOptions))), environments }
}
