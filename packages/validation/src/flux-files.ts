import { normalizeRepoPath } from './build-roots.js'
import { isFluxText } from './flux.js'
import type { SourceFiles } from './source-files.js'

/**
 * Which Flux files a changed-only run has to parse. Parsing every Flux file costs most of a short
 * run (300 Kustomizations: ≈ 0.3 s of YAML), while the run needs only the Kustomizations that apply
 * the roots the change affects, the sources they name and what their dependsOn reaches. The text of
 * each file tells which paths it may apply; a file whose text does not say it plainly is parsed.
 */

/** What a Flux file's text says without parsing it. */
export interface FluxFileHint {
  file: string
  /** Every plain `path:` value in the file, as repository paths: a superset of the paths it applies. */
  paths: string[]
  /** A `path:` this reading cannot take (quoted oddly, a variable, a block scalar, an alias), or a Kustomization without one: parse it. */
  irregular: boolean
  /** Defines a source (GitRepository, OCIRepository…): Kustomizations resolve against it. */
  definesSource: boolean
}

const PATH_ENTRY = /(?:^|[\s{,])["']?path["']?[ \t]*:(.*)$/gm
const PLAIN_PATH = /^(["']?)([\w./@~+-]+)\1$/
// Top-level keys of block-style documents start their line; a nested `kind:` (sourceRef.kind) does not.
const DOCUMENT_KIND = /^kind[ \t]*:[ \t]*["']?([A-Za-z]+)/gm
const DOCUMENT_API_VERSION = /^apiVersion[ \t]*:/gm
const SOURCE_KINDS = new Set([
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmRepository',
  'HelmChart',
  'ExternalArtifact',
  'ArtifactGenerator'
])

/** The files whose text names a Flux API: the ones scanFluxObjects parses in a full run. */
export function fluxFiles(files: SourceFiles, yamlFiles: readonly string[]): string[] {
  return yamlFiles.filter((file) => isFluxText(files.text(file)))
}

export function fluxFileHint(file: string, text: string): FluxFileHint {
  const paths: string[] = []
  let irregular = false
  for (const match of text.matchAll(PATH_ENTRY)) {
    // The value ends at a comment, or in flow style at the next entry.
    const value = match[1]!
      .replace(/\s+#.*$/, '')
      .split(/[,}\]]/)[0]!
      .trim()
    const plain = PLAIN_PATH.exec(value)
    if (plain) paths.push(normalizeRepoPath(plain[2]!))
    else irregular = true
  }
  const kinds = [...text.matchAll(DOCUMENT_KIND)].map((match) => match[1]!)
  // Documents not in plain block style (flow, JSON, indented) are not read here.
  if (kinds.length === 0 || kinds.length !== (text.match(DOCUMENT_API_VERSION)?.length ?? 0)) irregular = true
  // Flux applies the source's root when spec.path is absent.
  if (kinds.filter((kind) => kind === 'Kustomization').length > paths.length) irregular = true
  return { file, paths, irregular, definesSource: kinds.some((kind) => SOURCE_KINDS.has(kind)) }
}

/**
 * The Flux files a change needs parsed: the changed ones, those that may apply an affected path
 * (`affected` tells, for a repository path, whether the change touches what it builds), those
 * defining sources, and every file this reading cannot vouch for.
 */
export function fluxFilesForChange(
  files: SourceFiles,
  candidates: readonly string[],
  changed: ReadonlySet<string>,
  affected: (path: string) => boolean
): string[] {
  const hints = candidates.map((file) => fluxFileHint(file, files.text(file) ?? ''))
  const touched = new Set([...new Set(hints.flatMap((hint) => hint.paths))].filter(affected))
  return hints
    .filter((hint) => changed.has(hint.file) || hint.irregular || hint.definesSource || hint.paths.some((path) => touched.has(path)))
    .map((hint) => hint.file)
}

/**
 * The files that may define the Kustomizations these names point at (`dependsOn`), found by text:
 * a file that defines one holds its name. The caller parses them and asks again for the names they
 * add, so a dependency chain (and any cycle) is read to its end.
 */
export function filesNaming(files: SourceFiles, candidates: readonly string[], names: ReadonlySet<string>): string[] {
  if (names.size === 0) return []
  return candidates.filter((file) => {
    const text = files.text(file) ?? ''
    for (const name of names) if (text.includes(name)) return true
    return false
  })
}
