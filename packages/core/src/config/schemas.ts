import { posix } from 'node:path'
import { UserError } from '../errors.js'
import { normalizeRepoPath } from '../repo-paths.js'
import type { SourceLocation } from '../source-location.js'

/**
 * The `schemas` section of gitops.yaml: schemas of custom resources that validate-manifests uses
 * beyond the packaged ones (Kubernetes, Flux, and the projects in the schema catalog) and the
 * CustomResourceDefinitions it finds in the repository. They describe what the clusters run, so
 * they take the place of a packaged schema of the same apiVersion and kind.
 */
export interface SchemasConfig {
  /** Files of CustomResourceDefinitions in the repository: paths or globs (`*`, `**`, `?`). */
  crds: SchemaSource[]
  /** Directories of JSON schemas in kubeconform's layout: `{kind}_{version}.json` or `{group}/{kind}_{version}.json`. */
  jsonSchemas: SchemaSource[]
}

export interface SchemaSource {
  /** The repo path or glob, normalized. */
  path: string
  /** Where gitops.yaml names it, for findings about it. */
  location: SourceLocation | undefined
}

export interface SchemasInput {
  crds?: string[]
  jsonSchemas?: string[]
}

const PATHS = { type: 'array', items: { type: 'string', minLength: 1 } } as const

export const schemasSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Schemas of custom resources beyond the packaged ones: CRD files and JSON schema directories in the repository.',
  properties: { crds: PATHS, jsonSchemas: PATHS }
} as const

/** The schemas section with repo paths checked (no absolute path, nothing out of the repository), each mistake at its line. */
export function completeSchemas(
  input: SchemasInput | undefined,
  locate: (path: Array<string | number>) => SourceLocation | undefined = () => undefined,
  file = 'gitops.yaml'
): SchemasConfig {
  const sources = (key: 'crds' | 'jsonSchemas'): SchemaSource[] =>
    (input?.[key] ?? []).map((path, index) => {
      const location = locate(['schemas', key, index])
      try {
        return { path: normalizeRepoPath(path, `${file}: schemas.${key}[${index}]`), location }
      } catch (error) {
        if (error instanceof UserError) throw new UserError(error.message, location)
        throw error
      }
    })
  return { crds: sources('crds'), jsonSchemas: sources('jsonSchemas') }
}

/** Whether a repo path matches a `schemas.crds` entry: the path itself, or a glob (`*` within a directory, `**` across them, `?`). */
export function matchesSchemaPath(pattern: string, path: string): boolean {
  if (!/[*?]/.test(pattern)) return path === pattern || path.startsWith(`${pattern}/`)
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      source += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`).test(posix.normalize(path))
}
