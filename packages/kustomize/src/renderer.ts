import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { UserError } from '@gitops-actions/core'

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

/** A kustomize build that failed, with kustomize's own message. */
export class RenderError extends Error {
  override readonly name = 'RenderError'
  constructor(
    readonly directory: string,
    readonly stderr: string
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
}

/**
 * Renders one kustomization directory with the real renderer and returns the YAML stream. The
 * process starts before render returns: a caller that goes on with synchronous work (validate-manifests
 * reading the repository's files) has kustomize starting up on the other core meanwhile.
 */
export function render(directory: string, options: RenderOptions = {}): Promise<string> {
  let renderer: Renderer
  try {
    renderer = findRenderer()
  } catch (error) {
    return Promise.reject(error as Error)
  }
  return new Promise((resolve, reject) => {
    execFile(
      renderer.command,
      [...renderer.args, ...(options.flags ?? []), directory],
      { maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && renderer.label === 'kubectl kustomize' && /unknown command "kustomize"/.test(stderr)) {
          reject(
            new UserError('kubectl on PATH has no kustomize command (it came with kubectl v1.14); install kustomize or a newer kubectl.')
          )
        } else if (error) reject(new RenderError(directory, stderr || error.message))
        else resolve(stdout)
      }
    )
  })
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
