import { splitImageReference } from '../manifests/container-images.js'
import { canonicalImageName, sameImageName } from '../tags/image-reference.js'
import semver from 'semver'
import type { EnvironmentConfig } from '../config/environments.js'
import type { GitopsConfig } from '../config/gitops-config.js'
import { mentionParameter, parameterError, UserError } from '../errors.js'
import type { ReleaseTag } from '../tags/release-version.js'
import { DEFAULT_ALIAS_TEMPLATES, DEFAULT_TAG_TEMPLATES, renderTagTemplate, type TagValues } from '../tags/tag-template.js'

/** `auto-deploy`: a new build into the first environment. `promote`: one environment to the next. */
export type PromotionMode = 'auto-deploy' | 'promote'

export interface PromotionRoute {
  mode: PromotionMode
  /** Where the image runs now; undefined for auto-deploys. */
  from: EnvironmentConfig | undefined
  to: EnvironmentConfig
  /** Environments between `from` and `to` that this promotion jumps over (only with allow-skip). */
  skipped: string[]
}

/**
 * Which environments a promotion goes between, in gitops.yaml order. Auto-deploys land in the
 * first environment; promotions go one step forward (`to` defaults to the one after `from`,
 * `from` to the one before `to`). Jumping over an environment, or going backwards, is refused
 * unless `allowSkip` is set (skipping) — going backwards is never a promotion.
 */
export function resolveRoute(
  config: GitopsConfig,
  request: { mode: PromotionMode; from?: string | undefined; to?: string | undefined; allowSkip: boolean }
): PromotionRoute {
  const names = config.environments.map((e) => e.name)
  const where = config.file ?? 'the default configuration'
  const find = (name: string, input: string): number => {
    const index = names.indexOf(name)
    if (index < 0) throw parameterError(input, `unknown environment '${name}'. Environments in ${where}, in order: ${names.join(', ')}`)
    return index
  }
  if (request.mode === 'auto-deploy') {
    if (request.from)
      throw parameterError('from', `only promotions start from an environment; an auto-deploy brings a new build into '${names[0]}'`)
    const to = request.to === undefined ? 0 : find(request.to, 'to')
    if (to > 0 && !request.allowSkip) {
      throw parameterError(
        'to',
        `auto-deploys land in the first environment, '${names[0]}'; '${request.to}' is reached by promotion, or allow skipping (allow-skip) to deploy there directly`
      )
    }
    return { mode: 'auto-deploy', from: undefined, to: config.environments[to]!, skipped: names.slice(0, to) }
  }
  if (request.from === undefined && request.to === undefined) {
    throw new UserError(`Mode 'promote' needs 'to' (or 'from'): one of ${names.slice(1).join(', ')}`)
  }
  const fromIndex = request.from !== undefined ? find(request.from, 'from') : find(request.to!, 'to') - 1
  const toIndex = request.to !== undefined ? find(request.to, 'to') : fromIndex + 1
  if (fromIndex < 0) throw parameterError('to', `'${request.to}' is the first environment; new builds reach it by auto-deploy`)
  if (toIndex >= names.length) throw parameterError('from', `'${request.from}' is the last environment; there is nothing to promote to`)
  if (toIndex <= fromIndex) {
    throw parameterError(
      'to',
      `'${names[toIndex]}' comes before '${names[fromIndex]}' in ${where} (${names.join(' → ')}); promotions go forward. To roll back, promote the previous tag again.`
    )
  }
  const skipped = names.slice(fromIndex + 1, toIndex)
  if (skipped.length > 0 && !request.allowSkip) {
    throw new UserError(
      `Promoting from '${names[fromIndex]}' to '${names[toIndex]}' skips ${skipped.map((s) => `'${s}'`).join(', ')} (${names.join(' → ')}). Promote one step at a time, or set allow-skip: true.`
    )
  }
  return { mode: 'promote', from: config.environments[fromIndex]!, to: config.environments[toIndex]!, skipped }
}

