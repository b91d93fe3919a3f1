import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { clearInterval, setInterval } from 'node:timers'

export { node24, repoRoot, runAction } from '../lib/action-runner.mjs'

/** Median wall time in ms of `fn` (sync or async) over `runs` runs, after one warm-up. */
export async function medianMs(fn, runs = 7) {
  await fn()
  const times = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    await fn()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

export function git(cwd, ...args) {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '@1733063422 +0000', GIT_COMMITTER_DATE: '@1733063422 +0000' }
  }).trim()
}

export const round = (n, digits = 2) => Number(n.toFixed(digits))

/**
 * Follows a started process's peak resident memory (VmHWM, Linux) until it exits: pass `watch` as
 * runAction's onStart and read `peakMib()` afterwards. Kustomize's own processes are not counted.
 */
export function peakMemory() {
  let peakKib = 0
  return {
    watch(child) {
      const sample = () => {
        try {
          const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
          if (match) peakKib = Math.max(peakKib, Number(match[1]))
        } catch {
          // exited between samples
        }
      }
      const timer = setInterval(sample, 20)
      child.on('exit', () => clearInterval(timer))
      child.stdout?.once('end', sample)
    },
    peakMib: () => round(peakKib / 1024, 0)
  }
}
