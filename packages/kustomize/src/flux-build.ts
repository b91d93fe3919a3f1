import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { checkYamlAliases, isUserError, UserError, type SourceLocation } from '@gitops-actions/core'
import { checkBuildClosure } from './build-closure.js'

/**
 * What Flux's kustomize-controller adds to a path's kustomization before it builds it: the
 * Kustomization's `targetNamespace`, `namePrefix`, `nameSuffix`, `components`, `patches` and
 * `images`, and the labels and annotations of its `commonMetadata`, which go on every object's own
 * metadata (not on selectors or pod templates). The controller writes
 * them into the path's kustomization.yaml; here they go into a kustomization that lists the path
 * (or, for a path without kustomization.yaml, its files), so that the real kustomize applies them
 * and the checkout is left alone. The result is the controller's except where a patch's target
 * selects by a namespace that the path's own `namespace:` set (the wrapper's patches see it set).
 */
export interface FluxBuild {
  namespace?: string | undefined
  /** Component directories relative to the repository root. */
  components?: readonly string[] | undefined
  /** `spec.patches` as written: `{ patch, target? }`. */
  patches?: readonly unknown[] | undefined
  /** `spec.images` as written: `{ name, newName?, newTag?, digest? }`. */
  images?: readonly unknown[] | undefined
  namePrefix?: string | undefined
  nameSuffix?: string | undefined
  /** `spec.commonMetadata` as written. */
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined
}

/** Whether a build adds anything to the path's own kustomization. */
export function addsToBuild(build: FluxBuild | undefined): build is FluxBuild {
  return (
    build !== undefined &&
    (build.namespace !== undefined ||
      !!build.components?.length ||
      !!build.patches?.length ||
      !!build.images?.length ||
      !!build.namePrefix ||
      !!build.nameSuffix ||
      Object.keys(build.commonMetadata?.labels ?? {}).length + Object.keys(build.commonMetadata?.annotations ?? {}).length > 0)
  )
}

/**
 * Writes, in `dir`, the kustomization that builds `entries` (a directory, or the files of a path
 * without kustomization.yaml, absolute) with the controller's additions.
 */
export function writeFluxBuild(dir: string, entries: readonly string[], build: FluxBuild, repoRoot: string, namePrefix?: string): void {
  if (namePrefix !== undefined) {
    // The build one level down, its names prefixed here (see withoutNamePrefix).
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'kustomization.yaml'), `${JSON.stringify({ resources: ['build'], namePrefix })}\n`)
    dir = join(dir, 'build')
  }
  mkdirSync(dir, { recursive: true })
  const from = (path: string) => toPosix(relative(dir, path)) || '.'
  const kustomization: Record<string, unknown> = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: entries.map(from)
  }
  if (build.namespace !== undefined) kustomization.namespace = build.namespace
  if (build.components?.length) kustomization.components = build.components.map((c) => from(resolve(repoRoot, c)))
  if (build.patches?.length) kustomization.patches = build.patches
  if (build.images?.length) kustomization.images = build.images
  if (build.namePrefix) kustomization.namePrefix = build.namePrefix
  if (build.nameSuffix) kustomization.nameSuffix = build.nameSuffix
  const transformers = commonMetadataTransformers(build.commonMetadata)
  if (transformers.length > 0) kustomization.transformers = transformers
  // JSON is YAML: no quoting to get wrong in the patches' text.
  writeFileSync(join(dir, 'kustomization.yaml'), `${JSON.stringify(kustomization, null, 1)}\n`)
}

/** commonMetadata as kustomize's builtin label and annotation transformers, limited to each object's own metadata. */
function commonMetadataTransformers(metadata: FluxBuild['commonMetadata']): string[] {
  const transformers: string[] = []
  const add = (kind: string, field: 'labels' | 'annotations', values: Record<string, string> | undefined) => {
    if (!values || Object.keys(values).length === 0) return
    const config = { apiVersion: 'builtin', kind, metadata: { name: `flux-common-${field}` }, [field]: values }
    transformers.push(`${JSON.stringify({ ...config, fieldSpecs: [{ path: `metadata/${field}`, create: true }] })}\n`)
  }
  add('LabelTransformer', 'labels', metadata?.labels)
  add('AnnotationsTransformer', 'annotations', metadata?.annotations)
  return transformers
}

/**
 * A prefix for the names of one root's objects in a batch, when its build takes components:
 * components bring the same objects into every path that takes them (`${APP}-cache` before Flux
 * substitutes APP), and two equal object ids cannot share one kustomize call. kustomize prefixes
 * the names and every reference to them; withoutNamePrefix takes the prefix off again.
 */
export function batchNamePrefix(build: FluxBuild | undefined, index: number): string | undefined {
  return build?.components?.length ? `gitops-actions-batch-${index}-` : undefined
}

/** The object as its own build makes it: every string the batch prefix starts loses it (names and references alike). */
export function withoutNamePrefix(value: unknown, prefix: string): unknown {
  if (typeof value === 'string') return value.startsWith(prefix) ? value.slice(prefix.length) : value
  if (Array.isArray(value)) return value.map((item) => withoutNamePrefix(item, prefix))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNamePrefix(item, prefix)]))
  }
  return value
}

/**
 * What the additions make kustomize read, held to the rules of the path's own files (see
 * build-closure.ts): component directories stay in the repository, and an inline patch is YAML that
 * kustomize parses, so an alias bomb in one is refused before kustomize starts. A UserError otherwise.
 */
export function checkFluxBuild(
  repoRoot: string,
  build: FluxBuild,
  remoteHosts: readonly string[],
  patchAt: (index: number) => SourceLocation | undefined = () => undefined
): void {
  for (const component of build.components ?? []) checkBuildClosure(repoRoot, resolve(repoRoot, component), remoteHosts)
  ;(build.patches ?? []).forEach((entry, index) => {
    const patch = (entry as { patch?: unknown } | undefined)?.patch
    if (typeof patch !== 'string') return
    const at = patchAt(index)
    try {
      checkYamlAliases(patch, `spec.patches[${index}].patch`)
    } catch (error) {
      // At the entry of the Kustomization that holds the patch, the file a user edits.
      if (isUserError(error) && at) throw new UserError(error.message, at)
      throw error
    }
  })
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}
