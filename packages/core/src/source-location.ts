import { posix } from 'node:path'

/** A place in a file of the user's repository, 1-based, as GitHub annotations want it. */
export interface SourceLocation {
  /** Path relative to the repository root, with forward slashes. */
  file: string
  line?: number | undefined
  column?: number | undefined
  endLine?: number | undefined
}

/** `file:line:column`, the form editors and terminals turn into links. */
export function formatLocation(location: SourceLocation): string {
  let text = location.file
  if (location.line !== undefined) {
    text += `:${location.line}`
    if (location.column !== undefined) text += `:${location.column}`
  }
  return text
}

/**
 * `location` with its file given from one directory up the tree: a file of the repository checked
 * out in `config/` of the workspace becomes `config/gitops.yaml`, the path GitHub needs to place an
 * annotation. `prefix` is the checkout's path from there (`config`, `./config/`, `../x`); `.` or ''
 * leave the location as is.
 */
export function prefixLocation<T extends SourceLocation>(location: T, prefix: string): T {
  const file = posix.join(prefix || '.', location.file)
  return file === location.file ? location : { ...location, file }
}
