import { parseIdentity, type CommitObject, type Identity, type TreeEntry } from '../git-store.ts'
import { basicError, isoNow, repoApiUrl, repoHtmlUrl, validationError } from '../objects.ts'
import { HttpError, type Handler, type RepoState, type StandInCore } from '../state.ts'

/**
 * The git data API (blobs, trees, commits, refs) on a real bare repository: every object is
 * written with git plumbing, every ref move is git's compare-and-swap (update-ref with the old
 * value), so two writers racing are decided by git itself.
 */

const DOCS = 'https://docs.github.com/rest/git'
const SHA = /^[0-9a-f]{40}$/

function shaNodeId(prefix: string, sha: string): string {
  return `${prefix}_${Buffer.from(sha, 'hex').toString('base64url')}`
}

async function requireObject(repo: RepoState, sha: string, type: string, what: string, status = 422): Promise<void> {
  if (typeof sha !== 'string' || (await repo.git.objectType(sha)) !== type) {
    throw new HttpError(
      status,
      status === 404 ? basicError('Not Found', 404, DOCS) : validationError(`${what} ${sha} does not exist`, [], DOCS)
    )
  }
}

// --- blobs

const createBlob: Handler = async ({ core, repo, body }) => {
  const encoding = body.encoding ?? 'utf-8'
  if (encoding !== 'utf-8' && encoding !== 'base64') {
    throw new HttpError(422, validationError(`encoding must be "utf-8" or "base64", not ${JSON.stringify(encoding)}`, [], DOCS))
  }
  const sha = await repo.git.writeBlob(Buffer.from(body.content, encoding === 'base64' ? 'base64' : 'utf8'))
  return { status: 201, body: { url: `${repoApiUrl(core.urls, repo.record)}/git/blobs/${sha}`, sha } }
}

const getBlob: Handler = async ({ core, repo, params }) => {
  await requireObject(repo, params.file_sha!, 'blob', 'Blob', 404)
  const content = await repo.git.readBlob(params.file_sha!)
  return {
    status: 200,
    body: {
      sha: params.file_sha,
      node_id: shaNodeId('B', params.file_sha!),
      url: `${repoApiUrl(core.urls, repo.record)}/git/blobs/${params.file_sha}`,
      size: content.length,
      content: wrapBase64(content),
      encoding: 'base64'
    }
  }
}

/** GitHub sends base64 in lines of 60 characters. */
export function wrapBase64(content: Buffer): string {
  return (content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + (content.length > 0 ? '\n' : '')
}

// --- trees

function treeBody(core: StandInCore, repo: RepoState, sha: string, entries: TreeEntry[]): Record<string, unknown> {
  const base = repoApiUrl(core.urls, repo.record)
  return {
    sha,
    url: `${base}/git/trees/${sha}`,
    tree: entries.map((e) => ({
      path: e.path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.type === 'blob' ? { size: e.size ?? 0, url: `${base}/git/blobs/${e.sha}` } : {}),
      ...(e.type === 'tree' ? { url: `${base}/git/trees/${e.sha}` } : {})
    })),
    truncated: false
  }
}

const MODES: Record<string, string> = { '100644': 'blob', '100755': 'blob', '040000': 'tree', '160000': 'commit', '120000': 'blob' }

