import { isMap, isScalar, isSeq, parse, Scalar, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml'
import { UserError } from '../errors.js'

/**
 * Minimal-diff edits of YAML text. The yaml package's Document gives every node its source range;
 * instead of re-dumping the document (which re-indents sequences, moves comments and requotes
 * strings), edits splice new text into exactly those ranges, so every other byte of the file,
 * comments, key order, quoting and blank lines included, stays as the user wrote it.
 */

/** Replace text[start, end) with `text`. */
export interface Splice {
  start: number
  end: number
  text: string
}

/** Applies non-overlapping splices (in any order). */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start)
  let result = text
  let limit = Number.POSITIVE_INFINITY
  for (const splice of sorted) {
    if (splice.end > limit) throw new Error('applySplices: overlapping edits')
    result = result.slice(0, splice.start) + splice.text + result.slice(splice.end)
    limit = splice.start
  }
  return result
}

/**
 * Whether a string must be quoted to stay a string in YAML 1.1 and 1.2 (kustomize reads YAML with
 * go-yaml, which still takes `0755` as octal and `1.10` as a float): numbers, booleans, null,
 * and anything with YAML syntax in it.
 */
export function needsQuotes(value: string): boolean {
  if (value === '' || value !== value.trim()) return true
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value) || /: |\s#|[\n\t]/.test(value) || value.endsWith(':')) return true
  try {
    return parse(value, { version: '1.1' }) !== value || parse(value) !== value
  } catch {
    return true
  }
}

