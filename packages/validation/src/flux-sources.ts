import type { KubeObject, Manifest } from '@gitops-actions/core'

/**
 * Which Flux sources are this checkout. A GitRepository is this repository's content only when its
 * URL names the repository and it follows the branch this checkout is for: a tenant on another
 * branch of the same repository (flux2-multi-tenancy's `dev-team`), a release tag, a semver range or a
 * pinned commit are other content, so paths read through them are not checked here.
 */

export const SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'Bucket', 'HelmRepository', 'HelmChart', 'ExternalArtifact']

/** A `sourceRef` / `chartRef` as written: kind, name and an optional namespace. */
export interface SourceRef {
  kind?: string | undefined
  name?: string | undefined
  namespace?: string | undefined
}

export function sourceRefOf(value: unknown): SourceRef {
  if (!value || typeof value !== 'object') return {}
  const text = (key: string) => {
    const field = (value as Record<string, unknown>)[key]
    return typeof field === 'string' ? field : undefined
  }
  return { kind: text('kind'), name: text('name'), namespace: text('namespace') }
}

/** What a Git source follows: a branch, or something that is not the checkout's moving branch. */
export type GitFollows = { branch: string | undefined } | { other: string }

/** The ref of a GitRepository (`spec.ref`): commit, tag, semver and name win over branch, as in source-controller. */
export function gitFollows(object: KubeObject): GitFollows {
  const ref = ((object.spec as { ref?: Record<string, unknown> } | undefined)?.ref ?? {}) as Record<string, unknown>
  const text = (key: string) => (typeof ref[key] === 'string' && ref[key] !== '' ? (ref[key] as string) : undefined)
  const commit = text('commit')
  if (commit) return { other: `commit ${commit}` }
  const name = text('name')
  if (name?.startsWith('refs/heads/')) return { branch: name.slice('refs/heads/'.length) }
  if (name) return { other: name.startsWith('refs/tags/') ? `tag ${name.slice('refs/tags/'.length)}` : `ref ${name}` }
  const semver = text('semver')
  if (semver) return { other: `semver range ${semver}` }
  const tag = text('tag')
  if (tag) return { other: `tag ${tag}` }
  return { branch: text('branch') }
}

/** Whether a Git URL (https, ssh, scp-like) names owner/name. */
export function urlNamesRepository(url: string, repository: string): boolean {
  const path = url
    .trim()
    .replace(/\.git\/?$/, '')
    .replace(/\/+$/, '')
    .toLowerCase()
  const wanted = repository.toLowerCase()
  return path.endsWith(`/${wanted}`) || path.endsWith(`:${wanted}`)
}

export interface CheckoutIdentity {
  /** owner/name of the repository being validated (GITHUB_REPOSITORY). */
  repository?: string | undefined
  /** The branches this checkout's content is synced from, when the run knows them. */
  branches?: readonly string[] | undefined
}

/** The answer for one reference to a source. */
export type SourceResolution = { status: 'local' } | { status: 'external'; note: string }

/**
 * The sources committed in this repository, and which of them are the checkout. The bootstrap
 * `flux-system/flux-system` GitRepository is what the cluster syncs this repository from, so the
 * branches it follows are the checkout's; without one committed, the branches the run names; without
 * either, a GitRepository of this repository is taken for the checkout whatever branch it names.
 */
export class FluxSources {
  readonly sources: readonly Manifest[]
  private readonly checkoutBranches: ReadonlySet<string> | undefined

  constructor(
    objects: readonly Manifest[],
    private readonly checkout: CheckoutIdentity = {}
  ) {
    this.sources = objects.filter((m) => SOURCE_KINDS.includes(String(m.object.kind)))
    const branches = new Set<string>()
    for (const bootstrap of this.sources) {
      if (bootstrap.object.kind !== 'GitRepository' || !isBootstrap(bootstrap.object) || !this.namesCheckout(bootstrap.object)) continue
      const follows = gitFollows(bootstrap.object)
      if ('branch' in follows && follows.branch) branches.add(follows.branch)
    }
    for (const branch of branches.size === 0 ? (checkout.branches ?? []) : []) branches.add(branch)
    this.checkoutBranches = branches.size > 0 ? branches : undefined
  }

  /** The committed source a reference names (its namespace defaulting to the referrer's), if any. */
  find(ref: SourceRef, referrerNamespace: string): Manifest | undefined {
    const namespace = ref.namespace ?? referrerNamespace
    return this.sources.find(
      (s) =>
        s.object.kind === ref.kind && s.object.metadata?.name === ref.name && (s.object.metadata?.namespace ?? 'flux-system') === namespace
    )
  }

  /** Whether a GitRepository reference reads this checkout (other kinds are the caller's business). */
  resolveGit(ref: SourceRef, referrerNamespace: string): SourceResolution {
    const namespace = ref.namespace ?? referrerNamespace
    const defined = this.find(ref, referrerNamespace)
    if (!defined) {
      // The bootstrap source is generated by `flux bootstrap` and often not committed.
      if (ref.name === 'flux-system') return { status: 'local' }
      return {
        status: 'external',
        note: `GitRepository ${namespace}/${ref.name ?? '?'} is not defined in this repository (created at bootstrap or in another repository)`
      }
    }
    const url = String((defined.object.spec as { url?: unknown } | undefined)?.url ?? '')
    if (!this.namesCheckout(defined.object)) {
      return {
        status: 'external',
        note: `GitRepository ${namespace}/${ref.name} points at ${url || 'no URL'}, not this repository${this.checkout.repository ? ` (${this.checkout.repository})` : ''}`
      }
    }
    const follows = gitFollows(defined.object)
    if ('other' in follows) {
      return {
        status: 'external',
        note: `GitRepository ${namespace}/${ref.name} follows ${follows.other} of this repository, not the checkout`
      }
    }
    if (follows.branch && this.checkoutBranches && !this.checkoutBranches.has(follows.branch)) {
      return {
        status: 'external',
        note: `GitRepository ${namespace}/${ref.name} follows branch ${follows.branch} of this repository, not ${[...this.checkoutBranches].join(' or ')} that the cluster syncs from here`
      }
    }
    return { status: 'local' }
  }

  /** Without the repository's name, the bootstrap source is this repository, as when it is not committed. */
  private namesCheckout(object: KubeObject): boolean {
    const url = String((object.spec as { url?: unknown } | undefined)?.url ?? '')
    return this.checkout.repository ? urlNamesRepository(url, this.checkout.repository) : isBootstrap(object)
  }
}

function isBootstrap(object: KubeObject): boolean {
  return object.metadata?.name === 'flux-system' && (object.metadata?.namespace ?? 'flux-system') === 'flux-system'
}
