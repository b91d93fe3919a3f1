import { statSync } from 'node:fs'
import { join } from 'node:path'
import {
  checkPolicyExpressions,
  clusterVersion,
  compareFindings,
  countFindings,
  loadGitopsConfig,
  silentLogger,
  type Finding,
  type GitopsConfig,
  type Logger,
  type EnvironmentStatus,
  type Manifest,
  type NamespaceUsage,
  parameterError,
  didYouMean
} from '@gitops-actions/core'
import { renderRoots, type BatchRenderOptions, type BatchRenderStats, type RootRender, type RootSpec } from '@gitops-actions/kustomize'
import { ChangeReach } from './change-reach.js'
import { discoveredRoots, generatedResources, layoutRoots, mergeRoots, type BuildRoot } from './build-roots.js'
import { statusFromRenders } from './environment-status.js'
import { runCodeowners, runPolicy, runQuota } from './external-checks.js'
import { fluxFiles, fluxFilesForChange, filesNaming } from './flux-files.js'
import { checkFlux, dependsOnOf, resolveFluxKustomizations, scanFluxObjects, type FluxKustomization, type PathRender } from './flux.js'
import { checkFluxReferences } from './flux-references.js'
import { checkValuesFrom } from './helm-values-from.js'
import {
  addsNothing,
  fluxBuilds,
  locateFluxAdditions,
  pathsPatchingKustomizations,
  sameBuild,
  type PathBuild
} from './flux-kustomize-build.js'
import { renderedFluxKustomizations } from './flux-rendered.js'
import { KustomizationGraph, leadsOutOfRepository, kustomizationFileIn, type Kustomization, type RootClosure } from './kustomization.js'
import { patchFiles } from './patch-files.js'
import { applyPostBuild, postBuildSteps, type PostBuild } from './post-build.js'
import { RootProvenance, seenIn } from './provenance.js'
import { checkKustomizationImages, checkRenderedObjects, renderFailure } from './kustomize-check.js'
import { groupMissingSchemas } from './missing-schemas.js'
import { renderedManifests } from './rendered-manifests.js'
import { customSchemas, loadSchemas } from './schema.js'
import { configuredSchemas } from './schema-sources.js'
import { kustomizationLookup, listRepoTree, SourceFiles } from './source-files.js'
import { TransformerEntries } from './transformer-entries.js'
import { UnmatchedTargets } from './unmatched-targets.js'

/**
 * The checks, by the short names the `checks` input takes, with their names as checks: the seed's
 * required status checks, the job names of config-repo-checks.yml and the titles of the report.
 */
export const CHECKS = {
  kustomize: 'kustomize-validate',
  policy: 'security-policy-check',
  quota: 'quota-validation',
  flux: 'flux-sync-validation',
  codeowners: 'codeowners-check'
} as const

export type CheckName = keyof typeof CHECKS
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[]

/**
 * The checks a list selects: `all` (or nothing) for every check, else the names given, short
 * (`codeowners`) or as the check is named (`codeowners-check`); duplicates are dropped and the order
 * is the report's. An unknown name is a UserError about `parameter` (each boundary names it: the
 * action's input 'checks', the CLI's --checks) listing the valid values.
 */
export function selectChecks(items: readonly string[], parameter = 'checks'): CheckName[] {
  if (items.length === 0 || items.includes('all')) return [...CHECK_NAMES]
  const byName = new Map<string, CheckName>(CHECK_NAMES.flatMap((name) => [[name, name] as const, [CHECKS[name], name] as const]))
  const selected = new Set<CheckName>()
  for (const item of items) {
    const check = byName.get(item)
    if (check === undefined) {
      const near = didYouMean(item, byName.keys())
      throw parameterError(
        parameter,
        `'${item}' is not valid${near}. Valid values are: all, ${CHECK_NAMES.join(', ')} (or ${Object.values(CHECKS).join(', ')})`
      )
    }
    selected.add(check)
  }
  return CHECK_NAMES.filter((name) => selected.has(name))
}

export interface Shard {
  /** 1-based. */
  index: number
  total: number
}

export interface ValidateRequest {
  repoRoot: string
  checks: readonly CheckName[]
  /** owner/name of this repository, to recognise Flux GitRepository objects that point at it. */
  repository?: string | undefined
  /** The branches this checkout's content is synced from (the pushed branch or a pull request's base, the default branch): a GitRepository of this repository on another branch is external. */
  branches?: readonly string[] | undefined
  /** Changed-only mode: the files a pull request changes (repository paths). Undefined: everything. */
  changedFiles?: readonly string[] | undefined
  shard?: Shard | undefined
  /** The clock for suppression expiry. */
  now?: Date
  concurrency?: number
  /** Extra kustomize build flags. */
  kustomizeFlags?: readonly string[]
  logger?: Logger
  /** Progress of the kustomize renders: build roots rendered so far, and how many there are (the CLI's progress line). */
  onRenderProgress?: (done: number, total: number) => void
  /**
   * Also report the environment status (tags per app and environment, lag, drift) in the result,
   * from the renders made for the checks. Meant for full runs on the main branch.
   */
  environmentStatus?: boolean
}

