/**
 * The main thread's side of the vCPU workers.
 *
 * - `VcpuThread`: one vCPU's worker (see worker.ts) and control buffer; `poll()` emulates its
 *   pending IO/MMIO exit, if any, by calling the `ExitHandler` synchronously and answering;
 *   `drain()` emulates its posted writes; `exited` resolves with its terminal exit;
 *   `requestStop()` kicks it out of KVM_RUN.
 * - `VcpuSet`: the threads of one VM and the loop that serves them all; `stop()` stops them all. Every worker rings one
 *   shared doorbell (channel.ts). While exits come in bursts (a console line is a few hundred port
 *   accesses) the loop serves synchronously, sleeping in `Atomics.wait` for at most `burstWaitMs`
 *   at a time, so a burst costs no event-loop turn per exit, and workers post writes without
 *   waking it (the loop drains the rings at every wake-up); after `burstBudgetMs` of serving, or
 *   `burstIdleMs` without an exit, it yields and waits with `Atomics.waitAsync`, keeping the event
 *   loop free for stdin, timers and the devices' own work.
 *
 * Which script the worker runs is the caller's choice (`VcpuSetOptions.entry`): the machine's own
 * entry, which builds the devices the vCPU emulates on its own thread (`local`) and runs the loop;
 * by default, from sources, `worker_main.ts` (the loop alone) under tsx's loader. A worker may post
 * events (its devices' logs and resets) on its event port (`VcpuWorkerData.events`); they reach
 * `VcpuSetOptions.onMessage`, those posted before a terminal exit before that exit settles.
 */
import { DeviceState } from '@tsvmm/devices';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { exitName, KvmExit } from '../kvm_sys/constants.ts';
import type { KvmRegs, KvmSregs } from '../kvm_sys/structs.ts';
import { KvmError } from '../kvm/error.ts';
import type { Vcpu } from '../kvm/vcpu.ts';
import { nativeKvm, type NativeKvm } from '../native/addon.ts';
import { vcpuCpus, type VcpuAffinity } from './affinity.ts';
import { Bell, CONTROL_BYTES, ExitKind, PostKind, RING_ENTRIES, RING_ENTRY_WORDS, RING_OFFSET, Slot, State, type CoalescedRingData, type VcpuWorkerData } from './channel.ts';

/** Emulates the exits a vCPU hands over; called on the main thread while that vCPU waits. */
export interface ExitHandler {
  /** A port access of `data.length` bytes: read `data` for OUT, fill it for IN. */
  io(vcpu: number, port: number, isOut: boolean, data: Uint8Array): void;
  /** A memory access outside RAM: read `data` for a write, fill it for a read. */
  mmio(vcpu: number, address: bigint, isWrite: boolean, data: Uint8Array): void;
}

/** A vCPU's registers where it stopped, read after a KVM error for the report. */
export interface VcpuRegisters {
  regs: KvmRegs;
  sregs: KvmSregs;
}

/**
 * Why a vCPU's loop ended. KVM errors carry the vCPU's registers when KVM would give them; a
 * SHUTDOWN does not: on AMD, KVM resets the vCPU on a shutdown intercept (the VMCB is undefined
 * after it), so its registers would show the reset state, not the fault.
 */
export type VcpuExit =
  | { kind: 'hlt'; vcpu: number }
  /** KVM_EXIT_SHUTDOWN: a triple fault (or an explicit shutdown without system events). */
  | { kind: 'shutdown'; vcpu: number }
  | { kind: 'fail_entry'; vcpu: number; hardwareReason: bigint; cpu: number; registers?: VcpuRegisters }
  | { kind: 'internal_error'; vcpu: number; suberror: number; data: bigint[]; registers?: VcpuRegisters }
  | { kind: 'system_event'; vcpu: number; type: number }
  /** Another exit reason the VMM does not handle. */
  | { kind: 'unhandled'; vcpu: number; reason: number; name: string }
  | { kind: 'stopped'; vcpu: number }
  /** The worker could not pin itself to `cpus` (`VcpuSetOptions.cpuAffinity`): the vCPU never ran. */
  | { kind: 'pin_failed'; vcpu: number; cpus: readonly number[]; errno: number }
  /** KVM_RUN failed, the handler threw, or the worker itself failed. */
  | { kind: 'error'; vcpu: number; error: Error };