const createTree: Handler = async ({ core, repo, body }) => {
  const files = new Map<string, { mode: string; type: string; sha: string }>()
  if (body.base_tree !== undefined) {
    await requireObject(repo, body.base_tree, 'tree', 'base_tree')
    for (const e of await repo.git.readTree(body.base_tree, true)) if (e.type !== 'tree') files.set(e.path, e)
  }
  for (const [index, entry] of (body.tree as Array<Record<string, any>>).entries()) {
    const path = entry.path as string
    const where = `tree.${index}`
    if (
      !path ||
      path.startsWith('/') ||
      path.endsWith('/') ||
      path.split('/').some((p) => p === '' || p === '.' || p === '..' || p === '.git')
    ) {
      throw new HttpError(
        422,
        validationError(`${where}.path contains a malformed path component`, [{ resource: 'Tree', field: 'path', code: 'invalid' }], DOCS)
      )
    }
    if (MODES[entry.mode] !== entry.type) {
      throw new HttpError(
        422,
        validationError(
          `${where}: mode ${entry.mode} does not match type ${entry.type}`,
          [{ resource: 'Tree', field: 'mode', code: 'invalid' }],
          DOCS
        )
      )
    }
    if (entry.sha !== undefined && entry.content !== undefined) {
      throw new HttpError(422, validationError(`${where}: give either sha or content, not both`, [], DOCS))
    }
    // Replacing or deleting a path removes whatever was under it.
    for (const existing of [...files.keys()]) if (existing === path || existing.startsWith(`${path}/`)) files.delete(existing)
    if (entry.sha === null) continue
    if (entry.content !== undefined) {
      files.set(path, { mode: entry.mode, type: 'blob', sha: await repo.git.writeBlob(Buffer.from(entry.content, 'utf8')) })
    } else if (entry.type === 'tree') {
      await requireObject(repo, entry.sha, 'tree', `${where}.sha`)
      for (const e of await repo.git.readTree(entry.sha, true)) if (e.type !== 'tree') files.set(`${path}/${e.path}`, e)
    } else if (entry.type === 'commit') {
      if (!SHA.test(entry.sha ?? '')) throw new HttpError(422, validationError(`${where}.sha is not a commit id`, [], DOCS))
      files.set(path, { mode: entry.mode, type: 'commit', sha: entry.sha })
    } else {
      await requireObject(repo, entry.sha, 'blob', `${where}.sha`)
      files.set(path, { mode: entry.mode, type: 'blob', sha: entry.sha })
    }
  }
  const sha = await repo.git.makeTreeFromPaths(files)
  return { status: 201, body: treeBody(core, repo, sha, await repo.git.readTree(sha)) }
}

const getTree: Handler = async ({ core, repo, params, query }) => {
  const sha = (await repo.git.resolveCommitish(params.tree_sha!)) ?? params.tree_sha!
  const type = await repo.git.objectType(sha)
  if (type !== 'tree' && type !== 'commit') throw new HttpError(404, basicError('Not Found', 404, DOCS))
  const tree = type === 'commit' ? (await repo.git.readCommit(sha)).tree : sha
  const recursive = query.has('recursive') && !['0', 'false', ''].includes(query.get('recursive')!)
  return { status: 200, body: treeBody(core, repo, tree, await repo.git.readTree(tree, recursive)) }
}

// --- commits

