/**
 * A Node module hook for `crypto.bench.ts`: resolves `#backend` to
 * `src/backend/<CRYPTO_BENCH_BACKEND>.ts`, which is what backend-guard does when it builds an app
 * (package.json's `imports` would give the placeholder). Loaded with `--import` into each
 * per-backend benchmark process; it registers itself as the hook (on Node's hooks thread).
 */
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url, { data: process.env.CRYPTO_BENCH_BACKEND });

let target;

export function initialize(backend) {
  if (backend) target = new URL(`../src/backend/${backend}.ts`, import.meta.url).href;
}

export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier === '#backend' && target !== undefined ? target : specifier, context);
}
