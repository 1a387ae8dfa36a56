/**
 * Test images: a bzImage whose setup header is byte for byte that of Debian's
 * linux-image-6.1.0-56-amd64 `vmlinuz` (boot protocol 2.15, setup_sects 39, loadflags 0x01,
 * xloadflags 0x7f, kernel_alignment 2 MiB, relocatable, min_alignment 21, initrd_addr_max
 * 0x7fffffff, cmdline_size 2047, pref_address 16 MiB, init_size 0x3f98000), with a small
 * protected-mode part of a recognisable pattern instead of the real 8 MiB one.
 */

/** The setup header of Debian's 6.1.0-56-amd64 vmlinuz, offsets 0x1F1 to 0x26B. */
export const DEBIAN_6_1_HEADER_HEX =
  '27010020d807000000ffff000055aaeb6a486472530f02000000000010c0420001008000001000000000000000000000000000' +
  'e05b000000000000ffffff7f0000200001157f00ff070000000000000000000000000000cc02000070f07b0000000000000000' +
  '0000000001000000000080f903b08d7c009c577d00';

export interface FakeBzImageOptions {
  /** Bytes of protected-mode code (a multiple of 16; default 64 KiB). */
  kernelSize?: number;
  /** Bytes appended after the code (a Secure Boot signature, say). */
  trailer?: number;
  /** Changes to make to the finished image. */
  patch?: (view: DataView, image: Uint8Array) => void;
}

/** A bzImage with Debian's header, syssize matching `kernelSize`. */
export function fakeBzImage(options: FakeBzImageOptions = {}): Uint8Array {
  const kernelSize = options.kernelSize ?? 0x10000;
  const header = Uint8Array.from(DEBIAN_6_1_HEADER_HEX.match(/../g)!.map((h) => parseInt(h, 16)));
  const setupSects = header[0]!;
  const setupSize = (setupSects + 1) * 512;
  const image = new Uint8Array(setupSize + kernelSize + (options.trailer ?? 0));
  image.set(header, 0x1f1);
  const view = new DataView(image.buffer);
  view.setUint32(0x1f4, kernelSize / 16, true);
  for (let i = 0; i < kernelSize; i++) image[setupSize + i] = (i * 7 + 3) & 0xff;
  options.patch?.(view, image);
  return image;
}
