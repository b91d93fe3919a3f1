/** `owner/name` of a package.json manifest's `repository`, or undefined when it names none on GitHub. */
export function repositoryOf(manifest: unknown): string | undefined
/** True for a valid GitHub `owner/name`. */
export function isRepositoryName(value: string): boolean
/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string
