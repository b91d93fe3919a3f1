import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gitMaybe } from '@gitops-actions/git'
import { KUSTOMIZATION_FILES } from '@gitops-actions/kustomize'
import { kustomizationFileIn } from './kustomization.js'
import { isUserError, manifestsFromYaml, type Finding, type Manifest } from '@gitops-actions/core'

/** Directories never searched for manifests. */
const SKIPPED_DIRS = new Set(['node_modules', 'vendor'])

/** Every .yaml/.yml file of the repository outside dot-directories, as repository paths, sorted. */
export function listYamlFiles(repoRoot: string, under = ''): string[] {
  return listRepoTree(repoRoot, under).yamlFiles
}

/** What one walk of the repository finds (outside dot-directories, node_modules and vendor). */
export interface RepoTree {
  /** Every .yaml/.yml file, sorted. */
  yamlFiles: string[]
  /** Every kustomization file (kustomization.yaml, kustomization.yml, Kustomization), sorted. */
  kustomizationFiles: string[]
  /**
   * A symlink was seen (paths through it name files the walk lists under other paths), or a directory
   * named like a kustomization file: the listing cannot stand in for the file system.
   */
  irregular: boolean
  /** The node_modules and vendor directories the walk did not enter. */
  skipped: string[]
}

/** Walks the repository once for its YAML files and kustomization files. */
export function listRepoTree(repoRoot: string, under = ''): RepoTree {
  const tree: RepoTree = { yamlFiles: [], kustomizationFiles: [], irregular: false, skipped: [] }
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue
      const path = dir ? `${dir}/${entry.name}` : entry.name
      const kustomization = (KUSTOMIZATION_FILES as readonly string[]).includes(entry.name)
      if (entry.isDirectory()) {
        if (kustomization) tree.irregular = true
        if (!SKIPPED_DIRS.has(entry.name)) walk(path)
        else tree.skipped.push(path)
      } else if (entry.isFile()) {
        if (/\.ya?ml$/.test(entry.name)) tree.yamlFiles.push(path)
        if (kustomization) tree.kustomizationFiles.push(path)
      } else if (entry.isSymbolicLink()) {
        tree.irregular = true
      }
    }
  }
  walk(under)
  tree.yamlFiles.sort()
  tree.kustomizationFiles.sort()
  return tree
}

/**
 * kustomizationFileIn answered from the listing, without a file system call per directory: the
 * same answer wherever the walk went (no dot-directory, node_modules or vendor on the way) and the
 * tree is regular; anywhere else the file system is asked.
 */
export function kustomizationLookup(repoRoot: string, tree: RepoTree | undefined): (dir: string) => string | undefined {
  if (!tree || tree.irregular) return (dir) => kustomizationFileIn(repoRoot, dir)
  const files = new Set(tree.kustomizationFiles)
  return (dir) => {
    if (!listedDirectory(dir)) return kustomizationFileIn(repoRoot, dir)
    for (const name of KUSTOMIZATION_FILES) {
      const file = dir ? `${dir}/${name}` : name
      if (files.has(file)) return file
    }
    return undefined
  }
}

/** Whether listRepoTree enters a directory (a repository path): none of its segments is skipped. */
export function listedDirectory(dir: string): boolean {
  return dir === '' || dir.split('/').every((segment) => segment !== '' && !segment.startsWith('.') && !SKIPPED_DIRS.has(segment))
}

/** Every file of the repository: `git ls-files` in a work tree (what GitHub sees), else a walk outside .git. */
export async function listRepoFiles(repoRoot: string): Promise<string[]> {
  const tracked = await gitMaybe(repoRoot, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
  if (tracked !== undefined) return tracked.split('\0').filter(Boolean).sort()
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      if (entry.name === '.git') continue
      const path = dir ? `${dir}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.push(path)
    }
  }
  walk('')
  return files.sort()
}

/**
 * The repository's YAML files, each read and parsed once however many roots and checks look at it.
 * A file that does not parse gives one Finding at its file:line.
 */
export class SourceFiles {
  private readonly texts = new Map<string, string | undefined>()
  private readonly parsed = new Map<string, Manifest[] | Finding>()

  constructor(readonly repoRoot: string) {}

  text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      let text: string | undefined
      try {
        text = readFileSync(join(this.repoRoot, file), 'utf8')
      } catch {
        text = undefined
      }
      this.texts.set(file, text)
    }
    return this.texts.get(file)
  }

  /** The objects of a file with their own lines, or the Finding that says why it does not parse. */
  manifests(file: string): Manifest[] | Finding {
    const known = this.parsed.get(file)
    if (known) return known
    let result: Manifest[] | Finding
    const text = this.text(file)
    if (text === undefined) {
      result = { ruleId: 'kustomize/missing-file', severity: 'error', message: `${file} cannot be read`, location: { file } }
    } else {
      try {
        result = manifestsFromYaml(text, file)
      } catch (error) {
        if (!isUserError(error)) throw error
        result = { ruleId: 'kustomize/yaml', severity: 'error', message: error.message, location: error.location ?? { file } }
      }
    }
    this.parsed.set(file, result)
    return result
  }
}
