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

const ZWJ = '\u200d'

/**
 * Text someone else wrote (an app-repo commit subject, its author's name) as inert markdown for a
 * pull request body: one line of at most `maxLength` characters, HTML and markdown syntax escaped
 * (no tags, images, links, or `</details>` / `<!--` that would break the body's structure), and
 * mentions, issue references and bare URLs broken with a zero-width joiner so nothing pings a team
 * or links out.
 */
export function inertMarkdown(text: string, maxLength = 200): string {
  // eslint-disable-next-line no-control-regex
  let line = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim()
  if (line.length > maxLength) line = `${line.slice(0, maxLength - 1).trimEnd()}…`
  return line
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!#|~"]/g, '\\$&')
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWJ}`)
    .replace(/#(?=[0-9])/g, `#${ZWJ}`)
    .replace(/:\/\//g, `:${ZWJ}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWJ}.`)
}
