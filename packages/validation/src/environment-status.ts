import { relative, sep } from 'node:path'
import { collectEnvironmentStatus, type EnvironmentStatus, type GitopsConfig, type Manifest } from '@gitops-actions/core'
import { render } from '@gitops-actions/kustomize'
import { stringify } from 'yaml'

/**
 * The environment status (which tag runs where, what lags, what drifts) from the renders this
 * validation already made, so a repo with hundreds of apps pays no second kustomize call per
 * overlay. An overlay it did not render (another shard's, or one whose batch failed) is rendered
 * on its own; kustomize's error then shows in the status as it does in the CLI.
 */
export async function statusFromRenders(
  repoRoot: string,
  config: GitopsConfig,
  rendered: ReadonlyMap<string, readonly Manifest[]>,
  flags: readonly string[] = []
): Promise<EnvironmentStatus> {
  return collectEnvironmentStatus(repoRoot, {
    config,
    render: async (directory) => {
      const manifests = rendered.get(relative(repoRoot, directory).split(sep).join('/'))
      if (!manifests) return render(directory, { flags, repoRoot, remoteHosts: config.kustomize.remoteResources })
      return manifests.map((m) => stringify(m.object)).join('---\n')
    }
  })
}
