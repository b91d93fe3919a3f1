/** [major, minor, patch, prerelease] of `X.Y.Z[-pre]`, or null. */
export function parseVersion(version: string): [number, number, number, string] | null
/** Semver order for release versions (a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number
