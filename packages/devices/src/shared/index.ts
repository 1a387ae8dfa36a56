/**
 * Device state in shared memory, so one device can be driven from several threads: each vCPU's
 * worker thread emulates the accesses of its own exits, as crosvm's vCPU threads call into devices
 * shared as `Arc<Mutex<dyn BusDevice>>`, instead of handing every exit to one thread and waiting.
 *
 * A device keeps all of its registers in a {@link DeviceState}: one SharedArrayBuffer holding a
 * lock word, a number of Int32 words and a byte region, sizes chosen by the device. The first
 * instance allocates the buffer and resets the registers; another thread constructs the same device
 * class over the same buffer (the device's `state` option) and sees the same device. Every public
 * entry point of a device runs under {@link DeviceState.locked} (or {@link DeviceState.run}, which
 * passes arguments to a body bound once, so a guest access allocates no closure), so accesses from
 * different threads are serialized. What stays per thread are the callbacks (output, interrupt
 * line, log), which each thread supplies for itself.
 *
 * {@link ByteRing} is a bounded byte FIFO inside a state (the UART's FIFOs, a console's output).
 */

/** What went wrong attaching to a shared state; thrown by VMM-side calls only. */
export class DeviceStateError extends Error {
  override readonly name = 'DeviceStateError';
}

/** Int32 words before the device's own words: the lock. */
const HEADER_WORDS = 1;
const LOCK = 0;
/** Lock word values (Drepper, "Futexes Are Tricky", mutex 2). */
const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;

/** A device's registers in a SharedArrayBuffer, with the lock that serializes its accesses. */
export class DeviceState {
  /** The buffer to hand to another thread (structured clone shares it). */
  readonly buffer: SharedArrayBuffer;
  /** The device's Int32 words (index 0 is the device's first word). */
  readonly words: Int32Array;
  /** The device's byte region. */
  readonly bytes: Uint8Array;
  /** True when this instance allocated the buffer, i.e. the device must reset its registers. */
  readonly fresh: boolean;
  readonly #lock: Int32Array;
  /** Nesting depth of `run` on this instance; an instance lives in one thread, so nesting is re-entry. */
  #depth = 0;

  /** Bytes of a state with `words` Int32 words and `bytes` bytes. */
  static byteLength(words: number, bytes: number): number {
    return (HEADER_WORDS + words) * 4 + bytes;
  }

  /**
   * A new state of `words` words and `bytes` bytes, or (with `buffer`) the state another instance
   * allocated.
   * @throws {DeviceStateError} when `buffer` is not a SharedArrayBuffer of exactly that size (it
   *   belongs to another device, or another version of this one).
   */
  constructor(label: string, words: number, bytes: number, buffer?: SharedArrayBuffer) {
    const length = DeviceState.byteLength(words, bytes);
    if (buffer === undefined) {
      this.buffer = new SharedArrayBuffer(length);
      this.fresh = true;
    } else {
      if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength !== length) {
        const got = buffer instanceof SharedArrayBuffer ? `a SharedArrayBuffer of ${String(buffer.byteLength)} bytes` : String(buffer);
        throw new DeviceStateError(`${label}: state is ${got}, expected a SharedArrayBuffer of ${String(length)} bytes made by another ${label}`);
      }
      this.buffer = buffer;
      this.fresh = false;
    }
    this.#lock = new Int32Array(this.buffer, 0, HEADER_WORDS);
    this.words = new Int32Array(this.buffer, HEADER_WORDS * 4, words);
    this.bytes = new Uint8Array(this.buffer, (HEADER_WORDS + words) * 4, bytes);
  }

  /** Runs `body` holding the state's lock and returns its result: {@link DeviceState.run} without arguments. */
  locked<T>(body: () => T): T {
    return this.run(body, undefined);
  }

  /**
   * Runs `body(a, b)` holding the state's lock and returns its result. The lock is re-entrant
   * within this instance (a body may call `run` or `locked` again, e.g. through a device callback)
   * and is released when the outermost body returns or throws. For hot paths: with `body` bound
   * once (a field holding an arrow function), a guest access passes its arguments (`offset`,
   * `data`) straight through and allocates no closure.
   */
  run<A, R>(body: (a: A) => R, a: A): R;
  run<A, B, R>(body: (a: A, b: B) => R, a: A, b: B): R;
  run<A, B, R>(body: (a: A, b: B) => R, a: A, b?: B): R {
    if (this.#depth > 0) return body(a, b as B);
    this.#acquire();
    this.#depth = 1;
    try {
      return body(a, b as B);
    } finally {
      this.#depth = 0;
      this.#release();
    }
  }

  #acquire(): void {
    const lock = this.#lock;
    let c = Atomics.compareExchange(lock, LOCK, UNLOCKED, LOCKED);
    if (c === UNLOCKED) return;
    if (c !== CONTENDED) c = Atomics.exchange(lock, LOCK, CONTENDED);
    while (c !== UNLOCKED) {
      Atomics.wait(lock, LOCK, CONTENDED);
      c = Atomics.exchange(lock, LOCK, CONTENDED);
    }
  }

  #release(): void {
    if (Atomics.sub(this.#lock, LOCK, 1) !== LOCKED) {
      Atomics.store(this.#lock, LOCK, UNLOCKED);
      Atomics.notify(this.#lock, LOCK, 1);
    }
  }
}

/**
 * A bounded FIFO of bytes kept in a {@link DeviceState}: two of its words (head, length) and
 * `capacity` bytes of its byte region. It takes no lock itself: the device calls it under its own.
 */
export class ByteRing {
  readonly #words: Int32Array;
  readonly #head: number;
  readonly #length: number;
  readonly #data: Uint8Array;

  /** The ring over `state.words[at]` (head), `state.words[at + 1]` (length) and `state.bytes[offset, offset + capacity)`. */
  constructor(
    state: DeviceState,
    at: number,
    offset: number,
    readonly capacity: number,
  ) {
    this.#words = state.words;
    this.#head = at;
    this.#length = at + 1;
    this.#data = state.bytes.subarray(offset, offset + capacity);
    if (this.#data.length !== capacity || at + 1 >= state.words.length) throw new DeviceStateError(`ring of ${String(capacity)} bytes does not fit its state`);
  }

  get length(): number {
    return this.#words[this.#length]!;
  }

  get free(): number {
    return this.capacity - this.length;
  }

  push(byte: number): boolean {
    const length = this.length;
    if (length === this.capacity) return false;
    this.#data[(this.#words[this.#head]! + length) % this.capacity] = byte;
    this.#words[this.#length] = length + 1;
    return true;
  }

  shift(): number | undefined {
    const length = this.length;
    if (length === 0) return undefined;
    const head = this.#words[this.#head]!;
    const byte = this.#data[head]!;
    this.#words[this.#head] = (head + 1) % this.capacity;
    this.#words[this.#length] = length - 1;
    return byte;
  }

  /** Removes and returns up to `max` bytes, oldest first. */
  take(max: number = this.length): Uint8Array {
    const count = Math.min(max, this.length);
    const out = new Uint8Array(count);
    const head = this.#words[this.#head]!;
    const first = Math.min(count, this.capacity - head);
    out.set(this.#data.subarray(head, head + first));
    out.set(this.#data.subarray(0, count - first), first);
    this.#words[this.#head] = (head + count) % this.capacity;
    this.#words[this.#length] = this.length - count;
    return out;
  }

  clear(): void {
    this.#words[this.#head] = 0;
    this.#words[this.#length] = 0;
  }
}
