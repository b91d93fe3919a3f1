import { apiGroupOf, type KubeObject, type Manifest, type SourceLocation, type YamlPath } from '@gitops-actions/core'
import type { RenderedObject } from '@gitops-actions/kustomize'
import type { RootProvenance } from './provenance.js'
import type { SourceFiles } from './source-files.js'

/**
 * Turns rendered objects back into the user's file and line. kustomize's origin annotation names
 * the file an object came from; the document in that file is the one with the same kind and name
 * (before namePrefix/nameSuffix), and a field's line is that of the field, or of its nearest
 * ancestor. With the root's provenance, a field is placed where it was written: the patch, the
 * images:/replicas: entry or the base (see provenance.ts).
 */
export function renderedManifests(
  objects: readonly RenderedObject[],
  root: string,
  environment: string | undefined,
  files: SourceFiles,
  fallbackFile: string,
  provenance?: RootProvenance
): Manifest[] {
  return objects.map(({ object, origin }) => {
    const kube = object as KubeObject
    const file = origin?.repo === undefined ? (origin?.path ?? origin?.configuredIn) : undefined
    const source = file ? findDocument(files, file, kube) : undefined
    if (source) {
      const manifest: Manifest = {
        object: kube,
        location: source.location,
        root,
        environment,
        locate: (path: YamlPath, at?: 'value' | 'key') => source.locate(path, at)
      }
      return provenance ? provenance.manifest(manifest, source, origin) : manifest
    }
    const location: SourceLocation = { file: file ?? fallbackFile, line: 1 }
    const manifest: Manifest = { object: kube, location, root, environment, locate: () => location }
    return provenance ? provenance.manifest(manifest, undefined, origin) : manifest
  })
}

function findDocument(files: SourceFiles, file: string, object: KubeObject): Manifest | undefined {
  const manifests = files.manifests(file)
  if (!Array.isArray(manifests) || manifests.length === 0) return undefined
  const name = object.metadata?.name ?? ''
  const namespace = object.metadata?.namespace
  // The same kind and name can be two objects of one file: a v1 ServiceAccount and talos.dev's, or one name in two namespaces.
  const ofKind = manifests.filter((m) => m.object.kind === object.kind)
  const ofGroup = ofKind.filter((m) => apiGroupOf(m.object.apiVersion) === apiGroupOf(object.apiVersion))
  const sameKind = ofGroup.length > 0 ? ofGroup : ofKind
  const named = sameKind.filter((m) => m.object.metadata?.name === name)
  return (
    named.find((m) => m.object.metadata?.namespace === namespace) ??
    named[0] ??
    sameKind.find((m) => typeof m.object.metadata?.name === 'string' && name.includes(m.object.metadata.name)) ??
    sameKind[0] ??
    // A generator's origin is the kustomization that configured it: point at the generator entry.
    generatorEntry(manifests[0]!, object) ??
    manifests[0]
  )
}

function generatorEntry(kustomization: Manifest, object: KubeObject): Manifest | undefined {
  const key = object.kind === 'Secret' ? 'secretGenerator' : object.kind === 'ConfigMap' ? 'configMapGenerator' : undefined
  if (!key) return undefined
  const entries = (kustomization.object as Record<string, unknown>)[key]
  if (!Array.isArray(entries)) return undefined
  const index = entries.findIndex((e) => typeof e?.name === 'string' && (object.metadata?.name ?? '').startsWith(e.name))
  if (index < 0) return undefined
  const location = kustomization.locate([key, index])
  return { ...kustomization, location, locate: () => location }
}
