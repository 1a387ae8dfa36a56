/**
 * @tsvmm/testvm: the project's test VM, as crosvm runs its KVM tests in a VM
 * (`tools/run_tests --target=vm:...`). On these machines /dev/kvm cannot boot Linux, so KVM tests
 * run inside a Debian kernel under QEMU TCG with `-cpu max`, which gets nested KVM (kvm-amd).
 *
 *   ensureImages()        build (or reuse) the kernel, the guest initramfs and the test VM image
 *   runInTestVm({...})    run a command in the test VM: exit code, output, files, timings
 *   guestCommandLine()    the kernel command line for the guest initramfs's checking /init
 *   parseGuestReport()    what that /init printed (PASS/FAIL, CPUs, clock, boot-to-/init time)
 *   smoke()               the self-test: Node, /dev/kvm and QEMU -enable-kvm booting the guest in the test VM
 *
 * Inside the test VM the guest files are at GUEST_KERNEL_IN_VM and GUEST_INITRAMFS_IN_VM.
 */
export { ensureImages, readImages, GUEST_MODULES, L1_MODULES, type EnsureImagesOptions, type ImageManifest, type TestVmImages } from './image/build.ts';
export { ImageBuildError, type ImageBuildErrorCode } from './image/errors.ts';
export { NESTED_OTHER_CPUS, NESTED_VCPU_CPUS, NESTED_VMM_PREFIX, runInTestVm, shellQuote, type Mount, type RunDurations, type RunOptions, type RunResult } from './run/run.ts';
export { TestVmError, type TestVmErrorCode } from './run/errors.ts';
export { guestCommandLine, parseGuestReport, VMM_BASE_COMMAND_LINE, type GuestCommandLineOptions, type GuestReport } from './guest/contract.ts';
export { consoleProgress, silentProgress, type Progress } from './progress.ts';
export { defaultCacheDir, GUEST_INITRAMFS_IN_VM, GUEST_KERNEL_IN_VM } from './paths.ts';
export { smoke, SMOKE_MODULES, type SmokeBoot, type SmokeOptions, type SmokeResult } from './smoke.ts';
