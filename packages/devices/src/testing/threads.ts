/**
 * Runs a TypeScript module in a worker thread, for the tests that drive one device from several
 * threads. The worker registers tsx's loader (workers do not inherit `--import` on Node 20), loads
 * `module`, which reads `workerData` and posts one message; that message is the result.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Starts `module` (a .ts file URL) in a worker with `workerData`; resolves with the message it posts. */
export function runTsWorker<T>(module: URL, workerData: unknown): Promise<T> {
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData });
    let result: { value: T } | undefined;
    worker.once('message', (value: T) => (result = { value }));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result.value) : reject(new Error(`worker ${module.pathname} exited with code ${String(code)} before posting its result`))));
  });
}
