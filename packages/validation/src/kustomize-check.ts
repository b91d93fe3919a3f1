import {
  apiGroupOf,
  describeObject,
  imageNameProblem,
  locationOf,
  objectId,
  parseImageReference,
  tagProblem,
  type ClusterVersion,
  type Finding,
  type Manifest,
  type SourceLocation
} from '@gitops-actions/core'
import { kustomizeErrorMessage } from '@gitops-actions/kustomize'
import { rootName } from './build-roots.js'
import type { ImageEntry, Kustomization, RootClosure } from './kustomization.js'
import { pendingSubstitution } from './post-build.js'
import { judgeRemovedApi, removedApi } from './removed-apis.js'
import { hasSchema, validateObject, type CustomSchema } from './schema.js'
import type { SourceFiles } from './source-files.js'
import { TransformerEntries } from './transformer-entries.js'
import { entryKustomizeRefused } from './unmatched-targets.js'

/** The kustomize-validate check on rendered objects: removed APIs, schemas, unknown fields, kinds, duplicates, images. */

const SCHEMA_RULES = {
  'missing-type': { ruleId: 'kustomize/missing-type', severity: 'error' },
  'unknown-kind': { ruleId: 'kustomize/unknown-kind', severity: 'error' },
  'no-schema': { ruleId: 'kustomize/no-schema', severity: 'warning' },
  invalid: { ruleId: 'kustomize/schema', severity: 'error' },
  'unknown-field': { ruleId: 'kustomize/unknown-field', severity: 'error' }
} as const

/** Findings for one root's rendered objects; `cluster` is the Kubernetes version of the cluster they go to, when gitops.yaml sets one. */
export function checkRenderedObjects(
  root: string,
  manifests: readonly Manifest[],
  closure: RootClosure | undefined,
  custom: ReadonlyMap<string, CustomSchema | null>,
  cluster?: ClusterVersion
): Finding[] {
  const findings: Finding[] = []
  const seen = new Map<string, Manifest>()
  for (const manifest of manifests) {
    const what = `${describeObject(manifest.object)} (from ${rootName(root)})`
    const { apiVersion, kind } = manifest.object
    const removal = typeof apiVersion === 'string' && typeof kind === 'string' ? removedApi(apiVersion, kind) : undefined
    const judgement = removal ? judgeRemovedApi(apiVersion!, kind!, removal, cluster) : undefined
    if (judgement) {
      findings.push({
        ruleId: 'kustomize/removed-api',
        severity: judgement.severity,
        message: `${what}: ${judgement.message}`,
        location: manifest.locate(['apiVersion'])
      })
    }
    // An API the cluster no longer serves: its old schema would only restate what the migration
    // changes. One it still serves is applied as written, so its own schema holds (when the models have it).
    const schemaApplies = !judgement || (judgement.severity !== 'error' && hasSchema(apiVersion!, kind!))
    for (const problem of schemaApplies ? validateObject(manifest.object, custom) : []) {
      if (pendingSubstitution(manifest.object, problem.path)) continue
      const rule = SCHEMA_RULES[problem.kind]
      findings.push({
        ruleId: rule.ruleId,
        severity: problem.catalog ? 'warning' : rule.severity,
        message: `${what}: ${problem.message}${problem.catalog ? olderPackageCaveat(problem.catalog, apiVersion!) : ''}`,
        location: manifest.locate([...problem.path], problem.kind === 'unknown-field' ? 'key' : 'value')
      })
    }
    const id = objectId(manifest.object)
    const first = seen.get(id)
    if (first) {
      findings.push({
        ruleId: 'kustomize/duplicate-object',
        severity: 'error',
        message: `${what} is rendered twice by ${rootName(root)}; the first is at ${first.location.file}:${first.location.line}`,
        location: manifest.location
      })
    } else {
      seen.set(id, manifest)
    }
    findings.push(...imageFindings(manifest, what, closure))
  }
  return findings
}

/**
 * Another project's packaged schema may be older than the version the cluster runs (a field added
 * since is not in it): what only it refuses is a warning that says so, and how to check it for sure.
 */
