/**
 * kustomize's target selectors (patches[].target, replacements' select/reject), matched the way
 * kustomize matches them: group, version and kind exactly, name and namespace as anchored regular
 * expressions against the object's original or current id, label and annotation selectors as
 * Kubernetes selectors. Where kustomize's grammar goes beyond what is parsed here (a Go regular
 * expression JavaScript refuses, a selector form not known), the selector matches: a check built on
 * this must never call a working patch unused.
 */

export interface Selector {
  group?: string | undefined
  version?: string | undefined
  kind?: string | undefined
  name?: string | undefined
  namespace?: string | undefined
  labelSelector?: string | undefined
  annotationSelector?: string | undefined
}

/** What a selector sees of an object at the point its transformer runs. */
export interface SelectableObject {
  apiVersion: string | undefined
  kind: string | undefined
  /** Every name the object is known by there: kustomize tries the original and the current one. */
  names: readonly string[]
  namespaces: readonly string[]
  /** Label sets to try (as written, as rendered): any one satisfying the selector matches. */
  labels: ReadonlyArray<Readonly<Record<string, string>>>
  annotations: ReadonlyArray<Readonly<Record<string, string>>>
}

/** A selector read from a kustomization (anything not a map of strings gives undefined). */
export function readSelector(value: unknown): Selector | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  const text = (key: string): string | undefined => {
    const field = (value as Record<string, unknown>)[key]
    return typeof field === 'string' && field !== '' ? field : undefined
  }
  return {
    group: text('group'),
    version: text('version'),
    kind: text('kind'),
    name: text('name'),
    namespace: text('namespace'),
    labelSelector: text('labelSelector'),
    annotationSelector: text('annotationSelector')
  }
}

export function selects(selector: Selector, object: SelectableObject): boolean {
  const [group, version] = splitApiVersion(object.apiVersion)
  if (selector.kind !== undefined && selector.kind !== object.kind) return false
  if (selector.group !== undefined && selector.group !== group) return false
  if (selector.version !== undefined && selector.version !== version) return false
  if (selector.name !== undefined && !object.names.some((name) => anchored(selector.name!, name))) return false
  if (selector.namespace !== undefined && !object.namespaces.some((namespace) => anchored(selector.namespace!, namespace))) return false
  if (selector.labelSelector !== undefined && !object.labels.some((labels) => matchesLabelSelector(selector.labelSelector!, labels)))
    return false
  if (
    selector.annotationSelector !== undefined &&
    !object.annotations.some((annotations) => matchesLabelSelector(selector.annotationSelector!, annotations))
  )
    return false
  return true
}

function splitApiVersion(apiVersion: string | undefined): [string, string] {
  if (!apiVersion) return ['', '']
  const slash = apiVersion.lastIndexOf('/')
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)]
}

const patterns = new Map<string, RegExp | undefined>()

/** kustomize compiles `^(?:pattern)$`; a pattern JavaScript cannot compile matches everything. */
function anchored(pattern: string, value: string): boolean {
  if (!patterns.has(pattern)) {
    let compiled: RegExp | undefined
    try {
      compiled = new RegExp(`^(?:${pattern})$`)
    } catch {
      compiled = undefined
    }
    patterns.set(pattern, compiled)
  }
  const regex = patterns.get(pattern)
  return regex === undefined || regex.test(value)
}

/**
 * A Kubernetes label selector (`a=b,c!=d,e in (f,g),h notin (i),j,!k`) against a label set. A
 * requirement that does not parse is taken as met.
 */
export function matchesLabelSelector(selector: string, labels: Readonly<Record<string, string>>): boolean {
  for (const requirement of splitRequirements(selector)) {
    const text = requirement.trim()
    if (text === '') continue
    let match: RegExpExecArray | null
    if ((match = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text))) {
      const values = match[3]!.split(',').map((v) => v.trim())
      const has = Object.hasOwn(labels, match[1]!) && values.includes(labels[match[1]!]!)
      if (match[2] === 'in' ? !has : has) return false
    } else if ((match = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(text))) {
      const has = Object.hasOwn(labels, match[1]!) && labels[match[1]!] === match[3]
      if (match[2] === '!=' ? has : !has) return false
    } else if ((match = /^!\s*([^\s!=]+)$/.exec(text))) {
      if (Object.hasOwn(labels, match[1]!)) return false
    } else if ((match = /^([^\s!=()]+)$/.exec(text))) {
      if (!Object.hasOwn(labels, match[1]!)) return false
    }
  }
  return true
}

/** Commas separate requirements, except inside `in (…)` value lists. */
function splitRequirements(selector: string): string[] {
  return splitOutside(selector, ',', '(', ')')
}

/** `text` cut at every `separator` that is not between `open` and `close`. */
export function splitOutside(text: string, separator: string, open: string, close: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of text) {
    if (char === open) depth++
    if (char === close) depth = Math.max(0, depth - 1)
    if (char === separator && depth === 0) {
      parts.push(current)
      current = ''
    } else current += char
  }
  parts.push(current)
  return parts
}
