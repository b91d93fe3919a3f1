import { spawn } from 'node:child_process'
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { node24, repoRoot } from '../../../test/harness/run-action.js'
import { main } from '../src/main.js'
import type { Terminal } from '../src/terminal.js'

export const EXAMPLE = join(repoRoot, 'examples', 'config-repo')
export const BIN = join(repoRoot, 'packages', 'cli', 'bin', 'gitops-actions.js')

/** A terminal that records what a command prints; `status` lines are what a TTY's progress line would show. */
export function testTerminal(options: { cwd?: string; env?: NodeJS.ProcessEnv; interactive?: boolean; color?: boolean } = {}) {
  const out: string[] = []
  const err: string[] = []
  const status: string[] = []
  const t: Terminal = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    status: (s) => status.push(s),
    color: options.color ?? false,
    interactive: options.interactive ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? repoRoot
  }
  return { t, out, err, status, text: () => out.join('\n'), errors: () => err.join('\n') }
}

/** Runs the CLI in-process, as `gitops-actions <argv>` in `cwd`. */
export async function runCli(argv: string[], options: Parameters<typeof testTerminal>[0] = {}) {
  const terminal = testTerminal(options)
  const code = await main(argv, terminal.t)
  return { code, ...terminal }
}

/** The example config repo committed on main of a fresh git repository (origin: github.com/org/config-repo). */
export function exampleCheckout(prefix = 'cli-config'): GitRepo {
  const repo = GitRepo.create(prefix)
  cpSync(EXAMPLE, repo.dir, { recursive: true })
  repo.git('remote', 'add', 'origin', 'https://github.com/org/config-repo.git')
  repo.commit('chore: config repo')
  return repo
}

/** Runs the built CLI as a user does (`node packages/cli/bin/gitops-actions.js …`) under the runner's Node. */
export function runBin(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node24, [BIN, ...argv], { cwd: options.cwd ?? repoRoot, env: { PATH: process.env.PATH, ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}
