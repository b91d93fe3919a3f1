import { errorMessage, subjectError } from '../errors.js'
import type { SourceLocation } from '../source-location.js'
import { parseYamlFile, toPlain } from '../yaml-source.js'
import { parsePreset, parseReleaseRules, PRESETS, type Preset, type ReleaseRule } from '../tags/release-rules.js'
import { DEFAULT_RELEASE_ANALYSIS, type ReleaseAnalysis } from '../tags/version-bump.js'

/**
 * The `versioning` section of gitops.yaml: how compute-tag turns commits into the next version,
 * with semantic-release's commit-analyzer options (`preset`, `releaseRules`). compute-tag reads
 * it from the gitops.yaml of the checkout it versions (the app repository); its `preset` and
 * `release-rules` inputs take precedence.
 */
export type VersioningConfig = ReleaseAnalysis

export interface VersioningInput {
  preset?: string
  releaseRules?: unknown[]
}

export const versioningSchema = {
  type: 'object',
  additionalProperties: false,
  description: "How compute-tag derives the next version from commits (semantic-release's commit-analyzer options).",
  properties: {
    preset: { type: 'string', enum: [...PRESETS] },
    // Each rule is checked by parseReleaseRules, which names the rule and the field.
    releaseRules: { type: 'array', items: {} }
  }
} as const

export function completeVersioning(
  input: VersioningInput | undefined,
  file: string,
  locate: (path: Array<string | number>) => SourceLocation | undefined
): VersioningConfig {
  if (!input) return DEFAULT_RELEASE_ANALYSIS
  const preset: Preset =
    input.preset === undefined ? 'angular' : parsePreset(input.preset, `${file}: versioning.preset`, locate(['preset']))
  const releaseRules =
    input.releaseRules === undefined
      ? []
      : parseReleaseRules(input.releaseRules, `${file}: versioning.releaseRules`, (path) => locate(['releaseRules', ...path]))
  return { preset, releaseRules }
}

/** Release rules written as YAML or JSON in one parameter (an action input, a CLI option). */
export function releaseRulesFromText(text: string, parameter: string): ReleaseRule[] {
  let value: unknown
  try {
    value = toPlain(parseYamlFile(text, parameter))
  } catch (error) {
    throw subjectError({ parameter }, `not a YAML or JSON list of rules: ${errorMessage(error).replace(/^[^:]*: /, '')}`)
  }
  return parseReleaseRules(value, { parameter })
}
