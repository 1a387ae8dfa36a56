/**
 * `CoalescedRing`: the VM's ring of coalesced writes (kvm_sys/coalesced.ts), read through a vCPU's
 * mapping. `drain` hands the queued writes to a callback, oldest first, and frees each slot only
 * after its callback returned, so KVM never overwrites an entry being applied. There is one ring
 * per VM and any vCPU thread may drain it, so callers serialize their drains (the vCPU workers
 * share a lock), as KVM serializes its appends.
 */
import { COALESCED_ENTRY, COALESCED_RING, KVM_COALESCED_MMIO_MAX, PAGE_SIZE } from '../kvm_sys/coalesced.ts';
import { KvmError } from './error.ts';

/** Applies one queued write: `data` is only valid during the call. */
export type CoalescedWrite = (address: number, data: Uint8Array, pio: boolean) => void;

/** The indexes as Uint32 slots of the ring page. */
const FIRST = COALESCED_RING.first / 4;
const LAST = COALESCED_RING.last / 4;

export class CoalescedRing {
  /** `first` and `last`, read with Atomics: KVM updates `last` from another CPU. */
  private readonly indexes: Uint32Array;
  private readonly page: DataView;
  private readonly bytes: Uint8Array;

  /**
   * The ring at page `page` of `mapping` (a vCPU's kvm_run mapping).
   * @throws {KvmError} `invalid` if the mapping does not reach that page.
   */
  constructor(mapping: ArrayBuffer, page: number) {
    const at = page * PAGE_SIZE;
    if (!Number.isInteger(page) || page < 1 || at + PAGE_SIZE > mapping.byteLength) {
      throw new KvmError('invalid', 'coalesced ring', `page ${page} is outside the vCPU mapping of ${mapping.byteLength} bytes`);
    }
    this.indexes = new Uint32Array(mapping, at, 2);
    this.page = new DataView(mapping, at, PAGE_SIZE);
    this.bytes = new Uint8Array(mapping, at, PAGE_SIZE);
  }

  /** Whether KVM queued writes not yet drained. */
  get pending(): boolean {
    return Atomics.load(this.indexes, FIRST) !== Atomics.load(this.indexes, LAST);
  }

  /**
   * Applies every queued write in order with `write`; returns how many.
   * @throws {KvmError} `invalid` if an index or a length is out of range (the ring is not KVM's).
   */
  drain(write: CoalescedWrite): number {
    let first = Atomics.load(this.indexes, FIRST);
    const last = Atomics.load(this.indexes, LAST);
    if (first >= KVM_COALESCED_MMIO_MAX || last >= KVM_COALESCED_MMIO_MAX) throw new KvmError('invalid', 'coalesced ring', `indexes first ${first}, last ${last}; the ring has ${KVM_COALESCED_MMIO_MAX} entries`);
    let applied = 0;
    while (first !== last) {
      const at = COALESCED_RING.entries + first * COALESCED_ENTRY.size;
      const len = this.page.getUint32(at + COALESCED_ENTRY.len, true);
      if (len < 1 || len > 8) throw new KvmError('invalid', 'coalesced ring', `entry ${first} has length ${len}, expected 1 to 8`);
      const address = this.page.getUint32(at + COALESCED_ENTRY.phys_addr, true) + this.page.getUint32(at + COALESCED_ENTRY.phys_addr + 4, true) * 2 ** 32;
      const data = this.bytes.subarray(at + COALESCED_ENTRY.data, at + COALESCED_ENTRY.data + len);
      write(address, data, this.page.getUint32(at + COALESCED_ENTRY.pio, true) !== 0);
      first = (first + 1) % KVM_COALESCED_MMIO_MAX;
      Atomics.store(this.indexes, FIRST, first);
      applied++;
    }
    return applied;
  }
}
