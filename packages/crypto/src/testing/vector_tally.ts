/**
 * Counts what happened to each vector of a test-vector file on the linked backend, prints one line
 * per file and backend, and checks that the counts add up:
 *
 *   [noble] aes_gcm_test.json: 95 valid passed, 2 invalid rejected, 8 unsupported (IV shorter than 8 bytes); 211 not applicable (128/192-bit keys)
 *
 * Every vector of the file is either applicable (and then passed, rejected or unsupported) or not
 * applicable with a stated reason; {@link VectorTally.check} fails unless each vector was counted
 * exactly once and the totals match what the test expected.
 */
import * as linked from '#backend';
import { expect } from 'vitest';

/** The linked backend as the test runs see it: `placeholder` for the placeholder (the openssl code). */
export const BACKEND_LABEL = linked.placeholder ? 'placeholder' : linked.name;

type Outcome = 'valid passed' | 'invalid rejected' | 'acceptable' | 'unsupported' | 'not applicable';

export class VectorTally {
  readonly #file: string;
  readonly #seen = new Map<number | string, { outcome: Outcome; reason: string }>();

  constructor(file: string) {
    this.#file = file;
  }

  /** Records one vector's outcome (`reason` says why it is unsupported, not applicable or acceptable). */
  record(id: number | string, outcome: Outcome, reason = ''): void {
    if (this.#seen.has(id)) throw new Error(`${this.#file}: vector ${id} counted twice`);
    this.#seen.set(id, { outcome, reason });
  }

  /** The count of each outcome, and of each reason within it. */
  counts(): Map<Outcome, Map<string, number>> {
    const counts = new Map<Outcome, Map<string, number>>();
    for (const { outcome, reason } of this.#seen.values()) {
      const reasons = counts.get(outcome) ?? new Map<string, number>();
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      counts.set(outcome, reasons);
    }
    return counts;
  }

  /** The printed line, e.g. "[openssl] f.json: 3 valid passed, 1 unsupported (why)". */
  line(): string {
    const parts: string[] = [];
    const tail: string[] = [];
    for (const [outcome, reasons] of this.counts()) {
      for (const [reason, count] of reasons) {
        const text = `${count} ${outcome}${reason ? ` (${reason})` : ''}`;
        (outcome === 'not applicable' ? tail : parts).push(text);
      }
    }
    return `[${BACKEND_LABEL}] ${this.#file}: ${parts.join(', ') || 'nothing ran'}${tail.length ? `; ${tail.join(', ')}` : ''}`;
  }

  /**
   * Prints {@link line} and checks the totals: `total` vectors in the file, each counted once, of
   * which `expected` gives the count per outcome (outcomes not named must be zero).
   */
  check(total: number, expected: Partial<Record<Outcome, number>>): void {
    console.log(this.line());
    expect(this.#seen.size, `${this.#file}: vectors counted`).toBe(total);
    const actual: Partial<Record<Outcome, number>> = {};
    for (const [outcome, reasons] of this.counts()) actual[outcome] = [...reasons.values()].reduce((a, b) => a + b, 0);
    expect(actual, `${this.#file}: outcomes`).toEqual(expected);
  }
}
