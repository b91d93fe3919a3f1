import { spawn, type ChildProcess } from 'node:child_process'
import { formatBytes, formatDuration, MEMORY_VARIABLE, TIMEOUT_VARIABLE, toolLimits, type ToolLimits } from './tool-limits.js'

/**
 * Every external process gitops-actions starts goes through runTool: a pull request controls what
 * kustomize and git read, so none of them may take the runner's memory or time. On Linux the memory
 * bound is RLIMIT_AS set by `ulimit -v` in a /bin/sh that then execs the tool: it holds for Go
 * binaries (GOMEMLIMIT alone is a hint the garbage collector may miss), and children such as helm or
 * git inherit it. The time bound kills the tool's whole process group.
 */

export interface ToolRunOptions {
  cwd?: string
  /** The whole environment of the tool (default: this process's). */
  env?: NodeJS.ProcessEnv
  /** Text for standard input. */
  input?: string
  /** Most bytes of standard output kept before the tool is stopped (default 512 MiB). */
  maxBuffer?: number
  /** Default: toolLimits() from the environment. */
  limits?: ToolLimits
  /**
   * No network: proxy variables point at a closed port and git may use no protocol but file. Belt and
   * braces for a render whose closure was checked to hold no remote reference.
   */
  offline?: boolean
}

export interface ToolOutput {
  stdout: string
  stderr: string
}

/** A tool that ran and failed, or that could not be started. */
export class ToolExitError extends Error {
  override readonly name: string = 'ToolExitError'
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
    /** The command is not installed (or not on PATH). */
    readonly notFound = false
  ) {
    super(`${command} ${args.join(' ')} failed (${signal ? `signal ${signal}` : `exit ${exitCode}`}): ${stderr.trim()}`)
  }
}

/** A tool stopped for going over its memory or time bound. */
export class ToolLimitError extends ToolExitError {
  override readonly name = 'ToolLimitError'
  constructor(
    command: string,
    args: readonly string[],
    exitCode: number | null,
    signal: NodeJS.Signals | null,
    stderr: string,
    readonly bound: 'memory' | 'time',
    readonly limit: number
  ) {
    super(command, args, exitCode, signal, stderr)
    this.message = `${command} ${this.describe()}`
  }

  /** `went over the memory bound of 2 GiB (GITOPS_ACTIONS_TOOL_MEMORY)`. */
  describe(): string {
    return this.bound === 'memory'
      ? `went over the memory bound of ${formatBytes(this.limit)} and was stopped (raise ${MEMORY_VARIABLE} if the build is honest)`
      : `went over the time bound of ${formatDuration(this.limit)} and was stopped (raise ${TIMEOUT_VARIABLE} if the build is honest)`
  }
}

/** The closed port the proxy variables point at when a tool must stay offline (discard, never served). */
export const CLOSED_PROXY = 'http://127.0.0.1:9'

const OUT_OF_MEMORY = /out of memory|cannot allocate memory|failed to reserve|mmap failed|memory exhausted|std::bad_alloc/i

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/** Runs a tool without a shell of ours (arguments are never parsed) under the bounds. */
export function runTool(command: string, args: readonly string[], options: ToolRunOptions = {}): Promise<ToolOutput> {
  let limits: ToolLimits
  try {
    limits = options.limits ?? toolLimits()
  } catch (error) {
    return Promise.reject(error as Error)
  }
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) }
  let file = command
  let argv = [...args]
  if (limits.memoryBytes !== undefined && process.platform === 'linux') {
    // `ulimit -v` takes KiB. The script is fixed text: the tool and its arguments are positional parameters.
    file = '/bin/sh'
    argv = ['-c', 'ulimit -v "$1" || exit 126; shift; exec "$@"', 'sh', String(Math.floor(limits.memoryBytes / 1024)), command, ...args]
    // The collector works harder as the bound nears, so an honest large build stays under it.
    env.GOMEMLIMIT ??= String(Math.floor(limits.memoryBytes * 0.6))
  }
  if (options.offline) {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) env[name] = CLOSED_PROXY
    for (const name of ['NO_PROXY', 'no_proxy']) delete env[name]
    env.GIT_ALLOW_PROTOCOL = 'file'
  }
  const maxBuffer = options.maxBuffer ?? 512 * 1024 * 1024

  return new Promise((resolve, reject) => {
    // Its own process group, so that the time bound stops the children (helm, git) too.
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32'
    })
    track(child)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let outBytes = 0
    let overflow = false
    let timedOut = false
    child.stdout!.on('data', (chunk: Buffer) => {
      outBytes += chunk.length
      if (outBytes > maxBuffer) {
        overflow = true
        kill(child)
      } else stdout.push(chunk)
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.reduce((n, c) => n + c.length, 0) < 1024 * 1024) stderr.push(chunk)
    })
    const timer =
      limits.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            kill(child)
          }, limits.timeoutMs)
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      running.delete(child)
      reject(new ToolExitError(command, args, null, null, error.message, error.code === 'ENOENT'))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      const out = Buffer.concat(stdout).toString('utf8')
      const err = Buffer.concat(stderr).toString('utf8')
      if (timedOut) reject(new ToolLimitError(command, args, code, signal, err, 'time', limits.timeoutMs!))
      else if (overflow) reject(new ToolExitError(command, args, code, signal, `printed more than ${formatBytes(maxBuffer)}; stopped`))
      else if (code === 0) resolve({ stdout: out, stderr: err })
      else if (limits.memoryBytes !== undefined && (OUT_OF_MEMORY.test(err) || signal === 'SIGSEGV' || signal === 'SIGABRT'))
        reject(new ToolLimitError(command, args, code, signal, err, 'memory', limits.memoryBytes))
      else if (code === 127 && file === '/bin/sh' && /not found/.test(err))
        reject(new ToolExitError(command, args, code, signal, err, true))
      else reject(new ToolExitError(command, args, code, signal, err))
    })
    child.stdin!.on('error', () => undefined) // a tool that exits without reading its input
    child.stdin!.end(options.input ?? '')
  })
}

function kill(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    else child.kill('SIGKILL')
  } catch {
    // already gone
  }
}

/** Tools still running when this process ends (a cancelled step) are stopped with it, not left behind. */
function track(child: ChildProcess): void {
  running.add(child)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const tool of running) kill(tool)
  })
}

/** Stops every tool still running (for a signal handler that ends the process). */
export function stopRunningTools(): void {
  for (const tool of running) kill(tool)
  running.clear()
}
