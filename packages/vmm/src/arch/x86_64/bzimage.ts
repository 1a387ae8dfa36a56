/**
 * The bzImage format (Documentation/x86/boot.rst, "THE REAL-MODE KERNEL HEADER"): parse and
 * validate the setup header, then say where the protected-mode kernel goes, where the 64-bit
 * entry is, which memory the kernel needs while it decompresses itself, and where the initrd may
 * go. The image comes from the user, not the guest, but is still checked field by field: a
 * {@link BzImageError} names the field and its offset.
 *
 * Requirements, those of Firecracker's `load_kernel` plus what the 64-bit protocol needs:
 * - "HdrS" at 0x202 and boot protocol 2.12 or later (0x206): xloadflags exists from 2.12;
 * - boot_flag 0xAA55 at 0x1FE;
 * - loadflags (0x211) bit 0, LOADED_HIGH: the protected-mode code is loaded at 1 MiB;
 * - xloadflags (0x236) bit 0, XLF_KERNEL_64: "the kernel has the legacy 64-bit entry point at 0x200";
 * - setup_sects (0x1F1): 0 means 4 ("for backwards compatibility");
 * - syssize (0x1F4): the protected-mode code in 16-byte paragraphs, non-zero and inside the file
 *   (the file may be longer, e.g. a signature appended for Secure Boot: everything after the
 *   setup sectors is loaded, as linux-loader and crosvm do);
 * - kernel_alignment (0x230) a power of two, min_alignment (0x235) no larger;
 * - cmdline_size (0x238) and init_size (0x260) non-zero; the header's end (0x202 + the byte at
 *   0x201) covers the fields read and fits in boot_params (before 0x290).
 */
import { fits, hex, viewOf } from './guest_memory.ts';
import { KERNEL_START, PAGE_SIZE } from './layout.ts';

/** Setup header field offsets in the image (and in boot_params). */
export const SetupHeader = {
  SETUP_SECTS: 0x1f1,
  SYSSIZE: 0x1f4,
  BOOT_FLAG: 0x1fe,
  JUMP: 0x200,
  HEADER: 0x202,
  VERSION: 0x206,
  TYPE_OF_LOADER: 0x210,
  LOADFLAGS: 0x211,
  CODE32_START: 0x214,
  RAMDISK_IMAGE: 0x218,
  RAMDISK_SIZE: 0x21c,
  HEAP_END_PTR: 0x224,
  CMD_LINE_PTR: 0x228,
  INITRD_ADDR_MAX: 0x22c,
  KERNEL_ALIGNMENT: 0x230,
  RELOCATABLE_KERNEL: 0x234,
  MIN_ALIGNMENT: 0x235,
  XLOADFLAGS: 0x236,
  CMDLINE_SIZE: 0x238,
  HARDWARE_SUBARCH: 0x23c,
  PAYLOAD_OFFSET: 0x248,
  PAYLOAD_LENGTH: 0x24c,
  SETUP_DATA: 0x250,
  PREF_ADDRESS: 0x258,
  INIT_SIZE: 0x260,
  HANDOVER_OFFSET: 0x264,
} as const;

/** "HdrS". */
export const HDRS_MAGIC = 0x5372_6448;
export const BOOT_FLAG_MAGIC = 0xaa55;
/** The oldest boot protocol accepted: 2.12, the first with xloadflags. */
export const MIN_PROTOCOL_VERSION = 0x020c;
export const LOADED_HIGH = 0x01;
export const XLF_KERNEL_64 = 0x01;
export const XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;
/** The 64-bit entry point's offset from the protected-mode kernel's load address. */
export const ENTRY_64_OFFSET = 0x200;
/** boot_params ends the setup header before this offset (edd_mbr_sig_buffer). */
const HEADER_LIMIT = 0x290;
/** The header must reach at least this far: through handover_offset (protocol 2.11). */
const HEADER_MIN_END = 0x268;
/** boot.rst: an initrd_addr_max of 0 (pre-2.03 kernels) means 0x37FFFFFF. */
const DEFAULT_INITRD_ADDR_MAX = 0x37ff_ffff;

/** The one error of this module: what is wrong, the field, and its offset. */
export class BzImageError extends Error {
  override readonly name = 'BzImageError';

  constructor(
    readonly field: string,
    readonly offset: number | undefined,
    reason: string,
  ) {
    super(offset === undefined ? `bzImage ${field}: ${reason}` : `bzImage ${field} (offset ${hex(offset)}): ${reason}`);
  }
}

