import type { KubeObject, Manifest, YamlPath } from '@gitops-actions/core'
import type { FluxKustomization } from './flux.js'

/**
 * Flux's post-build variable substitution, as far as it can be known offline. A Flux Kustomization
 * with `spec.postBuild` replaces `${var}` (and `${var:=default}`…) in the rendered objects before it
 * applies them, so `replicas: ${replicas:=2}` or `image: web:${version}` are valid in such a path.
 * Values set inline (`substitute`) and defaults are put in; a variable that only the cluster knows
 * (`substituteFrom` a ConfigMap or Secret) leaves its field unchecked rather than falsely wrong.
 */
export interface Substitution {
  /** Inline values; a variable that the Kustomizations applying the path set differently is left out. */
  values: Map<string, string>
}

const DISABLED = 'kustomize.toolkit.fluxcd.io/substitute'
const REFERENCE = /\$(\$?)\{([^}]*)\}/g
const VARIABLE = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])(.*))?$/s

/** The substitution of each repository path that a local Flux Kustomization with postBuild applies. */
export function postBuildSubstitutions(kustomizations: readonly FluxKustomization[]): Map<string, Substitution> {
  const byPath = new Map<string, Array<Record<string, unknown>>>()
  for (const k of kustomizations) {
    if (k.path === undefined) continue
    const postBuild = (k.manifest.object.spec as { postBuild?: unknown } | undefined)?.postBuild
    if (!postBuild || typeof postBuild !== 'object') continue
    byPath.set(k.path, [...(byPath.get(k.path) ?? []), postBuild as Record<string, unknown>])
  }
  const result = new Map<string, Substitution>()
  for (const [path, postBuilds] of byPath) {
    const values = new Map<string, string>()
    const conflicting = new Set<string>()
    for (const postBuild of postBuilds) {
      const substitute = postBuild.substitute
      if (!substitute || typeof substitute !== 'object') continue
      for (const [name, value] of Object.entries(substitute)) {
        const text = String(value)
        if (values.has(name) && values.get(name) !== text) conflicting.add(name)
        values.set(name, text)
      }
    }
    for (const name of conflicting) values.delete(name)
    result.set(path, { values })
  }
  return result
}

/** Fields left holding a variable only the cluster knows, per substituted object: paths joined with '\0'. */
const pending = new WeakMap<KubeObject, Set<string>>()

/** Whether the field at `path` holds a variable that Flux substitutes from the cluster at apply time. */
export function pendingSubstitution(object: KubeObject, path: YamlPath): boolean {
  return pending.get(object)?.has(path.join('\0')) ?? false
}

/** The manifests as Flux applies them after substitution; objects that opt out stay as rendered. */
export function applyPostBuild(manifests: readonly Manifest[], substitution: Substitution): Manifest[] {
  return manifests.map((manifest) => {
    const { object } = manifest
    const metadata = object.metadata as { labels?: Record<string, unknown>; annotations?: Record<string, unknown> } | undefined
    if (metadata?.labels?.[DISABLED] === 'disabled' || metadata?.annotations?.[DISABLED] === 'disabled') return manifest
    const unknown = new Set<string>()
    const substituted = substituteValue(object, [], substitution, unknown) as KubeObject
    if (unknown.size > 0) pending.set(substituted, unknown)
    if (substituted === object) return manifest
    return { ...manifest, object: substituted }
  })
}

function substituteValue(value: unknown, path: Array<string | number>, substitution: Substitution, unknown: Set<string>): unknown {
  if (typeof value === 'string') return value.includes('$') ? substituteString(value, path, substitution, unknown) : value
  if (Array.isArray(value)) {
    const items = value.map((item, index) => substituteValue(item, [...path, index], substitution, unknown))
    return items.some((item, index) => item !== value[index]) ? items : value
  }
  if (value && typeof value === 'object') {
    let changed = false
    const entries = Object.entries(value).map(([key, child]) => {
      const next = substituteValue(child, [...path, key], substitution, unknown)
      changed ||= next !== child
      return [key, next] as const
    })
    return changed ? Object.fromEntries(entries) : value
  }
  return value
}

function substituteString(text: string, path: Array<string | number>, substitution: Substitution, unknown: Set<string>): unknown {
  let open = false
  const result = text.replace(REFERENCE, (whole, escape: string, inner: string) => {
    if (escape) return whole.slice(1) // $${var} is Flux's escape for a literal ${var}
    const match = VARIABLE.exec(inner)
    if (!match) {
      open = true
      return whole
    }
    const [, name, operator, fallback] = match
    const value = substitution.values.get(name!)
    if (value !== undefined && !(operator?.startsWith(':') && value === '')) return value
    if (operator !== undefined) return fallback!
    open = true
    return whole
  })
  if (open) unknown.add(path.join('\0'))
  if (result === text) return text
  // Flux substitutes in the YAML text and decodes it again: a whole-value number or boolean becomes one.
  if (/^\$\{[^}]*\}$/.test(text) && !open) {
    if (/^-?(0|[1-9]\d*)$/.test(result)) return Number(result)
    if (result === 'true' || result === 'false') return result === 'true'
  }
  return result
}
