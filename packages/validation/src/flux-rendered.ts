import { isDeepStrictEqual } from 'node:util'
import type { Manifest, YamlPath } from '@gitops-actions/core'
import type { FluxKustomization } from './flux.js'
import type { RootClosure } from './kustomization.js'
import type { SourceFiles } from './source-files.js'

/**
 * The Flux Kustomizations as the cluster gets them. One written in a base and patched by an overlay
 * (flux2-multi-tenancy's tenants: `tenants/base/dev-team/sync.yaml` plus a staging patch that sets
 * spec.path) is applied with the patched values, once per overlay that renders it: that is what
 * flux-sync-validation checks. A Kustomization no render holds is checked as written.
 */

/** The fields Flux reads to decide what a Kustomization applies and when. */
const CHECKED_FIELDS = [
  'sourceRef',
  'path',
  'dependsOn',
  'healthChecks',
  'targetNamespace',
  'namePrefix',
  'nameSuffix',
  'commonMetadata',
  'postBuild',
  'decryption',
  'patches',
  'images',
  'components',
  'wait',
  'interval',
  'timeout',
  'retryInterval'
]

/**
 * The Kustomizations to check: the written ones, except where a render changed one of the fields
 * Flux reads; such a render gives a Kustomization of its own (`renderedIn` its root), located at the
 * patch that set each field when a patch file did. `resolve` resolves rendered objects the way the
 * written ones were (same sources, same checkout).
 */
export function renderedFluxKustomizations(
  written: readonly FluxKustomization[],
  renders: ReadonlyMap<string, readonly Manifest[]>,
  resolve: (manifests: readonly Manifest[]) => FluxKustomization[],
  closureOf: (root: string) => RootClosure | undefined,
  files: SourceFiles
): FluxKustomization[] {
  const byPlace = new Map(written.map((k) => [place(k.manifest), k]))
  const replaced = new Set<FluxKustomization>()
  const unchanged = new Set<FluxKustomization>()
  const variants: FluxKustomization[] = []
  for (const [root, manifests] of renders) {
    for (const manifest of manifests) {
      if (manifest.object.kind !== 'Kustomization' || !String(manifest.object.apiVersion ?? '').startsWith('kustomize.toolkit.fluxcd.io/'))
        continue
      const original = byPlace.get(place(manifest))
      if (!original) continue
      if (sameFields(original.manifest, manifest)) {
        unchanged.add(original)
        continue
      }
      replaced.add(original)
      const located = { ...manifest, locate: patchedLocate(manifest, original.manifest, closureOf(root), files) }
      const [variant] = resolve([located])
      if (variant) variants.push({ ...variant, renderedIn: root })
    }
  }
  // A written one stays when some render applies it as written (or none renders it).
  return [...written.filter((k) => !replaced.has(k) || unchanged.has(k)), ...variants]
}

function place(manifest: Manifest): string {
  return `${manifest.location.file}:${manifest.location.line}`
}

function sameFields(written: Manifest, rendered: Manifest): boolean {
  const a = (written.object.spec ?? {}) as Record<string, unknown>
  const b = (rendered.object.spec ?? {}) as Record<string, unknown>
  return (
    written.object.metadata?.name === rendered.object.metadata?.name &&
    (written.object.metadata?.namespace ?? 'flux-system') === (rendered.object.metadata?.namespace ?? 'flux-system') &&
    CHECKED_FIELDS.every((field) => isDeepStrictEqual(a[field], b[field]))
  )
}

/**
 * A field a patch file of the root sets is found at the patch's line: the typo in an overlay's
 * `spec.path` is reported where it is written, not at the base's `spec:`.
 */
function patchedLocate(
  rendered: Manifest,
  written: Manifest,
  closure: RootClosure | undefined,
  files: SourceFiles
): (path: YamlPath, at?: 'value' | 'key') => ReturnType<Manifest['locate']> {
  const patches: Manifest[] = []
  for (const kustomization of closure?.kustomizations ?? []) {
    for (const ref of kustomization.refs) {
      if (ref.kind !== 'patch' || ref.target === undefined || !/\.ya?ml$/.test(ref.target)) continue
      const parsed = files.manifests(ref.target)
      if (!Array.isArray(parsed)) continue
      patches.push(
        ...parsed.filter((m) => m.object.kind === written.object.kind && m.object.metadata?.name === written.object.metadata?.name)
      )
    }
  }
  return (path, at) => {
    const patch = patches.findLast((m) => has(m.object, path))
    return patch ? patch.locate(path, at) : rendered.locate(path, at)
  }
}

function has(object: unknown, path: YamlPath): boolean {
  let node: unknown = object
  for (const key of path) {
    if (!node || typeof node !== 'object') return false
    if (!(String(key) in (node as Record<string, unknown>))) return false
    node = (node as Record<string, unknown>)[String(key)]
  }
  return true
}
