import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  checkCodeowners,
  CODEOWNERS_LOCATIONS,
  checkPolicies,
  checkQuotas,
  loadCel,
  usesCel,
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
  if (usesCel(manifests, config)) await loadCel()
  return { findings: checkPolicies(manifests, config, options), note: `${manifests.length} object(s)` }
}

export async function runQuota(
  manifests: readonly Manifest[],
  config: GitopsConfig
): Promise<CheckOutcome & { namespaces: NamespaceUsage[] }> {
  const { findings, namespaces } = checkQuotas(manifests, config)
  return { findings, namespaces, note: `${namespaces.length} namespace(s)` }
}

/**
 * The CODEOWNERS check over every file of the repository, or, for a pull request that changes
 * neither CODEOWNERS nor gitops.yaml, over the files it changes: a file's owners depend only on its
 * path and CODEOWNERS, so the files it leaves alone are owned as they were on the base branch.
 */
export async function runCodeowners(repoRoot: string, config: GitopsConfig, changedFiles?: readonly string[]): Promise<CheckOutcome> {
  const rulesChanged = changedFiles?.some((file) => (CODEOWNERS_LOCATIONS as readonly string[]).includes(file) || file === config.file)
  if (changedFiles && !rulesChanged) {
    const files = changedFiles.filter((file) => existsSync(join(repoRoot, file)))
    return { findings: checkCodeowners({ root: repoRoot, files }, config), note: `${files.length} changed file(s)` }
  }
  const files = await listRepoFiles(repoRoot)
  return { findings: checkCodeowners({ root: repoRoot, files }, config), note: `${files.length} file(s)` }
}
