/**
 * The interface between the PCI root and a PCI function (crosvm's `PciDevice`, reduced to
 * configuration space): the root decodes configuration mechanism #1 and hands each function
 * dword-indexed register accesses. A function's BARs, MMIO and interrupts are its own business;
 * {@link PciConfigSpace} implements the standard header for it.
 */
import { PciError } from './config_space.ts';

/** One PCI function as the root sees it. */
export interface PciDevice {
  /** A short name for log messages. */
  readonly label?: string;
  /** The 32-bit configuration register `register` (0-63, i.e. byte offset `register * 4`). */
  readConfigRegister(register: number): number;
  /** Writes `data` (1, 2 or 4 bytes) at byte `offset` (0-3) of register `register`; `offset + data.length <= 4`. */
  writeConfigRegister(register: number, offset: number, data: Uint8Array): void;
}

/** A function's place: bus 0-255, device 0-31, function 0-7. */
export interface PciAddress {
  bus: number;
  device: number;
  function: number;
}

/** `bb:dd.f`, as Linux prints it. */
export function formatPciAddress(address: PciAddress): string {
  const hex2 = (n: number) => n.toString(16).padStart(2, '0');
  return `${hex2(address.bus)}:${hex2(address.device)}.${address.function.toString(16)}`;
}

/** @throws {PciError} unless bus, device and function are integers in range. */
export function checkPciAddress(address: PciAddress): PciAddress {
  const ok = (value: number, max: number) => Number.isInteger(value) && value >= 0 && value <= max;
  if (!ok(address.bus, 0xff) || !ok(address.device, 31) || !ok(address.function, 7)) {
    throw new PciError(`not a PCI address: bus ${String(address.bus)}, device ${String(address.device)}, function ${String(address.function)}`);
  }
  return { bus: address.bus, device: address.device, function: address.function };
}
