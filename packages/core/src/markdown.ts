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
