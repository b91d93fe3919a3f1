import { parameterError } from '../errors.js'
import { fluxImagePolicyFilter, type FluxImagePolicyFilter } from './flux-image-policy.js'
import { imageNameProblem } from './image-reference.js'
import { ociLabels, type LabelFacts } from './oci-labels.js'
import { DEFAULT_ALIAS_TEMPLATES, DEFAULT_TAG_TEMPLATES, placeholdersOf, renderTagTemplate, type TagValues } from './tag-template.js'

export interface TagPlanRequest {
  environment: string
  /** Image names without tag (`ghcr.io/org/myapp`); may be empty when only the tag is wanted. */
  images: readonly string[]
  /** Templates by environment, the user's over the seed's defaults. */
  templates: Readonly<Record<string, string>>
  /** Alias templates; undefined means the defaults for the environment. */
  aliasTemplates: readonly string[] | undefined
  values: TagValues
  labels: Omit<LabelFacts, 'version'>
}

export interface TagPlan {
  tag: string
  template: string
  aliases: string[]
  /** Full references `image:tag` for every image and every tag, main tag first. */
  tags: string[]
  labels: string[]
  fluxImagePolicy: FluxImagePolicyFilter | undefined
}

const APP_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/** Checks an app name: it becomes part of tags, branch names and paths (`apps/<app>/`). */
export function checkAppName(app: string, input = 'app'): void {
  if (!APP_NAME.test(app)) {
    throw parameterError(
      input,
      `'${app}' is not a valid app name (lower-case letters, digits and '-', at most 63 characters, as in a Kubernetes name)`
    )
  }
}

/** Whether the template for an environment needs a semantic version. */
export function templateNeedsVersion(
  templates: Readonly<Record<string, string>>,
  environment: string,
  aliases: readonly string[] | undefined
): boolean {
  const template = templates[environment]
  const all = [template ?? '', ...(aliases ?? DEFAULT_ALIAS_TEMPLATES[environment] ?? [])]
  return all.some((t) => placeholdersOf(t).includes('version'))
}

/** The full template table: the seed's defaults with the user's entries on top. */
export function templateTable(user: Readonly<Record<string, string>>): Record<string, string> {
  return { ...DEFAULT_TAG_TEMPLATES, ...user }
}

/** Plans the tags, references and labels of one build. Pure: every fact comes in `request`. */
export function planTags(request: TagPlanRequest): TagPlan {
  checkAppName(request.values.app)
  const template = request.templates[request.environment]
  if (template === undefined) {
    throw parameterError(
      'environment',
      `no tag template for '${request.environment}'. Known environments: ${Object.keys(request.templates).join(', ')}; add '${request.environment}=<template>' to the tag templates`
    )
  }
  const tag = renderTagTemplate(template, request.values, `Tag template for ${request.environment}`)
  const aliasTemplates = request.aliasTemplates ?? DEFAULT_ALIAS_TEMPLATES[request.environment] ?? []
  const aliases = [...new Set(aliasTemplates.map((t) => renderTagTemplate(t, request.values, 'Alias template')))].filter((a) => a !== tag)
  for (const image of request.images) {
    const problem = imageNameProblem(image)
    if (problem) throw parameterError('image', `'${image}' is not a valid image name: ${problem}`)
  }
  const tags = request.images.flatMap((image) => [tag, ...aliases].map((t) => `${image}:${t}`))
  return {
    tag,
    template,
    aliases,
    tags,
    labels: ociLabels({ ...request.labels, version: request.values.version || tag }),
    fluxImagePolicy: fluxImagePolicyFilter(template, request.values as unknown as Record<string, string>)
  }
}
