import { posix } from 'node:path'
import { FAILSAFE_SCHEMA, load } from 'js-yaml'
import { KUSTOMIZATION_FILES, kustomizationEntries, remoteHost } from '@gitops-actions/kustomize'

/**
 * Which kustomization directories a change can reach, found from the changed files back through
 * the kustomizations that name them, instead of computing every root's closure: on a 1000-app
 * repository, 3000 closures (each kustomization parsed with source positions, each path resolved
 * through the file system) were most of a one-overlay pull request's run.
 *
 * Each kustomization the listing found is read once for what it names, with js-yaml: 5-6 times
 * faster than the `yaml` parser that keeps positions, which only the closures of the roots a change
 * reaches need. The answer is a superset: a directory whose closure (KustomizationGraph.closure)
 * holds a target is in it, and callers confirm a directory with its exact closure. The names are
 * resolved as readKustomization resolves them; a kind of entry does not matter here. A kustomization
 * js-yaml cannot read, or that names a directory the listing skips (a dot-directory, node_modules,
 * vendor: what it reads there is unknown), is taken as reaching everything.
 */
export class ChangeReach {
  private readonly listed = new Set<string>()
  /** Kustomizations that cannot vouch for what they read: they reach whatever changes. */
  private readonly irregular = new Set<string>()
  /** Repository path → the kustomization directories with an entry naming it. */
  private readonly namedBy = new Map<string, Set<string>>()

  constructor(kustomizationFiles: readonly string[], text: (file: string) => string | undefined) {
    for (const file of kustomizationFiles) {
      const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file)
      // Two kustomization files in one directory: kustomize reads one of them; both are indexed.
      this.listed.add(dir)
      let data: unknown
      try {
        // Every scalar as a string: a name the `yaml` parser reads as a string is one here too, whatever
        // js-yaml would make of it (0b101, +0o7); merge keys are no more merged than there.
        data = load(text(file) ?? '', { schema: FAILSAFE_SCHEMA, filename: file })
      } catch {
        this.irregular.add(dir)
        continue
      }
      if (!data || typeof data !== 'object') continue
      // A generator or transformer config names files of its own, read as the listing reads any file.
      const readConfig = (value: string) => {
        const path = posix.normalize(posix.join(dir || '.', value))
        return path.startsWith('..') || posix.isAbsolute(path) ? undefined : text(path)
      }
      for (const entry of kustomizationEntries(data as Record<string, unknown>, readConfig)) {
        if (remoteHost(entry.value) !== undefined) continue
        const target = posix.normalize(posix.join(dir || '.', entry.value)).replace(/\/$/, '')
        let dirs = this.namedBy.get(target)
        if (!dirs) this.namedBy.set(target, (dirs = new Set()))
        dirs.add(dir)
        if (entry.directory && !target.startsWith('..') && target.split('/').some((segment) => UNLISTED.test(segment)))
          this.irregular.add(dir)
      }
    }
  }

  /** Whether the listing found a kustomization in `dir`: of any other directory this index knows nothing. */
  lists(dir: string): boolean {
    return this.listed.has(dir)
  }

  /** Whether `dir`'s kustomization cannot vouch for what it reads (it is taken to reach everything). */
  isIrregular(dir: string): boolean {
    return this.irregular.has(dir)
  }

  /**
   * The kustomization directories whose closure may hold one of `targets` (files or directories,
   * repository paths), directly or through the directories that name them in turn.
   */
  from(targets: Iterable<string>): Set<string> {
    const reached = new Set<string>()
    const queue: string[] = []
    const reach = (dir: string) => {
      if (reached.has(dir)) return
      reached.add(dir)
      queue.push(dir)
    }
    for (const dir of this.irregular) reach(dir)
    for (const target of targets) {
      // A kustomization file is in its own directory's closure.
      if ((KUSTOMIZATION_FILES as readonly string[]).includes(posix.basename(target))) {
        const dir = posix.dirname(target)
        reach(dir === '.' ? '' : dir)
      }
      queue.push(target)
    }
    const searched = new Set<string>()
    while (queue.length > 0) {
      const target = queue.pop()!
      if (searched.has(target)) continue
      searched.add(target)
      for (const dir of this.namedBy.get(target) ?? []) reach(dir)
    }
    return reached
  }
}

/** A path segment the repository listing does not enter (listRepoTree). */
const UNLISTED = /^(\..+|node_modules|vendor)$/
