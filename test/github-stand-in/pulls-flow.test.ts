import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startGitHubStandIn, type GitHubStandIn } from './index.ts'
import type { GitHubClient } from '@gitops-actions/github'
import { standInOctokit } from './octokit.ts'
import { git } from '../harness/git-repo.ts'

// The stand-in driven by a real Octokit (retry + throttling plugins) through the flow the
// promotion action runs: a commit through the git data API, a pull request, labels, comments,
// reviewers, statuses, a merge, with every request and response checked against GitHub's
// OpenAPI description (hub.violations must stay empty).

const owner = 'org'
const repo = 'config-repo'
const OVERLAY = 'apps/myapp/overlays/dev/kustomization.yaml'

let hub: GitHubStandIn
let octokit: GitHubClient
let fixture: string

/** Commits `files` on top of `branch` through the git data API and returns the new commit (the ref is not moved). */
async function apiCommit(branch: string, message: string, files: Record<string, string | null>): Promise<{ sha: string; parent: string }> {
  const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` })
  const { data: parent } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha })
  const tree = []
  for (const [path, content] of Object.entries(files)) {
    if (content === null) tree.push({ path, mode: '100644' as const, type: 'blob' as const, sha: null })
    else {
      const { data: blob } = await octokit.rest.git.createBlob({
        owner,
        repo,
        content: Buffer.from(content).toString('base64'),
        encoding: 'base64'
      })
      tree.push({ path, mode: '100644' as const, type: 'blob' as const, sha: blob.sha })
    }
  }
  const { data: newTree } = await octokit.rest.git.createTree({ owner, repo, base_tree: parent.tree.sha, tree })
  const { data: commit } = await octokit.rest.git.createCommit({ owner, repo, message, tree: newTree.sha, parents: [parent.sha] })
  return { sha: commit.sha, parent: parent.sha }
}

/** Classic protection on main with one required status check and nothing else. */
async function requireCheckOnMain(context: string): Promise<void> {
  await octokit.rest.repos.updateBranchProtection({
    owner,
    repo,
    branch: 'main',
    required_status_checks: { strict: false, contexts: [context] },
    enforce_admins: true,
    required_pull_request_reviews: null,
    restrictions: null
  })
}

beforeAll(async () => {
  fixture = mkdtempSync(join(tmpdir(), 'stand-in-fixture-'))
  mkdirSync(join(fixture, 'apps/myapp/overlays/dev'), { recursive: true })
  writeFileSync(join(fixture, OVERLAY), 'images:\n  - name: myapp\n    newTag: sha-1111111\n')
  writeFileSync(join(fixture, 'README.md'), '# config repo\n')
  hub = await startGitHubStandIn({ repos: [{ name: `${owner}/${repo}`, fromDir: fixture }], logViolations: true })
  octokit = standInOctokit(hub)
})

afterAll(async () => {
  expect(hub.violations).toEqual([])
  await hub.close()
})

describe('git data API on a real bare repository', () => {
  test('a commit made through blobs, trees, commits and refs is a real git commit', async () => {
    const { sha, parent } = await apiCommit('main', 'deploy: myapp sha-2222222 to dev', {
      [OVERLAY]: 'images:\n  - name: myapp\n    newTag: sha-2222222\n'
    })
    const { data: ref } = await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/auto-deploy/myapp-sha-2222222', sha })
    expect(ref.object.sha).toBe(sha)

    const clone = mkdtempSync(join(tmpdir(), 'stand-in-clone-'))
    git(clone, 'clone', '-q', `file://${hub.repoDir(`${owner}/${repo}`)}`, '.')
    git(clone, 'checkout', '-q', 'auto-deploy/myapp-sha-2222222')
    expect(readFileSync(join(clone, OVERLAY), 'utf8')).toContain('newTag: sha-2222222')
    expect(git(clone, 'rev-parse', 'HEAD^')).toBe(parent)
    expect(git(clone, 'log', '-1', '--format=%s')).toBe('deploy: myapp sha-2222222 to dev')
    // Untouched files keep their blobs (base_tree).
    expect(readFileSync(join(clone, 'README.md'), 'utf8')).toBe('# config repo\n')

    const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: sha })
    expect(commit.verification.verified).toBe(true)
    const { data: tree } = await octokit.rest.git.getTree({ owner, repo, tree_sha: commit.tree.sha, recursive: 'true' })
    expect(tree.tree.map((e) => e.path)).toEqual([
      'README.md',
      'apps',
      'apps/myapp',
      'apps/myapp/overlays',
      'apps/myapp/overlays/dev',
      OVERLAY
    ])
    const blobSha = tree.tree.find((e) => e.path === OVERLAY)!.sha!
    const { data: blob } = await octokit.rest.git.getBlob({ owner, repo, file_sha: blobSha })
    expect(Buffer.from(blob.content, 'base64').toString()).toContain('sha-2222222')
  })

  test('deleting a path with sha: null, and reading contents at a ref', async () => {
    const { sha } = await apiCommit('main', 'chore: drop the readme', { 'README.md': null })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/no-readme', sha })
    await expect(octokit.rest.repos.getContent({ owner, repo, path: 'README.md', ref: 'no-readme' })).rejects.toMatchObject({ status: 404 })
    const { data: file } = await octokit.rest.repos.getContent({ owner, repo, path: 'README.md', ref: 'main' })
    expect(Array.isArray(file) ? undefined : file.type).toBe('file')
    const { data: dir } = await octokit.rest.repos.getContent({ owner, repo, path: 'apps/myapp/overlays' })
    expect(Array.isArray(dir) && dir.map((e) => [e.type, e.path])).toEqual([['dir', 'apps/myapp/overlays/dev']])
    await octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/no-readme' })
    await expect(octokit.rest.git.getRef({ owner, repo, ref: 'heads/no-readme' })).rejects.toMatchObject({ status: 404 })
  })

  test.each([
    [
      'create-ref on an existing ref',
      () => octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/main', sha: '0'.repeat(40) }),
      'Object does not exist'
    ],
    [
      'create-ref on an existing ref with a real object',
      async () => {
        const { data } = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })
        return octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/main', sha: data.object.sha })
      },
      'Reference already exists'
    ],
    [
      'update-ref that is not a fast-forward',
      async () => {
        const { sha } = await apiCommit('main', 'side', { 'side.txt': 'side\n' })
        await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/side', sha })
        const { sha: other } = await apiCommit('main', 'other', { 'other.txt': 'other\n' })
        return octokit.rest.git.updateRef({ owner, repo, ref: 'heads/side', sha: other, force: false })
      },
      'Update is not a fast forward'
    ],
    ['delete-ref of a missing ref', () => octokit.rest.git.deleteRef({ owner, repo, ref: 'heads/never-was' }), 'Reference does not exist']
  ])('%s → 422 %s', async (_name, call, message) => {
    await expect(call()).rejects.toMatchObject({ status: 422, response: { data: { message } } })
  })

  test('force: true moves a ref anywhere; compare and list-commits read the history', async () => {
    const { sha } = await apiCommit('main', 'forced', { 'forced.txt': 'x\n' })
    await octokit.rest.git.updateRef({ owner, repo, ref: 'heads/side', sha, force: true })
    expect(await hub.branchHead(`${owner}/${repo}`, 'side')).toBe(sha)

    const { data: compare } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: 'main...side' })
    expect(compare).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1 })
    expect(compare.files?.map((f) => [f.filename, f.status])).toEqual([['forced.txt', 'added']])
    const { data: commits } = await octokit.rest.repos.listCommits({ owner, repo, sha: 'side', path: 'forced.txt' })
    expect(commits.map((c) => c.sha)).toEqual([sha])
    const { data: matching } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: 'heads/auto-deploy/' })
    expect(matching.map((r) => r.ref)).toEqual(['refs/heads/auto-deploy/myapp-sha-2222222'])
  })
})

