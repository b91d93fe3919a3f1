import { UserError } from '@gitops-actions/core'

/**
 * The bounds every external tool we start runs under. They come from the environment, not from
 * gitops.yaml or an input of one action: gitops.yaml belongs to the pull request being checked (a
 * bound it could raise would bound nothing), and a job-level `env:` sets them once for every action
 * and the CLI alike.
 */
export interface ToolLimits {
  /** Most virtual memory (address space) one process may map, in bytes; undefined: unbounded. */
  memoryBytes: number | undefined
  /** Most wall-clock time one process may run, in milliseconds; undefined: unbounded. */
  timeoutMs: number | undefined
}

export const MEMORY_VARIABLE = 'GITOPS_ACTIONS_TOOL_MEMORY'
export const TIMEOUT_VARIABLE = 'GITOPS_ACTIONS_TOOL_TIMEOUT'

/**
 * 2 GiB of address space a process. A Go binary (kustomize, kubectl, helm) maps about 0.7 GiB before
 * it allocates anything (measured: kubectl v1.32 does not start under 640 MiB), so this leaves it
 * about 1.3 GiB of heap, far more than a batch of 60 overlays needs (under 100 MiB resident). Renders
 * run one per core: 2 on a private ubuntu-latest runner (7 GB), 4 on a public one (16 GB), so the
 * tools together stay within half the runner's memory, the rest left to Node and the system.
 */
export const DEFAULT_MEMORY_BYTES = 2 * 1024 ** 3
/** 10 minutes: an honest kustomize build or git command takes seconds; the job's own limit is 6 hours. */
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

/** Reads the bounds from the environment; a value that is not one is a UserError naming the variable. */
export function toolLimits(env: NodeJS.ProcessEnv = process.env): ToolLimits {
  return {
    memoryBytes: parseMemory(env[MEMORY_VARIABLE]),
    timeoutMs: parseTimeout(env[TIMEOUT_VARIABLE])
  }
}

function parseMemory(raw: string | undefined): number | undefined {
  const value = raw?.trim() ?? ''
  if (value === '') return DEFAULT_MEMORY_BYTES
  if (value === '0' || value === 'unlimited') return undefined
  const match = /^(\d+)\s*([KMGT]?)(?:i?B)?$/i.exec(value)
  const bytes = match ? Number(match[1]) * UNITS[match[2]!.toUpperCase()]! : Number.NaN
  if (!Number.isSafeInteger(bytes) || bytes < 256 * 1024 ** 2) {
    throw new UserError(
      `${MEMORY_VARIABLE}='${raw}' is not a memory bound: give bytes with K, M or G (e.g. 2G, 1536M), at least 256M, or 0 for none`
    )
  }
  return bytes
}

function parseTimeout(raw: string | undefined): number | undefined {
  const value = raw?.trim() ?? ''
  if (value === '') return DEFAULT_TIMEOUT_MS
  if (value === '0') return undefined
  const match = /^(\d+)\s*(s|m)?$/.exec(value)
  if (!match || Number(match[1]) > 24 * 3600) {
    throw new UserError(`${TIMEOUT_VARIABLE}='${raw}' is not a time bound: give seconds (e.g. 600, 90s or 10m), or 0 for none`)
  }
  return Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000)
}

/** `2 GiB`, `1.5 GiB`, `768 MiB`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024]
  ] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`
  }
  return `${bytes} bytes`
}

/** `10 min`, `90 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  const seconds = Math.round(ms / 1000)
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`
}
