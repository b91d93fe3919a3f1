import {
  checkCodeowners,
  checkPolicies,
  checkQuotas,
  type Finding,
  type GitopsConfig,
  type Manifest,
  type NamespaceUsage
} from '@gitops-actions/core'
import { listRepoFiles } from './source-files.js'

/** The checks whose rules live in core (policies, quotas, CODEOWNERS), in the report's shape. */

export interface CheckOutcome {
  findings: Finding[]
  note?: string | undefined
}

export async function runPolicy(manifests: readonly Manifest[], config: GitopsConfig, options: { now: Date }): Promise<CheckOutcome> {
  return { findings: checkPolicies(manifests, config, options), note: `${manifests.length} object(s)` }
}

export async function runQuota(
  manifests: readonly Manifest[],
  config: GitopsConfig
): Promise<CheckOutcome & { namespaces: NamespaceUsage[] }> {
  const { findings, namespaces } = checkQuotas(manifests, config)
  return { findings, namespaces, note: `${namespaces.length} namespace(s)` }
}

export async function runCodeowners(repoRoot: string, config: GitopsConfig): Promise<CheckOutcome> {
  const files = await listRepoFiles(repoRoot)
  return { findings: checkCodeowners({ root: repoRoot, files }, config), note: `${files.length} file(s)` }
}