describe('pull requests', () => {
  const head = 'auto-deploy/myapp-sha-2222222'

  test('create, find by head, label, comment, request reviewers, update', async () => {
    const { data: pull } = await octokit.rest.pulls.create({
      owner,
      repo,
      head,
      base: 'main',
      title: 'deploy: myapp sha-2222222 to dev',
      body: 'first'
    })
    expect(pull).toMatchObject({ number: expect.any(Number), state: 'open', mergeable_state: 'clean', commits: 1, changed_files: 1 })

    await expect(octokit.rest.pulls.create({ owner, repo, head, base: 'main', title: 'again' })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: `A pull request already exists for ${owner}:${head}.` }] } }
    })
    const { data: found } = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: 'open' })
    expect(found.map((p) => p.number)).toEqual([pull.number])

    const { data: labels } = await octokit.rest.issues.addLabels({
      owner,
      repo,
      issue_number: pull.number,
      labels: ['promotion', 'env:dev']
    })
    expect(labels.map((l) => l.name)).toEqual(['promotion', 'env:dev'])
    await octokit.rest.issues.createComment({ owner, repo, issue_number: pull.number, body: 'Superseded by nothing yet' })
    const { data: comments } = await octokit.rest.issues.listComments({ owner, repo, issue_number: pull.number })
    expect(comments.map((c) => c.body)).toEqual(['Superseded by nothing yet'])
    await octokit.rest.pulls.requestReviewers({
      owner,
      repo,
      pull_number: pull.number,
      reviewers: ['alice'],
      team_reviewers: ['platform-team']
    })
    await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: pull.number,
      title: 'deploy: myapp sha-2222222 to dev (updated)',
      body: 'second'
    })

    const [view] = await hub.pulls(`${owner}/${repo}`)
    expect(view).toMatchObject({
      number: pull.number,
      title: 'deploy: myapp sha-2222222 to dev (updated)',
      body: 'second',
      labels: ['promotion', 'env:dev'],
      requestedReviewers: ['alice'],
      requestedTeams: ['platform-team'],
      state: 'open'
    })
    expect(hub.labels(`${owner}/${repo}`).map((l) => l.name)).toEqual(['promotion', 'env:dev'])
  })

  test('a required status check blocks the merge until it passes; then the merge moves main', async () => {
    const [pull] = await hub.pulls(`${owner}/${repo}`)
    await requireCheckOnMain('kustomize-validate')
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull!.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Required status check "kustomize-validate" is expected.' } }
    })
    await octokit.rest.repos.createCommitStatus({ owner, repo, sha: pull!.headSha!, state: 'failure', context: 'kustomize-validate' })
    const { data: failing } = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: head })
    expect(failing.state).toBe('failure')
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull!.number })).rejects.toMatchObject({ status: 405 })
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: pull!.headSha!,
      state: 'success',
      context: 'kustomize-validate',
      description: 'ok'
    })

    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull!.number, sha: '1'.repeat(40) })).rejects.toMatchObject({
      status: 409
    })
    const mainBefore = await hub.branchHead(`${owner}/${repo}`, 'main')
    const { data: merged } = await octokit.rest.pulls.merge({ owner, repo, pull_number: pull!.number, merge_method: 'merge' })
    expect(merged.merged).toBe(true)
    const clone = mkdtempSync(join(tmpdir(), 'stand-in-merged-'))
    git(clone, 'clone', '-q', `file://${hub.repoDir(`${owner}/${repo}`)}`, '.')
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(merged.sha)
    expect(git(clone, 'rev-parse', 'HEAD^1', 'HEAD^2').split('\n')).toEqual([mainBefore, pull!.headSha])
    expect(readFileSync(join(clone, OVERLAY), 'utf8')).toContain('sha-2222222')

    const { data: after } = await octokit.rest.pulls.get({ owner, repo, pull_number: pull!.number })
    expect(after).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.sha })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull!.number })).rejects.toMatchObject({ status: 405 })
    await octokit.rest.repos.deleteBranchProtection({ owner, repo, branch: 'main' })
  })

  test('a conflicting pull request is not mergeable (405); closing it through PATCH', async () => {
    const { sha: a } = await apiCommit('main', 'a', { [OVERLAY]: 'images:\n  - name: myapp\n    newTag: sha-aaaaaaa\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/conflict', sha: a })
    const { sha: b } = await apiCommit('main', 'b', { [OVERLAY]: 'images:\n  - name: myapp\n    newTag: sha-bbbbbbb\n' })
    const main = await hub.branchHead(`${owner}/${repo}`, 'main')
    await octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: b })
    expect(await hub.branchHead(`${owner}/${repo}`, 'main')).not.toBe(main)

    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'conflict', base: 'main', title: 'conflicts' })
    expect(pull).toMatchObject({ mergeable: false, mergeable_state: 'dirty' })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Pull Request is not mergeable' } }
    })
    const { data: closed } = await octokit.rest.pulls.update({ owner, repo, pull_number: pull.number, state: 'closed' })
    expect(closed).toMatchObject({ state: 'closed', merged: false })
    await expect(octokit.rest.pulls.create({ owner, repo, head: 'main', base: 'main', title: 'nothing' })).rejects.toMatchObject({
      status: 422
    })
  })

  test.each(['squash', 'rebase'] as const)('merge_method %s lands the change on main', async (method) => {
    const branch = `change-${method}`
    const { sha } = await apiCommit('main', `feat: ${method}`, { [`${method}.txt`]: `${method}\n` })
    await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: branch, base: 'main', title: `via ${method}` })
    const { data: merged } = await octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number, merge_method: method })
    const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: merged.sha })
    expect(commit.parents).toHaveLength(1)
    expect(commit.message).toMatch(method === 'squash' ? `via ${method} (#${pull.number})` : `feat: ${method}`)
    const { data: file } = await octokit.rest.repos.getContent({ owner, repo, path: `${method}.txt` })
    expect(Array.isArray(file) ? undefined : Buffer.from((file as { content: string }).content, 'base64').toString()).toBe(`${method}\n`)
  })
})

