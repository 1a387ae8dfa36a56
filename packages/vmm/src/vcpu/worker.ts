/**
 * The vCPU run loop, inside a worker thread: KVM_RUN blocks here, never on the main thread. The
 * loop is deliberately small (one ioctl, a few kvm_run reads, Atomics). A port access that one of
 * the thread's own devices claims (`VcpuLocalDevices`: devices whose state is shared, built over
 * the same SharedArrayBuffers in every thread) is emulated right here, as crosvm's vCPU threads
 * call into shared devices, and the vCPU runs on. Any other write (an OUT of one item, an MMIO
 * write) is posted to the main thread's ring and the vCPU runs on; any other IO or MMIO exit is
 * handed to the main thread through the control buffer (see channel.ts) and the worker sleeps in
 * Atomics.wait until it is answered, so reads are emulated synchronously with respect to this vCPU,
 * after every write before them. Anything else ends the loop and is reported as a terminal exit.
 * Writes that KVM queued instead of exiting (the VM's coalesced port zones) are applied to the
 * thread's bus first, at every exit, so every exit sees them as if they had exited themselves.
 * With `data.cpus` (`--cpu-affinity`) the worker pins its thread before its first KVM_RUN; if the
 * kernel refuses, the loop ends before the vCPU ever ran (`ExitKind.PIN_FAILED`).
 */
import { constants } from 'node:os';
import { DeviceState, type Bus } from '@tsvmm/devices';
import { KVM_EXIT_IO_OUT, KvmExit } from '../kvm_sys/constants.ts';
import { CoalescedRing, type CoalescedWrite } from '../kvm/coalesced.ts';
import { KVM } from '../kvm_sys/ioctl.ts';
import { KVM_RUN } from '../kvm_sys/run.ts';
import { nativeKvm } from '../native/addon.ts';
import { Bell, ExitCount, ExitKind, PostKind, RING_ENTRIES, RING_ENTRY_WORDS, RING_OFFSET, Slot, State, type VcpuWorkerData } from './channel.ts';

/** The devices a vCPU's worker emulates on its own thread. */
export interface VcpuLocalDevices {
  /** Port-I/O devices with shared state; ports not on this bus go to the main thread. */
  pio: Bus;
}

const { EINTR, EAGAIN } = constants.errno;

