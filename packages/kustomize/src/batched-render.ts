import { relative, resolve, sep } from 'node:path'
import { stringify } from 'yaml'
import { renderRoots, type BatchRenderOptions, type BatchRenderStats } from './batch-render.js'
import { render, RenderError } from './renderer.js'

/** A directory to build ahead, and the batch it may share a kustomize call with (e.g. its environment). */
export interface DirectoryToRender {
  /** Absolute path. */
  directory: string
  environment?: string
}

export interface BatchedRender {
  /** Builds these directories with renderRoots: a few kustomize calls for hundreds of overlays. */
  renderAhead(directories: readonly DirectoryToRender[]): Promise<void>
  /** The YAML stream of a directory: from the batch when it was built ahead (its RenderError when it failed there), else `render` on its own. */
  render(directory: string): Promise<string>
}

/**
 * `render` for callers that ask for one directory at a time but know the whole set first (the
 * environment status): the set is built in batches, each directory's objects come back as its own
 * YAML stream, and a failure belongs to the directory that caused it, as with one build each.
 */
export function batchedRender(
  repoRoot: string,
  options: BatchRenderOptions = {},
  stats: BatchRenderStats = { calls: 0, splits: 0 }
): BatchedRender {
  const built = new Map<string, string | RenderError>()
  return {
    async renderAhead(directories) {
      const wanted = directories.filter((d) => !built.has(resolve(d.directory)))
      const roots = wanted.map((d) => ({ path: relative(repoRoot, d.directory).split(sep).join('/'), batchKey: d.environment }))
      const results = await renderRoots(repoRoot, roots, options, stats)
      for (const [index, result] of results.entries()) {
        const yaml = result.objects?.map((o) => stringify(o.object)).join('---\n')
        built.set(resolve(wanted[index]!.directory), result.error ?? yaml!)
      }
    },
    async render(directory) {
      const done = built.get(resolve(directory))
      if (done instanceof RenderError) throw done
      return done ?? render(directory, { flags: options.flags, remoteHosts: options.remoteHosts, repoRoot })
    }
  }
}