export type CheckStatus = 'passed' | 'failed'

export interface CheckReport {
  check: CheckName
  /** The required status check it stands for, e.g. kustomize-validate. */
  title: string
  status: CheckStatus
  findings: Finding[]
  counts: Record<'error' | 'warning' | 'notice', number>
  note?: string | undefined
}

export interface RootReport {
  path: string
  environment: string | undefined
  app: string | undefined
  reasons: BuildRoot['reasons']
  objects: number
  built: boolean
}

export interface ValidateResult {
  checks: CheckReport[]
  findings: Finding[]
  counts: Record<'error' | 'warning' | 'notice', number>
  roots: RootReport[]
  /** Present in changed-only mode. */
  changedOnly: { changedFiles: number; affectedRoots: number; totalRoots: number; everything: boolean } | undefined
  shard: Shard | undefined
  quota: NamespaceUsage[] | undefined
  /** When `environmentStatus` was asked for. */
  environmentStatus: EnvironmentStatus | undefined
  /** fluxFilesParsed: Flux files read as YAML (a changed-only run reads those the change can concern). */
  stats: { renderCalls: number; batchSplits: number; objects: number; fluxObjects: number; fluxFilesParsed: number; durationMs: number }
}

/** The post-build steps of a root no Flux Kustomization applies: SOPS-encrypted objects taken as decrypted, nothing substituted. */
const DECRYPTED_ELSEWHERE: PostBuild = { decrypts: true, substitutes: false, values: new Map() }

/** The closure of a root the change cannot reach (ChangeReach): it holds no changed file. */
const UNREACHED: RootClosure = { kustomizations: [], files: new Set(), dirs: new Set(), findings: [], broken: false }

/** Files whose change affects every root. */
const GLOBAL_FILES = ['gitops.yaml', 'gitops.yml']

