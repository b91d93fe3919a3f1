import { describe, expect, test } from 'vitest'
import {
  desiredBranchProtection,
  desiredRuleset,
  diffSettings,
  flattenBody,
  flattenBranchProtection,
  flattenRuleset,
  parseGitopsConfig,
  RULESET_NAME
} from '../src/index.js'

const config = parseGitopsConfig('')

describe('desired protection from gitops.yaml', () => {
  test('the seed: config repos require CODEOWNERS review and the four config checks', () => {
    const ruleset = desiredRuleset(config.protection.config, {})
    expect(ruleset).toMatchObject({
      name: RULESET_NAME,
      target: 'branch',
      enforcement: 'active',
      conditions: { ref_name: { include: ['refs/heads/main'] } }
    })
    expect(ruleset.rules).toEqual([
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          require_code_owner_review: true,
          dismiss_stale_reviews_on_push: true,
          require_last_push_approval: false,
          required_review_thread_resolution: false
        }
      },
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: true,
          required_status_checks: ['kustomize-validate', 'security-policy-check', 'quota-validation', 'flux-sync-validation'].map(
            (context) => ({ context })
          )
        }
      },
      { type: 'non_fast_forward' },
      { type: 'deletion' }
    ])
  })

  test('app repos: the four app checks, no CODEOWNERS requirement', () => {
    const body = desiredBranchProtection(config.protection.app)
    expect(body.required_status_checks).toEqual({
      strict: true,
      contexts: ['build-test-pipeline', 'security-scan', 'code-quality-check', 'docker-build-push']
    })
    expect(body.required_pull_request_reviews.require_code_owner_reviews).toBe(false)
    expect(body.enforce_admins).toBe(true)
  })

  test('bypass actors map to ruleset actor types; teams need ids', () => {
    const custom = parseGitopsConfig(
      'protection:\n  config:\n    bypass:\n      - team: platform-admins\n      - app: 123\n      - role: admin\n      - organizationAdmins: true\n'
    )
    expect(desiredRuleset(custom.protection.config, { 'platform-admins': 42 }).bypass_actors).toEqual([
      { actor_id: 42, actor_type: 'Team', bypass_mode: 'always' },
      { actor_id: 123, actor_type: 'Integration', bypass_mode: 'always' },
      { actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' },
      { actor_id: 1, actor_type: 'OrganizationAdmin', bypass_mode: 'always' }
    ])
    expect(() => desiredRuleset(custom.protection.config, {})).toThrow(/platform-admins/)
    expect(desiredBranchProtection(custom.protection.config)).toMatchObject({
      enforce_admins: false,
      required_pull_request_reviews: { bypass_pull_request_allowances: { teams: ['platform-admins'] } }
    })
  })

  test.each([
    [
      'protection:\n  config:\n    requiredAprovals: 2\n',
      /^protection\.config: unknown key 'requiredAprovals' \(did you mean 'requiredApprovals'\?\); valid keys: branch,/
    ],
    ['protection:\n  app:\n    requiredApprovals: 11\n', /^protection\.app\.requiredApprovals: 11 is above the maximum 10$/],
    ['protection:\n  app:\n    bypass:\n      - team: ""\n', /protection.app.bypass.0/]
  ])('%j is refused', (text, message) => {
    expect(() => parseGitopsConfig(text)).toThrow(message)
  })
})

describe('diff against live settings', () => {
  test('a ruleset as GitHub returns it (with extra fields) equal to the desired one has no changes', () => {
    const desired = desiredRuleset(config.protection.config, {})
    const live = {
      ...desired,
      id: 7,
      source: 'org/config-repo',
      source_type: 'Repository',
      node_id: 'RRS_x',
      rules: desired.rules.map((rule) =>
        rule.type === 'pull_request' ? { ...rule, parameters: { ...rule.parameters, allowed_merge_methods: ['merge'] } } : rule
      )
    }
    const changes = diffSettings(flattenRuleset(live), flattenRuleset(desired))
    expect(changes).toEqual([])
  })

  test('missing rules, weaker settings and extra rules are all reported', () => {
    const desired = desiredRuleset(config.protection.config, {})
    const live = {
      ...desired,
      rules: [
        { type: 'pull_request', parameters: { ...(desired.rules[0] as any).parameters, required_approving_review_count: 0 } },
        { type: 'required_signatures' }
      ]
    } as any
    const changes = diffSettings(flattenRuleset(live), flattenRuleset(desired))
    expect(changes.map((c) => c.setting)).toEqual([
      'rules.pull_request.required_approving_review_count',
      'rules.required_status_checks',
      'rules.required_status_checks.strict_required_status_checks_policy',
      'rules.required_status_checks.required_status_checks',
      'rules.non_fast_forward',
      'rules.deletion',
      'rules.required_signatures'
    ])
    expect(changes[0]).toEqual({ setting: 'rules.pull_request.required_approving_review_count', live: 0, desired: 1 })
  })

  test('classic protection as GET returns it compares with the PUT body', () => {
    const desired = desiredBranchProtection(config.protection.config)
    const live = {
      url: 'x',
      required_status_checks: { url: 'x', strict: true, contexts: [...desired.required_status_checks!.contexts].reverse(), checks: [] },
      enforce_admins: { url: 'x', enabled: true },
      required_pull_request_reviews: {
        url: 'x',
        dismiss_stale_reviews: true,
        require_code_owner_reviews: true,
        required_approving_review_count: 1,
        require_last_push_approval: false
      },
      allow_force_pushes: { enabled: false },
      allow_deletions: { enabled: false }
    }
    expect(diffSettings(flattenBranchProtection(live), flattenBody(desired))).toEqual([])
    expect(diffSettings(flattenBranchProtection(undefined), flattenBody(desired)).length).toBeGreaterThan(5)
  })
})
