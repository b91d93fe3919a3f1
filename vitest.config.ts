import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [
    {
      // GitHub's workflow parser (@actions/workflow-parser) imports its JSON schema without an import
      // attribute, which Node refuses: it is inlined below so Vite loads it. Its published source maps
      // point at sources it does not ship; dropping the references keeps the test output clean.
      name: 'workflow-parser-without-source-maps',
      enforce: 'pre',
      load(id) {
        if (!id.includes('/@actions/workflow-parser/dist/') || !id.endsWith('.js')) return null
        return { code: readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, ''), map: null }
      }
    }
  ],
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Two cores: more workers only fight over them, and kustomize renders want one each.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/harness/plain-summary-reporter.ts'],
    server: { deps: { inline: ['@actions/workflow-parser'] } }
  }
})
