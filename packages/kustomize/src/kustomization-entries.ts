import { pluginConfigDocuments, pluginConfigFiles, type ConfigReader } from './plugin-configs.js'

/**
 * The entries of a kustomization that name files, directories or remote sources, as kustomize
 * reads them. One list for everything that follows a build: the pre-render safety walk
 * (build-closure.ts), validation's kustomization graph and the index of what a change reaches.
 */

/** What an entry names: a resource or component (file or directory), a patch file, any other file. */
export type KustomizationEntryKind = 'resource' | 'component' | 'patch' | 'file'

export interface KustomizationEntry {
  /** The field, e.g. `resources`, `patches[].path`, `configMapGenerator[].files`. */
  field: string
  kind: KustomizationEntryKind
  /** As written (a generator's `key=file` gives the file). */
  value: string
  /** Where the entry is in the kustomization: `['resources', 2]`. */
  path: Array<string | number>
  /** kustomize parses the file as YAML (a resource, a patch), so its aliases are expanded. */
  yaml: boolean
  /** May be a directory with a kustomization of its own. */
  directory: boolean
}

/**
 * Lists the entries of a parsed kustomization; inline patches and empty values are left out. With
 * `readConfig`, the files that builtin generator and transformer configs name (a PatchTransformer's
 * `path`) are listed too, at the config's entry: kustomize reads them for this build.
 */
export function kustomizationEntries(data: Record<string, unknown>, readConfig?: ConfigReader): KustomizationEntry[] {
  const entries: KustomizationEntry[] = []
  const add = (
    field: string,
    kind: KustomizationEntryKind,
    value: unknown,
    path: Array<string | number>,
    yaml: boolean,
    directory = false
  ) => {
    if (typeof value === 'string' && value.trim() !== '' && !value.includes('\n'))
      entries.push({ field, kind, value, path, yaml, directory })
  }
  const list = (key: string): unknown[] => (Array.isArray(data[key]) ? (data[key] as unknown[]) : [])
  for (const key of ['resources', 'bases']) list(key).forEach((v, i) => add(key, 'resource', v, [key, i], true, true))
  list('components').forEach((v, i) => add('components', 'component', v, ['components', i], true, true))
  list('crds').forEach((v, i) => add('crds', 'file', v, ['crds', i], true))
  list('patchesStrategicMerge').forEach((v, i) => add('patchesStrategicMerge', 'patch', v, ['patchesStrategicMerge', i], true))
  for (const key of ['patches', 'patchesJson6902', 'replacements']) {
    list(key).forEach((entry, i) => {
      if (entry && typeof entry === 'object') add(`${key}[].path`, 'patch', (entry as { path?: unknown }).path, [key, i, 'path'], true)
    })
  }
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    list(key).forEach((entry, i) => {
      if (!entry || typeof entry !== 'object') return
      const generator = entry as { files?: unknown; envs?: unknown; env?: unknown }
      if (Array.isArray(generator.files)) {
        generator.files.forEach((f, j) =>
          add(`${key}[].files`, 'file', typeof f === 'string' ? f.slice(f.indexOf('=') + 1) : f, [key, i, 'files', j], false)
        )
      }
      if (Array.isArray(generator.envs)) generator.envs.forEach((f, j) => add(`${key}[].envs`, 'file', f, [key, i, 'envs', j], false))
      add(`${key}[].env`, 'file', generator.env, [key, i, 'env'], false)
    })
  }
  list('configurations').forEach((v, i) => add('configurations', 'file', v, ['configurations', i], true))
  // A generator, transformer or validator entry is a config file or a directory that builds them.
  for (const key of ['generators', 'transformers', 'validators']) {
    list(key).forEach((v, i) => {
      add(key, 'file', v, [key, i], true, true)
      if (typeof v !== 'string') return
      const text = v.includes('\n') ? v : readConfig?.(v)
      if (text === undefined) return
      for (const config of pluginConfigDocuments(text)) {
        for (const file of pluginConfigFiles(config)) add(`${key}[].${file.field}`, file.kind, file.value, [key, i], file.yaml)
      }
    })
  }
  const openapi = data.openapi as { path?: unknown } | undefined
  if (openapi && typeof openapi === 'object') add('openapi.path', 'file', openapi.path, ['openapi', 'path'], true)
  return entries
}
