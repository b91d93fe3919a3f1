import type { GitHubClient } from '@gitops-actions/github'
import type { GitHubStandIn } from '../../../test/github-stand-in/index.js'

/**
 * Plays Flux's notification-controller: its github Provider reports a Kustomization `<app>-<env>`
 * with a commit status on the config-repo commit it applied (the branch head by default). Returns the commit.
 */
export async function fluxReports(
  hub: GitHubStandIn,
  github: GitHubClient,
  report: { repository: string; app: string; env: string; state: 'success' | 'failure' | 'pending'; sha?: string }
): Promise<string> {
  const [owner, repo] = report.repository.split('/') as [string, string]
  const sha = report.sha ?? (await hub.branchHead(report.repository, 'main'))!
  const description = { success: 'Health check passed', failure: 'Health check failed after 3m0s', pending: 'Reconciliation in progress' }
  await github.rest.repos.createCommitStatus({
    owner,
    repo,
    sha,
    context: `kustomization/${report.app}-${report.env}/0c9a1f3e`,
    state: report.state,
    description: description[report.state]
  })
  return sha
}