const PATTERNS: Record<keyof TagValues, string> = {
  app: '', // replaced by the literal app name
  env: '', // replaced by the literal environment name
  sha: '[0-9a-f]{4,40}',
  'long-sha': '[0-9a-f]{40}',
  timestamp: '[0-9]{8}-[0-9]{6}',
  date: '[0-9]{8}',
  time: '[0-9]{6}',
  version: '[0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9A-Za-z.-]+)?',
  branch: '[A-Za-z0-9_.-]+',
  pr: '[0-9]+',
  run: '[0-9]+'
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Reads the values back out of a tag made by a template: `myapp-staging-abc123d` with
 * `{app}-staging-{sha}` gives `{ sha: 'abc123d' }`. Undefined when the tag does not fit.
 */
export function tagValuesFromTemplate(template: string, tag: string, known: { app: string; env: string }): Partial<TagValues> | undefined {
  const groups: string[] = []
  let pattern = ''
  let last = 0
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    pattern += escape(template.slice(last, match.index))
    last = match.index + match[0].length
    const name = match[1]!.trim() as keyof TagValues
    if (!(name in PATTERNS)) return undefined
    if (name === 'app' || name === 'env') {
      pattern += escape(known[name])
      continue
    }
    if (groups.includes(name)) {
      pattern += `\\k<g${groups.indexOf(name)}>`
      continue
    }
    pattern += `(?<g${groups.length}>${PATTERNS[name]})`
    groups.push(name)
  }
  pattern += escape(template.slice(last))
  const match = new RegExp(`^${pattern}$`).exec(tag)
  if (!match) return undefined
  const values: Partial<TagValues> = {}
  groups.forEach((name, i) => (values[name as keyof TagValues] = match.groups![`g${i}`]!))
  if (values['long-sha'] && !values.sha) values.sha = values['long-sha'].slice(0, 7)
  return values
}

/**
 * The templates a tag in `environment` may have been made with, most specific first: the
 * environment's own, then compute-tag's conventions and aliases, then the seed's other forms.
 */
export function candidateTemplates(environment: EnvironmentConfig): string[] {
  const all = [
    environment.tagTemplate,
    DEFAULT_TAG_TEMPLATES[environment.name],
    ...(DEFAULT_ALIAS_TEMPLATES[environment.name] ?? []),
    'sha-{sha}',
    '{app}-{sha}-{timestamp}',
    '{app}-staging-{sha}',
    'staging-{sha}',
    '{app}-v{version}',
    'v{version}',
    '{version}'
  ]
  return [...new Set(all.filter((t): t is string => t !== undefined))]
}

/** What a source tag says about the build: its commit and, for release tags, its version. */
export function describeTag(tag: string, environment: EnvironmentConfig, app: string): Partial<TagValues> {
  for (const template of candidateTemplates(environment)) {
    const values = tagValuesFromTemplate(template, tag, { app, env: environment.name })
    if (values) return values
  }
  return {}
}

export interface TargetTagRequest {
  app: string
  route: PromotionRoute
  /** The tag being promoted (what runs in `from`, or the new build's tag for auto-deploys). */
  sourceTag: string
  /** Given by the user (input `version`); wins over everything else. */
  version?: string | undefined
  /** The app repo's release tags, for a `{version}` the source tag does not carry. */
  releaseTags?: readonly ReleaseTag[] | undefined
  releaseTagPrefix?: string
  /** Whether the target environment's template is applied (`true`) or the source tag kept. */
  retag: boolean
}

export interface TargetTag {
  tag: string
  /** Where `{version}` came from, when the template uses it. */
  versionSource: 'input' | 'tag' | 'release-tag' | undefined
  version: string | undefined
  sha: string | undefined
}

