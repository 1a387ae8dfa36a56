/**
 * `kvm`: the safe KVM binding of packages/vmm, as crosvm's `kvm` crate over `kvm_sys`: `Kvm`
 * (/dev/kvm), `Vm`, `Vcpu`, `GuestMemory`, `CoalescedRing`, and `KvmError`, the one error type.
 * Each ioctl is checked.
 */
export { CoalescedRing, type CoalescedWrite } from './coalesced.ts';
export { errnoName, KvmError, type KvmErrorKind } from './error.ts';
export { Kvm } from './kvm.ts';
export { GuestMemory, MemoryRegion, type RegionDescriptor } from './memory.ts';
export { Vcpu, type VcpuDescriptor } from './vcpu.ts';
export { IrqLineWriter, Vm } from './vm.ts';