export function gitCommitBody(core: StandInCore, repo: RepoState, commit: CommitObject, verified: boolean): Record<string, unknown> {
  const api = repoApiUrl(core.urls, repo.record)
  const html = repoHtmlUrl(core.urls, repo.record)
  return {
    sha: commit.sha,
    node_id: shaNodeId('C', commit.sha),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${html}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${html}/commit/${p}` })),
    verification: verification(verified)
  }
}

/**
 * GitHub signs commits it creates through the API when no custom author or committer is given;
 * the stand-in remembers which commits it would have signed and reports them as verified.
 */
export function verification(verified: boolean): Record<string, unknown> {
  return verified
    ? {
        verified: true,
        reason: 'valid',
        signature: '-----BEGIN PGP SIGNATURE-----\n(stand-in)\n-----END PGP SIGNATURE-----\n',
        payload: null,
        verified_at: isoNow()
      }
    : { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
}

const createCommit: Handler = async ({ core, repo, body, actor }) => {
  await requireObject(repo, body.tree, 'tree', 'Tree')
  const parents = (body.parents as string[] | undefined) ?? []
  for (const parent of parents) await requireObject(repo, parent, 'commit', 'Parent')
  const now = isoNow()
  const identity = (given: Record<string, string> | undefined, fallback: Identity): Identity =>
    given ? { name: given.name!, email: given.email!, date: given.date ? normaliseDate(given.date) : now } : fallback
  const tokenUser: Identity = { name: actor.login, email: `${actor.id}+${actor.login}@users.noreply.stand-in.invalid`, date: now }
  const author = identity(body.author, tokenUser)
  const committer = identity(body.committer, body.author ? author : tokenUser)
  const sha = await repo.git.commitTree(body.tree, parents, body.message, author, committer)
  const signed = !body.author && !body.committer && !body.signature
  if (signed) core.signedCommits.add(sha)
  return { status: 201, body: gitCommitBody(core, repo, await repo.git.readCommit(sha), signed) }
}

function normaliseDate(date: string): string {
  const parsed = Date.parse(date)
  if (Number.isNaN(parsed)) throw new HttpError(422, validationError(`${date} is not a valid date`, [], DOCS))
  return new Date(parsed).toISOString().replace('.000Z', 'Z')
}

const getCommit: Handler = async ({ core, repo, params }) => {
  await requireObject(repo, params.commit_sha!, 'commit', 'Commit', 404)
  const commit = await repo.git.readCommit(params.commit_sha!)
  return { status: 200, body: gitCommitBody(core, repo, commit, core.signedCommits.has(commit.sha)) }
}

// --- annotated tags

async function tagBody(core: StandInCore, repo: RepoState, sha: string): Promise<Record<string, unknown>> {
  const object = await repo.git.readObject(sha)
  if (object?.type !== 'tag') throw new HttpError(404, basicError('Not Found', 404, `${DOCS}/tags#get-a-tag`))
  const raw = object.content.toString('utf8')
  const split = raw.indexOf('\n\n')
  const header = Object.fromEntries(
    (split >= 0 ? raw.slice(0, split) : raw)
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)])
  )
  const api = repoApiUrl(core.urls, repo.record)
  const tagger = header.tagger ? parseIdentity(header.tagger) : { name: '', email: '', date: new Date(0).toISOString() }
  return {
    node_id: shaNodeId('TAG', sha),
    tag: header.tag,
    sha,
    url: `${api}/git/tags/${sha}`,
    message: split >= 0 ? raw.slice(split + 2) : '',
    tagger,
    object: { sha: header.object, type: header.type, url: `${api}/git/${header.type}s/${header.object}` },
    verification: verification(core.signedCommits.has(sha))
  }
}

const createTag: Handler = async ({ core, repo, body, actor }) => {
  const type = await repo.git.objectType(body.object)
  if (type === undefined) throw new HttpError(422, validationError('Object does not exist', [], `${DOCS}/tags#create-a-tag-object`))
  if (type !== body.type)
    throw new HttpError(
      422,
      validationError(`Object ${body.object} is a ${type}, not a ${body.type}`, [], `${DOCS}/tags#create-a-tag-object`)
    )
  const when = Math.floor((body.tagger?.date ? Date.parse(body.tagger.date) : Date.now()) / 1000)
  const name = body.tagger?.name ?? actor.login
  const email = body.tagger?.email ?? `${actor.id}+${actor.login}@users.noreply.stand-in.invalid`
  const content = `object ${body.object}\ntype ${body.type}\ntag ${body.tag}\ntagger ${name} <${email}> ${when} +0000\n\n${body.message}`
  let sha: string
  try {
    sha = (await repo.git.git(['mktag'], content)).trim()
  } catch (error) {
    throw new HttpError(
      422,
      validationError(`Invalid tag: ${(error as Error).message.split('\n').pop()}`, [], `${DOCS}/tags#create-a-tag-object`)
    )
  }
  if (!body.tagger) core.signedCommits.add(sha)
  return {
    status: 201,
    body: await tagBody(core, repo, sha),
    headers: { location: `${repoApiUrl(core.urls, repo.record)}/git/tags/${sha}` }
  }
}

const getTag: Handler = async ({ core, repo, params }) => ({ status: 200, body: await tagBody(core, repo, params.tag_sha!) })

// --- refs

export async function refBody(core: StandInCore, repo: RepoState, ref: string, sha: string): Promise<Record<string, unknown>> {
  const api = repoApiUrl(core.urls, repo.record)
  const type = (await repo.git.objectType(sha)) ?? 'commit'
  return {
    ref,
    node_id: `REF_${Buffer.from(`${repo.record.id}:${ref}`).toString('base64url')}`,
    url: `${api}/git/${ref}`,
    object: { type, sha, url: `${api}/git/${type}s/${sha}` }
  }
}