/** Runs the selected checks over the config repository (or the part a pull request changes). */
export async function validateRepository(request: ValidateRequest): Promise<ValidateResult> {
  const started = Date.now()
  const logger = request.logger ?? silentLogger
  const { repoRoot } = request
  const wanted = new Set(request.checks)
  const config = loadGitopsConfig(repoRoot)
  if (wanted.has('policy')) await checkPolicyExpressions(config)
  const files = new SourceFiles(repoRoot)
  const graph = new KustomizationGraph(repoRoot, config.kustomize.remoteResources)
  const needsRenders = wanted.has('kustomize') || wanted.has('policy') || wanted.has('quota') || wanted.has('flux')
  const changed = request.changedFiles ? new Set(request.changedFiles) : undefined
  const everything = !changed || GLOBAL_FILES.some((f) => changed.has(f))
  const renderOptions = { concurrency: request.concurrency, flags: request.kustomizeFlags, remoteHosts: config.kustomize.remoteResources }
  const stats: BatchRenderStats = { calls: 0, splits: 0 }
  // One walk lists the repository's YAML and kustomization files; lookups in it replace a file system call per directory.
  const tree = needsRenders ? listRepoTree(repoRoot) : undefined
  const kustomizationFileAt = kustomizationLookup(repoRoot, tree)
  const layout = layoutRoots(repoRoot, config, tree)
  const early =
    needsRenders && changed && !everything
      ? renderChangedOverlays(repoRoot, layout, changed, renderOptions, stats)
      : new Map<string, Promise<RootRender>>()

  const closures = new Map<string, RootClosure>()
  const closureAt = (path: string): RootClosure => {
    let closure = closures.get(path)
    if (!closure) closures.set(path, (closure = graph.closure(path)))
    return closure
  }

  // Flux objects come from the files as written: they decide which paths are roots.
  const yamlFiles = tree?.yamlFiles ?? []
  // Changed-only: the kustomizations the change can reach, from its files back (see change-reach.ts); with a symlink in
  // the repository a path may name a file under another name, so every closure is computed instead (likewise with no listing).
  const reach =
    tree && changed && !everything && !tree.irregular ? new ChangeReach(tree.kustomizationFiles, (f) => files.text(f)) : undefined
  const reached = reach?.from(changed!)
  /** False when the change cannot touch what `dir` builds: its closure need not be computed. */
  const mayReach = (dir: string): boolean => !reach || !reach.lists(dir) || reached!.has(dir)
  const fluxCandidates = fluxFiles(files, yamlFiles)
  const fluxRead =
    changed && !everything
      ? fluxFilesAChangeNeeds(repoRoot, files, fluxCandidates, changed, closureAt, mayReach, kustomizationFileAt)
      : fluxCandidates
  const scanned = scanFluxObjects(files, fluxRead)
  const patches = patchFiles([...new Set(scanned.objects.map((m) => m.location.file))], yamlFiles, files, graph)
  const flux = { ...scanned, objects: scanned.objects.filter((m) => !patches.has(m.location.file)) }
  const resolveOptions = { repository: request.repository, branches: request.branches, repoRoot }
  const fluxKustomizations = resolveFluxKustomizations(flux.objects, resolveOptions)
  const outsideRoots: Finding[] = []
  const allRoots = discoverRoots(
    repoRoot,
    config,
    layout,
    fluxKustomizations,
    files,
    yamlFiles,
    closureAt,
    outsideRoots,
    kustomizationFileAt,
    reach && { index: reach, reached: reached! }
  )
  let postBuilds = postBuildSteps(fluxKustomizations)
  // What kustomize-controller adds to each path's build; it can change once the renders show the Kustomizations as applied.
  let builds = fluxBuilds(fluxKustomizations)
  const builtWith = new Map<string, PathBuild | undefined>()
  const specOf = (root: BuildRoot): RootSpec => {
    const build = builds.get(root.path)
    builtWith.set(root.path, build)
    const by = build?.by[0]?.manifest
    return {
      path: root.path,
      batchKey: root.environment ?? 'other',
      generatedResources: root.generatedResources,
      flux: build?.build,
      fluxPatchAt: by && ((index) => by.locate(['spec', 'patches', index, 'patch']))
    }
  }

  // Changed-only and sharding narrow the roots; every check then looks at the same selection.
  const closureOf = (root: BuildRoot): RootClosure | undefined => (root.generatedResources ? undefined : closureAt(root.path))
  const touched = (root: BuildRoot): RootClosure | undefined =>
    root.generatedResources ? undefined : mayReach(root.path) ? closureAt(root.path) : UNREACHED
  let roots = everything ? allRoots : allRoots.filter((root) => affects(changed, root, touched(root), fluxKustomizations))
  if (request.shard) roots = roots.filter((_, index) => index % request.shard!.total === request.shard!.index - 1)
  const selectedPaths = new Set(roots.map((r) => r.path))
  const selectedFlux = new Set(
    fluxKustomizations
      .filter(
        (k) =>
          (everything && !request.shard) || (k.path !== undefined && selectedPaths.has(k.path)) || changed?.has(k.manifest.location.file)
      )
      .map((k) => k.manifest)
  )
  const fluxObjects = flux.objects.filter(
    (m) =>
      selectedFlux.has(m) ||
      (m.object.kind !== 'Kustomization' &&
        ((everything && (!request.shard || request.shard.index === 1)) || changed?.has(m.location.file)))
  )
  if (changed) logger.info(`changed-only: ${changed.size} changed file(s) affect ${roots.length} of ${allRoots.length} build root(s)`)

  // Static problems first: a root whose files are missing or invalid is not rendered.
  const staticFindings: Finding[] = []
  const sourceObjects: Array<Manifest['object']> = fluxObjects.map((m) => m.object)
  const kustomizations = new Map<string, Kustomization>()
  for (const root of roots) {
    const closure = closureOf(root)
    if (!closure) continue
    staticFindings.push(...closure.findings)
    for (const kustomization of closure.kustomizations) kustomizations.set(kustomization.file, kustomization)
    const data = generatorData(closure)
    for (const file of closure.files) {
      if (!/\.ya?ml$/.test(file) || kustomizations.has(file) || data.has(file)) continue
      const parsed = files.manifests(file)
      if (!Array.isArray(parsed) && parsed.ruleId === 'kustomize/yaml') {
        staticFindings.push(parsed)
        closure.broken = true
      }
    }
    // kustomize refuses a resource without apiVersion or kind with a message that names no line.
    for (const ref of closure.kustomizations.flatMap((k) => k.refs)) {
      if (ref.kind !== 'resource' || ref.target === undefined || !/\.ya?ml$/.test(ref.target)) continue
      const parsed = files.manifests(ref.target)
      if (!Array.isArray(parsed)) continue
      for (const manifest of parsed) {
        sourceObjects.push(manifest.object)
        const missing = (['apiVersion', 'kind'] as const).filter(
          (key) => typeof manifest.object[key] !== 'string' || manifest.object[key] === ''
        )
        if (missing.length === 0) continue
        staticFindings.push({
          ruleId: 'kustomize/missing-type',
          severity: 'error',
          message: `${ref.target}: the object ${manifest.object.metadata?.name ? `'${manifest.object.metadata.name}' ` : ''}has no ${missing.join(' and no ')}`,
          location: manifest.location
        })
        closure.broken = true
      }
    }
  }
  staticFindings.push(...checkKustomizationImages(kustomizations.values()))

  // The schema validators load while kustomize renders: the sources name most apiVersions the renders hold.
  const checksSchemas = wanted.has('kustomize') || wanted.has('flux')
  const schemasLoading = checksSchemas ? loadSchemas(sourceObjects) : Promise.resolve()
  schemasLoading.catch(() => undefined) // awaited below; a render failure must not leave it unhandled

  const resolveRendered = (manifests: readonly Manifest[]) => resolveFluxKustomizations(flux.objects, resolveOptions, manifests)
  const closureOfPath = (path: string) => (kustomizationFileAt(path) ? closureAt(path) : undefined)
  const renders = new Map<string, PathRender>()
  const manifestsByRoot = new Map<string, Manifest[]>()
  /** As kustomize built them, before Flux's post-build steps. */
  const builtByRoot = new Map<string, Manifest[]>()
  const renderFindings = new Map<string, Finding>()
  const transformers = new TransformerEntries(files)
  const provenances = new Map<string, RootProvenance>()
  if (needsRenders) {
    const buildable = roots.filter((root) => !closureOf(root)?.broken)
    for (const root of roots)
      if (closureOf(root)?.broken) renders.set(root.path, { manifests: undefined, problem: 'see the kustomize-validate findings' })
    // A render started early knew nothing of Flux: a path that Flux builds with additions is built again.
    const usable = new Map<string, Promise<RootRender>>()
    for (const root of buildable) {
      const render = early.get(root.path)
      if (!render) continue
      const result = builds.has(root.path) ? await render : undefined
      if (result && (result.error || !addsNothing(builds.get(root.path), result.objects))) continue
      usable.set(root.path, render)
      builtWith.set(root.path, builds.get(root.path))
    }
    const earlyFor = (root: BuildRoot) => usable.get(root.path)
    // A Kustomization that patches the Kustomizations its path renders decides how their paths are built: its path goes first.
    const parents = pathsPatchingKustomizations(fluxKustomizations)
    const first = buildable.filter((root) => !earlyFor(root) && parents.has(root.path))
    const others = buildable.filter((root) => !first.includes(root))
    await logger.group(`kustomize: ${buildable.length} build root(s)`, async () => {
      if (first.length > 0) {
        takeRenders(first, await renderRoots(repoRoot, first.map(specOf), renderOptions, stats))
        builds = fluxBuilds(renderedFluxKustomizations(fluxKustomizations, manifestsByRoot, resolveRendered, closureOfPath, files))
      }
      const specs = others.filter((root) => !earlyFor(root)).map(specOf)
      const rest = await renderRoots(repoRoot, specs, { ...renderOptions, onProgress: request.onRenderProgress }, stats)
      const byPath = new Map(rest.map((result) => [result.root, result]))
      takeRenders(others, await Promise.all(others.map((root) => earlyFor(root) ?? byPath.get(root.path)!)))
      logger.info(`${stats.calls} kustomize call(s), ${stats.splits} batch split(s)`)
    })
  }

  // Flux applies its Kustomizations as rendered: an overlay that patches one (a tenant's spec.path)
  // changes what it applies, and a path only the patched object names is built now.
  let checkedFlux = fluxKustomizations
  for (let round = 0; needsRenders && round < 3; round++) {
    checkedFlux = renderedFluxKustomizations(fluxKustomizations, manifestsByRoot, resolveRendered, closureOfPath, files)
    // Only a path no root of the whole repository has is new (a changed-only run leaves the others out on purpose).
    const known = new Set([...allRoots, ...roots].map((root) => root.path))
    const added = mergeRoots(fluxRoots(repoRoot, config, checkedFlux, files).filter((root) => !known.has(root.path)))
    // A parent's spec.patches may give its children patches, images or a namespace of their own: those paths are built again.
    builds = fluxBuilds(checkedFlux)
    const rebuilt = roots.filter((root) => builtWith.has(root.path) && !sameBuild(builtWith.get(root.path), builds.get(root.path)))
    for (const [path, steps] of postBuildSteps(checkedFlux)) if (!postBuilds.has(path)) postBuilds.set(path, steps)
    if (added.length === 0 && rebuilt.length === 0) break
    const redo = [...added, ...rebuilt]
    const results = await renderRoots(repoRoot, redo.map(specOf), renderOptions, stats)
    roots = mergeRoots([...roots, ...added])
    takeRenders(redo, results)
  }
  // Flux decrypts and substitutes as the Kustomizations applying a path say once rendered (a parent's patch adds `decryption`).
  if (checkedFlux !== fluxKustomizations) {
    postBuilds = new Map([...postBuilds, ...postBuildSteps(checkedFlux)])
    for (const path of builtByRoot.keys()) takePostBuild(path)
  }

  // A path that only the written form of a patched Kustomization names (a base's default) is not what Flux applies.
  if (checkedFlux !== fluxKustomizations) {
    const applied = new Set(fluxRoots(repoRoot, config, checkedFlux, files).map((root) => root.path))
    const dropped = roots.filter((root) => root.reasons.every((reason) => reason === 'flux') && !applied.has(root.path))
    for (const root of dropped) {
      renders.delete(root.path)
      manifestsByRoot.delete(root.path)
      builtByRoot.delete(root.path)
      renderFindings.delete(root.path)
    }
    roots = roots.filter((root) => !dropped.includes(root))
  }

  function takeRenders(buildable: readonly BuildRoot[], results: readonly RootRender[]): void {
    for (const [index, result] of results.entries()) {
      const root = buildable[index]!
      const kustomizationFile = kustomizationFileAt(root.path)
      const fallback = kustomizationFile ? { file: kustomizationFile, line: 1 } : (root.appliedAt ?? { file: root.path || '.', line: 1 })
      const build = builtWith.get(root.path)
      if (result.error) {
        // Refused before kustomize ran (a remote resource, an alias bomb, a path out of the repository): at the line that names it.
        const finding: Finding = result.error.location
          ? {
              ruleId: 'kustomize/render',
              severity: 'error',
              message: `${root.path || '.'} does not build: ${result.error.stderr}`,
              location: result.error.location
            }
          : fluxBuildFailure(renderFailure(root.path, result.error.stderr, closureOf(root), files, fallback), build)
        renderFindings.set(root.path, finding)
        renders.set(root.path, { manifests: undefined, problem: `see ${finding.location?.file}:${finding.location?.line}` })
        builtByRoot.delete(root.path)
        manifestsByRoot.delete(root.path)
        continue
      }
      renderFindings.delete(root.path)
      const closure = closureOf(root)
      const provenance = closure ? new RootProvenance(root.path, closure, transformers) : undefined
      if (provenance) provenances.set(root.path, provenance)
      const rendered = renderedManifests(result.objects, root.path, root.environment, files, fallback.file, provenance)
      builtByRoot.set(root.path, locateFluxAdditions(rendered, build, files))
      takePostBuild(root.path)
    }
  }
  function takePostBuild(path: string): void {
    const built = builtByRoot.get(path)!
    // No Flux Kustomization here says how a root it does not apply is decrypted: its `sops:` metadata is the tool's, not the object's.
    const unapplied = !roots.some((root) => root.path === path && root.reasons.includes('flux'))
    const postBuild = postBuilds.get(path) ?? (unapplied ? DECRYPTED_ELSEWHERE : undefined)
    const manifests = postBuild ? applyPostBuild(built, postBuild) : built
    manifestsByRoot.set(path, manifests)
    renders.set(path, { manifests })
  }
  const allManifests = [...manifestsByRoot.values()].flat()
  await schemasLoading
  if (checksSchemas) await loadSchemas([...allManifests, ...fluxObjects].map((m) => m.object))

  const reports: CheckReport[] = []
  let quota: NamespaceUsage[] | undefined
  for (const check of CHECK_NAMES) {
    if (!wanted.has(check)) continue
    let findings: Finding[] = []
    let note: string | undefined
    switch (check) {
      case 'kustomize': {
        findings = [...outsideRoots, ...staticFindings, ...renderFindings.values()]
        const configured = configuredSchemas(
          repoRoot,
          config.schemas,
          files,
          [...allManifests, ...fluxObjects].map((m) => m.object),
          config.file
        )
        findings.push(...configured.findings)
        const custom = new Map([
          ...customSchemas([...allManifests.map((m) => m.object), ...crdObjects(files, yamlFiles)]),
          ...configured.custom
        ])
        for (const root of roots) {
          const manifests = manifestsByRoot.get(root.path)
          if (manifests)
            findings.push(...checkRenderedObjects(root.path, manifests, closureOf(root), custom, clusterVersion(config, root.environment)))
        }
        const unmatched = new UnmatchedTargets()
        for (const root of roots) {
          const provenance = provenances.get(root.path)
          if (provenance && manifestsByRoot.has(root.path)) unmatched.add(provenance)
        }
        findings.push(...unmatched.findings())
        note = `${roots.length} build root(s), ${allManifests.length} object(s)`
        if (allRoots.length === 0) findings.push(nothingToBuild(config, fluxKustomizations))
        break
      }
      case 'flux': {
        findings = [
          ...(wanted.has('kustomize') ? [] : outsideRoots),
          ...flux.findings,
          ...checkFlux(
            fluxObjects,
            checkedFlux,
            { repoRoot, files, renders, closureOf: closureOfPath },
            withVariants(selectedFlux, checkedFlux)
          ),
          ...checkFluxReferences([...fluxObjects, ...allManifests]),
          ...checkValuesFrom(manifestsByRoot)
        ]
        note = `${fluxObjects.length} Flux object(s), ${fluxKustomizations.filter((k) => selectedFlux.has(k.manifest)).length} Kustomization(s)`
        break
      }
      case 'policy': {
        const outcome = await runPolicy(allManifests, config, { now: request.now ?? new Date() })
        findings = outcome.findings
        note = outcome.note
        break
      }
      case 'quota': {
        const outcome = await runQuota(allManifests, config)
        findings = outcome.findings
        quota = outcome.namespaces
        note = outcome.note
        break
      }
      case 'codeowners': {
        if (request.shard && request.shard.index !== 1) {
          note = `runs on shard 1 of ${request.shard.total}`
          break
        }
        const outcome = await runCodeowners(repoRoot, config, everything ? undefined : request.changedFiles)
        findings = outcome.findings
        note = outcome.note
        break
      }
    }
    reports.push(checkReport(check, groupMissingSchemas(dedupeFindings(findings)), note))
  }

  // A render started early for a root the run does not check: let its kustomize call finish and its files go.
  await Promise.allSettled(early.values())
  dropFluxDuplicates(reports)
  const findings = reports.flatMap((r) => r.findings).sort(compareFindings)
  const environmentStatus = request.environmentStatus
    ? await logger.group('environment status', () => statusFromRenders(repoRoot, config, manifestsByRoot, request.kustomizeFlags))
    : undefined
  return {
    checks: reports,
    findings,
    counts: countFindings(findings),
    roots: roots.map((root) => ({
      path: root.path,
      environment: root.environment,
      app: root.app,
      reasons: root.reasons,
      objects: manifestsByRoot.get(root.path)?.length ?? 0,
      built: manifestsByRoot.has(root.path)
    })),
    changedOnly: changed ? { changedFiles: changed.size, affectedRoots: roots.length, totalRoots: allRoots.length, everything } : undefined,
    shard: request.shard,
    quota,
    environmentStatus,
    stats: {
      renderCalls: stats.calls,
      batchSplits: stats.splits,
      objects: allManifests.length,
      fluxObjects: fluxObjects.length,
      fluxFilesParsed: fluxRead.length,
      durationMs: Date.now() - started
    }
  }
}

