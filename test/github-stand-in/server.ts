import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, lstatSync, readlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { FaultTable, type Fault, type FaultHandle, type FaultRule } from './faults.ts'
import { BareRepo, bareRepoPath } from './git-store.ts'
import { basicError, isoNow, validationError, type Actor, type Urls } from './objects.ts'
import { OpenApiReferee, type Operation } from './openapi.ts'
import { gitDataRoutes, fullRef } from './routes/git-data.ts'
import { graphqlHandler } from './routes/graphql.ts'
import { issueRoutes } from './routes/issues.ts'
import { protectionRoutes } from './routes/protection.ts'
import { pullRoutes, pullView, type PullView } from './routes/pulls.ts'
import { repoRoutes } from './routes/repos.ts'
import { statusRoutes } from './routes/statuses.ts'
import { teamRoutes } from './routes/teams.ts'
import { HttpError, type Handler, type Reply, type RepoState, type StandInCore } from './state.ts'

/** One request the stand-in answered. */
export interface TrafficEntry {
  method: string
  /** Path and query string as sent. */
  path: string
  /** The operation of GitHub's description it matched (undefined: no served operation). */
  operationId?: string
  status: number
  /** The injected fault, if one fired. */
  fault?: Fault['kind']
  /** Time from the request's arrival to its answer, in milliseconds. */
  ms: number
}

/** A request or response that does not match GitHub's description, or a request to an unserved route. */
export interface Violation {
  kind: 'request' | 'response' | 'unserved'
  method: string
  path: string
  operationId?: string
  status?: number
  errors: string[]
}

/** A repository to create at start. */
export interface RepoSpec {
  /** owner/name */
  name: string
  /** A directory imported as the initial commit on the default branch. */
  fromDir?: string
  /** Files (path → content) committed as the initial commit when no directory is given. */
  files?: Record<string, string>
  defaultBranch?: string
  private?: boolean
}

export interface StandInOptions {
  /** Repositories to create (owner/name, or a RepoSpec). */
  repos?: Array<string | RepoSpec>
  /**
   * Accepted tokens: a list (each acting as user `octocat`) or a map token → login. A request
   * without `Authorization: token|Bearer <one of them>` gets GitHub's 401.
   * Default: one token, `ghs_stand_in_token`, acting as the bot `stand-in[bot]`.
   */
  tokens?: string[] | Record<string, string>
  /**
   * Organisation teams, `'org/slug'` → member logins. When an organisation has teams here,
   * GET /orgs/{org}/teams/{slug} answers them and review requests to other teams are refused.
   */
  teams?: Record<string, string[]>
  /** Where the bare repositories go (default: a new temp dir, removed by close()). */
  dir?: string
  /** Print violations to stderr as they happen (default true). */
  logViolations?: boolean
}

/** The operations the stand-in serves, by operation id of GitHub's description. */
const ROUTES: Record<string, Handler> = {
  ...repoRoutes,
  ...gitDataRoutes,
  ...pullRoutes,
  ...issueRoutes,
  ...statusRoutes,
  ...protectionRoutes,
  ...teamRoutes
}

interface CompiledRoute {
  op: Operation
  handler: Handler
  regex: RegExp
  names: string[]
  literalSegments: number
}

// Parameters that may carry slashes when a client does not encode them (GitHub accepts both).
const GREEDY = new Set(['ref', 'path', 'basehead', 'branch'])

let referee: OpenApiReferee | undefined
let compiledRoutes: CompiledRoute[] | undefined

function routes(): { referee: OpenApiReferee; routes: CompiledRoute[] } {
  referee ??= new OpenApiReferee()
  if (!compiledRoutes) {
    const operations = referee.prepare(Object.keys(ROUTES))
    compiledRoutes = Object.values(ROUTES).map((handler, i) => {
      const op = operations[i]!
      const names: string[] = []
      const pattern = op.path
        .split('/')
        .map((segment) =>
          segment.replace(/\{([^}]+)\}|[^{]+/g, (part, name?: string) => {
            if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            names.push(name)
            return name === 'path' ? '(.*)' : GREEDY.has(name) ? '(.+?)' : '([^/]+)'
          })
        )
        .join('/')
      return {
        op,
        handler,
        regex: new RegExp(`^${pattern}$`),
        names,
        literalSegments: op.path.split('/').filter((s) => !s.includes('{')).length
      }
    })
    // The most literal template first: /commits/{ref}/status before /commits/{ref}.
    compiledRoutes.sort((a, b) => b.literalSegments - a.literalSegments)
  }
  return { referee, routes: compiledRoutes }
}

