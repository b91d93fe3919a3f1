// Starts an action bundle exactly as the GitHub runner does and reads back what it wrote.
// Shared by the test harness (test/harness/run-action.ts), the demo and the benchmarks, so all
// three exercise the bundles the same way. Types: action-runner.d.mts beside this file.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The repository root, where dist/ and actions/ live. */
export const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..')

/**
 * GitHub runs `runs.using: node24` actions with Node 24; the `node` devDependency brings that
 * binary, so bundles start under the runtime users get.
 */
export const node24 = join(repoRoot, 'node_modules', 'node', 'bin', 'node')

/** An action's action.yml: actions/<name>/ of this repository, or the one in `actionDir`. */
export function readActionMetadata(name, actionDir = join(repoRoot, 'actions', name)) {
  return parse(readFileSync(join(actionDir, 'action.yml'), 'utf8'))
}

/** Parses a GITHUB_OUTPUT-style file: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseCommandFile(text) {
  const result = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const body = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i])
      if (i >= lines.length) throw new Error(`unterminated ${delimiter} block for ${name}`)
      result[name] = body.join('\n')
    } else {
      const eq = line.indexOf('=')
      if (eq < 0) throw new Error(`malformed command file line: ${line}`)
      result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}

const commandPattern = /^::(error|warning|notice)( [^:]*)?::(.*)$/

function unescapeData(text) {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text) {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

/** The annotations a step printed as workflow commands. */
export function parseAnnotations(stdout) {
  const annotations = []
  for (const line of stdout.split('\n')) {
    const match = commandPattern.exec(line)
    if (!match) continue
    const properties = {}
    for (const pair of (match[2] ?? '').trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=')
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1))
    }
    annotations.push({ level: match[1], message: unescapeData(match[3]), properties })
  }
  return annotations
}

/**
 * Starts `dist/<name>/index.js` (or the `runs.main` of the action.yml in `options.actionDir`) as the
 * runner does: Node 24, INPUT_* variables with action.yml defaults applied, fresh GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY / GITHUB_ENV / GITHUB_STATE files, the GITHUB_* context and an event payload
 * file; reads everything back.
 */
export async function runAction(name, options = {}) {
  const actionDir = options.actionDir ?? join(repoRoot, 'actions', name)
  const metadata = readActionMetadata(name, actionDir)
  if (metadata.runs.using !== 'node24') throw new Error(`${name}: runs.using is ${metadata.runs.using}`)
  const entry = resolve(actionDir, metadata.runs.main)
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`)
  if (!existsSync(node24)) throw new Error(`${node24} is missing: run npm ci (the "node" devDependency provides Node 24)`)

  const files = mkdtempSync(join(tmpdir(), `runner-${name}-`))
  const paths = {
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_STEP_SUMMARY: join(files, 'summary'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_STATE: join(files, 'state'),
    GITHUB_PATH: join(files, 'path'),
    GITHUB_EVENT_PATH: join(files, 'event.json')
  }
  for (const path of Object.values(paths)) writeFileSync(path, '')
  writeFileSync(paths.GITHUB_EVENT_PATH, JSON.stringify(options.event ?? {}))

  const inputs = {}
  for (const [input, spec] of Object.entries(metadata.inputs ?? {})) {
    if (spec.default !== undefined) inputs[input] = String(spec.default)
  }
  for (const input of Object.keys(options.inputs ?? {})) {
    if (!metadata.inputs?.[input]) throw new Error(`${name} has no input '${input}' in action.yml`)
  }
  Object.assign(inputs, options.inputs)

  const workspace = options.workspace ?? files
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? files,
    RUNNER_TEMP: files,
    RUNNER_OS: 'Linux',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'org/app-repo',
    GITHUB_REPOSITORY_OWNER: 'org',
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_SERVER_URL: 'https://github.com',
    ...paths,
    ...options.env
  }
  // The runner upper-cases input names and keeps hyphens.
  for (const [input, value] of Object.entries(inputs)) env[`INPUT_${input.toUpperCase()}`] = value

  const child = spawn(node24, [entry], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
  options.onStart?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()))
  const timeoutMs = options.timeoutMs ?? 60_000
  const exitCode = await new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      fail(new Error(`${name} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('error', fail)
    child.on('close', (code) => {
      clearTimeout(timer)
      done(code ?? -1)
    })
  })

  const outputs = parseCommandFile(readFileSync(paths.GITHUB_OUTPUT, 'utf8'))
  return {
    exitCode,
    stdout,
    stderr,
    outputs,
    summary: readFileSync(paths.GITHUB_STEP_SUMMARY, 'utf8'),
    env: parseCommandFile(readFileSync(paths.GITHUB_ENV, 'utf8')),
    state: parseCommandFile(readFileSync(paths.GITHUB_STATE, 'utf8')),
    annotations: parseAnnotations(stdout),
    json: outputs.json ? JSON.parse(outputs.json) : undefined
  }
}
