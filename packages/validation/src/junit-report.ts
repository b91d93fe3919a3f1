import { formatLocation, type Finding, type Severity } from '@gitops-actions/core'
import type { ValidateResult } from './validate.js'

/**
 * A validation run as JUnit XML, the form CI test reports read (GitLab, Jenkins, Azure, test-reporter
 * actions): one <testsuite> per check, one <testcase> per finding, and one passing <testcase> for a
 * check that found nothing. A finding that fails the run (at `failOn` or worse) is a <failure>;
 * one below it passes with its text in <system-out>, so the failures counted are exactly what makes
 * the command exit 1.
 */
export function toJUnit(result: ValidateResult, options: { failOn: Severity; toolName: string }): string {
  const fails = (f: Finding) => RANK[f.severity] >= RANK[options.failOn]
  const seconds = (result.stats.durationMs / 1000).toFixed(3)
  const suites = result.checks.map((check) => {
    const cases =
      check.findings.length === 0
        ? [`    <testcase classname="${xml(check.title)}" name="${xml(check.title)}"/>`]
        : check.findings.map((finding) => testCase(check.title, finding, fails(finding)))
    const failures = check.findings.filter(fails).length
    return [
      `  <testsuite name="${xml(check.title)}" tests="${Math.max(check.findings.length, 1)}" failures="${failures}" errors="0" skipped="0">`,
      ...cases,
      '  </testsuite>'
    ].join('\n')
  })
  const tests = result.checks.reduce((n, c) => n + Math.max(c.findings.length, 1), 0)
  const failures = result.findings.filter(fails).length
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(options.toolName)}" tests="${tests}" failures="${failures}" errors="0" time="${seconds}">`,
    ...suites,
    '</testsuites>',
    ''
  ].join('\n')
}

const RANK: Record<Severity, number> = { error: 2, warning: 1, notice: 0 }

function testCase(check: string, finding: Finding, failing: boolean): string {
  const where = finding.location ? formatLocation(finding.location) : undefined
  const attributes = [
    `classname="${xml(check)}"`,
    `name="${xml(`${finding.ruleId}${where ? ` ${where}` : ''}`)}"`,
    ...(finding.location ? [`file="${xml(finding.location.file)}"`, `line="${finding.location.line}"`] : [])
  ].join(' ')
  const text = `${finding.severity}: ${where ? `${where}: ` : ''}${finding.message}`
  const body = failing
    ? `<failure type="${xml(finding.ruleId)}" message="${xml(finding.message)}">${xml(text)}</failure>`
    : `<system-out>${xml(text)}</system-out>`
  return `    <testcase ${attributes}>${body}</testcase>`
}

/**
 * Text as XML character data or an attribute value: markup characters escaped, and characters
 * XML 1.0 cannot carry at all (most C0 controls, lone surrogates) replaced, since a finding's
 * message can quote a file's bytes.
 */
function xml(text: string): string {
  return text
    .replace(NOT_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
}

/** Characters XML 1.0 cannot carry: C0 controls but tab, newline and return; U+FFFE/U+FFFF; lone surrogates. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
