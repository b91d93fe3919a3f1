import { describe, expect, test } from 'vitest'
import { formatImageReference, imageNameProblem, parseImageReference, tagProblem } from '../src/index.js'

const digest = 'sha256:' + 'a'.repeat(64)

describe('tagProblem', () => {
  test.each(['v1.2.3', 'myapp-abc123d-20241201-143022', '_x', 'A.b-c_d', 'x'.repeat(128)])('%s is valid', (tag) => {
    expect(tagProblem(tag)).toBeUndefined()
  })
  test.each([
    ['', /empty/],
    ['x'.repeat(129), /129 characters/],
    ['{{ .Values.imageTag }}', /found '\{'/],
    ['.hidden', /must not start/],
    ['-x', /must not start/],
    ['a:b', /found ':'/]
  ])('%j is invalid', (tag, message) => {
    expect(tagProblem(tag)).toMatch(message)
  })
})

describe('parseImageReference', () => {
  test.each([
    ['myapp', { registry: undefined, repository: 'myapp', tag: undefined, digest: undefined }],
    ['ghcr.io/org/myapp:sha-abc123d', { registry: 'ghcr.io', repository: 'org/myapp', tag: 'sha-abc123d', digest: undefined }],
    ['localhost:5000/myapp:v1@' + digest, { registry: 'localhost:5000', repository: 'myapp', tag: 'v1', digest }],
    ['org/myapp@' + digest, { registry: undefined, repository: 'org/myapp', tag: undefined, digest }]
  ])('%s', (text, expected) => {
    const parsed = parseImageReference(text)
    expect(parsed).toEqual(expected)
    expect(formatImageReference(parsed)).toBe(text)
  })
  test.each([
    ['ghcr.io/Org/myapp', /'Org' is not a valid repository path component/],
    ['myapp:{{ .Values.imageTag }}', /not start|found/],
    ['myapp@sha256:xyz', /not a valid digest/],
    ['bad_host:x:y/app', /not a valid registry host|not a valid repository/]
  ])('%s is refused', (text, message) => {
    expect(() => parseImageReference(text, 'image')).toThrow(message)
  })
  test('names longer than 255 characters are refused', () => {
    expect(imageNameProblem('a'.repeat(256))).toMatch(/255/)
  })
})
