/**
 * PCI: the root (configuration mechanism #1 at 0xCF8-0xCFF, bus 0, reset control at 0xCF9), the
 * host bridge at 00:00.0, the {@link PciDevice} interface functions implement, and
 * {@link PciConfigSpace}, a standard type 0 header with BAR sizing and capabilities for the
 * virtio-pci devices to come. The root knows functions only through {@link PciDevice}.
 *
 * Shared between threads: a {@link PciRoot}'s registers and its host bridge are in shared memory
 * ({@link PciRootState}, the `state` option and getter); so is each {@link PciConfigSpace} (a
 * SharedArrayBuffer). Functions placed with `add` are per instance: a VMM adds them in every
 * thread, each over its own shared state.
 */
export {
  COMMAND_BUS_MASTER,
  COMMAND_INTX_DISABLE,
  COMMAND_IO_SPACE,
  COMMAND_MEMORY_SPACE,
  COMMAND_PARITY_ERROR_RESPONSE,
  COMMAND_SERR,
  CONFIG_SPACE_SIZE,
  PciConfigSpace,
  PciError,
  PciHeader,
  STATUS_CAPABILITIES_LIST,
  type PciBar,
  type PciBarKind,
  type PciBarSpec,
  type PciConfigSpaceInit,
} from './config_space.ts';
export { HOST_BRIDGE_CLASS_CODE, HOST_BRIDGE_DEVICE_ID, HOST_BRIDGE_REVISION, HOST_BRIDGE_VENDOR_ID, PciHostBridge, type PciHostBridgeOptions } from './host_bridge.ts';
export { checkPciAddress, formatPciAddress, type PciAddress, type PciDevice } from './pci_device.ts';
export {
  CONFIG_ADDRESS_ENABLE,
  PciRoot,
  RESET_CONTROL_FULL_RST,
  RESET_CONTROL_RST_CPU,
  RESET_CONTROL_SYS_RST,
  type PciRootOptions,
  type PciRootState,
} from './root.ts';
