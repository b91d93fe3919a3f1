/** [major, minor, patch, prerelease] of `X.Y.Z[-pre]`, or null. */
export function parseVersion(version: string): [number, number, number, string] | null
/** Semver order for release versions (a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number
/** A workflow as the release publishes it: our actions pinned to `commit` (`# tag`), our reusable workflows to `tag`. */
export function pinWorkflow(text: string, release: { repository: string; commit: string; tag: string }): string
/** The workflow files a release pins (repository paths). */
export function workflowFiles(root: string): string[]
/** The CHANGELOG.md section of `version`, or null. */
export function releaseNotes(changelog: string, version: string): string | null
