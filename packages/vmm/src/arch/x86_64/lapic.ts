/**
 * The local APIC's LINT0/LINT1 wiring for `KVM_SET_LAPIC` (Firecracker's `interrupts.rs`
 * `set_lint`): in the 1024-byte `kvm_lapic_state` from `KVM_GET_LAPIC`, LVT LINT0 (0x350) gets
 * delivery mode ExtINT (7), so the PIC's interrupts reach the CPU in virtual wire mode, and LVT
 * LINT1 (0x360) gets NMI (4), as the MP table's local interrupt entries say. Each is
 * `(value & ~0x700) | mode << 8`; the mask bit and the rest stay as KVM left them.
 */

/** sizeof(struct kvm_lapic_state). */
export const LAPIC_STATE_SIZE = 1024;
export const APIC_LVT0 = 0x350;
export const APIC_LVT1 = 0x360;
export const APIC_MODE_NMI = 4;
export const APIC_MODE_EXTINT = 7;

/** The one error of this module. */
export class LapicError extends Error {
  override readonly name = 'LapicError';
}

/** `register` with its delivery mode (bits 10:8) set to `mode`. */
export function setDeliveryMode(register: number, mode: number): number {
  return ((register & ~0x700) | ((mode & 0x7) << 8)) >>> 0;
}

/**
 * A copy of `state` with LINT0 = ExtINT and LINT1 = NMI.
 * @throws {LapicError} unless `state` is 1024 bytes.
 */
export function configureLint(state: Uint8Array): Uint8Array {
  if (!(state instanceof Uint8Array) || state.length !== LAPIC_STATE_SIZE) throw new LapicError(`a kvm_lapic_state is ${String(LAPIC_STATE_SIZE)} bytes, not ${String(state?.length)}`);
  const out = state.slice();
  const v = new DataView(out.buffer);
  v.setUint32(APIC_LVT0, setDeliveryMode(v.getUint32(APIC_LVT0, true), APIC_MODE_EXTINT), true);
  v.setUint32(APIC_LVT1, setDeliveryMode(v.getUint32(APIC_LVT1, true), APIC_MODE_NMI), true);
  return out;
}
