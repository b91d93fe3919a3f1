/** Escapes text for a markdown table cell: pipes escaped, line breaks as `<br>`. */
export function markdownCell(text: string | number | boolean | undefined): string {
  if (text === undefined || text === '') return ' '
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

/** A markdown table; rendered by a pure function so tests can read it. */
export function markdownTable(
  headings: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | undefined>>
): string {
  const lines = [`| ${headings.map(markdownCell).join(' | ')} |`, `| ${headings.map(() => '---').join(' | ')} |`]
  for (const row of rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`)
  return lines.join('\n')
}

/**
 * Text as an inline code span, inert whatever it holds (HTML, @mentions, links, images): one line,
 * at most `max` characters, fenced with more backticks than any run inside it.
 */
export function markdownCode(text: string, max = 200): string {
  let line = [...text.replace(/[\r\n]+/g, ' ')].filter((c) => c >= ' ' && c !== '\u007f').join('')
  if (line.length > max) line = `${line.slice(0, max - 1)}…`
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = line.startsWith('`') || line.endsWith('`') || line === '' ? ' ' : ''
  return `${fence}${pad}${line}${pad}${fence}`
}
