/**
 * The hand-off between a vCPU worker and the main thread: one SharedArrayBuffer per vCPU, used as
 * an Int32Array of sequence numbers, flags and a ring of posted writes. Exit details of blocking
 * exits are not copied: both threads have a view of the vCPU's kvm_run page (the addon's mapping
 * registry), so the main thread reads the port from kvm_run and writes IN data straight into it.
 *
 * Blocking exits (IN, MMIO reads, string IO):
 *
 *   worker                                       main thread (VcpuSet, all vCPUs)
 *   KVM_RUN → exit
 *   REQ += 1; DOORBELL += 1, notify(DOORBELL) ──▶ wakes (Atomics.wait during a burst of exits,
 *                                                 else Atomics.waitAsync); drains every ring,
 *   wait(RESP) while RESP != REQ                 then emulates from kvm_run (IN data into kvm_run)
 *   ◀──────────────────────────────────────────  RESP = REQ, notify(RESP)
 *   KVM_RUN again
 *
 * Posted writes (OUT of one item, MMIO writes), as PCI posts memory writes: the worker copies port
 * or address, size and data into its ring (POST_HEAD += 1) and enters KVM_RUN again at once,
 * without waiting. It rings the doorbell only if the main thread had drained its ring (POST_TAIL
 * was the old head) and is not serving a burst (Bell.BURST = 0; during a burst it wakes every
 * `burstWaitMs` and drains by itself). Otherwise the main thread sees the entry when it re-reads
 * POST_HEAD after publishing POST_TAIL, or when it drains after clearing BURST (each side stores
 * then loads with sequentially consistent atomics, so at least one sees the other). Order is kept: the
 * main thread drains every vCPU's ring, in ring order, before it emulates any blocking exit, so a
 * read observes every write that happened before it (on this vCPU, or on another one the guest
 * synchronized with). A full ring makes the write a blocking exit.
 *
 * DOORBELL is one Int32 shared by every vCPU of a VM (a separate SharedArrayBuffer), so the main
 * thread waits on one address whichever vCPU exits.
 * Devices whose state is shared (packages/devices `DeviceState`) are not on this path at all: the
 * worker emulates the port accesses they claim itself (worker.ts, `VcpuLocalDevices`), as crosvm's
 * vCPU threads call into shared devices; only what they do not claim comes here.
 * A terminal exit (HLT without irqchip, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, SYSTEM_EVENT, a
 * failed KVM_RUN, or a stop request) sets STATE = EXITED with EXIT_* filled, then REQ += 1 and
 * rings the doorbell.
 * Stopping: main sets STOP, answers any pending request, sets kvm_run.immediate_exit and kicks the
 * worker's thread (TID) with the addon's signal so a blocking KVM_RUN returns EINTR.
 */
import type { MessagePort } from 'node:worker_threads';

/** Int32 slots of the control buffer. */
export const Slot = {
  /** Worker: blocking exits posted so far. */
  REQ: 0,
  /** Main: blocking exits answered so far. */
  RESP: 1,
  /** Worker lifecycle (`State`). */
  STATE: 2,
  /** Main: non-zero asks the worker to leave its loop. */
  STOP: 3,
  /** Worker: its kernel thread id, for the kick. */
  TID: 4,
  /** Worker, at exit: `ExitKind`. */
  EXIT_KIND: 5,
  /** Worker, at exit: the errno of a failed KVM_RUN or sched_setaffinity. */
  EXIT_ERRNO: 6,
  /** Worker, at exit: kvm_run.exit_reason. */
  EXIT_REASON: 7,
  /** Worker: posted writes written to the ring so far. */
  POST_HEAD: 8,
  /** Main: posted writes emulated so far. */
  POST_TAIL: 9,
  /** Worker: when it first entered KVM_RUN, in ms since `VcpuWorkerData.epochMs` (for statistics). */
  RUNNING_AT: 10,
  /** Worker: when KVM_RUN first returned, on the same clock as RUNNING_AT (-1 before). */
  FIRST_EXIT_AT: 11,
} as const;

export const State = { STARTING: 0, RUNNING: 1, EXITED: 2 } as const;

export const ExitKind = {
  /** A KVM exit the worker does not loop on: see EXIT_REASON and kvm_run. */
  KVM: 1,
  /** The main thread asked it to stop. */
  STOPPED: 2,
  /** KVM_RUN failed with EXIT_ERRNO. */
  ERROR: 3,
  /** The worker could not pin itself to `VcpuWorkerData.cpus` (sched_setaffinity failed with EXIT_ERRNO); the vCPU never ran. */
  PIN_FAILED: 4,
} as const;

/** Int32 slots of the VM's doorbell buffer. */
export const Bell = {
  /** Bumped (and notified) by a worker that needs the main thread. */
  COUNT: 0,
  /** Main: 1 while it serves a burst and looks at the rings by itself (no ring for posted writes). */
  BURST: 1,
  BYTES: 8,
} as const;

/** A posted write's kind (ring entry word 0). */
export const PostKind = { PIO: 1, MMIO: 2 } as const;

/** The ring of posted writes: entries of 8 Int32 words [kind, size, addrLo, addrHi, dataLo, dataHi, 0, 0]. */
export const RING_OFFSET = 16;
export const RING_ENTRIES = 128;
export const RING_ENTRY_WORDS = 8;

export const CONTROL_BYTES = (RING_OFFSET + RING_ENTRIES * RING_ENTRY_WORDS) * 4;

/**
 * Exit counters of a VM, shared by its vCPU workers (each counts every exit it sees, emulated on
 * its own thread or handed over): Int32 slots per kind, then one per port.
 */
export const ExitCount = { PIO_IN: 0, PIO_OUT: 1, MMIO_READ: 2, MMIO_WRITE: 3, PORTS: 4 } as const;
export const EXIT_COUNT_BYTES = (ExitCount.PORTS + 0x1_0000) * 4;

/** What the worker receives as `workerData.tsvmmVcpu`. */
export interface VcpuWorkerData {
  id: number;
  fd: number;
  runHandle: number;
  control: SharedArrayBuffer;
  /** The VM's doorbell: one Int32, bumped by every post of every vCPU. */
  doorbell: SharedArrayBuffer;
  /** Whether OUTs and MMIO writes are posted (see the module doc); default true. */
  postWrites?: boolean;
  /** The CPUs the worker pins itself to (sched_setaffinity) before its first KVM_RUN, if any (affinity.ts). */
  cpus?: readonly number[];
  /** Date.now() of the main thread's time origin, so the worker can report times on its clock. */
  epochMs?: number;
  /** The VM's exit counters (`ExitCount`), if kept. */
  exitCounts?: SharedArrayBuffer;
  /** What the worker's entry needs to build the devices this vCPU emulates on its own thread (opaque here). */
  local?: unknown;
  /**
   * Where the worker's devices post their events (resets, logs). The main thread takes what is
   * queued there before it settles this vCPU's terminal exit, so an event posted before the exit
   * (a reset, then a fault) is never judged after it.
   */
  events: MessagePort;
  /** The VM's coalesced ring, when it has coalesced port zones (worker.ts applies them). */
  coalesced?: CoalescedRingData;
}

/** Where the VM's coalesced ring is, and the lock (a `DeviceState`'s buffer) that serializes the workers' drains. */
export interface CoalescedRingData {
  page: number;
  lock: SharedArrayBuffer;
}
