/**
 * Logging for devices: a guest can repeat an odd access millions of times, so every message about
 * guest behaviour goes through {@link LogOnce}, which logs each distinct key once and stops after a
 * fixed number of distinct keys (a guest probing all 65,536 ports cannot flood the log either).
 */

/** Where a device's messages go; the VMM passes its logger, tests pass a collector. */
export type DeviceLog = (message: string) => void;

/** The default sink: `console.warn`. */
export const consoleLog: DeviceLog = (message) => console.warn(message);

/** The number of distinct keys {@link LogOnce} logs before it falls silent. */
export const LOG_ONCE_LIMIT = 64;

/** Logs each key at most once, and at most {@link LOG_ONCE_LIMIT} keys in all. */
export class LogOnce {
  readonly #sink: DeviceLog;
  readonly #prefix: string;
  readonly #seen = new Set<string>();
  #silenced = false;

  constructor(sink: DeviceLog | undefined, prefix: string) {
    this.#sink = sink ?? consoleLog;
    this.#prefix = prefix;
  }

  /** Logs `message` unless `key` (default: the message itself) was logged before. */
  warn(message: string, key: string = message): void {
    if (this.#silenced || this.#seen.has(key)) return;
    if (this.#seen.size >= LOG_ONCE_LIMIT) {
      this.#silenced = true;
      this.#emit(`${LOG_ONCE_LIMIT} distinct messages logged; further ones are suppressed`);
      return;
    }
    this.#seen.add(key);
    this.#emit(message);
  }

  #emit(message: string): void {
    try {
      this.#sink(`${this.#prefix}: ${message}`);
    } catch {
      // A failing log sink must not turn a guest access into an exception.
    }
  }
}

/** `0x3f8`-style hexadecimal for messages. */
export function hex(value: number | bigint, digits = 0): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}
