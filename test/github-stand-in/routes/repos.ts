import type { TreeEntry } from '../git-store.ts'
import { basicError, fullRepository, repoApiUrl, repoHtmlUrl, simpleUser } from '../objects.ts'
import { HttpError, type Handler, type RepoState, type StandInCore } from '../state.ts'
import { verification, wrapBase64 } from './git-data.ts'

/** Repository metadata, contents, commits and comparisons, read from the bare repository. */

const NOT_FOUND = (docs: string) => new HttpError(404, basicError('Not Found', 404, docs))

const getRepo: Handler = async ({ core, repo }) => ({
  status: 200,
  body: fullRepository(core.urls, repo.record, repo.pushedAt, repo.pulls.filter((p) => p.state === 'open').length)
})

// --- contents

function contentLinks(core: StandInCore, repo: RepoState, ref: string, path: string, entry: { sha: string; type: string }) {
  const api = repoApiUrl(core.urls, repo.record)
  const html = repoHtmlUrl(core.urls, repo.record)
  const encodedPath = path.split('/').map(encodeURIComponent).join('/')
  const self = `${api}/contents/${encodedPath}?ref=${encodeURIComponent(ref)}`
  const git = `${api}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`
  const htmlUrl = `${html}/${entry.type === 'tree' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encodedPath}`
  return { url: self, git_url: git, html_url: htmlUrl, _links: { self, git, html: htmlUrl } }
}

function entryType(entry: TreeEntry): 'file' | 'dir' | 'symlink' | 'submodule' {
  if (entry.type === 'tree') return 'dir'
  if (entry.type === 'commit') return 'submodule'
  return entry.mode === '120000' ? 'symlink' : 'file'
}

const getContent: Handler = async ({ core, repo, params, query }) => {
  const docs = 'https://docs.github.com/rest/repos/contents#get-repository-content'
  const ref = query.get('ref') ?? repo.record.defaultBranch
  const commit = await repo.git.resolveCommitish(ref)
  if (!commit) throw new HttpError(404, basicError(`No commit found for the ref ${ref}`, 404, docs))
  const path = (params.path ?? '').replace(/^\/+|\/+$/g, '')
  const { tree } = await repo.git.readCommit(commit)
  const raw = `${core.urls.web}/raw/${repo.record.owner.login}/${repo.record.name}/${encodeURIComponent(ref)}`
  const item = (entry: TreeEntry, fullPath: string) => ({
    type: entryType(entry),
    size: entry.size ?? 0,
    name: fullPath.split('/').pop()!,
    path: fullPath,
    sha: entry.sha,
    download_url: entry.type === 'blob' ? `${raw}/${fullPath}` : null,
    ...contentLinks(core, repo, ref, fullPath, entry)
  })
  if (path === '') {
    return { status: 200, body: (await repo.git.readTree(tree)).map((e) => item(e, e.path)) }
  }
  const [entry] = await repo.git.readTree(`${commit}:${path.split('/').slice(0, -1).join('/')}`).then(
    (entries) => entries.filter((e) => e.path === path.split('/').pop()),
    () => []
  )
  if (!entry) throw NOT_FOUND(docs)
  if (entry.type === 'tree') {
    return { status: 200, body: (await repo.git.readTree(entry.sha)).map((e) => item(e, `${path}/${e.path}`)) }
  }
  if (entry.type === 'commit') {
    return { status: 200, body: { ...item(entry, path), submodule_git_url: '' } }
  }
  const content = await repo.git.readBlob(entry.sha)
  if (entry.mode === '120000') return { status: 200, body: { ...item(entry, path), target: content.toString('utf8') } }
  return { status: 200, body: { ...item(entry, path), encoding: 'base64', content: wrapBase64(content) } }
}

// --- commits

const NOREPLY = /^(\d+)\+([^@]+)@users\.noreply\./

/** The `commit` shape (commit lists, comparisons, get-commit). */
export async function commitBody(core: StandInCore, repo: RepoState, sha: string): Promise<Record<string, unknown>> {
  const api = repoApiUrl(core.urls, repo.record)
  const html = repoHtmlUrl(core.urls, repo.record)
  const commit = await repo.git.readCommit(sha)
  const user = (email: string) => {
    const match = NOREPLY.exec(email)
    return match ? simpleUser(core.urls, core.actorFor(match[2]!)) : null
  }
  return {
    url: `${api}/commits/${sha}`,
    sha,
    node_id: `C_${Buffer.from(sha, 'hex').toString('base64url')}`,
    html_url: `${html}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: commit.author,
      committer: commit.committer,
      // GitHub shows commit messages without git's trailing newline.
      message: commit.message.replace(/\n+$/, ''),
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: verification(core.signedCommits.has(sha))
    },
    author: user(commit.author.email),
    committer: user(commit.committer.email),
    parents: commit.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${html}/commit/${p}` }))
  }
}

