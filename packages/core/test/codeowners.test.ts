import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import {
  checkCodeowners,
  CODEOWNERS_MAX_BYTES,
  codeownersFilesIn,
  defaultGitopsConfig,
  findCodeownersFile,
  loadGitopsConfig,
  ownerSatisfies,
  ownersOf,
  parseCodeowners,
  parseGitopsConfig,
  ruleFor
} from '../src/index.js'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const exampleRepo = join(repoRoot, 'examples/config-repo')

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(root, path) : [relative(root, path)]
  })
}

function tempRepo(files: Record<string, string>): { root: string; files: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'codeowners-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return { root, files: Object.keys(files) }
}

// Expectations from GitHub's "About code owners" examples and gitignore's pattern rules.
describe('CODEOWNERS pattern matching', () => {
  test.each([
    ['*', 'README.md', true],
    ['*', 'apps/myapp/overlays/prod/kustomization.yaml', true],
    ['*.js', 'src/app.js', true],
    ['*.js', 'app.jsx', false],
    ['*.go', 'cmd/main.go', true],
    // "/build/logs/ owns files in /build/logs at the root and any of its subdirectories"
    ['/build/logs/', 'build/logs/a.log', true],
    ['/build/logs/', 'build/logs/deep/a.log', true],
    ['/build/logs/', 'src/build/logs/a.log', false],
    ['/build/logs/', 'build/logs', false],
    // "docs/* matches docs/getting-started.md but not docs/build-app/troubleshooting.md"
    ['docs/*', 'docs/getting-started.md', true],
    ['docs/*', 'docs/build-app/troubleshooting.md', false],
    ['docs/*', 'src/docs/x.md', false],
    // "apps/ matches an apps directory anywhere"
    ['apps/', 'apps/x.yaml', true],
    ['apps/', 'src/apps/x.yaml', true],
    ['apps/', 'apps', false],
    // "/docs/ at the root" / "**/logs anywhere"
    ['/docs/', 'docs/a/b.md', true],
    ['/docs/', 'x/docs/a.md', false],
    ['**/logs', 'build/logs/a.log', true],
    ['**/logs', 'logs/a.log', true],
    ['**/logs', 'deeply/nested/logs/x', true],
    ['/scripts/ ', 'scripts/x.sh', true],
    ['docs', 'docs/x.md', true],
    ['docs', 'a/docs', true],
    ['docs', 'docs.md', false],
    ['/apps/*/overlays/prod/', 'apps/myapp/overlays/prod/kustomization.yaml', true],
    ['/apps/*/overlays/prod/', 'apps/myapp/overlays/prod/patches/hpa.yaml', true],
    ['/apps/*/overlays/prod/', 'apps/myapp/overlays/production/x.yaml', false],
    ['/apps/*/overlays/prod/', 'apps/a/b/overlays/prod/x.yaml', false],
    ['apps/*/overlays/prod/', 'apps/myapp/overlays/prod/x.yaml', true],
    ['apps/**/prod/', 'apps/a/b/overlays/prod/x.yaml', true],
    ['apps/**/prod/', 'apps/prod/x.yaml', true],
    ['/*', 'README.md', true],
    ['/*', 'apps/x.yaml', false],
    ['/**', 'apps/x.yaml', true],
    ['/CODEOWNERS', 'CODEOWNERS', true],
    ['/CODEOWNERS', '.github/CODEOWNERS', false],
    ['CODEOWNERS', '.github/CODEOWNERS', true],
    ['f?o', 'foo', true],
    ['f?o', 'fo', false],
    ['path\\ with\\ spaces/', 'path with spaces/a', true],
    ['f\\*o', 'foo', false],
    ['f\\*o', 'f*o', true],
    ['Docs/', 'docs/a.md', false],
    // GitHub: "The pattern `/` will never match anything, did you mean `*` instead?"
    ['/', 'README.md', false],
    ['/', 'apps/myapp/base/deployment.yaml', false]
  ])('%s matches %s: %s', (pattern, path, expected) => {
    const codeowners = parseCodeowners(`${pattern} @owner\n`, 'CODEOWNERS')
    expect(codeowners.problems.filter((p) => p.severity === 'error' && p.kind !== 'Never matches')).toEqual([])
    expect(ownersOf(codeowners, path)).toEqual(expected ? ['@owner'] : [])
  })

  test('the last matching pattern wins, and a pattern without owners unowns', () => {
    const codeowners = parseCodeowners(
      ['# comment', '*       @org/platform', '', '/apps/  @org/apps   # trailing comment', '/apps/github', '*.md docs@example.com'].join(
        '\n'
      ),
      'CODEOWNERS'
    )
    expect(ownersOf(codeowners, 'README')).toEqual(['@org/platform'])
    expect(ownersOf(codeowners, 'apps/x.yaml')).toEqual(['@org/apps'])
    expect(ownersOf(codeowners, 'apps/github/x.yaml')).toEqual([])
    expect(ruleFor(codeowners, 'apps/github/x.yaml')?.line).toBe(5)
    expect(ownersOf(codeowners, 'apps/README.md')).toEqual(['docs@example.com'])
    expect(codeowners.problems).toEqual([expect.objectContaining({ line: 5, kind: 'No owners', severity: 'notice' })])
  })
})

