import { describe, expect, test } from 'vitest'
import { parseTemplateTable, renderTagTemplate, timestampParts, type TagValues } from '../src/index.js'

const values: TagValues = {
  app: 'myapp',
  env: 'dev',
  sha: 'abc123d',
  'long-sha': 'abc123d'.padEnd(40, '0'),
  ...timestampParts(new Date('2024-12-01T14:30:22Z')),
  version: '1.2.3',
  branch: 'feature-x',
  pr: '',
  run: '42'
}

describe('renderTagTemplate', () => {
  test.each([
    ['{app}-{sha}-{timestamp}', 'myapp-abc123d-20241201-143022'],
    ['{app}-staging-{sha}', 'myapp-staging-abc123d'],
    ['{app}-v{version}', 'myapp-v1.2.3'],
    ['sha-{sha}', 'sha-abc123d'],
    ['{ app }-{date}.{time}', 'myapp-20241201.143022'],
    ['{branch}-{run}', 'feature-x-42']
  ])('%s → %s', (template, expected) => {
    expect(renderTagTemplate(template, values, 'template')).toBe(expected)
  })

  test.each([
    ['{app}-{nope}', /unknown placeholder \{nope\}.*Valid placeholders are: \{app\}/],
    ['{app}-{sha', /unmatched/],
    ['{app}/{sha}', /produced the tag 'myapp\/abc123d', which is invalid/],
    ['-{app}', /must not start with/],
    ['{app}-{pr}', /uses \{pr\}, which has no value here \(not a pull_request event\)/],
    [`{long-sha}{long-sha}{long-sha}{long-sha}`, /at most 128/]
  ])('%s is refused with a message naming the template', (template, message) => {
    expect(() => renderTagTemplate(template, values, 'Tag template for dev')).toThrow(message)
  })
})

describe('parseTemplateTable', () => {
  test('reads env=template lines and skips comments', () => {
    expect(parseTemplateTable('dev={app}-{sha}\n# note\nqa = qa-{sha}\n', 'tag-template')).toEqual({ dev: '{app}-{sha}', qa: 'qa-{sha}' })
  })
  test('a line without = names the input', () => {
    expect(() => parseTemplateTable('dev={sha}\nbroken', 'tag-template')).toThrow(/^'tag-template': the line 'broken'/)
  })
})

test('timestamps are UTC whatever the local zone', () => {
  expect(timestampParts(new Date('2024-12-31T23:59:59-05:00'))).toEqual({ timestamp: '20250101-045959', date: '20250101', time: '045959' })
})
