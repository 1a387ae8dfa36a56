/**
 * struct boot_params, the "zero page" (Documentation/x86/zero-page.rst), as the 64-bit boot
 * protocol wants it (boot.rst, "64-bit BOOT PROTOCOL": "the bootloader should ... fill the whole
 * struct boot_params with zeros, then copy the setup header from offset 0x01f1 of kernel image ...
 * whose end is computed as 0x0202 + byte value at offset 0x0201", then fill in the fields a boot
 * loader writes):
 *
 * - type_of_loader (0x210) = 0xFF: "undefined" loader (Firecracker, crosvm);
 * - boot_flag (0x1FE) = 0xAA55 (also in the copied header);
 * - cmd_line_ptr (0x228) and ext_cmd_line_ptr (0x0C8): the command line's address, split at 32 bits;
 * - ramdisk_image/ramdisk_size (0x218/0x21C) and ext_ramdisk_image/ext_ramdisk_size (0x0C0/0x0C4);
 * - e820_entries (0x1E8) and e820_table (0x2D0);
 * - setup_data (0x250) = 0: no chained data.
 *
 * Fields the protocol marks "read" (filled by the kernel for the loader) keep the kernel's values:
 * cmdline_size (the kernel's maximum; Firecracker overwrites it with the command line's length,
 * which the kernel never reads), kernel_alignment (the decompressor rounds the load address up to
 * it; crosvm forces 16 MiB), initrd_addr_max, pref_address, init_size. Everything else is zero:
 * no screen_info (so no VGA console), no ACPI RSDP, no EDD, no APM.
 */
import type { BzImage } from './bzimage.ts';
import { SetupHeader } from './bzimage.ts';
import { type E820Entry, E820Error, E820_ENTRY_SIZE, checkE820 } from './e820.ts';
import { fits, hex, viewOf } from './guest_memory.ts';
import { ZERO_PAGE_START } from './layout.ts';

/** boot_params offsets outside the setup header. */
export const BootParams = {
  SIZE: 0x1000,
  ACPI_RSDP_ADDR: 0x070,
  EXT_RAMDISK_IMAGE: 0x0c0,
  EXT_RAMDISK_SIZE: 0x0c4,
  EXT_CMD_LINE_PTR: 0x0c8,
  E820_ENTRIES: 0x1e8,
  SENTINEL: 0x1ef,
  HDR: 0x1f1,
  E820_TABLE: 0x2d0,
} as const;

/** "undefined" boot loader type. */
export const LOADER_TYPE_UNDEFINED = 0xff;

/** The one error of this module. */
export class ZeroPageError extends Error {
  override readonly name = 'ZeroPageError';
}

/** What goes into boot_params besides the kernel's header. */
export interface ZeroPageParams {
  readonly image: BzImage;
  /** The command line's guest-physical address. */
  readonly cmdlineAddress: number;
  /** The initrd, if any. */
  readonly initrd?: { readonly address: number; readonly size: number };
  readonly e820: readonly E820Entry[];
}

/**
 * A 4 KiB boot_params for `params`.
 * @throws {ZeroPageError} if an address or size does not fit its field or the e820 map is invalid.
 */
export function buildZeroPage(params: ZeroPageParams): Uint8Array {
  const page = new Uint8Array(BootParams.SIZE);
  const v = viewOf(page);
  const header = params.image.header;
  if (header.length === 0 || BootParams.HDR + header.length > BootParams.E820_TABLE) throw new ZeroPageError(`a ${String(header.length)}-byte setup header does not fit boot_params`);
  page.set(header, BootParams.HDR);

  v.setUint16(SetupHeader.BOOT_FLAG, 0xaa55, true);
  v.setUint8(SetupHeader.TYPE_OF_LOADER, LOADER_TYPE_UNDEFINED);
  v.setUint32(SetupHeader.SETUP_DATA, 0, true);
  v.setUint32(SetupHeader.SETUP_DATA + 4, 0, true);

  const [cmdLow, cmdHigh] = split64(params.cmdlineAddress, 'cmdline address');
  if (params.cmdlineAddress === 0) throw new ZeroPageError('the command line address is 0, which means "no command line"');
  v.setUint32(SetupHeader.CMD_LINE_PTR, cmdLow, true);
  v.setUint32(BootParams.EXT_CMD_LINE_PTR, cmdHigh, true);

  if (params.initrd !== undefined) {
    const [imageLow, imageHigh] = split64(params.initrd.address, 'initrd address');
    const [sizeLow, sizeHigh] = split64(params.initrd.size, 'initrd size');
    v.setUint32(SetupHeader.RAMDISK_IMAGE, imageLow, true);
    v.setUint32(BootParams.EXT_RAMDISK_IMAGE, imageHigh, true);
    v.setUint32(SetupHeader.RAMDISK_SIZE, sizeLow, true);
    v.setUint32(BootParams.EXT_RAMDISK_SIZE, sizeHigh, true);
  }

  try {
    checkE820(params.e820);
  } catch (error) {
    throw new ZeroPageError(`e820 map: ${error instanceof E820Error ? error.message : String(error)}`);
  }
  v.setUint8(BootParams.E820_ENTRIES, params.e820.length);
  params.e820.forEach((entry, i) => {
    const at = BootParams.E820_TABLE + i * E820_ENTRY_SIZE;
    v.setBigUint64(at, BigInt(entry.addr), true);
    v.setBigUint64(at + 8, BigInt(entry.size), true);
    v.setUint32(at + 16, entry.type, true);
  });
  return page;
}

/**
 * Copies `page` into `mem` at `address` (default {@link ZERO_PAGE_START}); returns the address
 * for rsi.
 * @throws {ZeroPageError} if it does not fit.
 */
export function writeZeroPage(mem: Uint8Array, page: Uint8Array, address: number = ZERO_PAGE_START): number {
  if (page.length !== BootParams.SIZE) throw new ZeroPageError(`boot_params is ${String(BootParams.SIZE)} bytes, not ${String(page.length)}`);
  if (!fits(mem, address, page.length)) throw new ZeroPageError(`boot_params at ${hex(address)} does not fit in guest memory`);
  mem.set(page, address);
  return address;
}

function split64(value: number, what: string): [number, number] {
  if (!Number.isSafeInteger(value) || value < 0) throw new ZeroPageError(`${what} ${String(value)} is not a non-negative integer`);
  return [value % 2 ** 32, Math.floor(value / 2 ** 32)];
}