/**
 * In changed-only mode, the layout overlays that hold a changed file are nearly always among the
 * roots to build: their kustomize call starts before the roots are worked out exactly (reading the
 * Flux objects and every root's kustomizations, most of a short run's CPU), on the other core. A
 * result is used only for a root the exact answer selects; the others are left to finish.
 */
function renderChangedOverlays(
  repoRoot: string,
  layout: readonly BuildRoot[],
  changed: ReadonlySet<string>,
  options: BatchRenderOptions,
  stats: BatchRenderStats
): Map<string, Promise<RootRender>> {
  const holding = layout.filter((root) => [...changed].some((file) => file.startsWith(`${root.path}/`)))
  const specs = holding.map((root) => ({ path: root.path, batchKey: root.environment ?? 'other' }))
  const rendering = renderRoots(repoRoot, specs, options, stats)
  return new Map(
    specs.map((spec, index) => {
      const result = rendering.then((results) => results[index]!)
      result.catch(() => undefined) // awaited where it is used; a root the run drops must not fail it
      return [spec.path, result]
    })
  )
}

/**
 * The Flux files a changed-only run parses (see flux-files.ts): those the change can concern, then,
 * by name, every Kustomization their dependsOn reaches, so that missing targets and cycles are found
 * as in a full run. The repository's order is kept.
 */
