import { describeObject, editDistance, type Finding, type Manifest, type YamlPath } from '@gitops-actions/core'
import { isFluxObject } from './flux.js'
import { sourceRefOf, type SourceRef } from './flux-sources.js'

/**
 * References between Flux objects other than a Kustomization's source: a HelmRelease's chart source
 * (`spec.chart.spec.sourceRef`, `spec.chartRef`), an ImagePolicy's ImageRepository, an
 * ImageUpdateAutomation's GitRepository. Flux reports a wrong name only once the object is applied
 * and stuck; here it is found at the line that names it. A reference's namespace defaults to the
 * referring object's. Objects are compared as rendered (a kustomization's `namespace:` moves both
 * the release and its repository) and as written where nothing renders them. A HelmRelease's
 * valuesFrom ConfigMaps and Secrets are resolved in helm-values-from.ts.
 */

interface Reference {
  ref: SourceRef
  path: YamlPath
}

function referencesOf(manifest: Manifest): Reference[] {
  const spec = (manifest.object.spec ?? {}) as Record<string, unknown>
  switch (manifest.object.kind) {
    case 'HelmRelease': {
      const chart = (spec.chart as { spec?: { sourceRef?: unknown } } | undefined)?.spec
      return [
        ...(chart?.sourceRef ? [{ ref: sourceRefOf(chart.sourceRef), path: ['spec', 'chart', 'spec', 'sourceRef', 'name'] }] : []),
        ...(spec.chartRef ? [{ ref: sourceRefOf(spec.chartRef), path: ['spec', 'chartRef', 'name'] }] : [])
      ]
    }
    case 'ImagePolicy':
      return spec.imageRepositoryRef
        ? [{ ref: { ...sourceRefOf(spec.imageRepositoryRef), kind: 'ImageRepository' }, path: ['spec', 'imageRepositoryRef', 'name'] }]
        : []
    case 'ImageUpdateAutomation':
      return spec.sourceRef ? [{ ref: sourceRefOf(spec.sourceRef), path: ['spec', 'sourceRef', 'name'] }] : []
    default:
      return []
  }
}

/**
 * The references of the given objects that name nothing: an error when the repository holds an
 * object of that kind with a name a typo away (in the namespace Flux looks in), a warning when it
 * holds objects of that kind but none by that name. Kinds the repository never defines (sources made
 * elsewhere, the bootstrap `flux-system` GitRepository) are not judged.
 */
export function checkFluxReferences(objects: readonly Manifest[]): Finding[] {
  const flux = objects.filter((m) => isFluxObject(m.object))
  const findings: Finding[] = []
  for (const referrer of flux) {
    const namespace = referrer.object.metadata?.namespace
    for (const { ref, path } of referencesOf(referrer)) {
      if (!ref.kind || !ref.name) continue
      const wanted = ref.namespace ?? namespace
      const sameKind = flux.filter((m) => m.object.kind === ref.kind)
      const inNamespace = (m: Manifest) =>
        wanted === undefined || m.object.metadata?.namespace === undefined || m.object.metadata.namespace === wanted
      if (sameKind.some((m) => m.object.metadata?.name === ref.name && inNamespace(m))) continue
      if (sameKind.length === 0 || (ref.kind === 'GitRepository' && ref.name === 'flux-system')) continue
      const near = sameKind.find((m) => inNamespace(m) && editDistance(String(m.object.metadata?.name ?? ''), ref.name!) <= 2)
      const elsewhere = sameKind.find((m) => m.object.metadata?.name === ref.name)
      const what = `${describeObject(referrer.object)}: ${path.slice(0, -1).join('.')} ${ref.kind}/${wanted ? `${wanted}/` : ''}${ref.name}`
      const message = near
        ? `${what} names no ${ref.kind} of this repository; did you mean ${near.object.metadata?.name} (${near.location.file}:${near.location.line})?`
        : elsewhere
          ? `${what} names no ${ref.kind} in namespace ${wanted}; the one at ${elsewhere.location.file}:${elsewhere.location.line} is in ${elsewhere.object.metadata?.namespace} (set ${path.slice(0, -1).join('.')}.namespace)`
          : `${what} names no ${ref.kind} of this repository (made elsewhere?)`
      findings.push({
        ruleId: 'flux/reference-not-found',
        severity: near || elsewhere ? 'error' : 'warning',
        message,
        location: referrer.locate(path)
      })
    }
  }
  return findings
}
