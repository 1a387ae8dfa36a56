/**
 * Coalesced MMIO and port I/O (include/uapi/linux/kvm.h): `struct kvm_coalesced_mmio_zone`, the
 * argument of KVM_REGISTER_COALESCED_MMIO, and the layout of `struct kvm_coalesced_mmio_ring`, the
 * page where KVM queues the guest's writes to a registered zone instead of exiting. The ring is one
 * page per VM, mapped in every vCPU's mapping at the page that KVM_CHECK_EXTENSION
 * (KVM_CAP_COALESCED_MMIO) returns (2 on x86). KVM writes an entry, then advances `last`; user
 * space applies entries from `first` and advances it; a full ring makes the write an ordinary exit.
 *
 * Part of `kvm_sys`: layout only.
 */

export const PAGE_SIZE = 4096;

/** `struct kvm_coalesced_mmio_zone`: addr (u64), size (u32), pio (u32). */
export const KVM_COALESCED_ZONE_SIZE = 16;

/** Byte offsets in the ring page: the two indexes, then the entries. */
export const COALESCED_RING = { first: 0, last: 4, entries: 8 } as const;

/** Byte offsets in one `struct kvm_coalesced_mmio` entry, and its size. */
export const COALESCED_ENTRY = { phys_addr: 0, len: 8, pio: 12, data: 16, size: 24 } as const;

/** `KVM_COALESCED_MMIO_MAX`: entries in the ring (170 with 4 KiB pages). */
export const KVM_COALESCED_MMIO_MAX = Math.floor((PAGE_SIZE - COALESCED_RING.entries) / COALESCED_ENTRY.size);

/** A zone of guest-physical addresses (`pio` false) or ports (`pio` true). */
export interface CoalescedZone {
  address: bigint;
  size: number;
  pio: boolean;
}

export function encodeCoalescedZone(zone: CoalescedZone): Uint8Array {
  const bytes = new Uint8Array(KVM_COALESCED_ZONE_SIZE);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(0, zone.address, true);
  dv.setUint32(8, zone.size, true);
  dv.setUint32(12, zone.pio ? 1 : 0, true);
  return bytes;
}