function fluxFilesAChangeNeeds(
  repoRoot: string,
  files: SourceFiles,
  candidates: readonly string[],
  changed: ReadonlySet<string>,
  closureAt: (path: string) => RootClosure,
  mayReach: (dir: string) => boolean,
  kustomizationFileAt: (dir: string) => string | undefined
): string[] {
  const affected = (path: string): boolean => {
    if (kustomizationFileAt(path)) return mayReach(path) && [...closureAt(path).files].some((file) => changed.has(file))
    const prefix = path ? `${path}/` : ''
    return isDirectory(repoRoot, path) && [...changed].some((file) => file.startsWith(prefix))
  }
  const read = new Set(fluxFilesForChange(files, candidates, changed, affected))
  const defined = new Set<string>()
  const wanted = new Set<string>()
  for (let added = [...read]; added.length > 0;) {
    for (const manifest of scanFluxObjects(files, added).objects) {
      if (manifest.object.kind !== 'Kustomization') continue
      if (manifest.object.metadata?.name) defined.add(manifest.object.metadata.name)
      for (const dependency of dependsOnOf(manifest)) if (dependency.name !== undefined) wanted.add(dependency.name)
    }
    const missing = new Set([...wanted].filter((name) => !defined.has(name)))
    added = filesNaming(
      files,
      candidates.filter((file) => !read.has(file)),
      missing
    )
    for (const file of added) read.add(file)
  }
  return candidates.filter((file) => read.has(file))
}

