/**
 * The runner harness for tests: starts each bundle exactly as GitHub's runner does. The code is
 * shared with the demo and the benchmarks (scripts/lib/action-runner.mjs).
 */
export * from '../../scripts/lib/action-runner.mjs'
