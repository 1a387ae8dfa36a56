/**
 * The small legacy ports the VMM answers itself (crosvm keeps these in its x86_64 crate, not in
 * devices): a sink for the POST/IO-delay port 0x80 and the other ports Linux pokes for timing
 * (0xed) or the FPU (0xf0-0xf1), and port 0x92 (system control port A, bit 0 = fast reset). The
 * i8042's reset (0xFE to 0x64, `reboot=k`) and 0xcf9's (`reboot=p`) are the devices package's.
 */
import type { BusDevice } from '@tsvmm/devices';

/** Accepts writes, reads as zero (crosvm's `NoDevice`). */
export class SinkDevice implements BusDevice {
  constructor(readonly label: string) {}
  read(_offset: number, data: Uint8Array): void {
    data.fill(0);
  }
  write(): void {}
}

/** 0x92: bit 1 is A20 (always on here), writing bit 0 = 1 resets the machine. */
export class SystemControlA implements BusDevice {
  readonly label = 'system control port A (0x92)';
  constructor(private readonly onReset: () => void) {}
  read(_offset: number, data: Uint8Array): void {
    data.fill(0);
    data[0] = 0x02;
  }
  write(_offset: number, data: Uint8Array): void {
    if (data[0]! & 0x01) this.onReset();
  }
}