/**
 * The tag the image gets in the target environment, from that environment's `tagTemplate`
 * (dev `sha-{sha}` → staging `{app}-staging-{sha}` → prod `v{version}`). The commit comes from
 * the source tag. The version, when the template needs one, comes from the `version` input, else
 * from the source tag itself (`myapp-v1.3.0`), else from the app repo's release tag on that
 * commit (`v1.3.0` → `1.3.0`); with none of these it is an error that says what to give.
 */
export function targetTag(request: TargetTagRequest): TargetTag {
  const { route, app, sourceTag } = request
  if (!request.retag) return { tag: sourceTag, versionSource: undefined, version: undefined, sha: undefined }
  const described = describeTag(sourceTag, route.from ?? route.to, app)
  const template = route.to.tagTemplate
  const what = `gitops.yaml environments[${route.to.name}].tagTemplate`
  const needs = (name: string) => template.includes(`{${name}}`)
  let version: string | undefined
  let versionSource: TargetTag['versionSource']
  if (needs('version')) {
    if (request.version) {
      version = request.version.replace(/^v/, '')
      versionSource = 'input'
    } else if (described.version) {
      version = described.version
      versionSource = 'tag'
    } else if (described.sha && request.releaseTags) {
      version = releaseVersionOf(described.sha, request.releaseTags, request.releaseTagPrefix ?? 'v')
      versionSource = version ? 'release-tag' : undefined
    }
    if (!version) {
      throw new UserError(
        `The tag for ${route.to.name} (${template}) needs a version, and ${sourceTag} does not carry one. Give ${mentionParameter('version')}, or ${mentionParameter('app-repository')} whose release tag (${request.releaseTagPrefix ?? 'v'}<semver>) is on commit ${described.sha ?? '(unknown: the tag names no commit)'}.`
      )
    }
    if (!semver.valid(version)) throw parameterError('version', `'${version}' is not a semantic version (e.g. 1.3.0)`)
  }
  const sha = described.sha ?? (described['long-sha'] ? described['long-sha'].slice(0, 7) : undefined)
  if ((needs('sha') || needs('long-sha')) && !sha) {
    throw new UserError(
      `The tag for ${route.to.name} (${template}) needs the commit, and '${sourceTag}' names none (expected a form such as ${candidateTemplates(
        route.from ?? route.to
      )
        .slice(0, 3)
        .join(', ')}). Give 'tag' in one of these forms, or set retag: false to keep the tag.`
    )
  }
  const values: TagValues = {
    app,
    env: route.to.name,
    sha: sha ?? '',
    'long-sha': described['long-sha'] ?? '',
    timestamp: described.timestamp ?? '',
    date: described.date ?? described.timestamp?.slice(0, 8) ?? '',
    time: described.time ?? described.timestamp?.slice(9) ?? '',
    version: version ?? '',
    branch: described.branch ?? '',
    pr: described.pr ?? '',
    run: described.run ?? ''
  }
  return { tag: renderTagTemplate(template, values, what), versionSource, version, sha }
}

/** The version of the newest release tag on a commit (`sha` may be short). */
export function releaseVersionOf(sha: string, tags: readonly ReleaseTag[], prefix: string): string | undefined {
  const versions = tags
    .filter((t) => t.sha.startsWith(sha) && t.name.startsWith(prefix))
    .map((t) => semver.valid(t.name.slice(prefix.length)))
    .filter((v): v is string => v !== null)
    .sort(semver.rcompare)
  return versions[0]
}

/** What runs in an environment, read from its overlay on the base branch. */
export interface RunningImage {
  /** The image as the overlay names it (`ghcr.io/org/myapp`). */
  image: string
  tag: string | undefined
  digest: string | undefined
}

export type GateProof = 'new-build' | 'source-overlay' | 'registry-digest'

export interface GateDecision {
  /** The tag that is promoted (before re-tagging to the target's convention). */
  tag: string
  proof: GateProof
  /** One sentence for the PR body and the log. */
  explanation: string
}

