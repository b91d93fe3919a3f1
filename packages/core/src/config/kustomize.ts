/**
 * The `kustomize` section of gitops.yaml: what a kustomize build of the repository may reach beyond
 * it. Every render runs offline unless `remoteResources` names the host a remote entry fetches
 * from: a pull request is checked on the runner, and a remote resource there is a request to any
 * address the runner can reach.
 */
export interface KustomizeConfig {
  /** Hosts remote resources, git bases and helm chart repositories may come from (`github.com`, `*.example.com`); empty: none. */
  remoteResources: string[]
}

export interface KustomizeInput {
  remoteResources?: string[]
}

/** A host name, or `*.` and a domain for its subdomains; no scheme, port or path. */
export const REMOTE_HOST_PATTERN = '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'

export const kustomizeSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'What kustomize builds may fetch: remote resources are refused unless their host is listed.',
  properties: {
    remoteResources: {
      type: 'array',
      items: { type: 'string', pattern: REMOTE_HOST_PATTERN, description: 'a host name such as github.com or *.example.com' }
    }
  }
} as const

export function completeKustomize(input: KustomizeInput | undefined): KustomizeConfig {
  return { remoteResources: (input?.remoteResources ?? []).map((host) => host.toLowerCase()) }
}