/** Layout overlays plus every local path a Flux Kustomization applies; without gitops.yaml, every other Kustomize root too. */
function discoverRoots(
  repoRoot: string,
  config: GitopsConfig,
  layout: readonly BuildRoot[],
  flux: readonly FluxKustomization[],
  files: SourceFiles,
  yamlFiles: readonly string[],
  closureAt: (path: string) => RootClosure,
  outside: Finding[],
  kustomizationFileAt: (dir: string) => string | undefined,
  reach?: { index: ChangeReach; reached: ReadonlySet<string> }
): BuildRoot[] {
  const roots: BuildRoot[] = [...layout, ...fluxRoots(repoRoot, config, flux, files, layout, outside)]
  if (config.file === undefined) {
    // A candidate that another root's build reads (a base, a directory Flux includes) is checked there.
    const included = (candidates: readonly string[]): Set<string> => {
      if (reach) return includedInChange(roots, candidates, closureAt, kustomizationFileAt, reach)
      const read = new Set<string>()
      const readBy = (builder: string) => {
        for (const dir of closureAt(builder).dirs) if (dir !== builder) read.add(dir)
      }
      for (const root of roots) {
        for (const resource of root.generatedResources ?? []) if (kustomizationFileAt(resource)) read.add(resource)
        if (kustomizationFileAt(root.path)) readBy(root.path)
      }
      for (const candidate of candidates) readBy(candidate)
      return new Set(candidates.filter((dir) => read.has(dir)))
    }
    const known = new Set(roots.map((root) => root.path))
    roots.push(...discoveredRoots(repoRoot, yamlFiles, files, included, kustomizationFileAt).filter((root) => !known.has(root.path)))
  }
  return mergeRoots(roots)
}