/** A validated bzImage. */
export interface BzImage {
  /** The boot protocol version, e.g. 0x020f. */
  readonly protocolVersion: number;
  /** setup_sects as the loader must use it (0 read as 4). */
  readonly setupSects: number;
  /** The real-mode part: (setup_sects + 1) * 512 bytes. */
  readonly setupSize: number;
  /** syssize: the protected-mode code in 16-byte paragraphs. */
  readonly syssize: number;
  /** The protected-mode kernel: the file from `setupSize` on (a view of the image). */
  readonly kernel: Uint8Array;
  /** A copy of the setup header, from 0x1F1 to 0x202 + byte 0x201, for boot_params. */
  readonly header: Uint8Array;
  readonly loadflags: number;
  readonly xloadflags: number;
  readonly relocatable: boolean;
  /** kernel_alignment in bytes. */
  readonly kernelAlignment: number;
  /** 2^min_alignment bytes. */
  readonly minAlignment: number;
  /** The highest address the initrd may occupy. */
  readonly initrdAddrMax: number;
  /** The longest command line, not counting its NUL. */
  readonly cmdlineSize: number;
  /** Where a non-relocatable kernel runs (LOAD_PHYSICAL_ADDR). */
  readonly prefAddress: number;
  /** Bytes the kernel needs from its runtime start before it reads the memory map. */
  readonly initSize: number;
  readonly canBeLoadedAbove4g: boolean;
}

/**
 * Parses and validates `image`.
 * @throws {BzImageError} naming the first field that is wrong.
 */
export function parseBzImage(image: Uint8Array): BzImage {
  if (!(image instanceof Uint8Array)) throw new BzImageError('image', undefined, 'is not a Uint8Array');
  if (image.length < HEADER_MIN_END) throw new BzImageError('image', undefined, `${String(image.length)} bytes is too short for a setup header`);
  const v = viewOf(image);
  const u8 = (at: number) => v.getUint8(at);
  const u16 = (at: number) => v.getUint16(at, true);
  const u32 = (at: number) => v.getUint32(at, true);
  const H = SetupHeader;

  if (u16(H.BOOT_FLAG) !== BOOT_FLAG_MAGIC) throw new BzImageError('boot_flag', H.BOOT_FLAG, `is ${hex(u16(H.BOOT_FLAG))}, not 0xaa55`);
  if (u32(H.HEADER) !== HDRS_MAGIC) throw new BzImageError('header', H.HEADER, `is ${hex(u32(H.HEADER))}, not "HdrS"`);
  const protocolVersion = u16(H.VERSION);
  if (protocolVersion < MIN_PROTOCOL_VERSION) throw new BzImageError('version', H.VERSION, `boot protocol ${hex(protocolVersion)} is older than 2.12`);
  const headerEnd = H.HEADER + u8(H.JUMP + 1);
  if (headerEnd < HEADER_MIN_END || headerEnd > HEADER_LIMIT) throw new BzImageError('jump', H.JUMP + 1, `the header would end at ${hex(headerEnd)}, outside [${hex(HEADER_MIN_END)}, ${hex(HEADER_LIMIT)}]`);

  const setupSects = u8(H.SETUP_SECTS) || 4;
  const setupSize = (setupSects + 1) * 512;
  if (setupSize >= image.length) throw new BzImageError('setup_sects', H.SETUP_SECTS, `${String(setupSects)} setup sectors leave no kernel in a ${String(image.length)}-byte file`);
  const syssize = u32(H.SYSSIZE);
  if (syssize === 0) throw new BzImageError('syssize', H.SYSSIZE, 'is 0');
  if (setupSize + syssize * 16 > image.length) throw new BzImageError('syssize', H.SYSSIZE, `${String(syssize)} paragraphs run past the end of the ${String(image.length)}-byte file: truncated image`);

  const loadflags = u8(H.LOADFLAGS);
  if ((loadflags & LOADED_HIGH) === 0) throw new BzImageError('loadflags', H.LOADFLAGS, 'LOADED_HIGH (bit 0) is clear: the kernel does not load at 1 MiB');
  const xloadflags = u16(H.XLOADFLAGS);
  if ((xloadflags & XLF_KERNEL_64) === 0) throw new BzImageError('xloadflags', H.XLOADFLAGS, 'XLF_KERNEL_64 (bit 0) is clear: no 64-bit entry point');

  const kernelAlignment = u32(H.KERNEL_ALIGNMENT);
  if (!isPowerOfTwo(kernelAlignment)) throw new BzImageError('kernel_alignment', H.KERNEL_ALIGNMENT, `${hex(kernelAlignment)} is not a power of two`);
  const minAlignmentLog2 = u8(H.MIN_ALIGNMENT);
  if (minAlignmentLog2 > 31 || 2 ** minAlignmentLog2 > kernelAlignment) throw new BzImageError('min_alignment', H.MIN_ALIGNMENT, `2^${String(minAlignmentLog2)} exceeds kernel_alignment ${hex(kernelAlignment)}`);
  const cmdlineSize = u32(H.CMDLINE_SIZE);
  if (cmdlineSize === 0) throw new BzImageError('cmdline_size', H.CMDLINE_SIZE, 'is 0');
  const initSize = u32(H.INIT_SIZE);
  if (initSize === 0) throw new BzImageError('init_size', H.INIT_SIZE, 'is 0');
  const prefAddress = Number(v.getBigUint64(H.PREF_ADDRESS, true));
  if (!Number.isSafeInteger(prefAddress)) throw new BzImageError('pref_address', H.PREF_ADDRESS, 'is beyond 2^53');

  return {
    protocolVersion,
    setupSects,
    setupSize,
    syssize,
    kernel: image.subarray(setupSize),
    header: image.slice(H.SETUP_SECTS, headerEnd),
    loadflags,
    xloadflags,
    relocatable: u8(H.RELOCATABLE_KERNEL) !== 0,
    kernelAlignment,
    minAlignment: 2 ** minAlignmentLog2,
    initrdAddrMax: u32(H.INITRD_ADDR_MAX) || DEFAULT_INITRD_ADDR_MAX,
    cmdlineSize,
    prefAddress,
    initSize,
    canBeLoadedAbove4g: (xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) !== 0,
  };
}

