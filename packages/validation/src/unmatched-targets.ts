import type { Finding, Manifest, SourceLocation } from '@gitops-actions/core'
import { rootName } from './build-roots.js'
import type { Selector } from './kustomize-selector.js'
import { selects } from './kustomize-selector.js'
import { imageName, seenIn, type AppliedLevel, type RootProvenance } from './provenance.js'
import type { RootClosure } from './kustomization.js'
import type { ImageTransform, PatchEntry, ReplacementEntry, TransformerEntries } from './transformer-entries.js'

/**
 * Kustomization entries that select nothing. kustomize skips a patch whose target matches no object,
 * a replacement target that selects nothing and an images: entry that names no image, without a
 * word: the staging values or the sidecar simply vanish from the render. (A patch without a target
 * that names a missing object, a replicas: entry naming nothing and a replacement source selecting
 * nothing are kustomize errors already.) Each entry is judged by the objects it runs over: those that
 * pass through its kustomization on their way to the root. An entry of a component, which several
 * overlays include with different objects, and an images: entry, which a shared base may hold for
 * overlays that do not all use it, are warnings, and only when no build of the run uses them.
 */

interface Candidate {
  key: string
  kind: 'patch' | 'replacement' | 'image'
  severity: 'error' | 'warning'
  location: SourceLocation
  describe: string
  /** The object kind it looks for, to list what is there instead. */
  wantedKind: string | undefined
  matched: boolean
  /** Roots where it matched nothing, with the objects of that kind it saw there. */
  missedIn: Map<string, Set<string>>
}

interface Tracked {
  candidate: Candidate
  matches(level: AppliedLevel, manifest: Manifest): boolean
}

export class UnmatchedTargets {
  private readonly candidates = new Map<string, Candidate>()

  /** Looks at one root's render. A root with objects of unknown origin (a remote base) is skipped: what it selects cannot be told. */
  add(provenance: RootProvenance): void {
    if (provenance.unplaced > 0) return
    const levelsOf = new Map<Manifest, AppliedLevel[]>()
    for (const manifest of provenance.objects) {
      const levels = provenance.levels(manifest)
      if (!levels) return
      levelsOf.set(manifest, levels)
    }
    // kustomize's images: transformer also follows the fields `configurations:` adds: what they reach is not known here.
    const configured = provenance.closure.kustomizations.some((k) => k.refs.some((ref) => ref.field === 'configurations'))
    // The entries of each kustomization of the build, and whether any object at its level matched them.
    const seen = new Map<string, Tracked[]>()
    for (const kustomization of provenance.closure.kustomizations) {
      const tracked: Tracked[] = []
      seen.set(kustomization.file, tracked)
      const component = provenance.closure.kustomizations.some((k) =>
        k.refs.some((ref) => ref.kind === 'component' && ref.target === kustomization.dir)
      )
      for (const entry of provenance.transformers.of(kustomization)) {
        if (entry.type === 'patch' && entry.target) {
          const target = entry.target
          this.track(tracked, `${kustomization.file}#${entry.via ?? ''}#${entry.field}.${entry.index}`, {
            kind: 'patch',
            severity: component ? 'warning' : 'error',
            location: entry.targetLocation,
            describe: `${entry.via ?? `${entry.field} entry ${describePatch(entry)}`} targets ${describeSelector(target)}`,
            wantedKind: target.kind,
            matches: (level) => selects(target, level.object)
          })
        } else if (entry.type === 'replacement') {
          entry.targets.forEach((target, index) => {
            if (!target.select) return
            const select = target.select
            this.track(tracked, `${kustomization.file}#${entry.via ?? ''}#replacements.${entry.index}.${index}`, {
              kind: 'replacement',
              severity: component ? 'warning' : 'error',
              location: target.location,
              describe: `${entry.via ? `${entry.via}, ` : ''}replacements entry ${entry.index + 1}, target ${index + 1}, selects ${describeSelector(select)}`,
              wantedKind: select.kind,
              matches: (level) => selectsTarget(entry, index, level)
            })
          })
        } else if (entry.type === 'image' && !configured) {
          this.track(tracked, `${kustomization.file}#${entry.via ?? ''}#images.${entry.name}`, {
            kind: 'image',
            severity: 'warning',
            location: entry.entryLocation,
            describe: `${entry.via ?? 'images entry'} for image '${entry.name}'`,
            wantedKind: undefined,
            matches: (_level, manifest) => namesImageOf(entry, manifest.object) || namesImageOf(entry, provenance.written(manifest)?.object)
          })
        }
      }
    }
    const populated = new Set<string>()
    for (const [manifest, levels] of levelsOf) {
      for (const level of levels) {
        populated.add(level.kustomization.file)
        for (const tracked of seen.get(level.kustomization.file) ?? []) {
          if (tracked.candidate.matched) continue
          if (tracked.matches(level, manifest)) tracked.candidate.matched = true
          else if (tracked.candidate.wantedKind === manifest.object.kind)
            missedNames(tracked.candidate, provenance.root).add(manifest.object.metadata?.name ?? '?')
        }
      }
    }
    // A kustomization that builds no object at all (flux bootstrap's placeholder gotk-components.yaml
    // before the first bootstrap) has nothing to select from: its entries are not judged here.
    for (const [file, tracked] of seen) {
      if (!populated.has(file)) continue
      for (const { candidate } of tracked) missedNames(candidate, provenance.root)
    }
  }

