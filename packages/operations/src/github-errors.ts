/** The HTTP status of an Octokit error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown })?.status
  return typeof status === 'number' ? status : undefined
}

/** What GitHub said in an error answer: its message and any validation details. */
export function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: string; errors?: Array<{ message?: string } | string> } } })?.response?.data
  const details = (data?.errors ?? []).map((e) => (typeof e === 'string' ? e : (e.message ?? ''))).join('; ')
  return `${data?.message ?? (error as Error)?.message ?? String(error)}${details ? ` (${details})` : ''}`
}