describe('protection as code', () => {
  test('classic protection round-trips in GitHub shapes', async () => {
    const { data: put } = await octokit.rest.repos.updateBranchProtection({
      owner,
      repo,
      branch: 'main',
      required_status_checks: { strict: true, contexts: ['kustomize-validate', 'security-policy-check'] },
      enforce_admins: true,
      required_pull_request_reviews: { require_code_owner_reviews: true, required_approving_review_count: 1, dismiss_stale_reviews: true },
      restrictions: null,
      required_linear_history: true
    })
    expect(put.required_status_checks?.contexts).toEqual(['kustomize-validate', 'security-policy-check'])
    const { data: got } = await octokit.rest.repos.getBranchProtection({ owner, repo, branch: 'main' })
    expect(got).toMatchObject({
      required_status_checks: { strict: true, contexts: ['kustomize-validate', 'security-policy-check'] },
      required_pull_request_reviews: { require_code_owner_reviews: true, required_approving_review_count: 1 },
      enforce_admins: { enabled: true },
      required_linear_history: { enabled: true },
      allow_force_pushes: { enabled: false }
    })
    await octokit.rest.repos.deleteBranchProtection({ owner, repo, branch: 'main' })
    await expect(octokit.rest.repos.getBranchProtection({ owner, repo, branch: 'main' })).rejects.toMatchObject({ status: 404 })
  })

  test('rulesets: create, list, get, update; an active one enforces its status checks', async () => {
    const { data: created } = await octokit.rest.repos.createRepoRuleset({
      owner,
      repo,
      name: 'protect-main',
      target: 'branch',
      enforcement: 'active',
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
      rules: [
        {
          type: 'pull_request',
          parameters: {
            required_approving_review_count: 0,
            dismiss_stale_reviews_on_push: true,
            require_code_owner_review: true,
            require_last_push_approval: false,
            required_review_thread_resolution: false
          }
        },
        {
          type: 'required_status_checks',
          parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: 'flux-sync-validation' }] }
        }
      ]
    })
    await expect(octokit.rest.repos.createRepoRuleset({ owner, repo, name: 'protect-main', enforcement: 'active' })).rejects.toMatchObject({
      status: 422
    })
    const { data: list } = await octokit.rest.repos.getRepoRulesets({ owner, repo })
    expect(list.map((r) => r.name)).toEqual(['protect-main'])
    const { data: got } = await octokit.rest.repos.getRepoRuleset({ owner, repo, ruleset_id: created.id })
    expect(got.rules?.map((r) => r.type)).toEqual(['pull_request', 'required_status_checks'])

    const { sha } = await apiCommit('main', 'guarded', { 'guarded.txt': 'g\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/guarded', sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'guarded', base: 'main', title: 'guarded' })
    expect(pull.mergeable_state).toBe('blocked')
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({ status: 405 })
    await octokit.rest.repos.updateRepoRuleset({ owner, repo, ruleset_id: created.id, enforcement: 'evaluate' })
    const { data: merged } = await octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })
    expect(merged.merged).toBe(true)
  })
})

