/**
 * `@tsvmm/devices`: the emulated devices of the tsvmm VMM, modelled on crosvm's `devices` crate and
 * layered as rust-vmm: the buses ({@link Bus}) know nothing of devices, and each device
 * ({@link BusDevice}) knows nothing of where it sits or how its interrupt reaches the guest
 * ({@link IrqLine}).
 *
 * Every device is safe against a hostile guest: every guest-controlled value is checked, guest
 * accesses never throw, and odd accesses are logged once and answered as the hardware would.
 * Only the VMM-side calls (construction, placing devices) throw, each module with its own error.
 *
 * | device | ports | IRQ |
 * |---|---|---|
 * | {@link Serial} (16550A) | 0x3f8-0x3ff | 4 |
 * | {@link I8042} (+ port B) | 0x60-0x64 | 1 (optional) |
 * | {@link Cmos} (MC146818 RTC) | 0x70-0x71 | none |
 * | {@link PciRoot} (conf1, reset control) | 0xcf8-0xcff | none |
 */
export { Bus, BusError, readBytes, writeBytes, type BusDevice, type BusErrorCode, type BusKind, type BusOptions, type BusRange } from './bus/index.ts';
export { IrqLevel, NO_IRQ, pulse, type IrqLine } from './irq/index.ts';
export { ByteRing, DeviceState, DeviceStateError } from './shared/index.ts';
export { LOG_ONCE_LIMIT, type DeviceLog } from './internal/log.ts';
export { DEFAULT_INPUT_CAPACITY, FIFO_SIZE, Serial, SerialRegister, type SerialOptions } from './serial/index.ts';
export { DEFAULT_CTR, I8042, I8042Command, type I8042Options } from './i8042/index.ts';
export { Cmos, CmosError, CmosRegister, type CmosOptions } from './cmos/index.ts';
export * from './pci/index.ts';
