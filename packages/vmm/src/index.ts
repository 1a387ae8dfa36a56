/**
 * @tsvmm/vmm as a library (the app's entry is `main.ts`): the KVM binding (`kvm`, over `kvm_sys`
 * and the native addon), the vCPU threads and their exit hand-off (`vcpu`), and the `Machine`
 * that boots a Linux bzImage (`machine`). See README.md for the architecture.
 */
export * as kvmSys from './kvm_sys/index.ts';
export * from './kvm/index.ts';
export { AddonLoadError, nativeKvm, type NativeKvm } from './native/addon.ts';
export { defaultWorkerEntry, tsWorkerEntry, VcpuSet, VcpuThread, type ExitHandler, type VcpuExit, type VcpuSetOptions, type WorkerEntry } from './vcpu/thread.ts';
export { CpuAffinityError, formatCpuSet, parseCpuAffinity, parseCpuSet, type VcpuAffinity } from './vcpu/affinity.ts';
export { Machine, machineWorkerEntry, type MachineConfig, type MachinePlacement, type MachineStats } from './machine/machine.ts';
export { describeExit, EXIT_STATUS, exitStatus, type MachineExit } from './machine/exit.ts';
export { DEFAULT_KERNEL_PARAMS, DEFAULT_MEMORY_MIB, DEFAULT_VCPUS, parseArgs, type RunConfig } from './cli/args.ts';
export { main } from './cli/run.ts';