function olderPackageCaveat(source: string, apiVersion: string): string {
  return ` (by the schema of ${source}, which may be older than the ${apiGroupOf(apiVersion)} release your cluster runs: a warning, not an error; commit that release's CRD, or list it in gitops.yaml schemas.crds, to check against it)`
}

/** Where the pod spec of a workload kind is. */
export function podSpecPath(kind: string | undefined): string[] | undefined {
  switch (kind) {
    case 'Pod':
      return ['spec']
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return ['spec', 'template', 'spec']
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template', 'spec']
    default:
      return undefined
  }
}

function imageFindings(manifest: Manifest, what: string, closure: RootClosure | undefined): Finding[] {
  const specPath = podSpecPath(manifest.object.kind)
  if (!specPath) return []
  let spec: unknown = manifest.object
  for (const key of specPath) spec = (spec as Record<string, unknown> | undefined)?.[key]
  if (!spec || typeof spec !== 'object') return []
  const findings: Finding[] = []
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = (spec as Record<string, unknown>)[list]
    if (!Array.isArray(containers)) continue
    containers.forEach((container: { name?: string; image?: unknown }, index) => {
      const path = [...specPath, list, index, 'image']
      if (typeof container?.image !== 'string' || container.image.trim() === '') {
        findings.push({
          ruleId: 'kustomize/image',
          severity: 'error',
          message: `${what}: container ${container?.name ?? index} has no image`,
          location: manifest.locate(path.slice(0, -1))
        })
        return
      }
      if (pendingSubstitution(manifest.object, path)) return
      try {
        parseImageReference(container.image, `container ${container.name ?? index} image`)
      } catch (error) {
        const entry = imageEntry(container.image, closure)
        // An invalid newTag/newName is already reported where it is written (checkKustomizationImages).
        if (entry && entryProblem(entry.entry)) return
        findings.push({
          ruleId: 'kustomize/image',
          severity: 'error',
          message: `${what}: ${(error as Error).message}`,
          location: entry?.location ?? manifest.locate(path)
        })
      }
    })
  }
  return findings
}

/** When a kustomization's images: entry set the tag, that entry is what to fix. */
function imageEntry(image: string, closure: RootClosure | undefined): { entry: ImageEntry; location: SourceLocation } | undefined {
  if (!closure) return undefined
  const name = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '')
  for (const kustomization of closure.kustomizations) {
    const entry = kustomization.images.find((e) => (e.newName ?? e.name) === name || e.name === name)
    if (entry && (entry.newTag !== undefined || entry.digest !== undefined)) {
      return { entry, location: locationOf(kustomization.source, [...entry.path, entry.newTag !== undefined ? 'newTag' : 'digest']) }
    }
  }
  return undefined
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/

function entryProblem(entry: ImageEntry): boolean {
  return (
    (entry.newTag !== undefined && tagProblem(entry.newTag) !== undefined) ||
    (entry.newName !== undefined && imageNameProblem(entry.newName.replace(/:[^/:]*$/, '')) !== undefined) ||
    (entry.digest !== undefined && !DIGEST.test(entry.digest))
  )
}

/**
 * The images: entries of kustomizations, checked where they are written. A base's entry may be
 * overridden by every overlay and so never show in a render, yet it is still wrong: the seed's
 * `newTag: "{{ .Values.imageTag }}"` is a Helm template that kustomize never expands.
 */
