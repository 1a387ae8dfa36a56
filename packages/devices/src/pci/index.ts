/**
 * PCI: the root (configuration mechanism #1 at 0xCF8-0xCFF, bus 0, reset control at 0xCF9), the
 * host bridge at 00:00.0, the {@link PciDevice} interface functions implement, and
 * {@link PciConfigSpace}, a standard type 0 header with BAR sizing and capabilities for the
 * virtio-pci devices to come. The root knows functions only through {@link PciDevice}.
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
export { HOST_BRIDGE_CLASS_CODE, HOST_BRIDGE_DEVICE_ID, HOST_BRIDGE_REVISION, HOST_BRIDGE_VENDOR_ID, PciHostBridge } from './host_bridge.ts';
export { checkPciAddress, formatPciAddress, type PciAddress, type PciDevice } from './pci_device.ts';
export {
  CONFIG_ADDRESS_ENABLE,
  PciRoot,
  RESET_CONTROL_FULL_RST,
  RESET_CONTROL_RST_CPU,
  RESET_CONTROL_SYS_RST,
  type PciRootOptions,
} from './root.ts';