describe('CODEOWNERS lines GitHub refuses', () => {
  test.each([
    ['\\#file_with_pound.rb @owner', 1, 'Unsupported syntax', /escaping a leading #/],
    ['!/apps/ @owner', 1, 'Unsupported syntax', /negation/],
    ['Python/ceval*.[ch] @markshannon', 15, 'Unsupported syntax', /character ranges/],
    ['/apps/ platform-team', 8, 'Invalid owner', /Invalid owner `platform-team`/],
    ['/apps/ @org/', 8, 'Invalid owner', /Invalid owner `@org\/`/],
    ['/apps/ @org/team/extra', 8, 'Invalid owner', /Invalid owner/],
    ['/apps/ @', 8, 'Invalid owner', /Invalid owner/],
    ['/apps/ someone@', 8, 'Invalid owner', /Invalid owner/],
    ['a/***/b @owner', 3, 'Invalid pattern', /three consecutive asterisks/],
    ['/ @platform-team @senior-platform-engineers', 1, 'Never matches', /will never match anything, did you mean `\*`/]
  ])('%j: column %i, %s', (line, column, kind, message) => {
    const codeowners = parseCodeowners(`* @org/all\n${line}\n`, '.github/CODEOWNERS')
    expect(codeowners.problems).toHaveLength(1)
    expect(codeowners.problems[0]).toMatchObject({ line: 2, column, kind, severity: 'error' })
    expect(codeowners.problems[0]!.message).toMatch(message)
    // An invalid line is skipped: the earlier rule still decides.
    if (kind !== 'Never matches') expect(codeowners.rules.map((r) => r.line)).toEqual([1])
  })

  test.each([
    ['@octocat', true],
    ['@Octo-Cat', true],
    ['@octocat_acme', true],
    ['@octo-org/octo-team', true],
    ['@org/team.name', true],
    ['docs@example.com', true],
    ['octocat', false],
    ['@-octocat', false],
    ['@org/', false],
    ['mailto:docs@example', false]
  ])('owner %s is valid: %s', (owner, valid) => {
    const codeowners = parseCodeowners(`* ${owner}\n`, 'CODEOWNERS')
    expect(codeowners.problems.length === 0).toBe(valid)
  })

  test('a file of 3 MB or more is not loaded at all', () => {
    const line = '/apps/some/long/path/to/a/file.yaml @org/platform-team\n'
    const text = line.repeat(Math.ceil(CODEOWNERS_MAX_BYTES / line.length))
    const codeowners = parseCodeowners(text, 'CODEOWNERS')
    expect(codeowners.rules).toEqual([])
    expect(codeowners.problems).toEqual([expect.objectContaining({ kind: 'Too large', severity: 'error', line: 1 })])
    const under = text.slice(0, text.lastIndexOf('\n', CODEOWNERS_MAX_BYTES - 1) + 1)
    expect(parseCodeowners(under, 'CODEOWNERS').problems).toEqual([])
  })

  test('CRLF line endings and indented comments', () => {
    const codeowners = parseCodeowners('  # indented comment\r\n* @org/a\r\n\t\r\n', 'CODEOWNERS')
    expect(codeowners.problems).toEqual([])
    expect(ownersOf(codeowners, 'x')).toEqual(['@org/a'])
  })
})

describe('which CODEOWNERS file GitHub uses', () => {
  test.each([
    [['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'], '.github/CODEOWNERS'],
    [['CODEOWNERS', 'docs/CODEOWNERS'], 'CODEOWNERS'],
    [['docs/CODEOWNERS'], 'docs/CODEOWNERS'],
    [['src/CODEOWNERS', '.gitlab/CODEOWNERS'], undefined]
  ])('%j → %s', (present, expected) => {
    const { root } = tempRepo(Object.fromEntries(present.map((path) => [path, '* @org/a\n'])))
    expect(findCodeownersFile(root)).toBe(expected)
  })

  test('a symlink is not taken for a CODEOWNERS file', () => {
    const { root } = tempRepo({ 'elsewhere/owners': '* @org/a\n', CODEOWNERS: '* @org/b\n' })
    mkdirSync(join(root, '.github'))
    symlinkSync(join(root, 'elsewhere/owners'), join(root, '.github/CODEOWNERS'))
    expect(codeownersFilesIn(root)).toEqual(['CODEOWNERS'])
  })
})

describe('required owners', () => {
  test.each([
    ['@platform-team', '@platform-team', true],
    ['@platform-team', '@Platform-Team', true],
    ['@platform-team', '@org/platform-team', true],
    ['@platform-team', '@ORG/Platform-Team', true],
    ['@org/platform-team', '@other/platform-team', false],
    ['@org/platform-team', '@platform-team', false],
    ['@org/platform-team', '@Org/Platform-Team', true],
    ['@platform-team', '@org/platform-team-leads', false],
    ['lead@example.com', 'Lead@Example.com', true]
  ])('required %s, written %s: %s', (required, actual, expected) => {
    expect(ownerSatisfies(required, actual)).toBe(expected)
  })
})

describe('checkCodeowners', () => {
  const prodFiles = ['apps/myapp/overlays/prod/kustomization.yaml', 'apps/myapp/overlays/prod/hpa.yaml']

  test('the example config repo passes with no findings', () => {
    const findings = checkCodeowners({ root: exampleRepo, files: listFiles(exampleRepo) }, loadGitopsConfig(exampleRepo))
    expect(findings).toEqual([])
  })

  test("the seed's CODEOWNERS: `/` owns nothing, so CODEOWNERS itself is unowned", () => {
    // Verbatim from the workflow design (section 2, "CODEOWNERS File").
    const text = [
      '# Global platform configuration',
      '/                        @platform-team @senior-platform-engineers',
      '',
      '# Application-specific configurations',
      '/apps/frontend/          @frontend-team @platform-team',
      '/apps/backend/           @backend-team @platform-team',
      '/apps/database/          @database-team @platform-team @senior-platform-engineers',
      '',
      '# Infrastructure components',
      '/infrastructure/         @platform-team @senior-platform-engineers',
      '/cluster-configs/        @platform-team @senior-platform-engineers',
      '',
      '# Production environments (extra approval required)',
      '/apps/*/overlays/prod/   @platform-team @senior-platform-engineers @app-team-leads',
      ''
    ].join('\n')
    const repo = tempRepo({ CODEOWNERS: text, 'README.md': '', ...Object.fromEntries(prodFiles.map((f) => [f, ''])) })
    const findings = checkCodeowners(repo, defaultGitopsConfig())
    expect(findings.map((f) => [f.ruleId, f.severity, f.location?.line])).toEqual([
      ['codeowners/never-matches', 'error', 2],
      ['codeowners/unowned-codeowners', 'error', 1]
    ])
    expect(ownersOf(parseCodeowners(text, 'CODEOWNERS'), 'README.md')).toEqual([])
  })

  test.each([
    [
      'a later broad rule shadows the prod rule',
      '* @org/platform-team\n/apps/*/overlays/prod/ @org/platform-team @org/senior-platform-engineers @org/app-team-leads\n*.yaml @org/devs\n/CODEOWNERS @org/platform-team\n',
      [['codeowners/protected-path', 'error', 3, /line 3 `\*\.yaml`.*missing @platform-team @senior-platform-engineers @app-team-leads/]]
    ],
    [
      'the prod rule lacks one owner',
      '* @org/platform-team\n/apps/*/overlays/prod/ @org/platform-team @org/senior-platform-engineers\n/CODEOWNERS @org/platform-team\n',
      [['codeowners/protected-path', 'error', 2, /missing @app-team-leads/]]
    ],
    [
      'the prod rule comes before the app rule that overrides it',
      '* @org/platform-team\n/apps/*/overlays/prod/ @org/platform-team @org/senior-platform-engineers @org/app-team-leads\n/apps/myapp/ @org/myapp-team\n/CODEOWNERS @org/platform-team\n',
      [['codeowners/protected-path', 'error', 3, /line 3 `\/apps\/myapp\/`/]]
    ],
    [
      'nothing matches prod files: reported at the first file',
      '/infrastructure/ @org/platform-team\n/CODEOWNERS @org/platform-team\n',
      [
        [
          'codeowners/protected-path',
          'error',
          1,
          /apps\/myapp\/overlays\/prod\/hpa.yaml, apps\/myapp\/overlays\/prod\/kustomization.yaml .*no CODEOWNERS pattern matches it/
        ]
      ]
    ],
    [
      'CODEOWNERS exempted by a pattern with no owners',
      '* @org/platform-team @org/senior-platform-engineers @org/app-team-leads\n/CODEOWNERS\n',
      [
        ['codeowners/no-owners', 'notice', 2, /has no owners/],
        ['codeowners/unowned-codeowners', 'error', 2, /matches it with no owners/]
      ]
    ],
    [
      'an invalid prod line is skipped, so the global rule decides',
      '* @org/platform-team\n/apps/*/overlays/prod/ @org/platform-team senior-platform-engineers @org/app-team-leads\n/CODEOWNERS @org/platform-team\n',
      [
        ['codeowners/invalid-owner', 'error', 2, /senior-platform-engineers/],
        ['codeowners/protected-path', 'error', 1, /line 1 `\*`/]
      ]
    ]
  ])('%s', (_name, text, expected) => {
    const repo = tempRepo({ CODEOWNERS: text, ...Object.fromEntries(prodFiles.map((f) => [f, ''])) })
    const findings = checkCodeowners(repo, defaultGitopsConfig())
    expect(findings.map((f) => [f.ruleId, f.severity, f.location?.line])).toEqual(
      expected.map(([id, severity, line]) => [id, severity, line])
    )
    findings.forEach((finding, i) => expect(finding.message).toMatch(expected[i]![3] as RegExp))
  })

  test('CODEOWNERS files GitHub ignores are reported', () => {
    const both = tempRepo({ '.github/CODEOWNERS': '* @org/a\n', 'docs/CODEOWNERS': '* @org/b\n' })
    const config = parseGitopsConfig('codeowners:\n  protectedPaths: []\n')
    expect(checkCodeowners(both, config).map((f) => [f.ruleId, f.location?.file])).toEqual([['codeowners/ignored-file', 'docs/CODEOWNERS']])
  })

  test('no CODEOWNERS at all is an error when files lie under a protected path, and nothing to report when none do', () => {
    const withProd = tempRepo({ 'apps/web/overlays/prod/kustomization.yaml': '', 'apps/web/overlays/dev/kustomization.yaml': '' })
    expect(checkCodeowners(withProd, defaultGitopsConfig())).toEqual([
      expect.objectContaining({
        ruleId: 'codeowners/missing',
        severity: 'error',
        message: expect.stringContaining(
          "so nobody's review is required for apps/web/overlays/prod/kustomization.yaml under protected path `apps/*/overlays/prod/` (to be owned by @platform-team @senior-platform-engineers @app-team-leads)"
        )
      })
    ])
    // The shape of Flux's example repositories: no apps/*/overlays/prod/, no CODEOWNERS, nothing the check can ask for.
    const fluxShaped = tempRepo({ 'apps/production/kustomization.yaml': '', 'clusters/production/apps.yaml': '' })
    expect(checkCodeowners(fluxShaped, defaultGitopsConfig())).toEqual([])
  })

  test('protected paths and owners from gitops.yaml', () => {
    const config = parseGitopsConfig('codeowners:\n  protectedPaths:\n    - pattern: /clusters/\n      owners: ["@acme/sre"]\n')
    const repo = tempRepo({ CODEOWNERS: '* @acme/dev\n/clusters/prod/ @acme/sre\n', 'clusters/prod/a.yaml': '', 'clusters/dev/b.yaml': '' })
    const findings = checkCodeowners(repo, config)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({ ruleId: 'codeowners/protected-path', location: { file: 'CODEOWNERS', line: 1 } })
    expect(findings[0]!.message).toMatch(/clusters\/dev\/b.yaml under protected path `\/clusters\/`/)
  })
})

describe('gitops.yaml codeowners section', () => {
  test('defaults reproduce the seed', () => {
    expect(defaultGitopsConfig().codeowners).toEqual({
      protectedPaths: [{ pattern: 'apps/*/overlays/prod/', owners: ['@platform-team', '@senior-platform-engineers', '@app-team-leads'] }],
      protectSelf: true
    })
  })

  test.each([
    [
      'codeowners:\n  protectedPaths:\n    - pattern: "!apps/"\n      owners: ["@a"]\n',
      3,
      /^codeowners\.protectedPaths\[0\]\.pattern: '!apps\/' is not a CODEOWNERS pattern GitHub supports/
    ],
    [
      'codeowners:\n  protectedPaths:\n    - pattern: apps/[ab]/\n      owners: ["@a"]\n',
      3,
      /^codeowners\.protectedPaths\[0\]\.pattern: 'apps\/\[ab\]\/' is not a CODEOWNERS pattern GitHub supports \(no spaces/
    ],
    [
      'codeowners:\n  protectedPaths:\n    - pattern: apps/\n      owners: ["platform-team"]\n',
      4,
      /^codeowners\.protectedPaths\[0\]\.owners\[0\]: 'platform-team' is not an owner: @user, @org\/team or an email address$/
    ],
    [
      'codeowners:\n  protectedPaths:\n    - pattern: apps/\n      owners: []\n',
      4,
      /^codeowners\.protectedPaths\[0\]\.owners: needs at least 1 entry$/
    ],
    ['codeowners:\n  protectSelf: yes please\n', 2, /^codeowners\.protectSelf: expected true or false, found 'yes please'$/],
    [
      'codeowners:\n  protected: []\n',
      2,
      /^codeowners: unknown key 'protected' \(did you mean 'protectSelf'\?\); valid keys: protectedPaths, protectSelf$/
    ]
  ])('%j is refused at its line', (text, line, message) => {
    expect(() => parseGitopsConfig(text)).toThrow(message)
    try {
      parseGitopsConfig(text)
    } catch (error) {
      expect((error as { location?: { line?: number } }).location?.line).toBe(line)
    }
  })
})
