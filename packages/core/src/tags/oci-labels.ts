/** What the OCI image-spec annotations describe about an image build. */
export interface LabelFacts {
  title: string
  /** Full commit id. */
  revision: string
  version: string
  created: Date
  /** Repository web URL, e.g. https://github.com/org/myapp. */
  source: string | undefined
}

/**
 * `org.opencontainers.image.*` labels as `key=value` lines, the format docker/build-push-action's
 * `labels` input reads.
 */
export function ociLabels(facts: LabelFacts): string[] {
  const labels: Array<[string, string | undefined]> = [
    ['org.opencontainers.image.title', facts.title],
    ['org.opencontainers.image.revision', facts.revision],
    ['org.opencontainers.image.version', facts.version],
    ['org.opencontainers.image.created', facts.created.toISOString()],
    ['org.opencontainers.image.source', facts.source],
    ['org.opencontainers.image.url', facts.source]
  ]
  return labels.filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => `${key}=${value}`)
}