describe('auto-merge through GraphQL', () => {
  test('enablePullRequestAutoMerge is validated, recorded, and merges once the required check passes', async () => {
    await requireCheckOnMain('kustomize-validate')
    const { sha } = await apiCommit('main', 'auto', { 'auto.txt': 'auto\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/auto', sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'auto', base: 'main', title: 'auto' })
    const mutation = `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: SQUASH }) { pullRequest { number autoMergeRequest { mergeMethod } } } }`
    const result = await octokit.graphql<{
      enablePullRequestAutoMerge: { pullRequest: { number: number; autoMergeRequest: { mergeMethod: string } } }
    }>(mutation, { id: pull.node_id })
    expect(result.enablePullRequestAutoMerge.pullRequest).toEqual({ number: pull.number, autoMergeRequest: { mergeMethod: 'SQUASH' } })
    expect(hub.graphqlCalls.at(-1)?.variables).toEqual({ id: pull.node_id })
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number })).data.auto_merge?.merge_method).toBe('squash')

    await octokit.rest.repos.createCommitStatus({ owner, repo, sha, state: 'success', context: 'kustomize-validate' })
    const { data: after } = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number })
    expect(after).toMatchObject({ merged: true, auto_merge: null })
    await octokit.rest.repos.deleteBranchProtection({ owner, repo, branch: 'main' })
  })

  test('GitHub refuses auto-merge on a pull request that is already clean', async () => {
    const { sha } = await apiCommit('main', 'clean', { 'clean.txt': 'clean\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/clean', sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'clean', base: 'main', title: 'clean' })
    await expect(
      octokit.graphql(`mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }`, {
        id: pull.node_id
      })
    ).rejects.toMatchObject({ errors: [{ type: 'UNPROCESSABLE', message: 'Pull request is in clean status' }] })
  })
})

