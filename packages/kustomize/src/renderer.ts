import { accessSync, constants, existsSync } from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { isUserError, UserError, type SourceLocation } from '@gitops-actions/core'
import { runTool, ToolExitError, ToolLimitError } from '@gitops-actions/process'
import { checkBuildClosure } from './build-closure.js'

/** How to call kustomize on this machine: the standalone binary, or the copy inside kubectl. */
export interface Renderer {
  command: string
  /** Arguments before the directory to build. */
  args: readonly string[]
  /** For logs: `kustomize build` or `kubectl kustomize`. */
  label: string
}

let cached: Renderer | undefined

/**
 * Finds the renderer once per process: `kustomize build` if kustomize is on PATH (GitHub's runners
 * ship it), else `kubectl kustomize`, else a clear error. KUSTOMIZE_BIN overrides the search.
 * Synchronous, so that a render starts its process before its caller goes on (see render).
 */
export function findRenderer(): Renderer {
  cached ??= locate()
  return cached
}

function locate(): Renderer {
  const override = process.env.KUSTOMIZE_BIN
  if (override) return { command: override, args: ['build'], label: `${override} build` }
  // PATH look-ups, not trial runs: any kubectl call costs 0.3 s, as much as the render itself (a
  // changed-only run renders once). kubectl has carried kustomize since v1.14; an older one is
  // recognised by its answer to the first render.
  if (onPath('kustomize')) return { command: 'kustomize', args: ['build'], label: 'kustomize build' }
  if (onPath('kubectl')) return { command: 'kubectl', args: ['kustomize'], label: 'kubectl kustomize' }
  throw new UserError(
    'Neither kustomize nor kubectl is on PATH. GitHub-hosted runners ship kustomize; on a self-hosted runner install kustomize (or kubectl) before this step.'
  )
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, command), constants.X_OK)
      return true
    } catch {
      // not in this directory
    }
  }
  return false
}

/** A kustomize build that failed, with kustomize's own message (or ours, when it was refused or stopped). */
export class RenderError extends Error {
  override readonly name = 'RenderError'
  constructor(
    readonly directory: string,
    readonly stderr: string,
    /** Where the build was refused before kustomize ran (a remote resource, an alias bomb). */
    readonly location?: SourceLocation
  ) {
    super(`kustomize could not build ${directory || 'the repository root'}: ${kustomizeErrorMessage(stderr)}`)
  }
}

/**
 * kustomize's own words without the wrapping: kubectl prints `E1125 … run.go:72] "command failed"
 * err="…"` (or `err=<` … `>` over several lines), kustomize prints `Error: …`.
 */
export function kustomizeErrorMessage(stderr: string): string {
  const text = stderr.trim()
  const quoted = /"command failed" err="((?:[^"\\]|\\.)*)"/.exec(text)
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1').trim()
  const block = /"command failed" err=<\n([\s\S]*?)\n\s*>/.exec(text)
  if (block)
    return block[1]!
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join('; ')
  return text.replace(/^Error: /, '')
}

export interface RenderOptions {
  /** Extra flags, e.g. `--enable-helm`, `--load-restrictor=LoadRestrictionsNone`. */
  flags?: readonly string[]
  /**
   * Hosts gitops.yaml allows remote resources from (`kustomize.remoteResources`). Without any the
   * build runs offline: its closure is checked to name nothing remote, and kustomize gets proxy
   * variables pointing at a closed port.
   */
  remoteHosts?: readonly string[]
  /** The repository root, for the closure check (default: the nearest directory above with .git or gitops.yaml). */
  repoRoot?: string
}

/**
 * Renders one kustomization directory with the real renderer and returns the YAML stream. The
 * process starts before render returns: a caller that goes on with synchronous work (validate-manifests
 * reading the repository's files) has kustomize starting up on the other core meanwhile. Before it
 * starts, the build's closure is checked (alias bombs, remote references: checkBuildClosure), and it
 * runs under the tool bounds (runTool).
 */
export function render(directory: string, options: RenderOptions = {}): Promise<string> {
  let renderer: Renderer
  try {
    renderer = findRenderer()
    checkBuildClosure(options.repoRoot ?? enclosingRepository(directory), directory, options.remoteHosts ?? [])
  } catch (error) {
    return Promise.reject(isUserError(error) ? new RenderError(directory, error.message, error.location) : (error as Error))
  }
  return runRenderer(renderer, directory, [...renderer.args, ...(options.flags ?? []), directory], options)
}

/** The nearest directory at or above `directory` holding .git or gitops.yaml; the file system's root when none does. */
function enclosingRepository(directory: string): string {
  for (let dir = resolve(directory); ; dir = dirname(dir)) {
    if (['.git', 'gitops.yaml', 'gitops.yml'].some((name) => existsSync(join(dir, name)))) return dir
    if (dirname(dir) === dir) return dir
  }
}

/** Runs the renderer under the tool bounds; a failure is a RenderError about `directory`. */
export async function runRenderer(
  renderer: Renderer,
  directory: string,
  args: readonly string[],
  options: Pick<RenderOptions, 'remoteHosts'>
): Promise<string> {
  try {
    const { stdout } = await runTool(renderer.command, args, { offline: (options.remoteHosts ?? []).length === 0 })
    return stdout
  } catch (error) {
    if (error instanceof ToolLimitError) throw new RenderError(directory, `kustomize ${error.describe()}`)
    if (!(error instanceof ToolExitError)) throw error
    if (renderer.label === 'kubectl kustomize' && /unknown command "kustomize"/.test(error.stderr)) {
      throw new UserError('kubectl on PATH has no kustomize command (it came with kubectl v1.14); install kustomize or a newer kubectl.')
    }
    throw new RenderError(directory, error.stderr || error.message)
  }
}

/**
 * `render` that builds each directory once however often it is asked for, for one pass over files
 * that do not change under it (a failed build is remembered too: it would fail again).
 */
export function memoizedRender(options: RenderOptions = {}): (directory: string) => Promise<string> {
  const renders = new Map<string, Promise<string>>()
  return (directory) => {
    let rendered = renders.get(directory)
    if (!rendered) renders.set(directory, (rendered = render(directory, options)))
    return rendered
  }
}
