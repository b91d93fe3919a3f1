import * as core from '@actions/core'

export type OutputValue = string | number | boolean | readonly string[] | undefined

/** How an output value is written: lists newline-separated (as docker/build-push-action reads them). */
export function formatOutput(value: OutputValue): string {
  if (value === undefined) return ''
  if (Array.isArray(value)) return value.join('\n')
  return String(value)
}

/**
 * Writes the outputs, then `json` with the full result. Every action has a `json` output so a
 * workflow can read fields that have no output of their own with fromJSON().
 */
export function setOutputs(outputs: Record<string, OutputValue>, result: unknown): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, formatOutput(value))
  core.setOutput('json', JSON.stringify(result))
}
