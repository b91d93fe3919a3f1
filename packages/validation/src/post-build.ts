import type { KubeObject, Manifest, YamlPath } from '@gitops-actions/core'
import type { FluxKustomization } from './flux.js'

/**
 * What Flux's kustomize-controller does to a build before it applies it, as far as it can be known
 * offline. It decrypts SOPS-encrypted objects (`spec.decryption`), so their `sops:` metadata never
 * reaches the cluster. With `spec.postBuild` it replaces `${var}` (and `${var:=default}`…), so
 * `replicas: ${replicas:=2}` or `image: web:${version}` are valid in such a path: values set inline
 * (`substitute`) and defaults are put in; a variable that only the cluster knows (`substituteFrom` a
 * ConfigMap or Secret) leaves its field unchecked rather than falsely wrong.
 */
export interface PostBuild {
  /** A Kustomization applying the path decrypts SOPS. */
  decrypts: boolean
  /** A Kustomization applying the path substitutes variables. */
  substitutes: boolean
  /** Inline values; a variable that the Kustomizations applying the path set differently is left out. */
  values: Map<string, string>
}

const DISABLED = 'kustomize.toolkit.fluxcd.io/substitute'
const REFERENCE = /\$(\$?)\{([^}]*)\}/g
const VARIABLE = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])(.*))?$/s

/** The post-build steps of each repository path that a local Flux Kustomization applies with decryption or postBuild. */
export function postBuildSteps(kustomizations: readonly FluxKustomization[]): Map<string, PostBuild> {
  const result = new Map<string, PostBuild>()
  const conflicting = new Set<string>()
  for (const k of kustomizations) {
    if (k.path === undefined) continue
    const spec = (k.manifest.object.spec ?? {}) as { postBuild?: unknown; decryption?: { provider?: unknown } }
    const postBuild = spec.postBuild && typeof spec.postBuild === 'object' ? (spec.postBuild as Record<string, unknown>) : undefined
    const decrypts = spec.decryption?.provider === 'sops'
    if (!postBuild && !decrypts) continue
    let steps = result.get(k.path)
    if (!steps) result.set(k.path, (steps = { decrypts: false, substitutes: false, values: new Map() }))
    steps.decrypts ||= decrypts
    steps.substitutes ||= postBuild !== undefined
    const substitute = postBuild?.substitute
    if (!substitute || typeof substitute !== 'object') continue
    for (const [name, value] of Object.entries(substitute)) {
      const text = String(value)
      if (steps.values.has(name) && steps.values.get(name) !== text) conflicting.add(`${k.path}\0${name}`)
      steps.values.set(name, text)
    }
  }
  for (const key of conflicting) {
    const [path, name] = key.split('\0') as [string, string]
    result.get(path)!.values.delete(name)
  }
  return result
}

/** Fields left holding a variable only the cluster knows, per substituted object: paths joined with '\0'. */
const pending = new WeakMap<KubeObject, Set<string>>()

/** Whether the field at `path` holds a variable that Flux substitutes from the cluster at apply time. */
export function pendingSubstitution(object: KubeObject, path: YamlPath): boolean {
  return pending.get(object)?.has(path.join('\0')) ?? false
}

/** The manifests as Flux applies them: decrypted, then substituted, except objects that opt out of substitution. */
export function applyPostBuild(manifests: readonly Manifest[], steps: PostBuild): Manifest[] {
  return manifests.map((manifest) => {
    let object = manifest.object
    if (steps.decrypts && object.sops && typeof object.sops === 'object') {
      const { sops: _metadata, ...decrypted } = object
      object = decrypted as KubeObject
    }
    const metadata = object.metadata as { labels?: Record<string, unknown>; annotations?: Record<string, unknown> } | undefined
    const optOut = metadata?.labels?.[DISABLED] === 'disabled' || metadata?.annotations?.[DISABLED] === 'disabled'
    if (steps.substitutes && !optOut) {
      const unknown = new Set<string>()
      object = substituteValue(object, [], steps, unknown) as KubeObject
      if (unknown.size > 0) pending.set(object, unknown)
    }
    return object === manifest.object ? manifest : { ...manifest, object }
  })
}

function substituteValue(value: unknown, path: Array<string | number>, substitution: PostBuild, unknown: Set<string>): unknown {
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

function substituteString(text: string, path: Array<string | number>, substitution: PostBuild, unknown: Set<string>): unknown {
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
