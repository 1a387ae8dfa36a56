/**
 * The VMM's `ExitHandler`: routes every IO and MMIO exit of every vCPU to the devices package's
 * port-I/O and MMIO buses, on the main thread. Unclaimed accesses are the bus's business (reads
 * answer all-ones, writes are dropped, each logged once).
 */
import type { Bus } from '@tsvmm/devices';
import type { ExitHandler } from '../vcpu/thread.ts';

export class BusExitHandler implements ExitHandler {
  /** Exits served, per kind, for `--stats`. */
  readonly counts = { pioIn: 0, pioOut: 0, mmioRead: 0, mmioWrite: 0 };
  /** Port I/O exits per port, for `--stats`. */
  readonly perPort = new Map<number, number>();
  /** PCI configuration addresses written to 0xcf8, per bus:device.function, for `--stats`. */
  readonly perPciFunction = new Map<string, number>();

  constructor(
    private readonly pioBus: Bus,
    private readonly mmioBus: Bus,
  ) {}

  io(_vcpu: number, port: number, isOut: boolean, data: Uint8Array): void {
    this.perPort.set(port, (this.perPort.get(port) ?? 0) + 1);
    if (isOut) {
      this.counts.pioOut++;
      if (port === 0xcf8 && data.length === 4) {
        const a = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
        const key = `${(a >>> 16) & 0xff}:${(a >>> 11) & 0x1f}.${(a >>> 8) & 7}`;
        this.perPciFunction.set(key, (this.perPciFunction.get(key) ?? 0) + 1);
      }
      this.pioBus.write(port, data);
    } else {
      this.counts.pioIn++;
      this.pioBus.read(port, data);
    }
  }

  mmio(_vcpu: number, address: bigint, isWrite: boolean, data: Uint8Array): void {
    if (isWrite) {
      this.counts.mmioWrite++;
      this.mmioBus.write(address, data);
    } else {
      this.counts.mmioRead++;
      this.mmioBus.read(address, data);
    }
  }
}
