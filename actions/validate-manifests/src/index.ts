import './quiet-punycode.js'
import { run } from './main.js'

await run()
