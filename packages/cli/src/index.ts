import { stopRunningTools } from '@gitops-actions/process'
import { main } from './main.js'
import { processTerminal } from './terminal.js'

// Ctrl-C: the tools run in process groups of their own (see runTool), so they are stopped here. File
// writes are synchronous, so this runs before or after one, never inside it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopRunningTools()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })
}

process.exitCode = await main(process.argv.slice(2), processTerminal())
