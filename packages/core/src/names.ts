/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/**
 * The candidate a mistyped name most likely meant (case ignored), for "did you mean" hints:
 * the closest one within a third of the name's length (at least 1, at most 3 edits); undefined
 * when none is that close.
 */
export function nearestName<T extends string>(name: string, candidates: Iterable<T>): T | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)))
  let best: { candidate: T; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(candidate.toLowerCase(), name.toLowerCase())
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance }
  }
  return best?.candidate
}

/** ` (did you mean 'x'?)` when a candidate is a typo away from `name`, else nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const near = nearestName(name, candidates)
  return near ? ` (did you mean '${near}'?)` : ''
}