export function checkKustomizationImages(kustomizations: Iterable<Kustomization>): Finding[] {
  const findings: Finding[] = []
  for (const kustomization of kustomizations) {
    for (const entry of kustomization.images) {
      const at = (key: string) => locationOf(kustomization.source, [...entry.path, key])
      if (entry.newTag !== undefined) {
        const problem = tagProblem(entry.newTag)
        if (problem) {
          const template = /\{\{.*\}\}|\$\{.*\}/.test(entry.newTag)
            ? ' It looks like a template: kustomize never expands templates, so set the real tag here or leave newTag to the overlays.'
            : ''
          findings.push({
            ruleId: 'kustomize/image-tag',
            severity: 'error',
            message: `images entry '${entry.name}': newTag '${entry.newTag}' is not a valid image tag: ${problem}.${template}`,
            location: at('newTag')
          })
        }
      }
      if (entry.newName !== undefined) {
        const problem = imageNameProblem(entry.newName.replace(/:[^/:]*$/, ''))
        if (problem) {
          findings.push({
            ruleId: 'kustomize/image-tag',
            severity: 'error',
            message: `images entry '${entry.name}': newName: ${problem}`,
            location: at('newName')
          })
        }
      }
      if (entry.digest !== undefined && !DIGEST.test(entry.digest)) {
        findings.push({
          ruleId: 'kustomize/image-tag',
          severity: 'error',
          message: `images entry '${entry.name}': digest '${entry.digest}' is not a valid digest (expected e.g. sha256:<64 hex>)`,
          location: at('digest')
        })
      }
    }
  }
  return findings
}

/**
 * A failed build as one finding at the line that caused it: the kustomization entry kustomize
 * names, and for an ID collision the resources entry that adds the object a second time (most
 * often a patch listed under resources).
 */
export function renderFailure(
  root: string,
  stderr: string,
  closure: RootClosure | undefined,
  files: SourceFiles,
  fallback: SourceLocation
): Finding {
  const message = simplifyKustomizeMessage(kustomizeErrorMessage(stderr))
  const collision = /already registered id: ([A-Za-z0-9]+)\.[^/]*\/([^.\s"']+)/.exec(message)
  if (collision && closure) {
    const [, kind, name] = collision
    const entries = closure.kustomizations.flatMap((k) => k.refs.filter((r) => r.kind === 'resource' && r.target !== undefined))
    const defining = entries.filter((ref) => {
      const manifests = files.manifests(ref.target!)
      return Array.isArray(manifests) && manifests.some((m) => m.object.kind === kind && m.object.metadata?.name === name)
    })
    const culprit = defining.find((ref) => /patch/i.test(ref.value)) ?? defining[defining.length - 1]
    if (culprit) {
      const isPatch = /patch/i.test(culprit.value)
      return {
        ruleId: 'kustomize/render',
        severity: 'error',
        message: `${rootName(root)} does not build: ${culprit.value} adds ${kind} ${name} a second time${isPatch ? `; it is a patch listed under resources: list it under patches: (- path: ${culprit.value})` : ''} (kustomize: ${message})`,
        location: culprit.location
      }
    }
  }
  const refused = entryKustomizeRefused(message, closure, new TransformerEntries(files))
  if (refused)
    return { ruleId: 'kustomize/render', severity: 'error', message: `${rootName(root)} does not build: ${message}`, location: refused }
  for (const kustomization of closure?.kustomizations ?? []) {
    for (const ref of kustomization.refs) {
      if (message.includes(`'${ref.value}'`) || (ref.target !== undefined && message.includes(ref.target))) {
        return {
          ruleId: 'kustomize/render',
          severity: 'error',
          message: `${rootName(root)} does not build: ${message}`,
          location: ref.location
        }
      }
    }
  }
  return { ruleId: 'kustomize/render', severity: 'error', message: `${rootName(root)} does not build: ${message}`, location: fallback }
}

/**
 * kustomize wraps an error in one frame per level it recursed through, and when a resource entry
 * fails both as a file and as a directory it reports both attempts. The frame of our generated
 * wrapper says nothing to the user, and the file attempt is the one that matters for a file entry.
 */
export function simplifyKustomizeMessage(message: string): string {
  let text = message.trim()
  const wrapper =
    /^accumulating resources: accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to a file': recursed accumulation of path '[^']*': /
  while (wrapper.test(text)) text = text.replace(wrapper, '')
  const both = /^accumulating resources: accumulation err='([\s\S]*)': must build at directory: [\s\S]*$/.exec(text)
  if (both) text = `accumulating resources: ${both[1]}`
  return text
}
