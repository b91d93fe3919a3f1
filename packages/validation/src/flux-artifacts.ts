import { readdirSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import type { Finding, Manifest, SourceLocation } from '@gitops-actions/core'
import { normalizeRepoPath } from './build-roots.js'
import type { FluxSources, SourceRef } from './flux-sources.js'
import type { RootClosure } from './kustomization.js'

/**
 * Flux 2.7's ArtifactGenerator (source.extensions.fluxcd.io) packages parts of its sources into
 * ExternalArtifacts that Kustomizations apply (flux2-kustomize-helm-example's clusters/<name>/artifacts.yaml).
 * When every source a generated artifact copies from is this checkout, its files are files of this
 * repository: the artifact's layout follows from the copy rules (`cp`-like, see source-watcher's
 * ArtifactGenerator spec), and a Kustomization's path inside the artifact is a repository directory.
 */

const GENERATOR_GROUP = /^source\.extensions\.fluxcd\.io\//

export function isArtifactGenerator(manifest: Manifest): boolean {
  return manifest.object.kind === 'ArtifactGenerator' && GENERATOR_GROUP.test(String(manifest.object.apiVersion ?? ''))
}

/** One generated ExternalArtifact whose content is files of this checkout. */
export interface ArtifactLayout {
  /** namespace/name of the ExternalArtifact. */
  key: string
  /** The ArtifactGenerator that makes it, and the artifacts[] entry. */
  generator: Manifest
  index: number
  /** Artifact path → repository path, after every copy rule (a later rule overwrites an earlier one). */
  files: Map<string, string>
}

export type ArtifactResolution = { status: 'local'; layout: ArtifactLayout } | { status: 'external'; note: string }

interface CopyRule {
  from?: unknown
  to?: unknown
  exclude?: unknown
  strategy?: unknown
}

/** The ExternalArtifacts the repository's ArtifactGenerators make, by namespace/name. */
export class FluxArtifacts {
  private readonly byKey = new Map<string, Array<{ file: string; resolution: ArtifactResolution }>>()

  constructor(objects: readonly Manifest[], sources: FluxSources, repoRoot: string) {
    for (const generator of objects.filter(isArtifactGenerator)) {
      const namespace = generator.object.metadata?.namespace ?? 'flux-system'
      const spec = (generator.object.spec ?? {}) as { sources?: unknown; artifacts?: unknown }
      const aliases = new Map<string, { ref: SourceRef; note: string | undefined }>()
      for (const source of Array.isArray(spec.sources) ? spec.sources : []) {
        const entry = (source ?? {}) as { alias?: unknown; kind?: unknown; name?: unknown; namespace?: unknown }
        if (typeof entry.alias !== 'string') continue
        const ref: SourceRef = {
          kind: typeof entry.kind === 'string' ? entry.kind : undefined,
          name: typeof entry.name === 'string' ? entry.name : undefined,
          namespace: typeof entry.namespace === 'string' ? entry.namespace : undefined
        }
        const resolution =
          ref.kind === 'GitRepository'
            ? sources.resolveGit(ref, namespace)
            : { status: 'external' as const, note: `${ref.kind ?? '?'}/${ref.name ?? '?'} is not a Git repository` }
        aliases.set(entry.alias, { ref, note: resolution.status === 'external' ? resolution.note : undefined })
      }
      const artifacts = Array.isArray(spec.artifacts) ? spec.artifacts : []
      artifacts.forEach((artifact: { name?: unknown; copy?: unknown }, index) => {
        if (typeof artifact?.name !== 'string') return
        const key = `${namespace}/${artifact.name}`
        const made = `ExternalArtifact ${key} is made by ArtifactGenerator ${namespace}/${generator.object.metadata?.name ?? '?'} (${place(generator.location)})`
        const files = new Map<string, string>()
        let external: string | undefined
        for (const rule of (Array.isArray(artifact.copy) ? artifact.copy : []) as CopyRule[]) {
          const from = typeof rule?.from === 'string' ? /^@([A-Za-z0-9_-]+)\/?(.*)$/.exec(rule.from) : null
          const to = typeof rule?.to === 'string' ? /^@artifact\/?(.*)$/.exec(rule.to) : null
          if (!from || !to) {
            external = `${made}, with a copy rule this check cannot read`
            break
          }
          const alias = aliases.get(from[1]!)
          if (!alias || alias.note !== undefined) {
            external = `${made} from source @${from[1]}${alias ? `: ${alias.note}` : ', which its sources do not name'}`
            break
          }
          if (rule.strategy !== undefined && rule.strategy !== 'Overwrite') {
            external = `${made} with strategy ${String(rule.strategy)}, whose result this check does not reproduce`
            break
          }
          const excludes = Array.isArray(rule.exclude) ? rule.exclude.filter((e): e is string => typeof e === 'string') : []
          for (const [artifactPath, repoPath] of copied(repoRoot, from[2]!, to[1]!, excludes)) files.set(artifactPath, repoPath)
        }
        const resolution: ArtifactResolution = external
          ? { status: 'external', note: external }
          : { status: 'local', layout: { key, generator, index, files } }
        this.byKey.set(key, [...(this.byKey.get(key) ?? []), { file: generator.location.file, resolution }])
      })
    }
  }

  /**
   * What an ExternalArtifact reference reads, when this repository's generators make it. Each
   * cluster directory may define a generator of the same name (flux2-kustomize-helm-example's
   * staging and production): the one nearest the referring file is that cluster's.
   */
  resolve(ref: SourceRef, referrerNamespace: string, referrerFile = ''): ArtifactResolution | undefined {
    const candidates = this.byKey.get(`${ref.namespace ?? referrerNamespace}/${ref.name ?? ''}`) ?? []
    const shared = (file: string) => commonDirectoryDepth(file, referrerFile)
    return [...candidates].sort((a, b) => shared(b.file) - shared(a.file))[0]?.resolution
  }
}

/**
 * Where a path inside an artifact is in the repository: the artifact directory maps to one
 * repository directory when the files under it keep their relative places (the repository's own
 * layout under a prefix, as `@repo/apps/**` → `@artifact/`). Undefined when the path holds nothing
 * or the layout differs from the repository's.
 */
export function repositoryDirectory(layout: ArtifactLayout, artifactPath: string): string | undefined {
  const prefix = artifactPath ? `${artifactPath}/` : ''
  let directory: string | undefined
  for (const [file, repoPath] of layout.files) {
    if (!file.startsWith(prefix)) continue
    const rest = file.slice(prefix.length)
    if (!repoPath.endsWith(rest)) return undefined
    const dir = normalizeRepoPath(repoPath.slice(0, repoPath.length - rest.length))
    if (directory !== undefined && directory !== dir) return undefined
    directory = dir
  }
  return directory
}

/** The artifact path of a repository file under a repository directory that maps to an artifact directory. */
export function artifactPathOf(repoDirectory: string, artifactDirectory: string, repoPath: string): string | undefined {
  const prefix = repoDirectory ? `${repoDirectory}/` : ''
  if (!repoPath.startsWith(prefix)) return undefined
  const rest = repoPath.slice(prefix.length)
  return artifactDirectory ? `${artifactDirectory}/${rest}` : rest
}

/** The files one copy rule puts in the artifact: artifact path → repository path. */
export function copied(repoRoot: string, pattern: string, to: string, excludes: readonly string[]): Array<[string, string]> {
  const glob = /[*?[]/.test(pattern)
  const intoDirectory = to === '' || to.endsWith('/')
  const destination = to.replace(/\/+$/, '')
  const under = (dir: string, file: string) => (dir ? `${dir}/${file}` : file)
  if (!glob) {
    const source = normalizeRepoPath(pattern)
    const kind = kindOf(repoRoot, source)
    if (kind === 'file') return [[intoDirectory ? under(destination, posix.basename(source)) : destination, source]]
    if (kind !== 'directory') return []
    // `@source/dir/` to `@artifact/dest/` copies as a sub-directory, as `cp -r dir dest/` does.
    const target = intoDirectory ? under(destination, posix.basename(source)) : destination
    return walk(repoRoot, source)
      .filter((file) => !excluded(excludes, file.slice(source.length + 1), file))
      .map((file) => [under(target, file.slice(source ? source.length + 1 : 0)), file])
  }
  // The part before the first glob segment is the directory the matches are taken relative to.
  const segments = pattern.split('/')
  const firstGlob = segments.findIndex((segment) => /[*?[]/.test(segment))
  const base = normalizeRepoPath(segments.slice(0, firstGlob).join('/'))
  const matcher = globPattern(segments.slice(firstGlob).join('/'))
  return walk(repoRoot, base)
    .map((file) => [file, base ? file.slice(base.length + 1) : file] as const)
    .filter(([file, relative]) => matcher.test(relative) && !excluded(excludes, relative, file))
    .map(([file, relative]) => [under(destination, /\*\*/.test(pattern) ? relative : posix.basename(relative)), file])
}

function excluded(patterns: readonly string[], relative: string, file: string): boolean {
  return patterns.some((pattern) => {
    const regex = globPattern(pattern)
    if (!pattern.includes('/')) return regex.test(posix.basename(file))
    return regex.test(relative) || regex.test(file)
  })
}

/** A glob as source-watcher reads it: `*` within a directory, `**` across directories. */
export function globPattern(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?'
      i += 2
    } else if (glob.startsWith('**', i)) {
      source += '.*'
      i += 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

function kindOf(repoRoot: string, path: string): 'file' | 'directory' | undefined {
  try {
    const stat = statSync(join(repoRoot, path || '.'))
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : undefined
  } catch {
    return undefined
  }
}

/** Every file below a repository directory (outside .git), as repository paths. */
function walk(repoRoot: string, dir: string): string[] {
  const files: string[] = []
  const visit = (current: string): void => {
    let entries
    try {
      entries = readdirSync(join(repoRoot, current || '.'), { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry.name === '.git') continue
      const path = current ? `${current}/${entry.name}` : entry.name
      if (entry.isDirectory()) visit(path)
      else if (entry.isFile()) files.push(path)
    }
  }
  visit(dir)
  return files.sort()
}

function commonDirectoryDepth(a: string, b: string): number {
  const left = posix.dirname(a).split('/')
  const right = posix.dirname(b).split('/')
  let depth = 0
  while (depth < left.length && depth < right.length && left[depth] === right[depth]) depth++
  return depth
}

function place(location: SourceLocation): string {
  return `${location.file}:${location.line ?? 1}`
}

/**
 * What a Kustomization's build reads that its ExternalArtifact does not hold. kustomize resolves
 * references relative to the directory, so inside the artifact a file is where the same relative
 * path leads from the artifact path; when the copy rules left it out (or put another file there),
 * Flux's build fails where the repository's passes. Reported at the entry that names it.
 */
export function artifactMisses(
  what: string,
  layout: ArtifactLayout,
  artifactPath: string,
  repoDirectory: string,
  closure: RootClosure
): Finding[] {
  const inArtifact = (repoPath: string): boolean => {
    const relative = posix.relative(repoDirectory || '.', repoPath || '.')
    const inside = posix.normalize(posix.join(artifactPath || '.', relative))
    return !inside.startsWith('..') && layout.files.get(inside === '.' ? '' : inside) === repoPath
  }
  const kustomizationFiles = new Map(closure.kustomizations.map((k) => [k.dir, k.file]))
  const findings: Finding[] = []
  const generator = `ArtifactGenerator ${layout.generator.object.metadata?.name ?? '?'} (${place(layout.generator.location)})`
  for (const kustomization of closure.kustomizations) {
    // A kustomization the artifact lacks is reported where it is named; its own entries are moot.
    if (!inArtifact(kustomization.file)) continue
    for (const ref of kustomization.refs) {
      if (ref.target === undefined) continue
      const file = kustomizationFiles.get(ref.target) ?? ref.target
      if (inArtifact(file)) continue
      findings.push({
        ruleId: 'flux/artifact-missing-file',
        severity: 'error',
        message: `${what}: ${ref.field} entry '${ref.value}' (${file}) is not in ExternalArtifact ${layout.key}: no copy rule of ${generator} puts it where the build looks, so Flux's build fails`,
        location: ref.location
      })
    }
  }
  return findings
}