/** `Atomics.waitAsync` (V8 has it since Node 16; TypeScript's lib has it from ES2024 only). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** What a vCPU worker runs: a module URL, or (from sources) a small eval'd bootstrap. */
export type WorkerEntry = { url: URL } | { code: string };

/**
 * A worker entry for a TypeScript module (running from sources: tests, tsx): registers tsx's ESM
 * hooks in the worker (tsx's API; `--import tsx` is not honoured by workers on Node 20), then
 * loads `module`.
 */
export function tsWorkerEntry(module: URL): WorkerEntry {
  const tsxDir = dirname(createRequire(module).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  return { code: `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });` };
}

/** The loop alone (`worker_main.ts`), from sources: what a `VcpuSet` runs when not told otherwise. */
export function defaultWorkerEntry(): WorkerEntry {
  return tsWorkerEntry(new URL('./worker_main.ts', import.meta.url));
}

export class VcpuThread {
  readonly exited: Promise<VcpuExit>;
  private readonly ctl: Int32Array;
  private readonly worker: Worker;
  /** The main thread's end of the worker's event port (`VcpuWorkerData.events`). */
  private readonly events: MessagePort;
  private readonly onMessage: ((vcpu: number, message: unknown) => void) | undefined;
  private resolveExit!: (exit: VcpuExit) => void;
  private settled = false;
  private seen = 0;
  private readonly scratch: Uint8Array;
  private readonly scratchView: DataView;
  /** Blocking IO and MMIO exits served so far. */
  exits = 0;
  /** Posted writes served so far. */
  posted = 0;
  /** performance.now() when the worker began running JavaScript ('online'). */
  onlineAt: number | undefined;

  constructor(
    private readonly vcpu: Vcpu,
    private readonly handler: ExitHandler,
    doorbell: SharedArrayBuffer,
    entry: WorkerEntry,
    private readonly native: NativeKvm,
    postWrites: boolean,
    /** The CPUs the worker pins itself to (affinity.ts), if any. */
    readonly cpus: readonly number[] | undefined,
    shared: Pick<VcpuSetOptions, 'local' | 'exitCounts' | 'onMessage'> & { coalesced?: CoalescedRingData },
  ) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.ctl = new Int32Array(control);
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    const { port1, port2 } = new MessageChannel();
    this.events = port1;
    const data: VcpuWorkerData = {
      events: port2,
      id: vcpu.id,
      fd: vcpu.fd,
      runHandle: vcpu.runHandle,
      control,
      doorbell,
      postWrites,
      epochMs: Math.round(performance.timeOrigin),
      ...(cpus ? { cpus } : {}),
      ...(shared.exitCounts ? { exitCounts: shared.exitCounts } : {}),
      ...(shared.local !== undefined ? { local: shared.local } : {}),
      ...(shared.coalesced ? { coalesced: shared.coalesced } : {}),
    };
    this.scratch = new Uint8Array(8);
    this.scratchView = new DataView(this.scratch.buffer);
    const options = { workerData: { tsvmmVcpu: data }, transferList: [port2], stdout: false, stderr: false, name: `vcpu${vcpu.id}` };
    this.worker = 'url' in entry ? new Worker(entry.url, options) : new Worker(entry.code, { ...options, eval: true });
    this.worker.on('online', () => (this.onlineAt = performance.now()));
    const onMessage = shared.onMessage;
    this.onMessage = onMessage;
    if (onMessage) port1.on('message', (message: unknown) => onMessage(vcpu.id, message));
    this.worker.on('error', (error) => this.settle({ kind: 'error', vcpu: vcpu.id, error }));
    this.worker.on('exit', (code) => {
      if (!this.settled) this.settle({ kind: 'error', vcpu: vcpu.id, error: new Error(`vCPU ${vcpu.id} worker exited (code ${code}) without reporting an exit`) });
    });
  }

  get id(): number {
    return this.vcpu.id;
  }

  get done(): boolean {
    return this.settled;
  }

  private settle(exit: VcpuExit): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveExit(exit);
  }

  /** Emulates this vCPU's posted writes, in order; true when there were any. */
  drain(): boolean {
    const ctl = this.ctl;
    let tail = ctl[Slot.POST_TAIL]!;
    let head = Atomics.load(ctl, Slot.POST_HEAD);
    if (head === tail) return false;
    while (head !== tail) {
      for (; tail !== head; tail++) {
        const at = RING_OFFSET + (tail % RING_ENTRIES) * RING_ENTRY_WORDS;
        const size = ctl[at + 1]!;
        this.scratchView.setInt32(0, ctl[at + 4]!, true);
        this.scratchView.setInt32(4, ctl[at + 5]!, true);
        const data = this.scratch.subarray(0, size);
        try {
          if (ctl[at] === PostKind.PIO) this.handler.io(this.vcpu.id, ctl[at + 2]!, true, data);
          else this.handler.mmio(this.vcpu.id, (BigInt(ctl[at + 3]! >>> 0) << 32n) | BigInt(ctl[at + 2]! >>> 0), true, data);
        } catch (error) {
          this.settle({ kind: 'error', vcpu: this.vcpu.id, error: error as Error });
          this.requestStop();
        }
        this.posted++;
      }
      // Publish, then look again: a write posted meanwhile without a doorbell is seen here.
      Atomics.store(ctl, Slot.POST_TAIL, tail);
      head = Atomics.load(ctl, Slot.POST_HEAD);
    }
    return true;
  }

  /** When the worker first entered KVM_RUN, in ms since this process started (undefined before). */
  get runningAt(): number | undefined {
    return Atomics.load(this.ctl, Slot.STATE) === State.STARTING ? undefined : Atomics.load(this.ctl, Slot.RUNNING_AT);
  }

  /** The worker's kernel thread id (0 before it started). */
  get tid(): number {
    return Atomics.load(this.ctl, Slot.TID);
  }

  /** The CPUs the worker's thread may run on now (sched_getaffinity), or undefined before it started or after it ended. */
  allowedCpus(): number[] | undefined {
    const tid = this.tid;
    if (tid === 0 || Atomics.load(this.ctl, Slot.STATE) === State.EXITED) return undefined;
    const cpus = this.native.getAffinity(tid);
    return Array.isArray(cpus) ? cpus : undefined;
  }

  /** When KVM_RUN first returned (any exit, emulated in the worker or not), in ms since this process started. */
  get firstExitAt(): number | undefined {
    const at = Atomics.load(this.ctl, Slot.FIRST_EXIT_AT);
    return Atomics.load(this.ctl, Slot.STATE) === State.STARTING || at < 0 ? undefined : at;
  }

  /** Whether a blocking exit (or the terminal one) is waiting. */
  hasRequest(): boolean {
    return !this.settled && Atomics.load(this.ctl, Slot.REQ) !== this.seen;
  }

  /** Serves this vCPU's pending blocking exit, if any (after its posted writes); true when there was one. */
  poll(): boolean {
    if (this.settled) return false;
    const ctl = this.ctl;
    const req = Atomics.load(ctl, Slot.REQ);
    if (req === this.seen) return false;
    this.seen = req;
    if (Atomics.load(ctl, Slot.STATE) === State.EXITED) {
      // Events the worker posted before its exit count first (VcpuWorkerData.events).
      for (let m = receiveMessageOnPort(this.events); m !== undefined; m = receiveMessageOnPort(this.events)) this.onMessage?.(this.vcpu.id, m.message);
      this.settle(this.terminalExit());
      return true;
    }
    try {
      this.emulate();
    } catch (error) {
      this.settle({ kind: 'error', vcpu: this.vcpu.id, error: error as Error });
      this.requestStop();
    }
    this.exits++;
    Atomics.store(ctl, Slot.RESP, req);
    Atomics.notify(ctl, Slot.RESP);
    return true;
  }

  private emulate(): void {
    const run = this.vcpu.kvmRun;
    if (run.exitReason === KvmExit.IO) {
      const data = run.ioData();
      const size = run.ioSize;
      const port = run.ioPort;
      const out = run.ioIsOut;
      if (run.ioCount === 1) this.handler.io(this.vcpu.id, port, out, data);
      else for (let i = 0; i < data.length; i += size) this.handler.io(this.vcpu.id, port, out, data.subarray(i, i + size));
    } else {
      this.handler.mmio(this.vcpu.id, run.mmioAddress, run.mmioIsWrite, run.mmioData());
    }
  }

  private terminalExit(): VcpuExit {
    const vcpu = this.vcpu.id;
    const kind = Atomics.load(this.ctl, Slot.EXIT_KIND);
    if (kind === ExitKind.STOPPED) return { kind: 'stopped', vcpu };
    const errno = Atomics.load(this.ctl, Slot.EXIT_ERRNO);
    if (kind === ExitKind.ERROR) return { kind: 'error', vcpu, error: new KvmError('ioctl', 'KVM_RUN', `failed on vCPU ${vcpu}`, errno) };
    if (kind === ExitKind.PIN_FAILED) return { kind: 'pin_failed', vcpu, cpus: this.cpus ?? [], errno };
    const reason = Atomics.load(this.ctl, Slot.EXIT_REASON);
    const run = this.vcpu.kvmRun;
    switch (reason) {
      case KvmExit.HLT:
        return { kind: 'hlt', vcpu };
      case KvmExit.SHUTDOWN:
        return { kind: 'shutdown', vcpu };
      case KvmExit.FAIL_ENTRY:
        return { kind: 'fail_entry', vcpu, hardwareReason: run.failEntryReason, cpu: run.failEntryCpu, ...this.registers() };
      case KvmExit.INTERNAL_ERROR:
        return { kind: 'internal_error', vcpu, suberror: run.internalSuberror, data: run.internalData(), ...this.registers() };
      case KvmExit.SYSTEM_EVENT:
        return { kind: 'system_event', vcpu, type: run.systemEventType };
      default:
        return { kind: 'unhandled', vcpu, reason, name: exitName(reason) };
    }
  }

  /**
   * `{ registers }` of this vCPU, read here once its worker has left KVM_RUN; nothing when KVM
   * refuses (a report of an error must not fail for want of its details).
   */
  private registers(): { registers?: VcpuRegisters } {
    try {
      return { registers: { regs: this.vcpu.getRegs(), sregs: this.vcpu.getSregs() } };
    } catch {
      return {};
    }
  }

  /** Asks the worker to leave its loop: STOP, answer any pending exit, immediate_exit, kick. */
  requestStop(): void {
    const ctl = this.ctl;
    Atomics.store(ctl, Slot.STOP, 1);
    this.vcpu.kvmRun.immediateExit = true;
    Atomics.store(ctl, Slot.RESP, Atomics.load(ctl, Slot.REQ));
    Atomics.notify(ctl, Slot.RESP);
    const tid = Atomics.load(ctl, Slot.TID);
    if (tid !== 0 && Atomics.load(ctl, Slot.STATE) === State.RUNNING) this.native.kick(tid);
  }

  /** Ends the worker thread (after its loop has ended). */
  terminate(): Promise<number> {
    this.events.close();
    return this.worker.terminate();
  }
}

