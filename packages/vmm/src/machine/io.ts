/**
 * The VMM's `ExitHandler` on the main thread: routes the IO and MMIO exits the vCPU workers hand
 * over, i.e. those their own devices (devices.ts) do not claim, to the main thread's port-I/O and
 * MMIO buses (devices that live on the main thread; none yet). Unclaimed accesses are the bus's
 * business: reads answer all-ones, writes are dropped, each logged once.
 */
import type { Bus } from '@tsvmm/devices';
import type { ExitHandler } from '../vcpu/thread.ts';

export class BusExitHandler implements ExitHandler {
  constructor(
    private readonly pioBus: Bus,
    private readonly mmioBus: Bus,
  ) {}

  io(_vcpu: number, port: number, isOut: boolean, data: Uint8Array): void {
    if (isOut) this.pioBus.write(port, data);
    else this.pioBus.read(port, data);
  }

  mmio(_vcpu: number, address: bigint, isWrite: boolean, data: Uint8Array): void {
    if (isWrite) this.mmioBus.write(address, data);
    else this.mmioBus.read(address, data);
  }
}
