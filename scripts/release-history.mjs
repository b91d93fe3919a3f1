// Replays a repository's release history through compute-tag's version analysis and through
// semantic-release's own commit-analyzer: for every stable release tag, the commits since the
// stable release before it decide a bump. Prints each disagreement and a summary line.
//   npm run release-history -- <git dir> [--prefix v] [--preset angular|conventionalcommits] [--paths a,b]
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { analyzeCommits } from '@semantic-release/commit-analyzer'
import semver from 'semver'
import { bumpFromCommits } from '../packages/core/src/index.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { prefix: { type: 'string', default: 'v' }, preset: { type: 'string', default: 'angular' }, paths: { type: 'string' } }
})
const dir = positionals[0]
if (!dir) {
  console.error('usage: npm run release-history -- <git dir> [--prefix v] [--preset angular|conventionalcommits] [--paths a,b]')
  process.exit(2)
}
const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 })
const paths = values.paths ? ['--', ...values.paths.split(',')] : []
const tags = git('tag', '--list', `${values.prefix}*`)
  .split('\n')
  .filter(Boolean)
  .map((name) => ({ name, version: semver.parse(name.slice(values.prefix.length)) }))
  .filter((t) => t.version && t.version.prerelease.length === 0)
  .sort((a, b) => semver.compare(a.version, b.version))

let releases = 0
let agree = 0
let matchesTag = 0
for (let i = 1; i < tags.length; i++) {
  const [previous, tag] = [tags[i - 1], tags[i]]
  const commits = git('log', '--format=%H%x00%B%x1e', `${previous.name}..${tag.name}`, ...paths)
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\0'))
    .map((r) => {
      const [sha, message] = r.split('\0')
      return { sha, message: message.trim() }
    })
  const ours = bumpFromCommits(commits, { preset: values.preset, releaseRules: [] }).bump
  const kept = commits.filter((c) => !/\[skip\s+release]|\[release\s+skip]/i.test(c.message))
  const theirs =
    (await analyzeCommits(
      { preset: values.preset },
      { commits: kept.map((c) => ({ hash: c.sha, message: c.message })), logger: { log() {} }, cwd: process.cwd() }
    )) ?? 'none'
  const actual = semver.diff(previous.version, tag.version) ?? 'none'
  releases++
  if (ours === theirs) agree++
  else console.log(`DISAGREE ${previous.name}..${tag.name}: ours ${ours}, commit-analyzer ${theirs} (${commits.length} commits)`)
  if (ours === actual) matchesTag++
}
console.log(
  `${releases} releases: compute-tag agrees with commit-analyzer on ${agree}; its bump equals the released tag's step on ${matchesTag}`
)
process.exit(agree === releases ? 0 : 1)
