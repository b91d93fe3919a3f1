import { loadGitopsConfig, releaseRulesFromText, type Preset, type ReleaseAnalysis } from '@gitops-actions/core'

/**
 * How compute-tag decides versions: the caller's preset and release rules (given as YAML or JSON
 * text) over the checkout's gitops.yaml `versioning` section. Loaded on demand (a chunk of the
 * bundle): gitops.yaml's loader and the YAML parser cost start-up time that a dev tag never needs.
 */
export function releaseAnalysisOf(cwd: string, preset: Preset | undefined, releaseRulesText: string | undefined): ReleaseAnalysis {
  const releaseRules = releaseRulesText === undefined ? undefined : releaseRulesFromText(releaseRulesText, 'release-rules')
  const configured = preset !== undefined && releaseRules !== undefined ? undefined : loadGitopsConfig(cwd).versioning
  return { preset: preset ?? configured!.preset, releaseRules: releaseRules ?? configured!.releaseRules }
}
