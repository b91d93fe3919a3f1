/** The tracked files that name the repository: workflows and docs, not history (CHANGELOG), builds or tests. */
export function adoptedFiles(files: readonly string[]): string[]
/** `text` with every mention of `from` as a whole name (`from/…`, `from@…`, `from`) naming `to`. */
export function renameRepository(text: string, from: string, to: string): string
/** `manifest` (package.json) as published as `target` (owner/name): its `repository` names it. */
export function adoptedManifest<T extends object>(manifest: T, target: string): T & { repository: { type: 'git'; url: string } }