/** A running stand-in. */
export class GitHubStandIn {
  /** The API root, for Octokit's baseUrl and GITHUB_API_URL. */
  readonly url: string
  /** A token the stand-in accepts. */
  readonly token: string
  /** Every request answered, in order. */
  readonly traffic: TrafficEntry[] = []
  /** Every request and response that did not match GitHub's description. */
  readonly violations: Violation[] = []
  /** The bare repositories' root directory. */
  readonly dir: string

  private readonly core: StandInCore
  private readonly faults = new FaultTable()
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private readonly tokens: Map<string, Actor>
  private readonly ownsDir: boolean
  private readonly logViolations: boolean
  private idCounter = 1000

  /** @internal use startGitHubStandIn() */
  constructor(server: Server, url: string, options: StandInOptions) {
    this.server = server
    this.url = url
    this.ownsDir = options.dir === undefined
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'github-stand-in-'))
    this.logViolations = options.logViolations ?? true
    const urls: Urls = { api: url, web: url }
    const actors = new Map<string, Actor>()
    this.core = {
      urls,
      repos: new Map(),
      nextId: () => ++this.idCounter,
      actorFor: (login, type = 'User') => {
        let actor = actors.get(login)
        if (!actor) actors.set(login, (actor = { login, id: ++this.idCounter, type: login.endsWith('[bot]') ? 'Bot' : type }))
        return actor
      },
      signedCommits: new Set(),
      graphqlCalls: [],
      teams: new Map()
    }
    const tokens = options.tokens ?? { ghs_stand_in_token: 'stand-in[bot]' }
    const entries: Array<[string, string]> = Array.isArray(tokens) ? tokens.map((t) => [t, 'octocat']) : Object.entries(tokens)
    if (entries.length === 0) throw new Error('startGitHubStandIn: give at least one token')
    this.tokens = new Map(entries.map(([token, login]) => [token, this.core.actorFor(login)]))
    this.token = entries[0]![0]
    for (const [team, members] of Object.entries(options.teams ?? {})) this.addTeam(team, members)
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    server.on('request', (req, res) => void this.handle(req, res))
  }

  /** Creates owner/name as an empty repository, or with an initial commit of `fromDir` / `files` on main. */
  async createRepo(fullName: string, options: Omit<RepoSpec, 'name'> = {}): Promise<{ dir: string; head?: string }> {
    const [owner, name, extra] = fullName.split('/')
    if (!owner || !name || extra !== undefined) throw new Error(`createRepo: "${fullName}" is not owner/name`)
    if (this.core.repos.has(fullName.toLowerCase())) throw new Error(`createRepo: ${fullName} exists`)
    const dir = bareRepoPath(this.dir, owner, name)
    const git = await BareRepo.init(dir)
    const defaultBranch = options.defaultBranch ?? 'main'
    if (defaultBranch !== 'main') await git.git(['symbolic-ref', 'HEAD', `refs/heads/${defaultBranch}`])
    const created = isoNow()
    const state: RepoState = {
      record: {
        id: this.core.nextId(),
        owner: this.core.actorFor(owner, 'Organization'),
        name,
        defaultBranch,
        private: options.private ?? false,
        createdAt: created
      },
      git,
      nextNumber: 1,
      pulls: [],
      labels: new Map(),
      comments: [],
      statuses: [],
      protections: new Map(),
      rulesets: [],
      pushedAt: created,
      lock: Promise.resolve()
    }
    this.core.repos.set(fullName.toLowerCase(), state)
    const files = new Map<string, { mode: string; type: string; sha: string }>()
    if (options.fromDir) {
      for (const file of walk(options.fromDir)) {
        const full = join(options.fromDir, file)
        const link = lstatSync(full).isSymbolicLink()
        const content = link ? Buffer.from(readlinkSync(full)) : readFileSync(full)
        const mode = link ? '120000' : statSync(full).mode & 0o111 ? '100755' : '100644'
        files.set(file.split('\\').join('/'), { mode, type: 'blob', sha: await git.writeBlob(content) })
      }
    }
    for (const [path, content] of Object.entries(options.files ?? {})) {
      files.set(path, { mode: '100644', type: 'blob', sha: await git.writeBlob(Buffer.from(content)) })
    }
    if (files.size === 0) return { dir }
    const tree = await git.makeTreeFromPaths(files)
    const who = { name: 'Stand-in', email: 'stand-in@example.com', date: created }
    const head = await git.commitTree(tree, [], 'Initial commit', who, who)
    await git.compareAndSwapRef(`refs/heads/${defaultBranch}`, head, undefined)
    return { dir, head }
  }

  /** Adds (or replaces) the team `org/slug` with these members. */
  addTeam(team: string, members: string[] = []): void {
    const [org, slug, extra] = team.split('/')
    if (!org || !slug || extra !== undefined) throw new Error(`addTeam: "${team}" is not org/team-slug`)
    this.core.actorFor(org, 'Organization')
    this.core.teams.set(team.toLowerCase(), { org, slug, members: [...members] })
  }

  /** The bare repository of owner/name, for `git clone file://…` and pushes. */
  repoDir(fullName: string): string {
    return this.repo(fullName).git.dir
  }

  /** The pull requests of owner/name, as the stand-in holds them (head and base resolved). */
  async pulls(fullName: string): Promise<PullView[]> {
    const repo = this.repo(fullName)
    return Promise.all(repo.pulls.map((p) => pullView(repo, p)))
  }

  /** The comments on issue or pull request `number`, oldest first. */
  comments(fullName: string, number: number): Array<{ id: number; body: string; user: string; createdAt: string }> {
    return this.repo(fullName)
      .comments.filter((c) => c.issueNumber === number)
      .map((c) => ({ id: c.id, body: c.body, user: c.user.login, createdAt: c.createdAt }))
  }

  /** The repository's labels. */
  labels(fullName: string): Array<{ name: string; color: string; description: string | null }> {
    return [...this.repo(fullName).labels.values()].map((l) => ({ name: l.name, color: l.color, description: l.description }))
  }

  /** Commit statuses posted for `sha`, oldest first. */
  statuses(fullName: string, sha: string): Array<{ context: string; state: string; description: string | null; targetUrl: string | null }> {
    return this.repo(fullName)
      .statuses.filter((s) => s.sha === sha)
      .map((s) => ({ context: s.context, state: s.state, description: s.description, targetUrl: s.targetUrl }))
  }

  /** Classic branch protection settings as last PUT (undefined when unprotected). */
  branchProtection(fullName: string, branch: string): Record<string, unknown> | undefined {
    return this.repo(fullName).protections.get(branch)
  }

  /** Repository rulesets as stored. */
  rulesets(fullName: string): Array<Record<string, unknown>> {
    return this.repo(fullName).rulesets.map((r) => ({ ...r }))
  }

  /** GraphQL operations accepted (query text and variables). */
  get graphqlCalls(): ReadonlyArray<{ query: string; variables: Record<string, unknown> }> {
    return this.core.graphqlCalls
  }

  /** The commit a branch points at (undefined when it does not exist). */
  async branchHead(fullName: string, branch: string): Promise<string | undefined> {
    return this.repo(fullName).git.resolveRef(`refs/heads/${branch}`)
  }

  /** Requests answered for one operation id (or all), e.g. count('pulls/create'). */
  count(operationId?: string): number {
    return operationId ? this.traffic.filter((t) => t.operationId === operationId).length : this.traffic.length
  }

  /** Installs a fault rule; see FaultRule. */
  inject(rule: FaultRule): FaultHandle {
    return this.faults.add(rule)
  }

  /** Removes every fault rule. */
  clearFaults(): void {
    this.faults.clear()
  }

  /** Forgets recorded traffic (violations are kept). */
  resetTraffic(): void {
    this.traffic.length = 0
  }

  /** Stops the server and removes the temp dir it created. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      for (const socket of this.sockets) socket.destroy()
    })
    for (const repo of this.core.repos.values()) repo.git.close()
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true })
  }

  private repo(fullName: string): RepoState {
    const repo = this.core.repos.get(fullName.toLowerCase())
    if (!repo) throw new Error(`The stand-in has no repository ${fullName}`)
    return repo
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const rawPath = req.url ?? '/'
    const url = new URL(rawPath, 'http://stand-in.invalid')
    const started = performance.now()
    const entry: TrafficEntry = { method, path: rawPath, status: 0, ms: 0 }
    const requestId = randomUUID()
    const send = (reply: Reply): void => {
      entry.status = reply.status
      entry.ms = Math.round(performance.now() - started)
      this.traffic.push(entry)
      const headers: Record<string, string> = {
        'x-github-request-id': requestId,
        'x-github-media-type': 'github.v3; format=json',
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(0, 5000 - this.traffic.length)),
        'x-ratelimit-used': String(this.traffic.length),
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        ...reply.headers
      }
      if (reply.body === undefined) {
        res.writeHead(reply.status, headers).end()
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(reply.body))
      }
    }
    try {
      const raw = await readBody(req)
      // Authentication comes first on GitHub: a bad token is 401 whatever the route.
      const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')
      if (!auth) return send({ status: 401, body: basicError('Requires authentication', 401) })
      const actor = this.tokens.get(auth[1]!)
      if (!actor) return send({ status: 401, body: basicError('Bad credentials', 401) })

      let body: unknown
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8'))
        } catch {
          return send({ status: 400, body: basicError('Problems parsing JSON', 400) })
        }
      }

      if (method === 'POST' && url.pathname === '/graphql') {
        entry.operationId = 'graphql'
        const fault = this.faults.pick({ method, path: url.pathname, operationId: 'graphql', template: '/graphql' })
        if (fault && this.answerFault(fault, entry, req, send)) return
        return send(
          await graphqlHandler(this.core, actor, body, (errors) =>
            this.violate({ kind: 'request', method, path: rawPath, operationId: 'graphql', errors })
          )
        )
      }

      const { referee, routes: table } = routes()
      let match: { route: CompiledRoute; params: Record<string, string> } | undefined
      for (const route of table) {
        if (route.op.method !== method) continue
        const m = route.regex.exec(url.pathname)
        if (!m) continue
        const params: Record<string, string> = {}
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)))
        match = { route, params }
        break
      }
      if (!match) {
        this.violate({
          kind: 'unserved',
          method,
          path: rawPath,
          errors: [`the stand-in serves no operation for ${method} ${url.pathname}`]
        })
        return send({ status: 404, body: basicError('Not Found', 404) })
      }
      const { route, params } = match
      entry.operationId = route.op.operationId

      const fault = this.faults.pick({ method, path: url.pathname, operationId: route.op.operationId, template: route.op.path })
      if (fault && this.answerFault(fault, entry, req, send)) return

      const requestErrors = [...referee.checkParameters(route.op, params, url.searchParams), ...referee.checkRequestBody(route.op, body)]
      if (requestErrors.length > 0) {
        this.violate({ kind: 'request', method, path: rawPath, operationId: route.op.operationId, errors: requestErrors })
        // GitHub's answer to a body that does not match its schema.
        return send({ status: 422, body: validationError(`Invalid request.\n\n${requestErrors.join('\n')}`) })
      }

      const repo = params.owner && params.repo ? this.core.repos.get(`${params.owner}/${params.repo}`.toLowerCase()) : undefined
      if (params.owner && params.repo && !repo) return send({ status: 404, body: basicError('Not Found', 404) })

      const run = async (): Promise<Reply> => {
        const writer =
          fault?.kind === 'ref-exists' || fault?.kind === 'race'
            ? () => this.concurrentWriter(fault, route.op.operationId, params, body, repo!)
            : undefined
        // A merge reads the base inside the handler, so its other writer strikes between that read
        // and the base update; for ref routes the client's read came earlier, so it strikes first.
        const inside = route.op.operationId === 'pulls/merge'
        if (writer && !inside) await writer()
        return route.handler({
          core: this.core,
          op: route.op,
          params,
          query: url.searchParams,
          body,
          actor,
          repo: repo!,
          beforeRefUpdate: inside ? writer : undefined
        })
      }
      let reply: Reply
      let generic = false
      try {
        reply = method === 'GET' || !repo ? await run() : await serialise(repo, run)
      } catch (error) {
        if (!(error instanceof HttpError)) throw error
        reply = { status: error.status, body: error.body, headers: error.headers }
        // 404 for something missing is GitHub's answer on every route, documented or not.
        generic = error.status === 404
      }
      if (reply.status === 200 && Array.isArray(reply.body) && route.op.parameters.some((p) => p.name === 'per_page')) {
        reply = paginate(reply, url, this.url)
      }
      const documented = route.op.responses.has(String(reply.status))
      if (!(generic && !documented)) {
        const responseErrors = referee.checkResponse(route.op, reply.status, reply.body)
        if (responseErrors.length > 0) {
          this.violate({
            kind: 'response',
            method,
            path: rawPath,
            operationId: route.op.operationId,
            status: reply.status,
            errors: responseErrors
          })
        }
      }
      return send(reply)
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      this.violate({
        kind: 'response',
        method,
        path: rawPath,
        operationId: entry.operationId,
        status: 500,
        errors: [`stand-in bug: ${message}`]
      })
      return send({ status: 500, body: basicError('Server Error (stand-in bug: see its violations)', 500) })
    }
  }

  /** Answers a fault that replaces the response; false for faults that change state and let the request run. */
  private answerFault(fault: Fault, entry: TrafficEntry, req: IncomingMessage, send: (reply: Reply) => void): boolean {
    entry.fault = fault.kind
    switch (fault.kind) {
      case 'status':
        send({ status: fault.status, body: basicError(fault.message ?? FAULT_MESSAGES[fault.status] ?? 'Bad Gateway', fault.status) })
        return true
      case 'secondary-rate-limit':
        send({
          status: 403,
          headers: { 'retry-after': String(fault.retryAfter ?? 1) },
          body: basicError(
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
            403,
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
          )
        })
        return true
      case 'rate-limit':
        send({
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + (fault.retryAfter ?? 1)) },
          body: basicError('API rate limit exceeded for user.', 403, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api')
        })
        return true
      case 'reset':
        entry.status = 0
        this.traffic.push(entry)
        req.socket.resetAndDestroy()
        return true
      default:
        return false
    }
  }

  /** The other writer of 'ref-exists' and 'race' faults, acting on the ref the request is about. */
  private async concurrentWriter(
    fault: Fault,
    operationId: string,
    params: Record<string, string>,
    body: any,
    repo: RepoState
  ): Promise<void> {
    let ref: string | undefined
    if (operationId === 'git/create-ref') ref = body?.ref
    else if (operationId === 'git/update-ref' || operationId === 'git/delete-ref') ref = fullRef(params.ref!)
    else if (operationId === 'pulls/merge') {
      const pull = repo.pulls.find((p) => p.number === Number(params.pull_number))
      if (pull) ref = `refs/heads/${pull.baseRef}`
    }
    if (!ref) throw new Error(`fault ${fault.kind} does not apply to ${operationId}`)
    const current = await repo.git.resolveRef(ref)
    if (fault.kind === 'ref-exists' || !current) {
      const sha = (fault.kind === 'ref-exists' ? fault.sha : undefined) ?? body?.sha ?? current
      if (!current && sha) await repo.git.compareAndSwapRef(ref, sha, undefined)
      return
    }
    const commit = await repo.git.readCommit(current)
    const files = new Map<string, { mode: string; type: string; sha: string }>()
    for (const e of await repo.git.readTree(commit.tree, true)) if (e.type !== 'tree') files.set(e.path, e)
    const changes =
      fault.kind === 'race' && fault.files ? fault.files : { CONCURRENT_WRITER: `written by a concurrent writer at ${isoNow()}\n` }
    for (const [path, content] of Object.entries(changes))
      files.set(path, { mode: '100644', type: 'blob', sha: await repo.git.writeBlob(Buffer.from(content)) })
    const tree = await repo.git.makeTreeFromPaths(files)
    const who = { name: 'Concurrent Writer', email: 'concurrent@example.com', date: isoNow() }
    const sha = await repo.git.commitTree(
      tree,
      [current],
      fault.kind === 'race' && fault.message ? fault.message : 'A concurrent change',
      who,
      who
    )
    await repo.git.compareAndSwapRef(ref, sha, current)
  }

  private violate(violation: Violation): void {
    this.violations.push(violation)
    if (this.logViolations) {
      console.error(
        `github-stand-in: ${violation.kind} violation on ${violation.method} ${violation.path}${violation.operationId ? ` (${violation.operationId})` : ''}:\n  ${violation.errors.join('\n  ')}`
      )
    }
  }
}

