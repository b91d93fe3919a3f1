// The app's own test, run by `npm test` in build-test-pipeline: start the server, ask /healthz.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { test } from 'node:test'
import assert from 'node:assert/strict'

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

test('answers /healthz with ok', async (t) => {
  const port = await freePort()
  const server = spawn(process.execPath, ['src/server.js'], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' })
  t.after(() => server.kill())
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`)
      assert.equal(response.status, 200)
      assert.equal(await response.text(), 'ok')
      return
    } catch (error) {
      if (attempt >= 50) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
})
