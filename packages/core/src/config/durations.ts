/** Units of a gitops.yaml duration (`90m`, `24h`, `1d12h`), in milliseconds. */
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** The schema pattern of a duration: one or more `<number><unit>`, units s, m, h, d. */
export const DURATION_PATTERN = '^([0-9]+[smhd])+$'

/** Milliseconds of a duration such as `24h` or `1d12h`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!new RegExp(DURATION_PATTERN).test(text)) return undefined
  let total = 0
  for (const [, amount, unit] of text.matchAll(/([0-9]+)([smhd])/g)) total += Number(amount) * UNITS[unit!]!
  return total
}

/** A duration for people, largest units first: `1d 2h`, `45m`, `30s` (at most two units). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return '0s'
  const parts: string[] = []
  let rest = Math.floor(ms / 1000) * 1000
  for (const [unit, size] of Object.entries(UNITS).reverse()) {
    if (rest < size) continue
    parts.push(`${Math.floor(rest / size)}${unit}`)
    rest %= size
  }
  return parts.slice(0, 2).join(' ')
}
