import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { UserError } from '@gitops-actions/core'
import { render } from '../src/index.js'

// The renderer is found once per process (this file runs in its own worker): with only a kubectl that
// predates kustomize (v1.13 and older) on PATH, the first render says what to install.
test('a kubectl without the kustomize command is a clear error, not a render failure', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'old-kubectl-'))
  writeFileSync(
    join(bin, 'kubectl'),
    '#!/bin/sh\necho \'Error: unknown command "kustomize" for "kubectl"\' >&2\necho "Run \'kubectl --help\' for usage." >&2\nexit 1\n'
  )
  chmodSync(join(bin, 'kubectl'), 0o755)
  const path = process.env.PATH
  delete process.env.KUSTOMIZE_BIN
  process.env.PATH = bin
  try {
    const failure = await render(bin).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UserError)
    expect((failure as Error).message).toBe(
      'kubectl on PATH has no kustomize command (it came with kubectl v1.14); install kustomize or a newer kubectl.'
    )
  } finally {
    process.env.PATH = path
  }
})
