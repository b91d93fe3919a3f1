import { readdirSync, readFileSync, statSync } from 'node:fs'
import { isUserError, matchesSchemaPath, resolveInRepo, type Finding, type KubeObject, type SchemasConfig } from '@gitops-actions/core'
import { customSchemas, type CustomSchema } from './schema.js'
import type { SourceFiles } from './source-files.js'

/**
 * The schemas gitops.yaml's `schemas:` section names: CRD files (paths or globs) and directories of
 * JSON schemas in kubeconform's layout. They describe what the clusters run, so they come before
 * the packaged models (see CustomSchema.explicit). Every path stays inside the repository (symlinks
 * out are refused); a mistake is an error at its gitops.yaml line, and the other sources still load.
 */
export interface ConfiguredSchemas {
  custom: Map<string, CustomSchema | null>
  findings: Finding[]
}

const RULE = 'kustomize/schema-source'
/** A JSON schema file larger than this is not read: kubeconform's largest CRD schemas are a few MB. */
const MAX_SCHEMA_BYTES = 16 * 1024 * 1024

/** Loads the configured schemas that matter for these objects (JSON schemas are read only for kinds in use). */
export function configuredSchemas(
  repoRoot: string,
  config: SchemasConfig,
  files: SourceFiles,
  objects: readonly KubeObject[],
  configFile = 'gitops.yaml'
): ConfiguredSchemas {
  const findings: Finding[] = []
  const error = (message: string, location: Finding['location']): void => {
    findings.push({ ruleId: RULE, severity: 'error', message, location })
  }
  const crds: KubeObject[] = []
  config.crds.forEach((source, index) => {
    const what = `${configFile}: schemas.crds[${index}]`
    let matched: string[]
    try {
      matched = filesMatching(repoRoot, source.path, what)
    } catch (failure) {
      if (!isUserError(failure)) throw failure
      return error(failure.message, source.location)
    }
    if (matched.length === 0) return error(`${what}: '${source.path}' matches no file in the repository`, source.location)
    for (const file of matched) {
      const manifests = files.manifests(file)
      if (!Array.isArray(manifests)) {
        findings.push(manifests)
        continue
      }
      const found = manifests.map((m) => m.object).filter((o) => o.kind === 'CustomResourceDefinition')
      if (found.length === 0 && !/[*?]/.test(source.path)) error(`${what}: ${file} holds no CustomResourceDefinition`, source.location)
      crds.push(...found)
    }
  })
  const custom = customSchemas(crds, { explicit: true })

  const wanted = new Map<string, { group: string; version: string; kind: string }>()
  for (const object of objects) {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') continue
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/', 2) : ['', object.apiVersion]
    wanted.set(`${object.apiVersion}/${object.kind}`, { group: group!, version: version!, kind: object.kind })
  }
  config.jsonSchemas.forEach((source, index) => {
    const what = `${configFile}: schemas.jsonSchemas[${index}]`
    let dir: string
    try {
      dir = resolveInRepo(repoRoot, source.path, what)
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
        return error(`${what}: '${source.path}' is not a directory`, source.location)
    } catch (failure) {
      if (!isUserError(failure)) throw failure
      return error(failure.message, source.location)
    }
    for (const [key, { group, version, kind }] of wanted) {
      if (custom.has(key)) continue
      const name = `${kind.toLowerCase()}_${version}.json`
      for (const candidate of group ? [`${group}/${name}`, name] : [name]) {
        const path = `${source.path}/${candidate}`
        let file: string
        try {
          file = resolveInRepo(repoRoot, path, what)
        } catch (failure) {
          if (!isUserError(failure)) throw failure
          error(failure.message, source.location)
          break
        }
        const stat = statSync(file, { throwIfNoEntry: false })
        if (!stat?.isFile()) continue
        if (stat.size > MAX_SCHEMA_BYTES) {
          error(`${path} is larger than ${MAX_SCHEMA_BYTES / 1024 / 1024} MiB; it is not read`, { file: path })
          break
        }
        try {
          const schema = JSON.parse(readFileSync(file, 'utf8')) as unknown
          if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new Error('it is not a JSON object')
          custom.set(key, { schema: schema as Record<string, unknown>, explicit: true, source: path })
        } catch (failure) {
          error(`${path} is not a JSON schema: ${(failure as Error).message}`, { file: path })
        }
        break
      }
    }
  })
  return { custom, findings }
}

/** The regular files under a path, or matching a glob, inside the repository (symlinks out refused). */
function filesMatching(repoRoot: string, pattern: string, what: string): string[] {
  const segments = pattern.split('/')
  const fixed = segments.findIndex((segment) => /[*?]/.test(segment))
  const base = fixed < 0 ? pattern : segments.slice(0, fixed).join('/') || '.'
  const absolute = resolveInRepo(repoRoot, base, what)
  const stat = statSync(absolute, { throwIfNoEntry: false })
  if (!stat) return []
  if (stat.isFile()) return matchesSchemaPath(pattern, base) ? [base] : []
  const result: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(resolveInRepo(repoRoot, dir, what), { withFileTypes: true })) {
      if (entry.name === '.git') continue
      const path = dir === '.' ? entry.name : `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if ((entry.isFile() || entry.isSymbolicLink()) && /\.ya?ml$/.test(entry.name) && matchesSchemaPath(pattern, path)) {
        resolveInRepo(repoRoot, path, what)
        result.push(path)
      }
    }
  }
  walk(base)
  return result.sort()
}