export interface VcpuSetOptions {
  entry?: WorkerEntry;
  /** How long the serving loop sleeps at a time during a burst before it looks at the rings (default 0.5 ms). */
  burstWaitMs?: number;
  /** How long a burst may stay quiet before the loop waits asynchronously (default 2 ms). */
  burstIdleMs?: number;
  /** How long it may serve before yielding to the event loop (default 20 ms). */
  burstBudgetMs?: number;
  /** Whether OUTs and MMIO writes are posted (channel.ts); default true. */
  postWrites?: boolean;
  /** Where the vCPU threads may run (affinity.ts); default: wherever the scheduler puts them. */
  cpuAffinity?: VcpuAffinity;
  native?: NativeKvm;
  /** Handed to every worker as `VcpuWorkerData.local` (what its entry needs to build its own devices). */
  local?: unknown;
  /** The VM's exit counters (channel.ts `ExitCount`), counted by the workers. */
  exitCounts?: SharedArrayBuffer;
  /** Receives what a worker posts (its devices' logs and events). */
  onMessage?: (vcpu: number, message: unknown) => void;
  /**
   * The page of the VM's coalesced ring (`Kvm.coalescedRingPage`), when the VM has coalesced port
   * zones: every worker applies the queued writes to its local bus before it handles an exit.
   */
  coalescedRingPage?: number;
}

