import { expect, test } from 'vitest'
import { fluxImagePolicyFilter } from '../src/index.js'

const values = { app: 'myapp', env: 'dev' }

// Flux evaluates the pattern with Go's RE2; (?P<name>) is its named-group syntax. JavaScript
// spells it (?<name>), so the test converts it to check the pattern against real tags.
function matches(pattern: string, tag: string): RegExpExecArray | null {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<')).exec(tag)
}

test('dev tags sort by their timestamp, not by the sha in front of it', () => {
  const filter = fluxImagePolicyFilter('{app}-{sha}-{timestamp}', values)!
  expect(filter).toMatchObject({ extract: '$ts', policy: { alphabetical: { order: 'asc' } } })
  const tags = ['myapp-fff0000-20241201-143022', 'myapp-0000aaa-20241202-090000', 'other-abc1234-20250101-000000', 'myapp-staging-abc1234']
  const extracted = tags.map((tag) => matches(filter.pattern, tag)?.groups?.ts).filter(Boolean)
  expect(extracted).toEqual(['20241201-143022', '20241202-090000'])
  expect(extracted.sort().at(-1)).toBe('20241202-090000')
})

test('prod tags are ordered by semver', () => {
  const filter = fluxImagePolicyFilter('{app}-v{version}', values)!
  expect(filter.policy).toEqual({ semver: { range: '>=0.0.0' } })
  expect(matches(filter.pattern, 'myapp-v1.10.0')?.groups?.version).toBe('1.10.0')
  expect(matches(filter.pattern, 'myapp.v1.10.0')).toBeNull()
})

test('a template with nothing to order by has no filter', () => {
  expect(fluxImagePolicyFilter('{app}-staging-{sha}', values)).toBeUndefined()
})
