import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ALIAS_BOMB } from '../../../test/harness/hostile-input.js'
import { DEFAULT_MEMORY_BYTES, DEFAULT_TIMEOUT_MS, runTool, ToolExitError, ToolLimitError, toolLimits } from '../src/index.js'

describe('toolLimits', () => {
  test.each([
    [{}, DEFAULT_MEMORY_BYTES, DEFAULT_TIMEOUT_MS],
    [{ GITOPS_ACTIONS_TOOL_MEMORY: '1536M', GITOPS_ACTIONS_TOOL_TIMEOUT: '90' }, 1536 * 1024 ** 2, 90_000],
    [{ GITOPS_ACTIONS_TOOL_MEMORY: '4GiB', GITOPS_ACTIONS_TOOL_TIMEOUT: '2m' }, 4 * 1024 ** 3, 120_000],
    [{ GITOPS_ACTIONS_TOOL_MEMORY: '0', GITOPS_ACTIONS_TOOL_TIMEOUT: '0' }, undefined, undefined]
  ])('%o', (env, memory, timeout) => {
    expect(toolLimits(env)).toEqual({ memoryBytes: memory, timeoutMs: timeout })
  })

  test.each([
    ['GITOPS_ACTIONS_TOOL_MEMORY', 'lots'],
    ['GITOPS_ACTIONS_TOOL_MEMORY', '10M'],
    ['GITOPS_ACTIONS_TOOL_TIMEOUT', '-1'],
    ['GITOPS_ACTIONS_TOOL_TIMEOUT', '1h']
  ])('%s=%s is refused, naming the variable', (name, value) => {
    expect(() => toolLimits({ [name]: value })).toThrow(name)
  })
})

describe('runTool', () => {
  test('a tool that runs past the time bound is stopped with its children, and the error names the bound', async () => {
    const started = Date.now()
    const error = await runTool('sh', ['-c', 'sleep 30 & sleep 30; wait'], { limits: { memoryBytes: undefined, timeoutMs: 300 } }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ToolLimitError)
    expect((error as ToolLimitError).bound).toBe('time')
    expect((error as Error).message).toMatch(/went over the time bound of 300 ms.*GITOPS_ACTIONS_TOOL_TIMEOUT/)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  test('arguments reach the tool as they are, never through a shell', async () => {
    const { stdout } = await runTool('printf', ['%s|', '$(id)', '`id`', ';id', '"x" y'])
    expect(stdout).toBe('$(id)|`id`|;id|"x" y|')
  })

  test('a missing tool says so', async () => {
    const error = await runTool('no-such-tool-gitops', []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ToolExitError)
    expect((error as ToolExitError).notFound).toBe(true)
  })

  // The bound alone, with no check of ours in front: the bomb straight into kubectl kustomize.
  test.runIf(process.platform === 'linux')(
    'kustomize expanding an alias bomb stops at the memory bound instead of taking the machine',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'alias-bomb-'))
      mkdirSync(join(dir, 'overlay'))
      writeFileSync(join(dir, 'overlay/kustomization.yaml'), 'resources:\n- bomb.yaml\n')
      writeFileSync(join(dir, 'overlay/bomb.yaml'), ALIAS_BOMB)
      const error = await runTool('kubectl', ['kustomize', join(dir, 'overlay')], {
        limits: { memoryBytes: 1024 ** 3, timeoutMs: 120_000 }
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ToolLimitError)
      expect((error as ToolLimitError).bound).toBe('memory')
      expect((error as Error).message).toContain('went over the memory bound of 1 GiB')
    },
    150_000
  )
})
