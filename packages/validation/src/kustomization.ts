import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import {
  isUserError,
  locationOf,
  resolveInRepo,
  parseYamlFile,
  toPlain,
  type Finding,
  type SourceLocation,
  type YamlSource
} from '@gitops-actions/core'
import {
  configReader,
  hostAllowed,
  KUSTOMIZATION_FILES,
  kustomizationEntries,
  remoteHost,
  type KustomizationEntryKind
} from '@gitops-actions/kustomize'

export { KUSTOMIZATION_FILES }

export type RefKind = KustomizationEntryKind

/** One path a kustomization refers to, resolved to a repository path. */
export interface KustomizationRef {
  /** The field, e.g. `resources`, `patches[].path`, `configMapGenerator[].files`. */
  field: string
  kind: RefKind
  /** As written. */
  value: string
  /** Repository path it resolves to (forward slashes); undefined for remote references. */
  target: string | undefined
  location: SourceLocation
}

export interface ImageEntry {
  name: string
  newName?: string | undefined
  newTag?: string | undefined
  digest?: string | undefined
  /** Path of the entry in the file: ['images', i]. */
  path: Array<string | number>
}

export interface Kustomization {
  /** Directory, repository path ('' for the root). */
  dir: string
  /** The kustomization file, repository path. */
  file: string
  source: YamlSource
  refs: KustomizationRef[]
  images: ImageEntry[]
  namespace: string | undefined
}

/** The kustomization file of a directory, as a repository path, if it has one. */
export function kustomizationFileIn(repoRoot: string, dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = dir ? `${dir}/${name}` : name
    if (existsSync(join(repoRoot, file))) return file
  }
  return undefined
}

/** True when a repository path exists and resolves (symlinks followed) outside the repository. */
export function leadsOutOfRepository(repoRoot: string, path: string): boolean {
  try {
    resolveInRepo(repoRoot, path, path)
    return false
  } catch (error) {
    if (isUserError(error)) return true
    throw error
  }
}

/** A remote base (git URL, github.com/…, http) that an offline check cannot follow. */
export function isRemote(value: string): boolean {
  return remoteHost(value) !== undefined
}

/** Reads a kustomization and lists what it refers to. A YAML mistake is a UserError at file:line. */
export function readKustomization(repoRoot: string, dir: string, file: string): Kustomization {
  const source = parseYamlFile(readFileSync(join(repoRoot, file), 'utf8'), file)
  const data = (toPlain(source) ?? {}) as Record<string, unknown>
  const refs: KustomizationRef[] = []
  for (const entry of kustomizationEntries(data, configReader(repoRoot, join(repoRoot, dir)))) {
    const remote = isRemote(entry.value)
    refs.push({
      field: entry.field,
      kind: entry.kind,
      value: entry.value,
      target: remote ? undefined : posix.normalize(posix.join(dir || '.', entry.value)).replace(/\/$/, ''),
      location: locationOf(source, entry.path)
    })
  }
  return { dir, file, source, refs, images: imageEntries(data), namespace: typeof data.namespace === 'string' ? data.namespace : undefined }
}

/** The `images:` entries of a kustomization's data (or of the same shape). */
export function imageEntries(data: Record<string, unknown>): ImageEntry[] {
  const images: ImageEntry[] = []
  ;(Array.isArray(data.images) ? (data.images as unknown[]) : []).forEach((entry, i) => {
    if (!entry || typeof entry !== 'object') return
    const image = entry as Record<string, unknown>
    const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v))
    images.push({
      name: String(image.name ?? ''),
      newName: text(image.newName),
      newTag: text(image.newTag),
      digest: text(image.digest),
      path: ['images', i]
    })
  })
  return images
}

/** What a build root reads: its kustomizations, the files they name, and what is wrong with them. */
export interface RootClosure {
  kustomizations: Kustomization[]
  /** Every repository path the build reads (files and kustomization directories' files). */
  files: Set<string>
  /** Directories of kustomizations in the build. */
  dirs: Set<string>
  findings: Finding[]
  /** True when the build cannot succeed (a missing file, invalid YAML): rendering would only repeat it. */
  broken: boolean
}