describe('annotated tags and teams', () => {
  test('a tag object made through the API and one pushed with git are both read back', async () => {
    const main = (await hub.branchHead(`${owner}/${repo}`, 'main'))!
    const { data: tag } = await octokit.rest.git.createTag({
      owner,
      repo,
      tag: 'v1.2.3',
      message: 'myapp v1.2.3\n',
      object: main,
      type: 'commit'
    })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/tags/v1.2.3', sha: tag.sha })

    const clone = mkdtempSync(join(tmpdir(), 'stand-in-tags-'))
    git(clone, 'clone', '-q', `file://${hub.repoDir(`${owner}/${repo}`)}`, '.')
    expect(git(clone, 'rev-parse', 'v1.2.3^{commit}')).toBe(main)
    git(clone, 'tag', '-a', 'v1.3.0', '-m', 'myapp v1.3.0', 'HEAD')
    git(clone, 'push', '-q', 'origin', 'v1.3.0')

    const { data: refs } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: 'tags/v1.' })
    expect(refs.map((r) => [r.ref, r.object.type])).toEqual([
      ['refs/tags/v1.2.3', 'tag'],
      ['refs/tags/v1.3.0', 'tag']
    ])
    const peeled = await Promise.all(refs.map(async (r) => (await octokit.rest.git.getTag({ owner, repo, tag_sha: r.object.sha })).data))
    expect(peeled.map((t) => [t.tag, t.object.type, t.object.sha, t.message])).toEqual([
      ['v1.2.3', 'commit', main, 'myapp v1.2.3\n'],
      ['v1.3.0', 'commit', main, 'myapp v1.3.0\n']
    ])
  })

  test('teams: unknown until configured; then found by name, and review requests to other teams are refused', async () => {
    await expect(octokit.rest.teams.getByName({ org: owner, team_slug: 'platform-team' })).rejects.toMatchObject({ status: 404 })
    hub.addTeam(`${owner}/platform-team`, ['alice', 'bob'])
    const { data: team } = await octokit.rest.teams.getByName({ org: owner, team_slug: 'platform-team' })
    expect(team).toMatchObject({ slug: 'platform-team', members_count: 2, organization: { login: owner } })

    const { sha } = await apiCommit('main', 'reviewed', { 'reviewed.txt': 'r\n' })
    await octokit.rest.git.createRef({ owner, repo, ref: 'refs/heads/reviewed', sha })
    const { data: pull } = await octokit.rest.pulls.create({ owner, repo, head: 'reviewed', base: 'main', title: 'reviewed' })
    const { data: requested } = await octokit.rest.pulls.requestReviewers({
      owner,
      repo,
      pull_number: pull.number,
      team_reviewers: ['platform-team']
    })
    expect(requested.requested_teams?.map((t) => [t.slug, t.id])).toEqual([['platform-team', team.id]])
    await expect(
      octokit.rest.pulls.requestReviewers({ owner, repo, pull_number: pull.number, team_reviewers: ['no-such-team'] })
    ).rejects.toMatchObject({
      status: 422
    })
  })
})
