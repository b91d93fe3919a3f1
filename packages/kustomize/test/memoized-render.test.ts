import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { memoizedRender, RenderError } from '../src/index.js'

test('memoizedRender builds each directory once: a later edit is not seen, a failure is remembered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memo-'))
  mkdirSync(join(dir, 'ok'))
  writeFileSync(join(dir, 'ok/kustomization.yaml'), 'resources:\n- cm.yaml\n')
  writeFileSync(join(dir, 'ok/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n')
  mkdirSync(join(dir, 'broken'))
  writeFileSync(join(dir, 'broken/kustomization.yaml'), 'resources:\n- missing.yaml\n')

  const render = memoizedRender()
  const first = render(join(dir, 'ok'))
  expect(await first).toContain('name: first')
  // Were it rendered again, the second call would see the new name.
  writeFileSync(join(dir, 'ok/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n')
  expect(render(join(dir, 'ok'))).toBe(first)
  expect(await memoizedRender()(join(dir, 'ok'))).toContain('name: second')

  const failed = render(join(dir, 'broken'))
  await expect(failed).rejects.toBeInstanceOf(RenderError)
  expect(render(join(dir, 'broken'))).toBe(failed)
})
