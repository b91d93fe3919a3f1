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
