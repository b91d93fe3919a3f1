#!/usr/bin/env node
// Runs every scripts/bench/*.mjs and prints one `name: value` line per figure. Each bench
// measures a baseline in the same run and reports ratios against it, so figures compare across
// machines; nothing here asserts a time.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const dir = join(resolve(fileURLToPath(import.meta.url), '..'), 'bench')
const only = process.argv[2]
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.mjs') && !f.startsWith('_')).sort()) {
  if (only && !file.includes(only)) continue
  const bench = await import(pathToFileURL(join(dir, file)).href)
  for await (const [name, value] of bench.run()) console.log(`${name}: ${value}`)
}
