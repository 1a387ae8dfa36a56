/**
 * The public modules' bridge from a backend result, sync or async, to the promise every public
 * operation returns, without an `async` function's extra cost (it matters for 4 KiB sectors).
 */
import type { Awaitable } from '../backend/backend.ts';

/** `result` as a promise; if it is a promise that rejects, the rejection is `wrap(error)`. */
export function settle<T>(result: Awaitable<T>, wrap: (error: unknown) => Error): Promise<T> {
  if (!(result instanceof Promise)) return Promise.resolve(result);
  return result.catch((error: unknown) => {
    throw wrap(error);
  });
}
