// The GitHub repository this copy of gitops-actions is published as, from package.json's
// `repository` (`github:owner/name`, `owner/name`, or a github.com URL). One place for the name that
// the workflows' `uses:` lines, the release and `npm run adopt` agree on.

/** `owner/name` of a package.json manifest's `repository`, or undefined when it names none on GitHub. */
export function repositoryOf(manifest) {
  const field = manifest?.repository
  const text = typeof field === 'string' ? field : typeof field?.url === 'string' ? field.url : ''
  const match =
    /^(?:github:)?([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(text) ??
    /^(?:git\+)?(?:https?|ssh|git):\/\/(?:git@)?github\.com[/:]([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(text)
  return match ? `${match[1]}/${match[2]}` : undefined
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** True for a valid GitHub `owner/name`. */
export function isRepositoryName(value) {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(value) && !/\/\.{1,2}$/.test(value)
}
