/**
 * Progress reporting for long steps (downloads, extraction, packing, VM runs): each step prints a
 * line when it starts and one with its duration when it ends, so a log shows where time went.
 * Builders take a `Progress`; the CLI and tests use `consoleProgress`, library callers may pass
 * `silentProgress`.
 */

/** Receives step starts/ends and free-form notes. */
export interface Progress {
  /** Runs `fn` as a named step; reports its start, its end with the elapsed time, and `detail(result)`. */
  step<T>(name: string, fn: () => Promise<T> | T, detail?: (result: T) => string): Promise<T>;
  /** A note that belongs to no step (e.g. "images up to date"). */
  note(message: string): void;
}

/** Seconds with two decimals, for logs. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Bytes as MiB with one decimal (or KiB under 1 MiB), for logs. */
export function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Progress lines on stderr, prefixed with `testvm:`. */
export function consoleProgress(write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Progress {
  return {
    async step(name, fn, detail) {
      write(`testvm: ${name} ...`);
      const start = performance.now();
      try {
        const result = await fn();
        const extra = detail === undefined ? '' : `: ${detail(result)}`;
        write(`testvm: ${name} done in ${seconds(performance.now() - start)}${extra}`);
        return result;
      } catch (error) {
        write(`testvm: ${name} failed after ${seconds(performance.now() - start)}`);
        throw error;
      }
    },
    note(message) {
      write(`testvm: ${message}`);
    },
  };
}

/** Reports nothing. */
export const silentProgress: Progress = {
  async step(_name, fn) {
    return await fn();
  },
  note() {},
};
