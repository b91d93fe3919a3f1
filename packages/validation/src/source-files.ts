import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gitMaybe } from '@gitops-actions/git'
import { isUserError, manifestsFromYaml, type Finding, type Manifest } from '@gitops-actions/core'

/** Directories never searched for manifests. */
const SKIPPED_DIRS = new Set(['node_modules', 'vendor'])

/** Every .yaml/.yml file of the repository outside dot-directories, as repository paths, sorted. */
export function listYamlFiles(repoRoot: string, under = ''): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue
      const path = dir ? `${dir}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path)
      } else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
        files.push(path)
      }
    }
  }
  walk(under)
  return files.sort()
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