/** The vCPU threads of one VM and the loop that serves their exits (see the module doc). */
export class VcpuSet {
  readonly threads: VcpuThread[];
  private readonly bell: Int32Array;
  private running = true;
  private readonly burstWaitMs: number;
  private readonly burstBudgetMs: number;
  private readonly burstIdleMs: number;
  /** Resolves when the serving loop has ended (every thread done, or `stop()`). */
  readonly served: Promise<void>;

  private constructor(vcpus: readonly Vcpu[], handler: ExitHandler, options: VcpuSetOptions) {
    const doorbell = new SharedArrayBuffer(Bell.BYTES);
    this.bell = new Int32Array(doorbell);
    this.burstWaitMs = options.burstWaitMs ?? 0.5;
    this.burstIdleMs = options.burstIdleMs ?? 2;
    this.burstBudgetMs = options.burstBudgetMs ?? 20;
    const postWrites = options.postWrites ?? process.env['TSVMM_POST_WRITES'] !== '0';
    const entry = options.entry ?? defaultWorkerEntry();
    const native = options.native ?? nativeKvm();
    const page = options.coalescedRingPage;
    const shared = { ...options, ...(page === undefined ? {} : { coalesced: { page, lock: new DeviceState('coalesced ring', 0, 0).buffer } }) };
    this.threads = vcpus.map((v, i) => new VcpuThread(v, handler, doorbell, entry, native, postWrites, vcpuCpus(options.cpuAffinity, i), shared));
    this.served = this.serve();
  }

