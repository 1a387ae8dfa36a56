/**
 * The machine's legacy PC devices on the port-I/O bus, built the same way on every thread that
 * emulates them: once on the main thread, which allocates their shared state (and feeds the UART
 * with stdin), and once in each vCPU worker over that same state (`vcpu_main.ts`), so that a vCPU
 * emulates its own port accesses without leaving its thread, as crosvm's vCPU threads do with
 * devices shared as `Arc<Mutex<dyn BusDevice>>`. Each device serializes its accesses with the lock
 * in its state (packages/devices, `DeviceState`); what differs per thread are the hooks.
 *
 *   0x3f8-0x3ff   8250 UART, IRQ 4 (output through the shared console ring, console_output.ts)
 *   0x60-0x64     i8042, IRQ 1; its reset command ends the VM (0x61 is answered by KVM's PIT
 *                 speaker, KVM_PIT_SPEAKER_DUMMY)
 *   0x70-0x71     CMOS/RTC with the host's time, memory sizes
 *   0xcf8-0xcff   PCI configuration mechanism #1, host bridge at 00:00.0; 0xcf9 reset control;
 *                 0xcf8-0xcfb coalesced (`COALESCED_PORTS`)
 *   0x80, 0xed, 0xf0-0xf1  sinks (POST/IO delay, FPU); 0x92 fast reset (legacy.ts)
 */
import { Bus, Cmos, I8042, PciRoot, Serial, type DeviceLog, type PciRootState } from '@tsvmm/devices';
import { SinkDevice, SystemControlA } from './legacy.ts';

export const COM1 = 0x3f8;
export const COM1_IRQ = 4;
export const I8042_IRQ = 1;

/**
 * Ports whose writes KVM may queue instead of exiting (coalesced port I/O; QEMU coalesces the same
 * register): CONFIG_ADDRESS (0xCF8, a dword) only latches an address, which nothing observes before
 * the next access to CONFIG_DATA, and that access exits, so a configuration cycle costs one exit
 * instead of two. KVM decides by range, so a byte written to 0xCF9 (reset control) is queued too
 * and takes effect at the vCPU's next exit; Linux's `reboot=pci` reads 0xCF9 before and
 * triple-faults after its writes, both exits.
 */
export const COALESCED_PORTS: readonly { port: number; length: number }[] = [{ port: PciRoot.BASE, length: 4 }];

/** The devices' shared state: structured-cloneable, handed to every vCPU worker. */
export interface LegacyDeviceState {
  serial: SharedArrayBuffer;
  i8042: SharedArrayBuffer;
  cmos: SharedArrayBuffer;
  pci: PciRootState;
}

/** What a thread's devices do beyond their registers. */
export interface DeviceHooks {
  /** Drive GSI `gsi` (KVM_IRQ_LINE). */
  irq(gsi: number, high: boolean): void;
  /** Bytes the guest sent to the UART. */
  output(bytes: Uint8Array): void;
  /** The guest reset the machine through `via`. */
  reset(via: string): void;
  log: DeviceLog;
}

/** Memory sizes the CMOS reports (used when the state is new). */
export interface CmosMemory {
  memBelow4g: number;
  memAbove4g: number;
}

export class LegacyDevices {
  readonly pio: Bus;
  readonly serial: Serial;
  readonly state: LegacyDeviceState;

  /** The devices with new state (`state` absent), or over the state another thread made. */
  constructor(hooks: DeviceHooks, memory: CmosMemory, state?: LegacyDeviceState) {
    const { log } = hooks;
    const irq = (gsi: number) => ({ setLevel: (high: boolean) => hooks.irq(gsi, high) });
    const reset = (via: string) => () => hooks.reset(via);
    this.serial = new Serial({ irq: irq(COM1_IRQ), log, output: (bytes) => hooks.output(bytes), ...(state ? { state: state.serial } : {}) });
    const i8042 = new I8042({ irq: irq(I8042_IRQ), log, onReset: reset('i8042 reset, port 0x64'), ...(state ? { state: state.i8042 } : {}) });
    const cmos = new Cmos({ ...memory, log, ...(state ? { state: state.cmos } : {}) });
    const pci = new PciRoot({ log, onReset: reset('reset control, port 0xcf9'), ...(state ? { state: state.pci } : {}) });
    this.state = { serial: this.serial.state, i8042: i8042.state, cmos: cmos.state, pci: pci.state };

    this.pio = new Bus('pio', { log });
    this.pio.insert(this.serial, COM1, Serial.LENGTH);
    this.pio.insert(i8042, I8042.BASE, I8042.LENGTH);
    this.pio.insert(cmos, Cmos.BASE, Cmos.LENGTH);
    this.pio.insert(pci, PciRoot.BASE, PciRoot.LENGTH);
    this.pio.insert(new SinkDevice('POST/IO delay (0x80)'), 0x80, 1);
    this.pio.insert(new SinkDevice('0xed'), 0xed, 1);
    this.pio.insert(new SinkDevice('FPU (0xf0)'), 0xf0, 2);
    this.pio.insert(new SystemControlA(reset('port 0x92')), 0x92, 1);
  }
}

/** What a vCPU worker posts to the main thread about its devices. */
export type DeviceEvent = { kind: 'reset'; via: string } | { kind: 'log'; message: string };

/** What `vcpu_main.ts` needs to build a vCPU's own devices (`VcpuWorkerData.local`). */
export interface VcpuDevicesData {
  vmFd: number;
  devices: LegacyDeviceState;
  memory: CmosMemory;
  /** The console output ring (console_output.ts). */
  consoleOutput: SharedArrayBuffer;
}
