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
/** What a release tags: the version, its tag, the major tag to move (null for a pre-release), the commit released. */
export interface ReleasePlan {
  version: string
  tag: string
  major: string | null
  commit: string
  previousMajor: string | null
  repository: string
}
/** Checks everything (see release.mjs) and returns the plan; throws with the first thing that is wrong. */
export function planRelease(
  root: string,
  options?: { runningIn?: string | undefined; staleOutputs?: (root: string) => string[] }
): ReleasePlan
/** Makes the release commit, tags it vX.Y.Z and moves vX there; pushes both to `remote` with `push`. */
export function applyRelease(root: string, plan: ReleasePlan, options?: { push?: boolean; remote?: string }): void