/**
 * `included` of discoverRoots for a changed-only run, without every root's closure: which candidates
 * a build of another root (or candidate) reads. The builders that may read a candidate are found
 * from it back (ChangeReach); for a candidate the change may reach, and whenever nothing else is
 * built (the nothing-to-build warning depends on it), their exact closures decide. For any other
 * candidate (never selected, counted in totalRoots) a kustomization that names it is taken to read it.
 */
function includedInChange(
  roots: readonly BuildRoot[],
  candidates: readonly string[],
  closureAt: (path: string) => RootClosure,
  kustomizationFileAt: (dir: string) => string | undefined,
  reach: { index: ChangeReach; reached: ReadonlySet<string> }
): Set<string> {
  const known = new Set(roots.map((root) => root.path))
  const generated = new Set(roots.flatMap((root) => (root.generatedResources ?? []).filter((r) => kustomizationFileAt(r))))
  const builders = new Set([...roots.filter((root) => kustomizationFileAt(root.path)).map((root) => root.path), ...candidates])
  const unlisted = [...builders].filter((builder) => !reach.index.lists(builder))
  const reads = (builder: string, dir: string) => builder !== dir && closureAt(builder).dirs.has(dir)
  return new Set(
    candidates.filter((dir) => {
      // A candidate that is a root already is dropped from the discovered ones whatever the answer.
      if (known.has(dir) || generated.has(dir)) return true
      if (unlisted.some((builder) => reads(builder, dir))) return true
      const referrers = [...reach.index.from([dir])].filter((builder) => builder !== dir && builders.has(builder))
      const exact = roots.length === 0 || reach.reached.has(dir)
      return referrers.some((builder) => (exact || reach.index.isIrregular(builder) ? reads(builder, dir) : true))
    })
  )
}

/** Every local path a Flux Kustomization applies, as a build root (the layout's environment when it is an overlay too). */
function fluxRoots(
  repoRoot: string,
  config: GitopsConfig,
  flux: readonly FluxKustomization[],
  files: SourceFiles,
  layout: readonly BuildRoot[] = [],
  outside: Finding[] = []
): BuildRoot[] {
  const byPath = new Map(layout.map((r) => [r.path, r]))
  const roots: BuildRoot[] = []
  for (const k of flux) {
    if (k.path === undefined) continue
    if (k.path !== '' && leadsOutOfRepository(repoRoot, k.path)) {
      // Never walked: a directory symlinked to / would have this run read the whole machine.
      outside.push({
        ruleId: 'kustomize/outside-repo',
        severity: 'error',
        message: `Kustomization ${k.namespace}/${k.name}: spec.path '${k.path}' is a symlink (or goes through one) that leads out of the repository`,
        location: k.manifest.locate(['spec', 'path'])
      })
      continue
    }
    const targetNamespace = (k.manifest.object.spec as { targetNamespace?: string } | undefined)?.targetNamespace
    const environment = byPath.get(k.path)?.environment ?? config.environments.find((e) => e.namespace === targetNamespace)?.name
    if (kustomizationFileIn(repoRoot, k.path)) {
      roots.push({ path: k.path, environment, reasons: ['flux'] })
    } else if (isDirectory(repoRoot, k.path)) {
      const generated = generatedResources(repoRoot, k.path, files)
      roots.push({
        path: k.path,
        environment,
        reasons: ['flux'],
        generatedResources: generated,
        appliedAt: k.manifest.locate(['spec', 'path'])
      })
    }
  }
  return roots
}

function isDirectory(repoRoot: string, path: string): boolean {
  try {
    return statSync(join(repoRoot, path)).isDirectory()
  } catch {
    return false
  }
}

/** A Kustomization as a render changed it is selected when the one written in the same place is. */
function withVariants(selected: ReadonlySet<Manifest>, kustomizations: readonly FluxKustomization[]): Set<Manifest> {
  const places = new Set([...selected].map((m) => `${m.location.file}:${m.location.line}`))
  const result = new Set(selected)
  for (const k of kustomizations)
    if (k.renderedIn !== undefined && places.has(`${k.manifest.location.file}:${k.manifest.location.line}`)) result.add(k.manifest)
  return result
}

/**
 * Files a root reads only as generator data (configMapGenerator / secretGenerator `files`, `envs`):
 * kustomize puts their text into the ConfigMap as it is and never parses it, so a fluent-bit
 * config with repeated keys (vaskozl/home-infra) is no YAML mistake.
 */
function generatorData(closure: RootClosure): Set<string> {
  const refs = closure.kustomizations.flatMap((k) => k.refs)
  const isData = (field: string) => /Generator\[\]\.(files|envs|env)$/.test(field)
  const parsed = new Set(refs.filter((ref) => !isData(ref.field)).map((ref) => ref.target))
  return new Set(refs.filter((ref) => isData(ref.field) && ref.target !== undefined && !parsed.has(ref.target)).map((ref) => ref.target!))
}

