/**
 * The host bridge at 00:00.0: Intel 82441FX (i440FX PMC, 8086:1237), class 0x060000, as in crosvm
 * and QEMU. Without a host bridge (class 0x0600) or an Intel device on bus 0, Linux's
 * `pci_sanity_check()` (arch/x86/pci/direct.c) rejects configuration mechanism #1 on machines
 * whose DMI year is before 2001 — and a VMM without DMI tables is such a machine.
 *
 * Its configuration space is shared like any {@link PciConfigSpace}: `new PciHostBridge({ state })`
 * in another thread, with the first one's {@link PciHostBridge.state}, is the same host bridge.
 */
import { PciConfigSpace } from './config_space.ts';
import type { PciDevice } from './pci_device.ts';

export const HOST_BRIDGE_VENDOR_ID = 0x8086;
export const HOST_BRIDGE_DEVICE_ID = 0x1237;
/** Base class 0x06 (bridge), subclass 0x00 (host bridge), programming interface 0. */
export const HOST_BRIDGE_CLASS_CODE = 0x06_00_00;
/** The 82441FX's revision. */
export const HOST_BRIDGE_REVISION = 0x02;

/** Options of a {@link PciHostBridge}. */
export interface PciHostBridgeOptions {
  /** The {@link PciHostBridge.state} of the host bridge made in another thread; absent: a new one. */
  state?: SharedArrayBuffer;
}

/** The host bridge function: identification only, no BARs, no interrupt. */
export class PciHostBridge implements PciDevice {
  readonly label = 'host bridge';
  readonly config: PciConfigSpace;

  /** @throws {DeviceStateError} if `state` is not the state of a host bridge's configuration space. */
  constructor(options: PciHostBridgeOptions = {}) {
    this.config = new PciConfigSpace({
      vendorId: HOST_BRIDGE_VENDOR_ID,
      deviceId: HOST_BRIDGE_DEVICE_ID,
      classCode: HOST_BRIDGE_CLASS_CODE,
      revisionId: HOST_BRIDGE_REVISION,
      state: options.state,
    });
  }

  /** Its configuration space's shared state, for constructing this host bridge in another thread (`state` option). */
  get state(): SharedArrayBuffer {
    return this.config.state;
  }

  readConfigRegister(register: number): number {
    return this.config.readRegister(register);
  }

  writeConfigRegister(register: number, offset: number, data: Uint8Array): void {
    this.config.writeRegister(register, offset, data);
  }
}