/**
 * The promotion gate: what goes to an environment must be what runs in the one before it. The
 * proof is the source overlay on the base branch (same tag, or same pinned digest), or the
 * registry (the requested tag and the running one have the same manifest digest). Anything
 * else is refused, naming what runs where.
 */
export function checkGate(input: {
  route: PromotionRoute
  app: string
  requestedTag: string | undefined
  /** What the source overlay runs; undefined for auto-deploys. */
  source: RunningImage | undefined
  /** Manifest digests from the registry, when one is configured. */
  digests?: { requested?: string | undefined; source?: string | undefined }
}): GateDecision {
  const { route, requestedTag, source } = input
  if (route.mode === 'auto-deploy' || !route.from) {
    if (!requestedTag) throw parameterError('tag', `required for auto-deploys: the tag of the image the app's CI just pushed`)
    return { tag: requestedTag, proof: 'new-build', explanation: `New build ${requestedTag} of ${input.app}.` }
  }
  const from = route.from.name
  if (!source || (!source.tag && !source.digest)) {
    throw new UserError(
      `${input.app} has no image tag in its ${from} overlay on the base branch, so there is nothing proven to promote to ${route.to.name}`
    )
  }
  const running = source.tag ?? source.digest!
  if (requestedTag === undefined || requestedTag === source.tag) {
    return { tag: running, proof: 'source-overlay', explanation: `${running} is what runs in ${from} (its overlay on the base branch).` }
  }
  const requested = input.digests?.requested
  const runningDigest = source.digest ?? input.digests?.source
  if (requested && runningDigest && requested === runningDigest) {
    return {
      tag: requestedTag,
      proof: 'registry-digest',
      explanation: `${requestedTag} has the digest ${requested}, the image that runs in ${from} as ${running}.`
    }
  }
  const why =
    requested && runningDigest
      ? `${requestedTag} is ${requested}, but ${from} runs ${running} (${runningDigest})`
      : `${from} runs ${running}, and no registry was given to prove that ${requestedTag} is the same image`
  throw new UserError(
    `The promotion gate refuses ${input.app} ${requestedTag} for ${route.to.name}: ${why}. Promote what runs in ${from} (leave 'tag' empty), or deploy ${requestedTag} to ${from} first.`
  )
}

/** Finds the one image reference a rendered overlay runs for `image` (a kustomize images[].name or a full name). */
export function runningImageOf(
  references: readonly string[],
  image: string
): { name: string; tag: string | undefined; digest: string | undefined } | undefined {
  const matches = new Map<string, { name: string; tag: string | undefined; digest: string | undefined }>()
  for (const reference of references) {
    const parts = splitImageReference(reference)
    if (sameImageName(parts.name, image) || parts.name.endsWith(`/${image}`)) matches.set(reference, parts)
  }
  if (matches.size > 1) {
    throw new UserError(
      `The overlay runs ${image} under several references (${[...matches.keys()].join(', ')}); name the image exactly with ${mentionParameter('image')}`
    )
  }
  return [...matches.values()][0]
}

/**
 * The image an app's overlays run when no `image` is given: the one image, among the references
 * the overlays render, whose repository is named after the app (`ghcr.io/org/myapp`,
 * `docker.io/team/myapp`, `myapp`); Docker Hub's spellings of one repository count once.
 * Undefined when none is; an error listing them when several are.
 */
export function appImageName(references: Iterable<string>, app: string): string | undefined {
  const found = new Map<string, string>()
  for (const reference of references) {
    const { name } = splitImageReference(reference)
    if (name.split('/').at(-1) === app && !found.has(canonicalImageName(name))) found.set(canonicalImageName(name), name)
  }
  if (found.size > 1) {
    throw parameterError(
      'image',
      `the overlays of ${app} run several images named after it (${[...found.values()].join(', ')}); say which one to promote`
    )
  }
  return [...found.values()][0]
}
