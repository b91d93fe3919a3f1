import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from './harness/run-action.js'

const actions = readdirSync(join(repoRoot, 'actions')).filter((name) => {
  try {
    readFileSync(join(repoRoot, 'actions', name, 'action.yml'))
    return true
  } catch {
    return false
  }
})

// One rebuild for the whole file: ncc takes seconds per action.
const fresh = mkdtempSync(join(tmpdir(), 'dist-fresh-'))
execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--out', fresh], { cwd: repoRoot, stdio: 'pipe' })

test.each([...actions, 'cli'])('dist/%s is what the sources build (run `npm run build` and commit dist/ if not)', (name) => {
  // index.js, package.json, licenses.txt and the chunks that load on demand (<id>.index.js)
  const files = readdirSync(join(fresh, 'dist', name)).sort()
  expect(readdirSync(join(repoRoot, 'dist', name)).sort(), `dist/${name} holds other files than a build makes`).toEqual(files)
  for (const file of files) {
    const committed = readFileSync(join(repoRoot, 'dist', name, file), 'utf8')
    expect(committed === readFileSync(join(fresh, 'dist', name, file), 'utf8'), `dist/${name}/${file} is stale`).toBe(true)
  }
})

test.each(actions)('the short-form action.yml at the root matches actions/%s/action.yml', (name) => {
  const short = readFileSync(join(repoRoot, name, 'action.yml'), 'utf8')
  expect(short).toBe(readFileSync(join(fresh, name, 'action.yml'), 'utf8'))
  const long = parse(readFileSync(join(repoRoot, 'actions', name, 'action.yml'), 'utf8'))
  expect({ ...parse(short), runs: long.runs }).toEqual(long)
  expect(parse(short).runs).toEqual({ using: 'node24', main: `../dist/${name}/index.js` })
})

test.each(actions)('actions/%s/action.yml describes every input and output, with defaults for booleans', (name) => {
  const metadata = parse(readFileSync(join(repoRoot, 'actions', name, 'action.yml'), 'utf8'))
  expect(metadata.runs).toEqual({ using: 'node24', main: `../../dist/${name}/index.js` })
  expect(metadata.branding).toMatchObject({ icon: expect.any(String), color: expect.any(String) })
  for (const [input, spec] of Object.entries<any>(metadata.inputs ?? {})) {
    expect(spec.description, input).toBeTruthy()
    expect(input).toMatch(/^[a-z][a-z0-9-]*$/)
    if (spec.default === 'true' || spec.default === 'false') continue
    expect(
      /^(true|false)$/.test(String(spec.default ?? '')) || spec.default !== undefined || spec.required,
      `${input} needs a default or required: true`
    ).toBeTruthy()
  }
  expect(Object.keys(metadata.outputs ?? {})).toContain('json')
  for (const [output, spec] of Object.entries<any>(metadata.outputs ?? {})) expect(spec.description, output).toBeTruthy()
  const readme = readFileSync(join(repoRoot, 'actions', name, 'README.md'), 'utf8')
  for (const input of Object.keys(metadata.inputs ?? {}))
    expect(readme, `README of ${name} documents ${input}`).toContain(`| \`${input}\` |`)
  for (const output of Object.keys(metadata.outputs ?? {}))
    expect(readme, `README of ${name} documents ${output}`).toContain(`| \`${output}\` |`)
})

test('every per-action README table is generated from its action.yml (npm run docs)', () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'action-docs.mjs'), '--check'], { cwd: repoRoot, stdio: 'pipe' })
})

test('the schema catalog lists what the installed kubernetes-models and flux-cd ship (npm run build)', () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'schema-catalog.mjs'), '--check'], { cwd: repoRoot, stdio: 'pipe' })
})
