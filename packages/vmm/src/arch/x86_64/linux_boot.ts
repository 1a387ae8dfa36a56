/**
 * Everything a Linux boot puts in guest memory, in one call (Firecracker's `load_kernel` +
 * `configure_system`): the protected-mode kernel at 1 MiB, the initrd at the top of low RAM, the
 * command line, the page tables, GDT and IDT, the MP table and the zero page. The per-vCPU state
 * (CPUID, MSRs, registers, FPU, special registers, LAPIC) comes from the other modules, with
 * {@link LinuxBootInfo.entry64} for rip.
 */
import { type BzImage, type KernelPlacement, loadKernel, parseBzImage, placeInitrd, placeKernel } from './bzimage.ts';
import { type WrittenCmdline, writeCmdline } from './cmdline.ts';
import { type E820Entry, buildE820 } from './e820.ts';
import { writeGdtAndIdt } from './gdt.ts';
import { hex } from './guest_memory.ts';
import { lowRamEnd } from './layout.ts';
import { type MpPciInterrupt, type WrittenMptable, writeMptable } from './mptable.ts';
import { writePageTables } from './page_tables.ts';
import { buildZeroPage, writeZeroPage } from './zero_page.ts';

/** The one error of this module (the steps throw their own modules' errors). */
export class LinuxBootError extends Error {
  override readonly name = 'LinuxBootError';
}

/** What to boot, on what machine. */
export interface LinuxBootOptions {
  /** The bzImage file, or one already parsed. */
  readonly kernel: Uint8Array | BzImage;
  readonly initrd?: Uint8Array;
  readonly cmdline: string;
  /** All guest RAM, in bytes (the e820 map and placement follow `layout.ts`). */
  readonly ramSize: number;
  readonly vcpus: number;
  /** PCI INTx routing for the MP table (default none). */
  readonly pciInterrupts?: readonly MpPciInterrupt[];
}

/** Where everything went. */
export interface LinuxBootInfo {
  readonly image: BzImage;
  readonly kernel: KernelPlacement;
  /** rip for every vCPU. */
  readonly entry64: number;
  /** rsi: boot_params. */
  readonly zeroPage: number;
  readonly cmdline: WrittenCmdline;
  readonly initrd: { readonly address: number; readonly size: number } | undefined;
  readonly e820: readonly E820Entry[];
  readonly mptable: WrittenMptable;
  readonly cr3: bigint;
}

/**
 * Writes the boot structures and images into `mem`, the guest RAM below the MMIO gap (offset =
 * guest-physical address, at least `min(ramSize, 3 GiB)` bytes).
 * @throws {LinuxBootError} if `mem` is smaller than low RAM; the error of the module concerned
 *   (BzImageError, CmdlineError, E820Error, MptableError, ZeroPageError, ...) for the rest.
 */
export function writeLinuxBoot(mem: Uint8Array, options: LinuxBootOptions): LinuxBootInfo {
  const e820 = buildE820(options.ramSize);
  const ramEnd = lowRamEnd(options.ramSize);
  if (mem.length < ramEnd) throw new LinuxBootError(`guest memory holds ${hex(mem.length)} bytes, less than the ${hex(ramEnd)} of low RAM`);
  const image = options.kernel instanceof Uint8Array ? parseBzImage(options.kernel) : options.kernel;

  const kernel = placeKernel(image, ramEnd);
  loadKernel(mem, image, kernel);
  let initrd: LinuxBootInfo['initrd'];
  if (options.initrd !== undefined && options.initrd.length > 0) {
    const address = placeInitrd(image, kernel, ramEnd, options.initrd.length);
    mem.set(options.initrd, address);
    initrd = { address, size: options.initrd.length };
  }
  const cmdline = writeCmdline(mem, options.cmdline, image.cmdlineSize);
  const cr3 = writePageTables(mem);
  writeGdtAndIdt(mem);
  const mptable = writeMptable(mem, { vcpus: options.vcpus, ...(options.pciInterrupts ? { pciInterrupts: options.pciInterrupts } : {}) });
  const zeroPage = writeZeroPage(mem, buildZeroPage({ image, cmdlineAddress: cmdline.address, e820, ...(initrd ? { initrd } : {}) }));
  return { image, kernel, entry64: kernel.entry64, zeroPage, cmdline, initrd, e820, mptable, cr3 };
}
