import {
  enoughEvidence,
  releaseVersionOf,
  verifyEnvironment,
  type CollectStatusOptions,
  type GitHubRequester,
  type ImageStatus,
  type ReleaseTag
} from '@gitops-actions/core'
import { healthEvidence } from '@gitops-actions/github'
import type { RegistryClient } from '@gitops-actions/oci'

type VersionOf = NonNullable<CollectStatusOptions['versionOf']>
type HealthOf = NonNullable<CollectStatusOptions['healthOf']>

/**
 * The version of a build from the app repository's release tags: the newest `<prefix><semver>`
 * tag on the commit its tag names (`sha-abc123d` → `v1.3.0` on abc123d… → 1.3.0). The tags are
 * read once, when an image first needs them.
 */
export function releaseTagVersions(tags: () => Promise<readonly ReleaseTag[] | undefined>, prefix: string): VersionOf {
  let loaded: Promise<readonly ReleaseTag[] | undefined> | undefined
  return async (image) => {
    if (!image.commit) return undefined
    const version = releaseVersionOf(image.commit, (await (loaded ??= tags())) ?? [], prefix)
    return version ? { version, from: 'release-tag' } : undefined
  }
}

/** The label OCI images carry their version in (docker/metadata-action and compute-tag set it). */
export const OCI_VERSION_LABEL = 'org.opencontainers.image.version'

/**
 * The version of a build from its image's `org.opencontainers.image.version` label, for images
 * of `client`'s registry (`<registry>/<repository>`); each reference is read once. A registry
 * that cannot be read gives no version, never an error: the status informs, it does not gate.
 */
export function ociLabelVersions(client: RegistryClient): VersionOf {
  const seen = new Map<string, Promise<string | undefined>>()
  return async (image: ImageStatus) => {
    const prefix = `${client.registry}/`
    const reference = image.digest ?? image.tag
    if (!image.repository.startsWith(prefix) || !reference) return undefined
    const repository = image.repository.slice(prefix.length)
    const key = `${repository}@${reference}`
    if (!seen.has(key)) {
      seen.set(
        key,
        client.imageLabels(repository, reference).then(
          (labels) => labels?.[OCI_VERSION_LABEL],
          () => undefined
        )
      )
    }
    const version = await seen.get(key)
    return version ? { version: version.replace(/^v/, ''), from: 'oci-label' } : undefined
  }
}

/** The first source that knows an image's version. */
export function firstVersionOf(...sources: ReadonlyArray<VersionOf | undefined>): VersionOf | undefined {
  const known = sources.filter((s): s is VersionOf => s !== undefined)
  if (known.length === 0) return undefined
  return async (image, app) => {
    for (const source of known) {
      const found = await source(image, app)
      if (found) return found
    }
    return undefined
  }
}

/**
 * Flux's verdict per cell from the config repository's commit statuses on GitHub (see
 * healthEvidence): 2–3 requests per cell plus one per commit whose statuses are read.
 */
export function githubHealth(github: GitHubRequester, repository: { owner: string; repo: string }, base: string, now: Date): HealthOf {
  return async (app, environment, overlay) => {
    const evidence = await healthEvidence(github, repository, {
      branch: base,
      overlay,
      enough: (found) => enoughEvidence({ app, environment, evidence: found, now })
    })
    return verifyEnvironment({ app, environment, evidence, now })
  }
}
