import { cpSync, existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import Ajv from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import { JSDOM } from 'jsdom'
import { beforeAll, describe, expect, test } from 'vitest'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { repoRoot } from '../../../test/harness/run-action.js'
import { repositoryOf } from '../../../scripts/lib/repository.mjs'
import { EXAMPLE, runBin } from './test-terminal.js'

type BinRun = Awaited<ReturnType<typeof runBin>>

const PROD = 'apps/myapp/overlays/prod/kustomization.yaml'

/**
 * SARIF 2.1.0's JSON schema as Microsoft's SARIF SDK for JavaScript ships it (@microsoft/jest-sarif,
 * the schema its matchers validate with), compiled by Ajv's draft-04 class. The schema's patterns
 * are ECMAScript regular expressions, not Unicode-mode ones (one has a stray `]`), hence unicodeRegExp off.
 */
function sarifValidator() {
  const require = createRequire(import.meta.url)
  const path = join(require.resolve('@microsoft/jest-sarif/package.json'), '..', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json')
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })
  addFormats(ajv)
  return ajv.compile(JSON.parse(readFileSync(path, 'utf8')))
}

/** An XML document parsed by jsdom's XML parser (saxes, well-formedness enforced); throws on malformed XML. */
function parseXml(text: string): Document {
  const document = new new JSDOM('').window.DOMParser().parseFromString(text, 'application/xml')
  const error = document.getElementsByTagName('parsererror')[0]
  if (error) throw new Error(`not well-formed XML: ${error.textContent}`)
  return document
}