/** diff-entry objects between two commits (GitHub caps them at 300). */
async function diffEntries(
  core: StandInCore,
  repo: RepoState,
  from: string | undefined,
  to: string
): Promise<Array<Record<string, unknown>>> {
  const base = from ?? (await repo.git.git(['hash-object', '-t', 'tree', '/dev/null'])).trim()
  const raw = (await repo.git.git(['diff', '--raw', '-z', '--no-renames', '--no-abbrev', base, to])).split('\0')
  const numstat = (await repo.git.git(['diff', '--numstat', '-z', '--no-renames', base, to])).split('\0')
  const counts = new Map<string, [number, number]>()
  for (const line of numstat.filter(Boolean)) {
    const [a, d, path] = line.split('\t')
    counts.set(path!, [Number(a) || 0, Number(d) || 0])
  }
  const api = repoApiUrl(core.urls, repo.record)
  const html = repoHtmlUrl(core.urls, repo.record)
  const entries: Array<Record<string, unknown>> = []
  for (let i = 0; i + 1 < raw.length && entries.length < 300; i += 2) {
    if (!raw[i]) break
    const [, , oldSha, newSha, status] = raw[i]!.slice(1).split(' ')
    const filename = raw[i + 1]!
    const [additions, deletions] = counts.get(filename) ?? [0, 0]
    const removed = status === 'D'
    const sha = removed ? oldSha! : newSha!
    const patch = await repo.git.git(['diff', base, to, '--', filename])
    const hunk = patch.indexOf('\n@@')
    entries.push({
      sha,
      filename,
      status: status === 'A' ? 'added' : removed ? 'removed' : status === 'M' ? 'modified' : 'changed',
      additions,
      deletions,
      changes: additions + deletions,
      blob_url: `${html}/blob/${to}/${filename}`,
      raw_url: `${html}/raw/${to}/${filename}`,
      contents_url: `${api}/contents/${filename}?ref=${to}`,
      ...(hunk >= 0 ? { patch: patch.slice(hunk + 1).replace(/\n$/, '') } : {})
    })
  }
  return entries
}

const listCommits: Handler = async ({ core, repo, query }) => {
  const start = query.get('sha') ?? repo.record.defaultBranch
  const head = await repo.git.resolveCommitish(start)
  if (!head)
    throw new HttpError(
      404,
      basicError(`No commit found for SHA: ${start}`, 404, 'https://docs.github.com/rest/commits/commits#list-commits')
    )
  const path = query.get('path')
  const args = ['rev-list', head]
  if (query.get('since')) args.push(`--since=${query.get('since')}`)
  if (query.get('until')) args.push(`--until=${query.get('until')}`)
  if (query.get('author')) args.push(`--author=${query.get('author')}`)
  if (path) args.push('--', path.replace(/^\/+/, ''))
  const shas = (await repo.git.git(args)).split('\n').filter(Boolean)
  return { status: 200, body: await Promise.all(shas.map((sha) => commitBody(core, repo, sha))) }
}

const getCommit: Handler = async ({ core, repo, params }) => {
  const sha = await repo.git.resolveCommitish(params.ref!)
  if (!sha)
    throw new HttpError(422, {
      message: `No commit found for SHA: ${params.ref}`,
      documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
      status: '422'
    })
  const body = await commitBody(core, repo, sha)
  const parent = (await repo.git.readCommit(sha)).parents[0]
  const files = await diffEntries(core, repo, parent, sha)
  const additions = files.reduce((n, f) => n + (f.additions as number), 0)
  const deletions = files.reduce((n, f) => n + (f.deletions as number), 0)
  return { status: 200, body: { ...body, stats: { additions, deletions, total: additions + deletions }, files } }
}

const compare: Handler = async ({ core, repo, params }) => {
  const docs = 'https://docs.github.com/rest/commits/commits#compare-two-commits'
  const basehead = params.basehead!
  const split = basehead.indexOf('...')
  if (split < 0) throw NOT_FOUND(docs)
  const strip = (name: string) => name.replace(new RegExp(`^${repo.record.owner.login}:`, 'i'), '')
  const baseName = strip(basehead.slice(0, split))
  const headName = strip(basehead.slice(split + 3))
  const base = await repo.git.resolveCommitish(baseName)
  const head = await repo.git.resolveCommitish(headName)
  if (!base || !head) throw NOT_FOUND(docs)
  const mergeBase = await repo.git.mergeBase(base, head)
  if (!mergeBase) throw NOT_FOUND(docs)
  const ahead = (await repo.git.revList(head, mergeBase)).reverse()
  const behind = await repo.git.revList(base, mergeBase)
  const status = base === head ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged'
  const api = repoApiUrl(core.urls, repo.record)
  const html = repoHtmlUrl(core.urls, repo.record)
  return {
    status: 200,
    body: {
      url: `${api}/compare/${encodeURIComponent(baseName)}...${encodeURIComponent(headName)}`,
      html_url: `${html}/compare/${baseName}...${headName}`,
      permalink_url: `${html}/compare/${repo.record.owner.login}:${base.slice(0, 7)}...${repo.record.owner.login}:${head.slice(0, 7)}`,
      diff_url: `${html}/compare/${baseName}...${headName}.diff`,
      patch_url: `${html}/compare/${baseName}...${headName}.patch`,
      base_commit: await commitBody(core, repo, base),
      merge_base_commit: await commitBody(core, repo, mergeBase),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: await Promise.all(ahead.slice(0, 250).map((sha) => commitBody(core, repo, sha))),
      files: await diffEntries(core, repo, mergeBase, head)
    }
  }
}

export const repoRoutes: Record<string, Handler> = {
  'repos/get': getRepo,
  'repos/get-content': getContent,
  'repos/list-commits': listCommits,
  'repos/get-commit': getCommit,
  'repos/compare-commits-with-basehead': compare
}