  /** Starts one worker per vCPU (each already set up on this thread) and serves their exits. */
  static start(vcpus: readonly Vcpu[], handler: ExitHandler, options: VcpuSetOptions = {}): VcpuSet {
    return new VcpuSet(vcpus, handler, options);
  }

  /** Drains every ring, then serves each pending blocking exit after draining again (channel.ts: order). */
  private pollAll(): boolean {
    let any = false;
    for (const t of this.threads) if (t.drain()) any = true;
    for (const t of this.threads) {
      if (!t.hasRequest()) continue;
      for (const u of this.threads) u.drain();
      if (t.poll()) any = true;
    }
    return any;
  }

  private async serve(): Promise<void> {
    const bell = this.bell;
    let rung = Atomics.load(bell, Bell.COUNT);
    while (this.running && this.threads.some((t) => !t.done)) {
      // A burst: serve synchronously while exits keep coming. Workers do not ring for posted
      // writes meanwhile (BURST = 1); they are drained at the next blocking exit or timed wake-up.
      Atomics.store(bell, Bell.BURST, 1);
      const start = performance.now();
      let idleSince = start;
      for (;;) {
        const now = Atomics.load(bell, Bell.COUNT);
        const rang = now !== rung;
        rung = now;
        const t = performance.now();
        if (this.pollAll() || rang) idleSince = t;
        else if (t - idleSince >= this.burstIdleMs) break;
        if (t - start >= this.burstBudgetMs || !this.running) break;
        Atomics.wait(bell, Bell.COUNT, rung, this.burstWaitMs);
      }
      // Out of the burst: workers ring again; drain what was posted before they could see that.
      Atomics.store(bell, Bell.BURST, 0);
      this.pollAll();
      if (!this.running) break;
      if (Atomics.load(bell, Bell.COUNT) !== rung) {
        // Still busy after the budget: let the event loop run once, then go on.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const w = waitAsync(bell, Bell.COUNT, rung);
      if (w.async) await w.value;
    }
  }

  /** Stops every vCPU (a blocking KVM_RUN is interrupted) and resolves with each one's exit. */
  async stop(): Promise<VcpuExit[]> {
    const kick = () => {
      for (const t of this.threads) if (!t.done) t.requestStop();
    };
    kick();
    // A worker still starting has no thread id yet; keep kicking until every one has reported.
    const timer = setInterval(kick, 20);
    try {
      return await Promise.all(this.threads.map((t) => t.exited));
    } finally {
      clearInterval(timer);
      this.running = false;
      Atomics.add(this.bell, Bell.COUNT, 1);
      Atomics.notify(this.bell, Bell.COUNT);
      await Promise.all(this.threads.map((t) => t.terminate()));
    }
  }
}
