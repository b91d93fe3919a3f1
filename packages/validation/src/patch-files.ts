import { posix } from 'node:path'
import { KUSTOMIZATION_FILES, type KustomizationGraph } from './kustomization.js'
import type { SourceFiles } from './source-files.js'

/**
 * Of the given files, those that a kustomization uses as a patch (patches[].path,
 * patchesStrategicMerge, patchesJson6902) and none as a resource. A patch holds a partial object
 * that only changes the resource it targets (the HelmRelease values of Flux's example overlays):
 * it is never applied on its own, so it is not an object to check.
 */
export function patchFiles(
  candidates: readonly string[],
  yamlFiles: readonly string[],
  files: SourceFiles,
  graph: KustomizationGraph
): Set<string> {
  const wanted = new Set(candidates)
  const names = [...new Set(candidates.map((file) => posix.basename(file)))]
  const patches = new Set<string>()
  const resources = new Set<string>()
  if (names.length === 0) return patches
  for (const file of yamlFiles) {
    if (!(KUSTOMIZATION_FILES as readonly string[]).includes(posix.basename(file))) continue
    // Most kustomizations name none of the candidates: a text test spares parsing them.
    const text = files.text(file)
    if (!text || !names.some((name) => text.includes(name))) continue
    const dir = posix.dirname(file)
    const kustomization = graph.at(dir === '.' ? '' : dir)
    if (!kustomization || 'ruleId' in kustomization) continue
    for (const ref of kustomization.refs) {
      if (ref.target === undefined || !wanted.has(ref.target)) continue
      if (ref.kind === 'patch') patches.add(ref.target)
      else if (ref.kind === 'resource') resources.add(ref.target)
    }
  }
  for (const resource of resources) patches.delete(resource)
  return patches
}
