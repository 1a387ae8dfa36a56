/**
 * `kvm_sys`: KVM's raw interface for packages/vmm, as crosvm's `kvm_sys` crate: ioctl numbers,
 * constants, argument struct layouts (DataView codecs) and the kvm_run layout. No policy and no
 * error handling: `src/kvm` builds the safe Kvm/Vm/Vcpu wrappers on this and the native addon.
 */
export * from './constants.ts';
export * from './ioctl.ts';
export * from './run.ts';
export * from './structs.ts';