  private track(tracked: Tracked[], key: string, spec: Omit<Candidate, 'key' | 'matched' | 'missedIn'> & Pick<Tracked, 'matches'>): void {
    const { matches, ...rest } = spec
    let candidate = this.candidates.get(key)
    if (!candidate) this.candidates.set(key, (candidate = { ...rest, key, matched: false, missedIn: new Map() }))
    if (!candidate.matched) tracked.push({ candidate, matches })
  }

  /** One finding for every entry that matched nothing in any root of the run, naming the roots. */
  findings(): Finding[] {
    const findings: Finding[] = []
    for (const candidate of this.candidates.values()) {
      if (candidate.matched || candidate.missedIn.size === 0) continue
      const names = new Set([...candidate.missedIn.values()].flatMap((set) => [...set]))
      const there =
        candidate.wantedKind === undefined
          ? ''
          : names.size > 0
            ? `; the ${candidate.wantedKind} objects there: ${[...names].sort().join(', ')}`
            : `; there is no ${candidate.wantedKind} there`
      const consequence =
        candidate.kind === 'image'
          ? 'no container there runs that image, so the tag it sets is used nowhere'
          : 'kustomize skips it without a word, so its changes are not in the render'
      findings.push({
        ruleId: 'kustomize/unmatched-target',
        severity: candidate.severity,
        message: `${candidate.describe} and matches nothing (from ${seenIn([...candidate.missedIn.keys()].map(rootName))}): ${consequence}${there}`,
        location: candidate.location
      })
    }
    return findings
  }
}

function missedNames(candidate: Candidate, root: string): Set<string> {
  let names = candidate.missedIn.get(root)
  if (!names) candidate.missedIn.set(root, (names = new Set()))
  return names
}

function selectsTarget(entry: ReplacementEntry, index: number, level: AppliedLevel): boolean {
  const target = entry.targets[index]!
  return (
    target.select !== undefined && selects(target.select, level.object) && !target.reject.some((reject) => selects(reject, level.object))
  )
}

/** kustomize's images: transformer changes every `image` of a containers or initContainers list, at any depth. */
function namesImageOf(entry: ImageTransform, object: unknown): boolean {
  let found = false
  const visit = (value: unknown, key: string | undefined): void => {
    if (found || !value || typeof value !== 'object') return
    if (Array.isArray(value)) {
      for (const item of value) {
        const image = (item as { image?: unknown } | null)?.image
        if ((key === 'containers' || key === 'initContainers') && typeof image === 'string') {
          const name = imageName(image)
          if (name === entry.name || name === entry.newName) found = true
        }
        visit(item, undefined)
      }
      return
    }
    for (const [child, inner] of Object.entries(value)) visit(inner, child)
  }
  visit(object, undefined)
  return found
}

function describePatch(entry: PatchEntry): string {
  return entry.file !== undefined ? `'${entry.file.split('/').pop()}'` : `${entry.index + 1}`
}

function describeSelector(selector: Selector): string {
  const parts = Object.entries(selector)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${value}`)
  return parts.length > 0 ? `{${parts.join(', ')}}` : '{}'
}

/**
 * The entry behind kustomize's own "matches nothing" errors, which name an object but no file or
 * line: a replicas: entry naming no workload, a replacement whose source selects nothing, a
 * strategic-merge patch without a target whose object is not there.
 */
export function entryKustomizeRefused(
  message: string,
  closure: RootClosure | undefined,
  transformers: TransformerEntries
): SourceLocation | undefined {
  if (!closure) return undefined
  const entries = closure.kustomizations.flatMap((kustomization) => transformers.of(kustomization))
  const replicas = /resource with name (\S+) does not match a config with the following GVK/.exec(message)
  if (replicas) {
    const entry = entries.find((e) => e.type === 'replicas' && e.name === replicas[1])
    return entry?.type === 'replicas' ? entry.entryLocation : undefined
  }
  const source = /nothing selected by ([A-Za-z0-9]+)\.[^/\s]*\/(\S+?)\.(?:\[noNs\]|[a-z0-9-]+)?:/.exec(message)
  if (source) {
    const entry = entries.find((e) => e.type === 'replacement' && e.source?.kind === source[1] && e.source?.name === source[2])
    return entry?.type === 'replacement' ? entry.location : undefined
  }
  const patch = /no matches for Id ([A-Za-z0-9]+)\.[^/\s]*\/(\S+?)\.(?:\[noNs\]|[a-z0-9-]+)[;:]? /.exec(message)
  if (patch) {
    for (const entry of entries) {
      if (entry.type !== 'patch' || entry.target) continue
      const body = entry.body()
      if (body?.format !== 'strategic-merge') continue
      const named = body.documents.some((d) => {
        const object = d.value as { kind?: unknown; metadata?: { name?: unknown } }
        return object.kind === patch[1] && object.metadata?.name === patch[2]
      })
      if (named) return entry.location
    }
  }
  return undefined
}
