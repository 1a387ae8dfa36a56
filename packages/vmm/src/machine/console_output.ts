/**
 * The guest's console output on its way from the vCPU threads, where the UART is emulated, to the
 * main thread (stdout and the console watcher): a byte ring in shared memory (a packages/devices
 * `DeviceState` with a `ByteRing`).
 *
 * - Producers: the vCPU workers, inside the UART's THR write, i.e. under the UART's own lock, so
 *   bytes keep the guest's order whichever vCPU writes them.
 * - Consumer: the main thread (`pump`), woken through `Atomics.waitAsync` when a byte lands in an
 *   empty ring, then taking what gathered every `batchMs` (10 ms) until the ring stays empty. A guest
 *   writes its console a byte at a time (two exits per byte), so a consumer that took each byte as
 *   it landed would wake once per byte: with the VMM's threads on one CPU (the boot test's
 *   placement) those wake-ups cost the main thread more CPU than the vCPU spent on the boot
 *   (packages/vmm/README.md, "Where the time goes").
 * - A full ring (the host is not reading stdout fast enough): the producer waits up to
 *   `fullWaitMs` (200 ms) for room, then drops the byte and counts it (`dropped`, reported by `--stats`).
 *   It never waits for good: the main thread may itself be waiting for the UART's lock to queue
 *   stdin input.
 */
import { ByteRing, DeviceState } from '@tsvmm/devices';

const Word = { HEAD: 0, LENGTH: 1, SEQ: 2, DRAINED: 3, DROPPED: 4, STOP: 5 } as const;
const WORDS = 6;

/** `Atomics.waitAsync` (V8 has it since Node 16; TypeScript's lib has it from ES2024 only). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export interface ConsoleOutputOptions {
  /** Bytes a new ring holds (default 1 MiB); an instance over another's buffer takes that ring's. */
  capacity?: number;
  /** How long a producer waits for room in a full ring before it drops a byte (default 200 ms). */
  fullWaitMs?: number;
  /** How long `pump` lets output gather after a wake-up or a batch before it takes again (default 10 ms). */
  batchMs?: number;
}

export class ConsoleOutput {
  readonly #state: DeviceState;
  readonly #ring: ByteRing;
  readonly #words: Int32Array;
  readonly #fullWaitMs: number;
  readonly #batchMs: number;

  /** A new ring, or (with `buffer`) the ring another thread made. */
  constructor(buffer?: SharedArrayBuffer, options: ConsoleOutputOptions = {}) {
    const capacity = buffer ? Math.max(1, buffer.byteLength - DeviceState.byteLength(WORDS, 0)) : (options.capacity ?? 1 << 20);
    this.#state = new DeviceState('console output', WORDS, capacity, buffer);
    this.#ring = new ByteRing(this.#state, Word.HEAD, 0, capacity);
    this.#words = this.#state.words;
    this.#fullWaitMs = options.fullWaitMs ?? 200;
    this.#batchMs = options.batchMs ?? 10;
  }

  /** The buffer to hand to another thread. */
  get buffer(): SharedArrayBuffer {
    return this.#state.buffer;
  }

  /** Bytes dropped because the ring stayed full. */
  get dropped(): number {
    return Atomics.load(this.#words, Word.DROPPED);
  }

  /** Producer: appends `bytes` (see the module doc for a full ring). */
  write(bytes: Uint8Array): void {
    for (const byte of bytes) {
      let pushed = this.#push(byte);
      if (pushed === undefined) {
        const drained = Atomics.load(this.#words, Word.DRAINED);
        pushed = this.#push(byte);
        if (pushed === undefined && Atomics.load(this.#words, Word.STOP) === 0) {
          Atomics.wait(this.#words, Word.DRAINED, drained, this.#fullWaitMs);
          pushed = this.#push(byte);
        }
      }
      if (pushed === undefined) Atomics.add(this.#words, Word.DROPPED, 1);
      else if (pushed) {
        Atomics.add(this.#words, Word.SEQ, 1);
        Atomics.notify(this.#words, Word.SEQ);
      }
    }
  }

  /** Pushes one byte: undefined when full, else whether the ring was empty before. */
  #push(byte: number): boolean | undefined {
    return this.#state.run(this.#pushLocked, byte);
  }

  /** `#push` under the lock (bound once: no closure per byte). */
  readonly #pushLocked = (byte: number): boolean | undefined => {
    const wasEmpty = this.#ring.length === 0;
    return this.#ring.push(byte) ? wasEmpty : undefined;
  };

  /** Consumer: takes everything queued. */
  take(): Uint8Array {
    const bytes = this.#state.locked(() => this.#ring.take());
    if (bytes.length > 0) {
      Atomics.add(this.#words, Word.DRAINED, 1);
      Atomics.notify(this.#words, Word.DRAINED);
    }
    return bytes;
  }

  /** Consumer: hands each batch of output to `sink` until `stop()`; resolves then (after a last take). */
  async pump(sink: (bytes: Uint8Array) => void): Promise<void> {
    const words = this.#words;
    for (;;) {
      const seq = Atomics.load(words, Word.SEQ);
      const bytes = this.take();
      if (bytes.length > 0) sink(bytes);
      if (Atomics.load(words, Word.STOP) !== 0) return;
      if (bytes.length === 0) {
        const wait = waitAsync(words, Word.SEQ, seq);
        if (wait.async) await wait.value;
        if (Atomics.load(words, Word.STOP) !== 0) continue;
      }
      // Let the rest of the line gather (and the event loop run) before taking again.
      await new Promise((resolve) => setTimeout(resolve, this.#batchMs));
    }
  }

  /** Ends `pump` (after it hands over what is queued) and stops producers from waiting for room. */
  stop(): void {
    Atomics.store(this.#words, Word.STOP, 1);
    Atomics.add(this.#words, Word.SEQ, 1);
    Atomics.notify(this.#words, Word.SEQ);
    Atomics.notify(this.#words, Word.DRAINED);
  }
}