// The config repo lives in config/ of a git repository, as a monorepo keeps it: SARIF names files from
// the git root, the other outputs from where the command runs. Prod deploys a mutable tag (one error) and
// one Flux Kustomization uses a deprecated API (one warning).
describe('gitops-actions validate --output (the built CLI)', () => {
  const runs: Record<string, BinRun> = {}
  let repo: GitRepo
  let config: string
  beforeAll(async () => {
    repo = GitRepo.create('cli-output')
    config = join(repo.dir, 'config')
    cpSync(EXAMPLE, config, { recursive: true })
    repo.write(`config/${PROD}`, readFileSync(join(EXAMPLE, PROD), 'utf8').replace(/newTag: .*/, 'newTag: latest'))
    const flux = 'config/cluster-configs/apps/myapp-dev.yaml'
    repo.write(
      flux,
      readFileSync(join(repo.dir, flux), 'utf8').replace('kustomize.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1beta2')
    )
    repo.write('broken/gitops.yaml', 'version: 1\nenvironments:\n  - name: dev\n    namespce: app-dev\n')
    repo.commit('config repo in config/')
    const entries: Array<[string, string[], string]> = [
      ['sarif', ['validate', '--output', 'sarif', '--repository', 'org/config-repo'], config],
      ['junit', ['validate', '-o', 'junit', '--fail-on', 'warning', '--repository', 'org/config-repo', 'config'], repo.dir],
      ['usage', ['validate', '--json', '--checks', 'kustomize,nope'], config],
      ['missing', ['validate', '--output', 'json', join(repo.dir, 'nothing-here')], config],
      ['missingShort', ['validate', '-o', 'json', join(repo.dir, 'nothing-here')], config],
      ['badConfig', ['validate', '--output=json', 'broken'], repo.dir],
      ['disagree', ['validate', '--json', '--output', 'sarif'], config]
    ]
    await Promise.all(entries.map(async ([name, argv, cwd]) => (runs[name] = await runBin(argv, { cwd }))))
  }, 120_000)

  test('sarif: valid SARIF 2.1.0, a rule per rule id, levels from severities, file:line from the git root; exit 1', () => {
    const run = runs.sarif!
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)
    const log = JSON.parse(run.stdout)
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true)
    const [sarifRun] = log.runs
    // The release that made the report and the repository it comes from (package.json's version and repository).
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
    expect(sarifRun.tool.driver.version).toBe(manifest.version)
    expect(sarifRun.tool.driver.informationUri).toBe(`https://github.com/${repositoryOf(manifest)}`)
    const rules = sarifRun.tool.driver.rules.map((r: { id: string }) => r.id)
    expect(rules).toEqual([...new Set(rules)].sort())
    for (const result of sarifRun.results) {
      // What code scanning needs besides the schema: the rule listed at its index, a relative URI of a
      // file in the repository, lines from 1.
      expect(rules[result.ruleIndex]).toBe(result.ruleId)
      const { artifactLocation, region } = result.locations[0].physicalLocation
      expect(artifactLocation.uri).not.toMatch(/^(\/|[a-z]+:|\.\.)/)
      if (artifactLocation.uri !== '.') expect(existsSync(join(repo.dir, artifactLocation.uri))).toBe(true)
      expect(region.startLine).toBeGreaterThanOrEqual(1)
    }
    const byRule = (id: string) => sarifRun.results.find((r: { ruleId: string }) => r.ruleId === id)
    expect(byRule('policy/mutable-image-tag')).toMatchObject({
      level: 'error',
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'config/apps/myapp/overlays/prod/kustomization.yaml' }, region: { startLine: 17 } } }
      ]
    })
    expect(byRule('flux/deprecated-api')).toMatchObject({
      level: 'warning',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'config/cluster-configs/apps/myapp-dev.yaml' } } }]
    })
    expect(sarifRun.results.map((r: { level: string }) => r.level)).toContain('note')
  })

  test('junit: well-formed JUnit XML, a suite per check; the failures are what --fail-on counts, so exit 1', () => {
    const run = runs.junit!
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)
    const document = parseXml(run.stdout)
    const root = document.documentElement
    expect(root.tagName).toBe('testsuites')
    const suites = [...root.getElementsByTagName('testsuite')]
    expect(suites.map((s) => s.getAttribute('name'))).toEqual([
      'kustomize-validate',
      'security-policy-check',
      'quota-validation',
      'flux-sync-validation',
      'codeowners-check'
    ])
    // --fail-on warning: the error and the warning fail, the notices pass with their text.
    expect(root.getAttribute('failures')).toBe('2')
    const failures = [...root.getElementsByTagName('failure')]
    expect(failures.map((f) => f.getAttribute('type')).sort()).toEqual(['flux/deprecated-api', 'policy/mutable-image-tag'])
    const failed = failures.map((f) => f.parentElement!)
    expect(failed.map((t) => t.getAttribute('file')).sort()).toEqual([
      'config/apps/myapp/overlays/prod/kustomization.yaml',
      'config/cluster-configs/apps/myapp-dev.yaml'
    ])
    for (const suite of suites) {
      const cases = suite.getElementsByTagName('testcase').length
      expect(Number(suite.getAttribute('tests'))).toBe(cases)
      expect(Number(suite.getAttribute('failures'))).toBe(suite.getElementsByTagName('failure').length)
    }
    expect(root.getElementsByTagName('system-out').length).toBeGreaterThan(0)
  })

  test.each([
    ['usage', 2, 'usage', /--checks: 'nope' is not valid/],
    ['missing', 3, 'input', /nothing-here is not a directory/],
    ['missingShort', 3, 'input', /nothing-here is not a directory/],
    ['badConfig', 3, 'input', /^error: broken\/gitops\.yaml:4:/],
    ['disagree', 2, 'usage', /--json and --output sarif disagree/]
  ])('--json / --output json on an error (%s): exit %i, the error as JSON on stdout and as text on stderr', (name, code, kind, message) => {
    const run = runs[name]!
    expect(run.code).toBe(code)
    const { error } = JSON.parse(run.stdout)
    expect(error).toMatchObject({ kind, exitCode: code })
    expect(error.message).toMatch(message)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})
