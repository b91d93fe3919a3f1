#!/usr/bin/env node
// Runs every scripts/bench/*.mjs and prints one `name: value` line per figure, with the figure's
// goal beside it (`[name, value, goal]` from the bench; 'baseline' for what the others are measured
// against). Each bench measures a baseline in the same run and reports ratios against it, so figures
// compare across machines; nothing here asserts a time.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const dir = join(resolve(fileURLToPath(import.meta.url), '..'), 'bench')
const only = process.argv[2]
let ran = 0
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.mjs') && !f.startsWith('_')).sort()) {
  if (only && !file.includes(only)) continue
  ran++
  const bench = await import(pathToFileURL(join(dir, file)).href)
  try {
    for await (const [name, value, goal] of bench.run()) console.log(goal ? `${name}: ${value}  (goal: ${goal})` : `${name}: ${value}`)
  } catch (error) {
    // A bench whose subject fails measures nothing: say which, and fail the whole run.
    console.error(`bench ${file} failed: ${error instanceof Error ? error.message : error}`)
    process.exitCode = 1
  }
}
if (ran === 0) {
  console.error(`no bench matches '${only}'`)
  process.exitCode = 1
}
