import { readFileSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { resolveInRepo } from '@gitops-actions/core'

/**
 * The configs of kustomize's builtin generators and transformers (`apiVersion: builtin`), listed
 * under a kustomization's `generators:` and `transformers:` as files or inline blocks, as podinfo's
 * overlays add their labels with a LabelTransformer. A config may name files of its own (a
 * PatchTransformer's `path`, a ConfigMapGenerator's `files`); kustomize loads them relative to the
 * kustomization's directory, so they are as much a part of the build as the kustomization's own
 * entries: a change to one changes the render.
 */

export type PluginConfig = Record<string, unknown>

/**
 * Reads a generator or transformer config file named by an entry (as written, relative to the
 * kustomization's directory); undefined when it is not a regular file of the repository.
 */
export type ConfigReader = (value: string) => string | undefined

/** The ConfigReader of a kustomization in `dir` (absolute): it reads regular files of `repoRoot` only (resolveInRepo's rule, symlinks followed). */
export function configReader(repoRoot: string, dir: string): ConfigReader {
  return (value) => {
    try {
      const file = resolveInRepo(repoRoot, relative(repoRoot, resolve(dir, value)), value)
      return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined
    } catch {
      return undefined // out of the repository, or not there: the entry's own checks say so
    }
  }
}

/** One file a config names: the field it is written in, as written, and how kustomize reads it. */
export interface PluginConfigFile {
  field: string
  value: string
  /** A patch or replacement (as the kustomization's own `patches[].path`), or another file. */
  kind: 'patch' | 'file'
  /** kustomize parses it as YAML. */
  yaml: boolean
}

/** The documents of a config's text that are objects; none when it is not YAML (kustomize says so in its build). */
export function pluginConfigDocuments(text: string): PluginConfig[] {
  const configs: PluginConfig[] = []
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) continue
    let value: unknown
    try {
      value = document.toJS({ maxAliasCount: 100 })
    } catch {
      continue // an alias bomb: build-closure refuses the file
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) configs.push(value as PluginConfig)
  }
  return configs
}

/** Whether a config is one of kustomize's builtins (others are plugins kustomize runs only with alpha plugins enabled). */
export function isBuiltinConfig(config: PluginConfig): boolean {
  return config.apiVersion === 'builtin' && typeof config.kind === 'string'
}

/** The files a builtin config names, as kustomize reads them. */
export function pluginConfigFiles(config: PluginConfig): PluginConfigFile[] {
  if (!isBuiltinConfig(config)) return []
  const files: PluginConfigFile[] = []
  const add = (field: string, value: unknown, kind: PluginConfigFile['kind'], yaml = true) => {
    if (typeof value === 'string' && value.trim() !== '' && !value.includes('\n')) files.push({ field, value, kind, yaml })
  }
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
  switch (config.kind) {
    case 'PatchTransformer':
    case 'PatchJson6902Transformer':
      add('path', config.path, 'patch')
      break
    case 'PatchStrategicMergeTransformer':
      list(config.paths).forEach((path) => add('paths', path, 'patch'))
      break
    case 'ReplacementTransformer':
      list(config.replacements).forEach((entry) => add('replacements[].path', (entry as { path?: unknown } | null)?.path, 'patch'))
      break
    case 'ConfigMapGenerator':
    case 'SecretGenerator':
      list(config.files).forEach((file) => add('files', typeof file === 'string' ? file.slice(file.indexOf('=') + 1) : file, 'file', false))
      list(config.envs).forEach((file) => add('envs', file, 'file', false))
      add('env', config.env, 'file', false)
      break
    case 'HelmChartInflationGenerator':
      add('valuesFile', config.valuesFile, 'file')
      list(config.additionalValuesFiles).forEach((file) => add('additionalValuesFiles', file, 'file'))
      break
  }
  return files
}
