/** One challenge of a `WWW-Authenticate` header, e.g. `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  scheme: string
  params: Record<string, string>
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `name=value` or `name="quoted, value"` parameters. Registries send scopes with
 * commas inside quotes (`scope="repository:org/app:pull,push"`), so a plain split is wrong.
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = []
  let i = 0
  const skipSpace = (): void => {
    while (i < header.length && /[\s,]/.test(header[i]!)) i++
  }
  const token = (): string => {
    const start = i
    while (i < header.length && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i]!)) i++
    return header.slice(start, i)
  }
  while (i < header.length) {
    skipSpace()
    const scheme = token()
    if (scheme === '') break
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} }
    challenges.push(challenge)
    for (;;) {
      const save = i
      while (i < header.length && /[\s,]/.test(header[i]!)) i++
      const name = token()
      while (i < header.length && header[i] === ' ') i++
      if (name === '' || header[i] !== '=') {
        i = save
        break
      }
      i++
      while (i < header.length && header[i] === ' ') i++
      let value = ''
      if (header[i] === '"') {
        i++
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i++
          value += header[i]
          i++
        }
        i++
      } else {
        value = token()
      }
      challenge.params[name.toLowerCase()] = value
    }
  }
  return challenges
}
