import { isCollection, isMap, isNode, isScalar, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml'
import { UserError } from './errors.js'
import type { SourceLocation } from './source-location.js'

/** One YAML document with what is needed to point back at its lines. */
export interface YamlSource {
  file: string
  document: Document.Parsed
  lineCounter: LineCounter
}

/** A path into a YAML document: map keys and sequence indexes. */
export type YamlPath = ReadonlyArray<string | number>

// An alias bomb ("billion laughs") expands a few lines into gigabytes; real config never needs this many.
const MAX_ALIAS_COUNT = 50

/**
 * Parses every document of a YAML stream, refusing what would make the result ambiguous or unsafe:
 * syntax errors, duplicate keys and alias bombs are UserErrors at file:line.
 */
export function parseYamlStream(text: string, file: string): YamlSource[] {
  const lineCounter = new LineCounter()
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true })
  const list = Array.isArray(documents) ? documents : [documents]
  for (const document of list) {
    const problem = document.errors[0] ?? document.warnings.find((w) => w.code === 'DUPLICATE_KEY')
    if (problem) {
      const pos = lineCounter.linePos(problem.pos[0])
      throw new UserError(`${describeYamlProblem(problem.code, problem.message)} in ${file}`, {
        file,
        line: pos.line,
        column: pos.col
      })
    }
    // An alias is written `*name`: a text without `*` has none, and is spared a trial conversion.
    if (text.includes('*')) rejectAliasBombs(document, file, lineCounter)
  }
  return list.filter((d) => d.contents !== null).map((document) => ({ file, document, lineCounter }))
}

/** Parses a file that must hold exactly one YAML document (a kustomization, gitops.yaml). */
export function parseYamlFile(text: string, file: string): YamlSource {
  const documents = parseYamlStream(text, file)
  if (documents.length > 1) {
    throw new UserError(`${file} holds ${documents.length} YAML documents; expected one`, {
      file,
      line: locationOf(documents[1]!, []).line
    })
  }
  if (documents.length === 0) {
    const lineCounter = new LineCounter()
    const [document] = parseAllDocuments('{}', { lineCounter }) as Document.Parsed[]
    return { file, document: document!, lineCounter }
  }
  return documents[0]!
}

/** Plain JavaScript value of a parsed document; aliases are bounded by the bomb check. */
export function toPlain(source: YamlSource): unknown {
  return source.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
}

/**
 * The place of the node at `path`, or of its nearest existing ancestor, for findings and errors.
 * With `at: 'key'`, a map entry is placed at its key: a value written as a block starts on the line
 * after its key, and a finding about the entry itself (an unknown key) belongs on the key's line.
 */
export function locationOf(source: YamlSource, path: YamlPath, at: 'value' | 'key' = 'value'): SourceLocation {
  let node: unknown = source.document.contents
  let found: unknown = node
  let keyNode: Node | undefined
  for (const [index, key] of path.entries()) {
    if (!isCollection(node)) break
    const next = node.get(key, true)
    if (next === undefined) break
    if (at === 'key' && index === path.length - 1 && isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value === key : item.key === key))
      keyNode = isNode(pair?.key) ? pair.key : undefined
    }
    node = next
    found = next
  }
  const location = locationOfNode(source, isNode(found) ? found : undefined)
  if (!keyNode?.range) return location
  const start = source.lineCounter.linePos(keyNode.range[0])
  return { ...location, line: start.line, column: start.col }
}

/** The place of a node, or the top of the file when there is none. */
export function locationOfNode(source: YamlSource, node: Node | undefined): SourceLocation {
  if (!node?.range) return { file: source.file, line: 1 }
  const start = source.lineCounter.linePos(node.range[0])
  const end = source.lineCounter.linePos(node.range[1])
  return { file: source.file, line: start.line, column: start.col, endLine: end.line }
}

function rejectAliasBombs(document: Document.Parsed, file: string, lineCounter: LineCounter): void {
  try {
    document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    let firstAlias: Node | undefined
    visit(document, {
      Alias(_key, node) {
        firstAlias = node
        return visit.BREAK
      }
    })
    const line = firstAlias?.range ? lineCounter.linePos(firstAlias.range[0]).line : undefined
    throw new UserError(
      `${file} expands YAML aliases too far (limit ${MAX_ALIAS_COUNT}); refusing a possible alias bomb: ${(error as Error).message}`,
      { file, line }
    )
  }
}

function describeYamlProblem(code: string, message: string): string {
  const firstLine = message.split('\n')[0] ?? message
  if (code === 'DUPLICATE_KEY') return 'Duplicate key (map keys must be unique)'
  return `Invalid YAML (${firstLine})`
}

/**
 * Refuses an alias bomb in a YAML file that another program reads (kustomize would expand it into
 * gigabytes): only aliases are judged here, not syntax or duplicate keys, which that program reports
 * in its own words. Cheap: a text without `*` has no alias and is not parsed.
 */
export function checkYamlAliases(text: string, file: string): void {
  if (!text.includes('*')) return
  const lineCounter = new LineCounter()
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false })
  for (const document of Array.isArray(parsed) ? parsed : [parsed]) {
    if (document.errors.length > 0) continue
    rejectAliasBombs(document, file, lineCounter)
  }
}