/** `heads/main` as the path gives it → `refs/heads/main`; refuses what is not a branch or tag ref. */
export function fullRef(ref: string): string {
  const full = ref.startsWith('refs/') ? ref : `refs/${ref}`
  return full
}

function validRefName(ref: string): boolean {
  return /^refs\/[^\s~^:?*[\\]+$/.test(ref) && !ref.includes('..') && !ref.endsWith('/') && !ref.endsWith('.lock') && !ref.includes('//')
}

const getRef: Handler = async ({ core, repo, params }) => {
  const ref = fullRef(params.ref!)
  const sha = await repo.git.resolveRef(ref)
  if (!sha) throw new HttpError(404, basicError('Not Found', 404, `${DOCS}/refs#get-a-reference`))
  return { status: 200, body: await refBody(core, repo, ref, sha) }
}

const listMatchingRefs: Handler = async ({ core, repo, params }) => {
  const prefix = fullRef(params.ref ?? '')
  const refs = (await repo.git.listRefs('refs/')).filter((r) => r.ref.startsWith(prefix))
  return { status: 200, body: await Promise.all(refs.map((r) => refBody(core, repo, r.ref, r.sha))) }
}

const createRef: Handler = async ({ core, repo, body }) => {
  const ref = body.ref as string
  if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !validRefName(ref)) {
    throw new HttpError(422, validationError(`${ref} is not a valid ref name.`, [], `${DOCS}/refs#create-a-reference`))
  }
  if ((await repo.git.objectType(body.sha)) === undefined) {
    throw new HttpError(422, validationError('Object does not exist', [], `${DOCS}/refs#create-a-reference`))
  }
  if (!(await repo.git.compareAndSwapRef(ref, body.sha, undefined))) {
    throw new HttpError(422, validationError('Reference already exists', [], `${DOCS}/refs#create-a-reference`))
  }
  repo.pushedAt = isoNow()
  return {
    status: 201,
    body: await refBody(core, repo, ref, body.sha),
    headers: { location: `${repoApiUrl(core.urls, repo.record)}/git/${ref}` }
  }
}

const updateRef: Handler = async ({ core, repo, params, body }) => {
  const ref = fullRef(params.ref!)
  const docs = `${DOCS}/refs#update-a-reference`
  const current = await repo.git.resolveRef(ref)
  if (!current) throw new HttpError(422, validationError('Reference does not exist', [], docs))
  if ((await repo.git.objectType(body.sha)) !== 'commit') throw new HttpError(422, validationError('Object does not exist', [], docs))
  if (body.force !== true && current !== body.sha && !(await repo.git.isAncestor(current, body.sha))) {
    throw new HttpError(422, validationError('Update is not a fast forward', [], docs))
  }
  // Between the check above and this write another writer may move the ref: git's
  // compare-and-swap refuses then, and GitHub answers the same as for a non-fast-forward.
  if (!(await repo.git.compareAndSwapRef(ref, body.sha, current))) {
    throw new HttpError(422, validationError('Update is not a fast forward', [], docs))
  }
  repo.pushedAt = isoNow()
  return { status: 200, body: await refBody(core, repo, ref, body.sha) }
}

const deleteRef: Handler = async ({ repo, params }) => {
  const ref = fullRef(params.ref!)
  const current = await repo.git.resolveRef(ref)
  if (!current || !(await repo.git.deleteRef(ref, current))) {
    throw new HttpError(422, validationError('Reference does not exist', [], `${DOCS}/refs#delete-a-reference`))
  }
  return { status: 204 }
}

export const gitDataRoutes: Record<string, Handler> = {
  'git/create-blob': createBlob,
  'git/get-blob': getBlob,
  'git/create-tree': createTree,
  'git/get-tree': getTree,
  'git/create-commit': createCommit,
  'git/get-commit': getCommit,
  'git/create-tag': createTag,
  'git/get-tag': getTag,
  'git/get-ref': getRef,
  'git/list-matching-refs': listMatchingRefs,
  'git/create-ref': createRef,
  'git/update-ref': updateRef,
  'git/delete-ref': deleteRef
}