/** Runs vCPU `data.id` until a terminal exit or a stop request; returns when the loop ends. */
export function runVcpuWorker(data: VcpuWorkerData, local?: VcpuLocalDevices): void {
  const native = nativeKvm();
  const ctl = new Int32Array(data.control);
  const bell = new Int32Array(data.doorbell);
  const runBuffer = native.view(data.runHandle);
  const run = new DataView(runBuffer);
  const runBytes = new Uint8Array(runBuffer);
  const fd = data.fd;
  const request = KVM.RUN;
  const postWrites = data.postWrites ?? true;
  const counts = data.exitCounts ? new Int32Array(data.exitCounts) : undefined;
  const pio = local?.pio;
  // Views of the IO data for the usual exit (one item at the usual data offset), made once.
  let ioViewsAt = -1;
  const ioViews: Uint8Array[] = [];
  const ioData = (at: number, size: number): Uint8Array => {
    if (at !== ioViewsAt) {
      ioViewsAt = at;
      for (let n = 0; n <= 8; n++) ioViews[n] = runBytes.subarray(at, at + n);
    }
    return ioViews[size]!;
  };
  // The VM's coalesced writes (channel.ts `CoalescedRingData`): applied to this thread's bus, in
  // ring order, under the lock the workers share, before this vCPU's next exit is handled.
  const coalesced = data.coalesced;
  if (coalesced && !pio) throw new Error(`vCPU ${data.id}: the VM has coalesced port zones but this worker has no bus to apply their writes to`);
  const ring = coalesced ? new CoalescedRing(runBuffer, coalesced.page) : undefined;
  const ringLock = coalesced ? new DeviceState('coalesced ring', 0, 0, coalesced.lock) : undefined;
  const applyCoalesced: CoalescedWrite = (port, bytes, isPio) => {
    if (!isPio) throw new Error(`vCPU ${data.id}: a coalesced MMIO write at 0x${port.toString(16)}; the workers apply coalesced port writes only`);
    pio!.write(port, bytes);
  };
  const drainCoalesced = () => ring!.drain(applyCoalesced);
  Atomics.store(ctl, Slot.TID, native.gettid());
  const epochMs = data.epochMs ?? Date.now();
  Atomics.store(ctl, Slot.FIRST_EXIT_AT, -1);
  Atomics.store(ctl, Slot.RUNNING_AT, Date.now() - epochMs);
  let exited = false;
  Atomics.store(ctl, Slot.STATE, State.RUNNING);

  const ringBell = (): void => {
    Atomics.add(bell, Bell.COUNT, 1);
    Atomics.notify(bell, Bell.COUNT);
  };

  const finish = (kind: number, reason: number, errno: number) => {
    Atomics.store(ctl, Slot.EXIT_KIND, kind);
    Atomics.store(ctl, Slot.EXIT_REASON, reason);
    Atomics.store(ctl, Slot.EXIT_ERRNO, errno);
    Atomics.store(ctl, Slot.STATE, State.EXITED);
    Atomics.add(ctl, Slot.REQ, 1);
    ringBell();
  };

  /** Posts the current write exit; false when the ring is full (then it is a blocking exit). */
  const post = (kind: number, size: number, addrLo: number, addrHi: number, dataAt: number): boolean => {
    const head = ctl[Slot.POST_HEAD]!;
    if (head - Atomics.load(ctl, Slot.POST_TAIL) >= RING_ENTRIES) return false;
    const at = RING_OFFSET + (head % RING_ENTRIES) * RING_ENTRY_WORDS;
    ctl[at] = kind;
    ctl[at + 1] = size;
    ctl[at + 2] = addrLo;
    ctl[at + 3] = addrHi;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < size; i++) {
      const b = runBytes[dataAt + i]!;
      if (i < 4) lo |= b << (8 * i);
      else hi |= b << (8 * (i - 4));
    }
    ctl[at + 4] = lo;
    ctl[at + 5] = hi;
    Atomics.store(ctl, Slot.POST_HEAD, head + 1);
    // Wake the main thread only if it had drained the ring and is not serving a burst; see channel.ts.
    if (Atomics.load(ctl, Slot.POST_TAIL) === head && Atomics.load(bell, Bell.BURST) === 0) ringBell();
    return true;
  };

  if (data.cpus !== undefined) {
    const pinned = native.setAffinity(0, data.cpus);
    if (pinned < 0) return finish(ExitKind.PIN_FAILED, 0, -pinned);
  }

  for (;;) {
    if (Atomics.load(ctl, Slot.STOP) !== 0) return finish(ExitKind.STOPPED, 0, 0);
    const r = native.ioctl(fd, request, 0);
    if (r < 0) {
      if (r === -EINTR || r === -EAGAIN) continue;
      return finish(ExitKind.ERROR, 0, -r);
    }
    if (ring?.pending) ringLock!.locked(drainCoalesced);
    const reason = run.getUint32(KVM_RUN.exit_reason, true);
    if (!exited) {
      exited = true;
      Atomics.store(ctl, Slot.FIRST_EXIT_AT, Date.now() - epochMs);
    }
    if (reason === KvmExit.IO) {
      const port = run.getUint16(KVM_RUN.io_port, true);
      const out = runBytes[KVM_RUN.io_direction] === KVM_EXIT_IO_OUT;
      if (counts !== undefined) {
        Atomics.add(counts, out ? ExitCount.PIO_OUT : ExitCount.PIO_IN, 1);
        Atomics.add(counts, ExitCount.PORTS + port, 1);
      }
      if (pio?.find(port) !== undefined) {
        const size = runBytes[KVM_RUN.io_size]!;
        const count = run.getUint32(KVM_RUN.io_count, true);
        const dataAt = Number(run.getBigUint64(KVM_RUN.io_data_offset, true));
        for (let i = 0; i < count; i++) {
          const data = count === 1 ? ioData(dataAt, size) : runBytes.subarray(dataAt + i * size, dataAt + (i + 1) * size);
          if (out) pio.write(port, data);
          else pio.read(port, data);
        }
        continue;
      }
    } else if (reason === KvmExit.MMIO && counts !== undefined) {
      Atomics.add(counts, runBytes[KVM_RUN.mmio_is_write] !== 0 ? ExitCount.MMIO_WRITE : ExitCount.MMIO_READ, 1);
    }
    if (reason === KvmExit.IO || reason === KvmExit.MMIO) {
      if (postWrites) {
        if (reason === KvmExit.IO) {
          if (runBytes[KVM_RUN.io_direction] === KVM_EXIT_IO_OUT && run.getUint32(KVM_RUN.io_count, true) === 1) {
            const dataAt = Number(run.getBigUint64(KVM_RUN.io_data_offset, true));
            if (post(PostKind.PIO, runBytes[KVM_RUN.io_size]!, run.getUint16(KVM_RUN.io_port, true), 0, dataAt)) continue;
          }
        } else if (runBytes[KVM_RUN.mmio_is_write] !== 0) {
          const len = run.getUint32(KVM_RUN.mmio_len, true);
          if (len <= 8 && post(PostKind.MMIO, len, run.getUint32(KVM_RUN.mmio_phys_addr, true), run.getUint32(KVM_RUN.mmio_phys_addr + 4, true), KVM_RUN.mmio_data)) continue;
        }
      }
      const seq = Atomics.add(ctl, Slot.REQ, 1) + 1;
      ringBell();
      for (let resp = Atomics.load(ctl, Slot.RESP); resp !== seq; resp = Atomics.load(ctl, Slot.RESP)) Atomics.wait(ctl, Slot.RESP, resp);
      continue;
    }
    if (reason === KvmExit.INTR || reason === KvmExit.IRQ_WINDOW_OPEN) continue;
    return finish(ExitKind.KVM, reason, 0);
  }
}
