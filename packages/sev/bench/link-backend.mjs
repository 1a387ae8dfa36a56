/**
 * A Node module hook for `verify.bench.ts`: resolves `@tsvmm/crypto`'s `#backend` to the module
 * in `SEV_BENCH_BACKEND_MODULE`, which the parent process asked backend-guard for (the same
 * resolution an app build or a vitest project gets for the given features). Loaded with `--import`
 * into each per-backend benchmark process; it registers itself as the hook.
 */
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url, { data: process.env.SEV_BENCH_BACKEND_MODULE });

let target;

export function initialize(module) {
  target = module;
}

export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier === '#backend' && target !== undefined ? target : specifier, context);
}