/** Whether a change touches what a root builds. */
function affects(
  changed: ReadonlySet<string>,
  root: BuildRoot,
  closure: RootClosure | undefined,
  flux: readonly FluxKustomization[]
): boolean {
  if (closure) {
    for (const file of closure.files) if (changed.has(file)) return true
  } else {
    const prefix = root.path ? `${root.path}/` : ''
    for (const file of changed) if (file.startsWith(prefix)) return true
  }
  // A changed Flux Kustomization re-checks the path it applies.
  return flux.some((k) => k.path === root.path && changed.has(k.manifest.location.file))
}

/** A build with Flux's additions that fails says so: the Kustomization's patches, images or components may be the cause. */
function fluxBuildFailure(finding: Finding, build: PathBuild | undefined): Finding {
  if (!build) return finding
  const added = (['patches', 'images', 'components'] as const).filter((field) => build.build[field] !== undefined)
  if (added.length === 0) return finding
  const by = build.by.map((k) => `Kustomization ${k.namespace}/${k.name} (${k.manifest.location.file}:${k.manifest.location.line})`)
  return { ...finding, message: `${finding.message} (built as Flux builds it, with the spec.${added.join(', spec.')} of ${by.join(', ')})` }
}

/** A run that built nothing must not pass in silence: a green check that checked nothing is a trap. */
function nothingToBuild(config: GitopsConfig, flux: readonly FluxKustomization[]): Finding {
  const external = flux.filter((k) => k.source === 'external').length
  const where = config.file
    ? `no overlay matches ${config.file}'s layout.overlay (${config.layout.overlay})`
    : 'no directory of the repository holds a kustomization.yaml'
  return {
    ruleId: 'kustomize/nothing-checked',
    severity: 'warning',
    message: `Nothing was built or checked: ${where}, and no Flux Kustomization applies a path of this checkout${external > 0 ? ` (${external} read their paths from sources outside it)` : ''}`,
    location: config.file ? { file: config.file, line: 1 } : undefined
  }
}

/** CRDs committed as plain files (often outside any root), for the schemas of custom resources. */
function crdObjects(files: SourceFiles, yamlFiles: readonly string[]): Array<Manifest['object']> {
  const objects: Array<Manifest['object']> = []
  for (const file of yamlFiles) {
    if (!files.text(file)?.includes('CustomResourceDefinition')) continue
    const manifests = files.manifests(file)
    if (Array.isArray(manifests)) objects.push(...manifests.map((m) => m.object).filter((o) => o.kind === 'CustomResourceDefinition'))
  }
  return objects
}

/**
 * The same finding from several roots sharing a file (a base) is reported once, naming every root
 * it was seen in: `Deployment/web (from apps/web/overlays/dev and apps/web/overlays/prod): …`. The
 * object may carry another namespace or name prefix in each overlay; the cause, at one line, is one.
 */
function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const rootsOf = new Map<Finding, string[]>()
  const byKey = new Map<string, string[]>()
  for (const finding of findings) {
    const seen = SEEN_IN.exec(finding.message)
    const cause = seen ? finding.message.slice(seen.index + seen[0].length) : finding.message
    const key = `${finding.severity}|${finding.ruleId}|${finding.location?.file}|${finding.location?.line}|${cause}`
    const roots = byKey.get(key)
    if (!roots) {
      const own = seen ? [seen[1]!] : []
      byKey.set(key, own)
      rootsOf.set(finding, own)
    } else if (seen && !roots.includes(seen[1]!)) roots.push(seen[1]!)
  }
  return [...rootsOf].map(([finding, roots]) =>
    roots.length < 2 ? finding : { ...finding, message: finding.message.replace(SEEN_IN, () => `(from ${seenIn(roots)})`) }
  )
}

/** `(from <root>)` in a message about a rendered object: the build root it was seen in. */
const SEEN_IN = /\(from ([^)]*)\)/

/**
 * A Flux object in a path that Flux applies (the cluster directory holds the Kustomizations) is
 * checked as written by flux-sync-validation and again as rendered by kustomize-validate: the same
 * problem at the same line is reported once, under flux-sync-validation.
 */
function dropFluxDuplicates(reports: CheckReport[]): void {
  const flux = reports.find((r) => r.check === 'flux')
  const kustomize = reports.find((r) => r.check === 'kustomize')
  if (!flux || !kustomize) return
  const key = (f: Finding) => `${f.location?.file}|${f.location?.line}|${f.message.replace(/ \(from [^)]*\)/, '')}`
  const known = new Set(flux.findings.map(key))
  reports[reports.indexOf(kustomize)] = checkReport(
    kustomize.check,
    kustomize.findings.filter((f) => !known.has(key(f))),
    kustomize.note
  )
}

function checkReport(check: CheckName, findings: readonly Finding[], note: string | undefined): CheckReport {
  const sorted = [...findings].sort(compareFindings)
  const counts = countFindings(sorted)
  return { check, title: CHECKS[check], status: counts.error > 0 ? 'failed' : 'passed', findings: sorted, counts, note }
}
