import { apiGroupOf, describeObject, editDistance, type Finding, type Manifest } from '@gitops-actions/core'

/**
 * A HelmRelease's `spec.valuesFrom` ConfigMaps and Secrets. helm-controller reads them from the
 * release's namespace when it reconciles; a wrong name or key leaves the release failing with
 * "could not find" after the merge. They are resolved here against the objects the same build
 * renders (the Kustomization that applies the release, as Flux built it), then against every other
 * render of the repository (another Kustomization may apply them). A name a typo away from one that
 * is rendered, a generated name whose hash suffix the release does not follow, or a `valuesKey`
 * the object lacks is an error at that entry; a name nothing renders is a warning (it may be made in
 * the cluster); an entry marked `optional: true` is never a finding, as helm-controller skips it.
 */
export function checkValuesFrom(manifestsByRoot: ReadonlyMap<string, readonly Manifest[]>): Finding[] {
  const everywhere = [...manifestsByRoot.values()].flat()
  const findings: Finding[] = []
  for (const manifests of manifestsByRoot.values()) {
    for (const release of manifests) {
      if (release.object.kind !== 'HelmRelease' || !String(release.object.apiVersion ?? '').startsWith('helm.toolkit.fluxcd.io/')) continue
      const entries = (release.object.spec as { valuesFrom?: unknown } | undefined)?.valuesFrom
      if (!Array.isArray(entries)) continue
      for (const [index, entry] of entries.entries()) {
        const finding = checkEntry(release, index, entry, manifests, everywhere)
        if (finding) findings.push(finding)
      }
    }
  }
  return findings
}

interface ValuesReference {
  kind: 'ConfigMap' | 'Secret'
  name: string
  valuesKey: string
  optional: boolean
}

function referenceOf(entry: unknown): ValuesReference | undefined {
  if (!entry || typeof entry !== 'object') return undefined
  const { kind, name, valuesKey, optional } = entry as Record<string, unknown>
  if ((kind !== 'ConfigMap' && kind !== 'Secret') || typeof name !== 'string' || name === '') return undefined
  // A name Flux substitutes from the cluster (postBuild) is not known here.
  if (name.includes('${')) return undefined
  return {
    kind,
    name,
    valuesKey: typeof valuesKey === 'string' && valuesKey !== '' ? valuesKey : 'values.yaml',
    optional: optional === true
  }
}

function checkEntry(
  release: Manifest,
  index: number,
  entry: unknown,
  sameBuild: readonly Manifest[],
  everywhere: readonly Manifest[]
): Finding | undefined {
  const ref = referenceOf(entry)
  if (!ref || ref.optional) return undefined
  const namespace = release.object.metadata?.namespace
  const what = `${describeObject(release.object)}: spec.valuesFrom[${index}] ${ref.kind}/${namespace ? `${namespace}/` : ''}${ref.name}`
  const at = (field: 'name' | 'valuesKey') => release.locate(['spec', 'valuesFrom', index, field])
  const inNamespace = (m: Manifest) =>
    namespace === undefined || m.object.metadata?.namespace === undefined || m.object.metadata.namespace === namespace
  const providers = (manifests: readonly Manifest[]) => manifests.filter((m) => inNamespace(m) && providedName(m, ref.kind) !== undefined)
  const named = (manifests: readonly Manifest[]) => providers(manifests).filter((m) => providedName(m, ref.kind) === ref.name)

  const found = named(sameBuild)[0] ?? named(everywhere)[0]
  if (found) {
    const keys = keysOf(found)
    if (keys === undefined || keys.includes(ref.valuesKey)) return undefined
    return {
      ruleId: 'flux/reference-not-found',
      severity: 'error',
      message: `${what} has no key ${ref.valuesKey} (${found.location.file}:${found.location.line} holds ${keys.length > 0 ? keys.join(', ') : 'no keys'}); set valuesKey to the key that holds the values`,
      location: at((entry as { valuesKey?: unknown }).valuesKey === undefined ? 'name' : 'valuesKey')
    }
  }
  const candidates = [...providers(sameBuild), ...providers(everywhere)]
  const hashed = candidates.find((m) => {
    const name = providedName(m, ref.kind)!
    return name.startsWith(`${ref.name}-`) && /^[a-z0-9]{10}$/.test(name.slice(ref.name.length + 1))
  })
  if (hashed) {
    return {
      ruleId: 'flux/reference-not-found',
      severity: 'error',
      message: `${what} names no ${ref.kind} this repository renders: its generator (${hashed.location.file}:${hashed.location.line}) names it ${providedName(hashed, ref.kind)}, with a hash suffix the release does not follow; set generatorOptions.disableNameSuffixHash: true or a nameReference configuration for spec/valuesFrom/name`,
      location: at('name')
    }
  }
  // A generated name is compared without its hash suffix: that is the name the release writes.
  const written = (m: Manifest) => providedName(m, ref.kind)!.replace(/-[a-z0-9]{10}$/, '')
  const near = candidates.find((m) => editDistance(written(m), ref.name) <= 2)
  if (near) {
    return {
      ruleId: 'flux/reference-not-found',
      severity: 'error',
      message: `${what} names no ${ref.kind} this repository renders; did you mean ${written(near)} (${near.location.file}:${near.location.line})?`,
      location: at('name')
    }
  }
  return {
    ruleId: 'flux/reference-not-found',
    severity: 'warning',
    message: `${what} names no ${ref.kind} this repository renders (made in the cluster?); helm-controller fails the release until it exists, or mark the entry optional: true`,
    location: at('name')
  }
}

/**
 * The ConfigMap or Secret an object provides: itself, or for a Secret the one an operator makes
 * from it (external-secrets' ExternalSecret, Bitnami's SealedSecret).
 */
function providedName(manifest: Manifest, kind: 'ConfigMap' | 'Secret'): string | undefined {
  const object = manifest.object
  if (object.kind === kind && object.apiVersion === 'v1') return object.metadata?.name
  if (kind !== 'Secret') return undefined
  const group = apiGroupOf(object.apiVersion)
  if (object.kind === 'ExternalSecret' && group === 'external-secrets.io') {
    const target = (object.spec as { target?: { name?: unknown } } | undefined)?.target?.name
    return typeof target === 'string' ? target : object.metadata?.name
  }
  if (object.kind === 'SealedSecret' && group === 'bitnami.com') return object.metadata?.name
  return undefined
}

/** The keys a ConfigMap or Secret holds; undefined for objects an operator turns into a Secret. */
function keysOf(manifest: Manifest): string[] | undefined {
  const object = manifest.object as Record<string, unknown>
  if (object.apiVersion !== 'v1') return undefined
  const fields = object.kind === 'Secret' ? ['data', 'stringData'] : ['data', 'binaryData']
  return fields.flatMap((field) => {
    const value = object[field]
    return value && typeof value === 'object' ? Object.keys(value) : []
  })
}
