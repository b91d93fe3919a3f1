#!/usr/bin/env node
// Writes the inputs and outputs tables of every actions/<name>/README.md from its action.yml,
// between the markers <!-- action-docs:inputs --> / <!-- action-docs:outputs --> and
// <!-- /action-docs -->. `--check` fails instead of writing when a README is out of date.
import { readFile, writeFile, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = resolve(fileURLToPath(import.meta.url), '../..')

function escapeCell(text) {
  return String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim()
}

export function inputsTable(metadata) {
  const rows = Object.entries(metadata.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${spec.default === undefined || spec.default === '' ? ' ' : `\`${escapeCell(spec.default)}\``} | ${escapeCell(spec.description)} |`
  )
  return ['| input | required | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

export function outputsTable(metadata) {
  const rows = Object.entries(metadata.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${escapeCell(spec.description)} |`)
  return ['| output | description |', '| --- | --- |', ...rows].join('\n')
}

export function renderReadme(readme, metadata) {
  let text = readme
  for (const [kind, table] of [
    ['inputs', inputsTable(metadata)],
    ['outputs', outputsTable(metadata)]
  ]) {
    const pattern = new RegExp(`(<!-- action-docs:${kind} -->\\n)[\\s\\S]*?(<!-- /action-docs -->)`)
    if (!pattern.test(text)) throw new Error(`README lacks <!-- action-docs:${kind} --> … <!-- /action-docs --> markers`)
    text = text.replace(pattern, `$1${table}\n$2`)
  }
  return text
}

async function main() {
  const check = process.argv.includes('--check')
  const names = (await readdir(join(root, 'actions'))).filter((n) => existsSync(join(root, 'actions', n, 'action.yml')))
  let stale = 0
  for (const name of names) {
    const readmePath = join(root, 'actions', name, 'README.md')
    const metadata = parse(await readFile(join(root, 'actions', name, 'action.yml'), 'utf8'))
    const readme = await readFile(readmePath, 'utf8')
    const rendered = renderReadme(readme, metadata)
    if (rendered === readme) continue
    if (check) {
      console.error(`actions/${name}/README.md is out of date with action.yml: run npm run docs`)
      stale++
    } else {
      await writeFile(readmePath, rendered)
      console.log(`updated actions/${name}/README.md`)
    }
  }
  if (stale > 0) process.exit(1)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