/** Reads kustomizations once per directory for every root that shares them. */
export class KustomizationGraph {
  private readonly cache = new Map<string, Kustomization | Finding | undefined>()

  constructor(
    readonly repoRoot: string,
    /** Hosts gitops.yaml's kustomize.remoteResources allows; a remote entry from any other is refused. */
    readonly remoteHosts: readonly string[] = []
  ) {}

  /** The kustomization of a directory; a Finding when it cannot be read; undefined when there is none. */
  at(dir: string): Kustomization | Finding | undefined {
    if (this.cache.has(dir)) return this.cache.get(dir)
    const file = kustomizationFileIn(this.repoRoot, dir)
    let result: Kustomization | Finding | undefined
    if (file) {
      try {
        result = readKustomization(this.repoRoot, dir, file)
      } catch (error) {
        if (!isUserError(error)) throw error
        result = { ruleId: 'kustomize/yaml', severity: 'error', message: error.message, location: error.location ?? { file } }
      }
    }
    this.cache.set(dir, result)
    return result
  }

  /** Follows resources, components, bases, patches and generator files from a root. */
  closure(root: string): RootClosure {
    const result: RootClosure = { kustomizations: [], files: new Set(), dirs: new Set(), findings: [], broken: false }
    const visit = (dir: string, via: KustomizationRef | undefined): void => {
      if (result.dirs.has(dir)) return
      result.dirs.add(dir)
      const kustomization = this.at(dir)
      if (kustomization === undefined) {
        if (via) {
          result.broken = true
          result.findings.push({
            ruleId: 'kustomize/missing-file',
            severity: 'error',
            message: `${via.field} entry '${via.value}' is a directory without a kustomization.yaml`,
            location: via.location
          })
        }
        return
      }
      if ('ruleId' in kustomization) {
        result.broken = true
        result.findings.push(kustomization)
        // The unreadable file is still what the root builds from: a change to it (the one that broke it) selects the root.
        const file = kustomizationFileIn(this.repoRoot, dir)
        if (file) result.files.add(file)
        return
      }
      result.kustomizations.push(kustomization)
      result.files.add(kustomization.file)
      for (const ref of kustomization.refs) {
        if (ref.target === undefined) {
          const host = remoteHost(ref.value)!
          if (hostAllowed(host, this.remoteHosts)) continue
          result.broken = true
          result.findings.push({
            ruleId: 'kustomize/remote',
            severity: 'error',
            message: `${ref.field} entry '${ref.value}' is remote (${host}): kustomize would fetch it from the runner while the change is checked. Vendor it into the repository, or allow its host in gitops.yaml's kustomize.remoteResources`,
            location: ref.location
          })
          continue
        }
        result.files.add(ref.target)
        const absolute = join(this.repoRoot, ref.target)
        if (ref.target.startsWith('..') || posix.isAbsolute(ref.target) || leadsOutOfRepository(this.repoRoot, ref.target)) {
          result.broken = true
          result.findings.push({
            ruleId: 'kustomize/outside-repo',
            severity: 'error',
            message: `${ref.field} entry '${ref.value}' leads outside the repository${ref.target.startsWith('..') ? '' : ' (through a symlink)'}`,
            location: ref.location
          })
          continue
        }
        let stat
        try {
          stat = statSync(absolute)
        } catch {
          result.broken = true
          result.findings.push({
            ruleId: 'kustomize/missing-file',
            severity: 'error',
            message: `${ref.field} entry '${ref.value}' does not exist (${ref.target})`,
            location: ref.location
          })
          continue
        }
        if (stat.isDirectory()) {
          if (ref.kind === 'resource' || ref.kind === 'component') visit(ref.target, ref)
        }
      }
    }
    visit(root, undefined)
    return result
  }
}