/** GitHub's messages for the statuses a 'status' fault answers with. */
const FAULT_MESSAGES: Record<number, string> = { 403: 'Resource not accessible by integration', 404: 'Not Found', 500: 'Server Error' }

/** Starts a stand-in on 127.0.0.1 (random port) with the given repositories and tokens. */
export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  routes() // load GitHub's description before listening: the first request should not pay for it
  const server = createServer({ keepAlive: true })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const hub = new GitHubStandIn(server, `http://127.0.0.1:${port}`, options)
  for (const spec of options.repos ?? []) {
    const { name, ...rest } = typeof spec === 'string' ? { name: spec } : spec
    await hub.createRepo(name, rest)
  }
  return hub
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function serialise<T>(repo: RepoState, task: () => Promise<T>): Promise<T> {
  const result = repo.lock.then(task, task)
  repo.lock = result.catch(() => undefined)
  return result
}

/** Slices a list reply by per_page/page and adds GitHub's Link header. */
function paginate(reply: Reply, url: URL, base: string): Reply {
  const items = reply.body as unknown[]
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30))
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const link = (n: number, rel: string): string => {
    const u = new URL(url.pathname + url.search, base)
    u.searchParams.set('per_page', String(perPage))
    u.searchParams.set('page', String(n))
    return `<${u.toString()}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'))
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
  return {
    ...reply,
    body: items.slice((page - 1) * perPage, page * perPage),
    headers: { ...reply.headers, ...(links.length ? { link: links.join(', ') } : {}) }
  }
}

function walk(root: string, dir = root): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(root, full))
    else out.push(relative(root, full))
  }
  return out.sort()
}