/** Where the kernel goes and what it occupies. All addresses guest-physical, ends exclusive. */
export interface KernelPlacement {
  /** Where the protected-mode kernel is copied. */
  readonly loadAddress: number;
  readonly loadEnd: number;
  /** rip at entry: load address + 0x200 (the 64-bit entry, boot.rst "64-bit BOOT PROTOCOL"). */
  readonly entry64: number;
  /**
   * The memory the kernel decompresses into before it reads the e820 map: from its runtime start
   * (a relocatable kernel's load address rounded up to kernel_alignment, but not below
   * pref_address, as arch/x86/boot/compressed/head_64.S computes it; pref_address otherwise) for
   * init_size bytes. It must be RAM, and the initrd must stay out of it.
   */
  readonly runtimeStart: number;
  readonly runtimeEnd: number;
}

/**
 * Where `image` goes when loaded at `loadAddress` (default 1 MiB) in a guest whose RAM below the
 * MMIO gap ends at `lowRamEnd`.
 * @throws {BzImageError} if the kernel or its decompression area does not fit in that RAM.
 */
export function placeKernel(image: BzImage, lowRamEnd: number, loadAddress: number = KERNEL_START): KernelPlacement {
  if (!Number.isSafeInteger(loadAddress) || loadAddress < 0 || loadAddress % PAGE_SIZE !== 0) throw new BzImageError('load address', undefined, `${String(loadAddress)} is not page-aligned`);
  const loadEnd = loadAddress + image.kernel.length;
  if (loadEnd > lowRamEnd) throw new BzImageError('kernel', undefined, `${String(image.kernel.length)} bytes at ${hex(loadAddress)} do not fit below ${hex(lowRamEnd)}`);
  const runtimeStart = image.relocatable ? Math.max(alignUp(loadAddress, image.kernelAlignment), image.prefAddress) : image.prefAddress;
  const runtimeEnd = runtimeStart + image.initSize;
  if (runtimeEnd > lowRamEnd) throw new BzImageError('init_size', SetupHeader.INIT_SIZE, `the kernel needs [${hex(runtimeStart)}, ${hex(runtimeEnd)}) to decompress, beyond RAM's end at ${hex(lowRamEnd)}`);
  return { loadAddress, loadEnd, entry64: loadAddress + ENTRY_64_OFFSET, runtimeStart, runtimeEnd };
}

/**
 * Copies the protected-mode kernel into `mem` (low guest RAM, offset = guest-physical address) as
 * `placement` says.
 * @throws {BzImageError} if it does not fit in `mem`.
 */
export function loadKernel(mem: Uint8Array, image: BzImage, placement: KernelPlacement): void {
  if (!fits(mem, placement.loadAddress, image.kernel.length)) throw new BzImageError('kernel', undefined, `does not fit in the ${String(mem.length)} bytes of guest memory at ${hex(placement.loadAddress)}`);
  mem.set(image.kernel, placement.loadAddress);
}

/**
 * The initrd's address: page-aligned, as high as possible below both `lowRamEnd` and the kernel's
 * initrd_addr_max (crosvm; Firecracker uses the top of low RAM), and above the kernel and its
 * decompression area.
 * @throws {BzImageError} if there is no such place.
 */
export function placeInitrd(image: BzImage, kernel: KernelPlacement, lowRamEnd: number, initrdSize: number): number {
  if (!Number.isSafeInteger(initrdSize) || initrdSize <= 0) throw new BzImageError('initrd', undefined, `size ${String(initrdSize)} is not a positive integer`);
  const top = Math.min(lowRamEnd, image.initrdAddrMax + 1);
  const address = Math.floor((top - initrdSize) / PAGE_SIZE) * PAGE_SIZE;
  const floor = Math.max(kernel.loadEnd, kernel.runtimeEnd);
  if (address < floor) {
    throw new BzImageError('initrd', undefined, `${String(initrdSize)} bytes do not fit between the kernel's end ${hex(floor)} and ${hex(top)} (RAM end or initrd_addr_max): give the guest more memory`);
  }
  return address;
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0 && value <= 2 ** 31;
}