/** A scalar's text in the given style; plain falls back to double quotes when plain would not stay a string. */
export function formatScalar(value: string, style: Scalar.Type | undefined): string {
  if (style === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`
  if (style === Scalar.PLAIN && !needsQuotes(value)) return value
  return JSON.stringify(value)
}

/** Offset of the start of the line holding `pos`. */
export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1
}

/** Offset just after the newline ending the line holding `pos` (or the end of the text). */
export function lineEnd(text: string, pos: number): number {
  const index = text.indexOf('\n', pos)
  return index < 0 ? text.length : index + 1
}

/** 0-based column of an offset; a byte order mark in front of the first line is not a column. */
export function columnOf(text: string, pos: number): number {
  const start = lineStart(text, pos)
  return pos - start - (start === 0 && text.startsWith('\uFEFF') && pos > 0 ? 1 : 0)
}

/** 1-based line number of an offset. */
export function lineOf(text: string, pos: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++
  return line
}

/** The pair of a block or flow map by key, if any. */
export function pairOf(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair<Node, Node | null> | undefined
}

/** The string value of a map key, when it is a scalar string. */
export function stringAt(map: YAMLMap, key: string): string | undefined {
  const value = pairOf(map, key)?.value
  if (!isScalar(value) || value.value === null || value.value === undefined) return undefined
  if (typeof value.value === 'string') return value.value
  // A plain `1.10` parses as the number 1.1: the text as written is what the user meant.
  return value.source ?? String(value.value)
}

/** Replaces a scalar's text, keeping its quoting style. */
export function replaceScalar(scalar: Scalar, value: string): Splice {
  const [start, end] = scalar.range!
  const style = scalar.type === Scalar.BLOCK_FOLDED || scalar.type === Scalar.BLOCK_LITERAL ? Scalar.QUOTE_DOUBLE : scalar.type
  return { start, end, text: formatScalar(value, style) }
}

function keyColumn(text: string, map: YAMLMap): number {
  const first = map.items[0]?.key as Node | undefined
  const pos = first?.range?.[0] ?? map.range![0]
  return columnOf(text, pos)
}

/**
 * Sets `key: value` in a block map: replaces the scalar when the key exists, else adds a line
 * after the map's last pair at the map's indentation. `file` names the file in errors.
 */
export function setMapValue(
  text: string,
  map: YAMLMap,
  key: string,
  value: string,
  file: string,
  quote: Scalar.Type = Scalar.PLAIN
): Splice {
  const pair = pairOf(map, key)
  if (pair) {
    if (!isScalar(pair.value) || !pair.value.range) {
      throw new UserError(`${file}: '${key}' is not a plain value; cannot set it to '${value}'`, {
        file,
        line: lineOf(text, (pair.key as Node).range![0])
      })
    }
    return replaceScalar(pair.value, value)
  }
  if (map.flow) {
    throw new UserError(`${file}: cannot add '${key}' to a flow-style map ({...}); write the entry in block style`, {
      file,
      line: lineOf(text, map.range![0])
    })
  }
  const last = map.items[map.items.length - 1]!
  const lastNode = (last.value ?? last.key) as Node
  const at = lineEnd(text, lastNode.range![1] - 1)
  const newline = at === text.length && !text.endsWith('\n') ? '\n' : ''
  return { start: at, end: at, text: `${newline}${' '.repeat(keyColumn(text, map))}${key}: ${formatScalar(value, quote)}\n` }
}

/** Removes `key` (its whole line, trailing comment included) from a block map; undefined when absent. */
export function deleteMapKey(text: string, map: YAMLMap, key: string, file: string): Splice | undefined {
  const pair = pairOf(map, key)
  if (!pair) return undefined
  const keyNode = pair.key as Node
  const start = lineStart(text, keyNode.range![0])
  if (map.flow || text.slice(start, keyNode.range![0]).trim() !== '') {
    throw new UserError(
      `${file}: cannot remove '${key}' here (flow style, or the first key of a '- ' item); move it to a line of its own`,
      {
        file,
        line: lineOf(text, keyNode.range![0])
      }
    )
  }
  const valueEnd = (pair.value as Node | null)?.range?.[1] ?? keyNode.range![1]
  return { start, end: lineEnd(text, valueEnd - 1), text: '' }
}

/** Appends a block-map item (`- key: value` lines) to a block sequence, at the sequence's indentation. */
export function appendSeqItem(text: string, seq: YAMLSeq, fields: ReadonlyArray<[string, string, Scalar.Type]>, file: string): Splice {
  if (seq.flow || !seq.range) {
    throw new UserError(`${file}: cannot add an item to a flow-style list ([...]); write it in block style`, {
      file,
      line: seq.range ? lineOf(text, seq.range[0]) : undefined
    })
  }
  const dash = columnOf(text, seq.range[0])
  const firstItem = seq.items[0]
  const keyCol = isMap(firstItem) ? keyColumn(text, firstItem) : dash + 2
  const last = seq.items[seq.items.length - 1] as Node
  const at = lineEnd(text, last.range![1] - 1)
  const newline = at === text.length && !text.endsWith('\n') ? '\n' : ''
  return { start: at, end: at, text: newline + blockItem(fields, dash, keyCol) }
}

/** `- a: 1\n  b: 2\n` at a dash column and key column. */
export function blockItem(fields: ReadonlyArray<[string, string, Scalar.Type]>, dash: number, keyCol: number): string {
  return fields
    .map(
      ([key, value, style], i) =>
        `${' '.repeat(i === 0 ? dash : keyCol)}${i === 0 ? '- ' + ' '.repeat(Math.max(0, keyCol - dash - 2)) : ''}${key}: ${formatScalar(value, style)}\n`
    )
    .join('')
}

/** The dash column block sequences use in a top-level map (0 for kustomize's own style). */
export function sequenceIndent(text: string, root: YAMLMap): number {
  for (const pair of root.items) {
    const value = pair.value as Node | null
    if (isSeq(value) && !value.flow && value.range) {
      const keyStart = (pair.key as Node).range![0]
      return columnOf(text, value.range[0]) - columnOf(text, keyStart)
    }
  }
  return 0
}

/**
 * The line break a file uses: `\r\n` when most of its lines end so, else `\n` (also for a file
 * without any line break). Text spliced into a file takes this style, so a CRLF file edited on a
 * runner does not come back with mixed line endings.
 */
export function lineBreakOf(text: string): '\n' | '\r\n' {
  let crlf = 0
  let lf = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text[i - 1] === '\r') crlf++
    else lf++
  }
  return crlf > lf ? '\r\n' : '\n'
}

/** Splices whose new text uses `lineBreak` (they are written with `\n`). */
export function withLineBreak(splices: readonly Splice[], lineBreak: '\n' | '\r\n'): Splice[] {
  return lineBreak === '\n' ? [...splices] : splices.map((s) => ({ ...s, text: s.text.replace(/\r?\n/g, lineBreak) }))
}

/**
 * `after` with the final-newline state of `before`: an edit that appends lines to (or removes the
 * last line of) a file without a final newline leaves it without one, so the diff shows only the
 * edit. A BOM is never touched by splices (they start after it), so it needs no repair here.
 */
export function keepFinalNewline(before: string, after: string): string {
  if (before === '' || /\n$/.test(before)) return after
  return after.replace(/\r?\n$/, '')
}
