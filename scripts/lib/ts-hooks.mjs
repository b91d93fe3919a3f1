// Lets Node 24 run the TypeScript sources directly (with --experimental-transform-types): a `./x.js`
// import from a .ts file resolves to `./x.ts`, as TypeScript's NodeNext resolution does. Used by
// benchmarks that time domain functions without the bundle around them.
import { existsSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'

registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL)
      if (existsSync(fileURLToPath(ts))) return next(ts.href, context)
    }
    return next(specifier, context)
  }
})
