/**
 * Tests of the PCI root and configuration space against the PCI Local Bus Specification 3.0
 * (quoted as "PCI 3.0") and Linux's configuration mechanism #1 code (arch/x86/pci/direct.c,
 * quoted as "direct.c"), through a port-I/O bus as the guest sees it; then the shared state: two
 * instances over one state act as one, in one thread and across threads.
 */
import { describe, expect, test } from 'vitest';
import { Bus } from '../bus/index.ts';
import { DeviceStateError } from '../shared/index.ts';
import { collectLog, hostileAccesses } from '../testing/index.ts';
import { runTsWorker } from '../testing/threads.ts';
import {
  COMMAND_BUS_MASTER,
  COMMAND_INTX_DISABLE,
  COMMAND_IO_SPACE,
  COMMAND_MEMORY_SPACE,
  PciConfigSpace,
  PciError,
  PciHeader,
  PciRoot,
  RESET_CONTROL_RST_CPU,
  RESET_CONTROL_SYS_RST,
  STATUS_CAPABILITIES_LIST,
  type PciBar,
  type PciConfigSpaceInit,
  type PciDevice,
  type PciRootState,
} from './index.ts';

/** A port-I/O bus with a PCI root (over `state` if given) and direct.c's accessors. */
function machine(state?: PciRootState) {
  let resets = 0;
  const { messages, log } = collectLog();
  const root = new PciRoot({ onReset: () => resets++, log, state });
  const bus = new Bus('pio', { log });
  bus.insert(root, PciRoot.BASE, PciRoot.LENGTH);
  const io = {
    in: (port: number, size: 1 | 2 | 4) => {
      const data = new Uint8Array(size);
      bus.read(port, data);
      const view = new DataView(data.buffer);
      return size === 4 ? view.getUint32(0, true) : size === 2 ? view.getUint16(0, true) : data[0]!;
    },
    out: (port: number, size: 1 | 2 | 4, value: number) => {
      const data = new Uint8Array(size);
      if (size === 4) new DataView(data.buffer).setUint32(0, value >>> 0, true);
      else if (size === 2) new DataView(data.buffer).setUint16(0, value, true);
      else data[0] = value;
      bus.write(port, data);
    },
  };
  /** direct.c PCI_CONF1_ADDRESS(bus, devfn, reg). */
  const conf1Address = (b: number, devfn: number, reg: number) => (0x80000000 | ((reg & 0xf00) << 16) | (b << 16) | (devfn << 8) | (reg & 0xfc)) >>> 0;
  /** direct.c pci_conf1_read(). */
  const conf1Read = (b: number, devfn: number, reg: number, len: 1 | 2 | 4) => {
    io.out(0xcf8, 4, conf1Address(b, devfn, reg));
    return len === 1 ? io.in(0xcfc + (reg & 3), 1) : len === 2 ? io.in(0xcfc + (reg & 2), 2) : io.in(0xcfc, 4);
  };
  /** direct.c pci_conf1_write(). */
  const conf1Write = (b: number, devfn: number, reg: number, len: 1 | 2 | 4, value: number) => {
    io.out(0xcf8, 4, conf1Address(b, devfn, reg));
    if (len === 1) io.out(0xcfc + (reg & 3), 1, value);
    else if (len === 2) io.out(0xcfc + (reg & 2), 2, value);
    else io.out(0xcfc, 4, value);
  };
  return { root, bus, io, conf1Read, conf1Write, messages, resets: () => resets };
}

describe('configuration mechanism #1 (PCI 3.0 section 3.2.2.3.2)', () => {
  test("direct.c pci_check_type1(): CONFIG_ADDRESS reads back 0x80000000, and pci_sanity_check() finds a host bridge on bus 0", () => {
    const { io, conf1Read } = machine();
    io.out(0xcfb, 1, 0x01);
    const tmp = io.in(0xcf8, 4);
    io.out(0xcf8, 4, 0x80000000);
    expect(io.in(0xcf8, 4)).toBe(0x80000000);
    // pci_sanity_check(): "if (x == PCI_CLASS_BRIDGE_HOST || x == PCI_CLASS_DISPLAY_VGA) return 1;"
    const found = Array.from({ length: 256 }, (_, devfn) => conf1Read(0, devfn, 0x0a, 2)).indexOf(0x0600);
    expect(found).toBe(0);
    expect(conf1Read(0, 0, 0x00, 2)).toBe(0x8086); // "x == PCI_VENDOR_ID_INTEL" would do as well
    io.out(0xcf8, 4, tmp);
    expect(io.in(0xcf8, 4)).toBe(tmp);
  });

  test('"Anytime a host bridge sees a full DWORD I/O write from the host to CONFIG_ADDRESS, the bridge must latch the data"; bits 30:24 (reserved) and 1:0 read back as 0', () => {
    const { io } = machine();
    io.out(0xcf8, 4, 0xffffffff);
    expect(io.in(0xcf8, 4)).toBe(0x80fffffc);
    io.out(0xcf8, 4, 0x80001234);
    expect(io.in(0xcf8, 4)).toBe(0x80001234);
  });

  test('"Any other types of accesses to this address (non-DWORD) have no effect on CONFIG_ADDRESS"', () => {
    const { io } = machine();
    io.out(0xcf8, 4, 0x80000800);
    for (const [port, size] of [[0xcf8, 1], [0xcf8, 2], [0xcfa, 2], [0xcfb, 1], [0xcfa, 1]] as const) io.out(port, size, 0);
    expect(io.in(0xcf8, 4)).toBe(0x80000800);
    expect(io.in(0xcf8, 1)).toBe(0xff);
    expect(io.in(0xcf8, 2)).toBe(0xffff);
  });

  test('CONFIG_DATA with the enable bit clear is not a configuration access: reads all-ones, writes change nothing', () => {
    const { io, root } = machine();
    io.out(0xcf8, 4, 0x0000003c); // interrupt line of 00:00.0, enable bit clear
    expect(io.in(0xcfc, 4)).toBe(0xffffffff);
    io.out(0xcfc, 1, 0x0b);
    expect(root.hostBridge.readConfigRegister(0x3c / 4) & 0xff).toBe(0);
  });

  test('byte, word and dword reads at every byte of CONFIG_DATA select the matching bytes of the register', () => {
    const { io } = machine();
    io.out(0xcf8, 4, 0x80000000);
    expect(io.in(0xcfc, 4)).toBe(0x12378086);
    expect([0xcfc, 0xcfd, 0xcfe, 0xcff].map((p) => io.in(p, 1))).toEqual([0x86, 0x80, 0x37, 0x12]);
    expect(io.in(0xcfc, 2)).toBe(0x8086);
    expect(io.in(0xcfd, 2)).toBe(0x3780);
    expect(io.in(0xcfe, 2)).toBe(0x1237);
  });

  test('a word read at 0xCFF crosses the end of the data window: its first byte is the register\'s, the second nothing\'s', () => {
    const { io } = machine();
    io.out(0xcf8, 4, 0x80000000);
    expect(io.in(0xcff, 2)).toBe(0xff12);
  });

  test('functions nobody holds, other buses, and AMD extended registers read 0xFFFFFFFF (master abort)', () => {
    const { conf1Read, io } = machine();
    expect(conf1Read(0, 0x08, 0, 4)).toBe(0xffffffff); // 00:01.0
    expect(conf1Read(0, 0x01, 0, 4)).toBe(0xffffffff); // 00:00.1
    expect(conf1Read(1, 0x00, 0, 4)).toBe(0xffffffff); // 01:00.0
    expect(conf1Read(0, 0x00, 0x100, 4)).toBe(0xffffffff); // register 0x100 of 00:00.0
    expect(io.in(0xcf8, 4)).toBe(0x80000000); // the extended bits read back as reserved zeros
  });

  test('direct.c pci_conf1_write(): byte and word writes reach the register at the right byte', () => {
    const { conf1Read, conf1Write } = machine();
    conf1Write(0, 0, 0x3c, 1, 0x0b);
    expect(conf1Read(0, 0, 0x3c, 1)).toBe(0x0b);
    conf1Write(0, 0, 0x0c, 1, 0x10); // cache line size
    expect(conf1Read(0, 0, 0x0c, 4) & 0xff).toBe(0x10);
    conf1Write(0, 0, 0x04, 2, 0xffff);
    expect(conf1Read(0, 0, 0x04, 2)).toBe(0x0144); // bus master, parity error response, SERR
  });
});

describe('host bridge at 00:00.0', () => {
  test('is 8086:1237, revision 2, class 0x060000, header type 0, with no BARs, ROM, capabilities or interrupt', () => {
    const { conf1Read, conf1Write } = machine();
    expect(conf1Read(0, 0, PciHeader.VENDOR_ID, 2)).toBe(0x8086);
    expect(conf1Read(0, 0, PciHeader.DEVICE_ID, 2)).toBe(0x1237);
    expect(conf1Read(0, 0, PciHeader.REVISION_ID, 4)).toBe(0x06000002);
    expect(conf1Read(0, 0, PciHeader.HEADER_TYPE, 1)).toBe(0);
    expect(conf1Read(0, 0, PciHeader.STATUS, 2) & STATUS_CAPABILITIES_LIST).toBe(0);
    for (let reg = 0x10; reg <= 0x30; reg += 4) {
      conf1Write(0, 0, reg, 4, 0xffffffff);
      expect(conf1Read(0, 0, reg, 4), `register ${reg.toString(16)}`).toBe(0);
    }
    expect(conf1Read(0, 0, PciHeader.INTERRUPT_PIN, 1)).toBe(0);
  });

  test('vendor and device ID are read-only', () => {
    const { conf1Read, conf1Write } = machine();
    conf1Write(0, 0, 0, 4, 0);
    expect(conf1Read(0, 0, 0, 4)).toBe(0x12378086);
  });
});

describe('reset control register (0xCF9)', () => {
  test("Linux's reboot=pci: inb(0xcf9), outb(cf9|2), outb(cf9|6) resets once; SYS_RST reads back", () => {
    const { io, resets } = machine();
    const cf9 = io.in(0xcf9, 1) & ~0x06;
    io.out(0xcf9, 1, cf9 | 0x02);
    expect(resets()).toBe(0);
    expect(io.in(0xcf9, 1)).toBe(0x02);
    io.out(0xcf9, 1, cf9 | 0x06);
    expect(resets()).toBe(1);
  });
});

describe('PciRoot.add', () => {
  const device: PciDevice = { label: 'dummy', readConfigRegister: () => 0x11111af4, writeConfigRegister: () => {} };

  test('places a function that the guest then reads', () => {
    const { root, conf1Read } = machine();
    root.add({ bus: 0, device: 3, function: 0 }, device);
    expect(conf1Read(0, 3 << 3, 0, 4)).toBe(0x11111af4);
    expect(root.get({ bus: 0, device: 3, function: 0 })).toBe(device);
  });

  test.each([
    [{ bus: 0, device: 0, function: 0 }, /taken by host bridge/],
    [{ bus: 1, device: 0, function: 0 }, /only bus 0/],
    [{ bus: 0, device: 32, function: 0 }, /not a PCI address/],
    [{ bus: 0, device: 1, function: 8 }, /not a PCI address/],
    [{ bus: 0, device: 1.5, function: 0 }, /not a PCI address/],
  ])('rejects %o with PciError', (address, message) => {
    const { root } = machine();
    expect(() => root.add(address, device)).toThrow(PciError);
    expect(() => root.add(address, device)).toThrow(message);
  });
});

describe('PciConfigSpace BARs (PCI 3.0 section 6.2.5.1)', () => {
  function space(onChange?: (bar: PciBar, previous: number) => void) {
    return new PciConfigSpace({
      vendorId: 0x1af4,
      deviceId: 0x1041,
      classCode: 0x020000,
      interruptPin: 1,
      bars: [
        { index: 0, kind: 'memory64', size: 0x80000, address: 256 * 2 ** 30 },
        { index: 2, kind: 'memory32', size: 0x1000, prefetchable: true, address: 0xc0001000 },
        { index: 3, kind: 'io', size: 0x20, address: 0xc000 },
      ],
      ...(onChange ? { onBarChange: onChange } : {}),
    });
  }

  const write32 = (s: PciConfigSpace, register: number, value: number) => {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, value >>> 0, true);
    s.writeRegister(register, 0, data);
  };

  test('the low bits are read-only flags: bit 0 memory/I/O, bits 2:1 type (10 = 64-bit), bit 3 prefetchable', () => {
    const s = space();
    expect(s.readRegister(4)).toBe(0x00000004);
    expect(s.readRegister(5)).toBe(0x40);
    expect(s.readRegister(6)).toBe((0xc0001000 | 0x8) >>> 0);
    expect(s.readRegister(7)).toBe(0xc001);
  });

  test('"system software ... writes a value of all 1\'s to the register then reads it back": the size is the complement of the writable bits, plus one', () => {
    const s = space();
    const size = (register: number) => {
      write32(s, register, 0xffffffff);
      return s.readRegister(register);
    };
    expect(size(4)).toBe(0xfff80004); // 512 KiB, 64-bit
    expect(size(5)).toBe(0xffffffff);
    expect(size(6)).toBe(0xfffff008); // 4 KiB, prefetchable
    expect(size(7)).toBe(0xffffffe1); // 32 bytes of I/O
    expect(size(8)).toBe(0); // unimplemented BARs are hardwired to 0
    expect(size(PciHeader.EXPANSION_ROM / 4)).toBe(0);
  });

  test('a new address is kept (Linux may reassign BARs) and reported, masked to the BAR\'s alignment', () => {
    const changes: [number, number, number][] = [];
    const s = space((bar, previous) => changes.push([bar.index, bar.address, previous]));
    write32(s, 6, 0xd0000fff);
    expect(s.bar(2)?.address).toBe(0xd0000000);
    expect(changes).toEqual([[2, 0xd0000000, 0xc0001000]]);
    write32(s, 5, 0x41);
    expect(s.bar(0)?.address).toBe(0x41 * 2 ** 32);
    write32(s, 4, 0xfeedf00d);
    expect(s.bar(0)?.address).toBe(0x41 * 2 ** 32 + 0xfee80000);
  });

  test('a 64-bit BAR larger than 4 GiB sizes through its high dword', () => {
    const s = new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0, bars: [{ index: 0, kind: 'memory64', size: 2 ** 34, prefetchable: true }] });
    write32(s, 4, 0xffffffff);
    write32(s, 5, 0xffffffff);
    expect(s.readRegister(4)).toBe(0x0000000c);
    expect(s.readRegister(5)).toBe(0xfffffffc);
  });

  test('the command register implements only what the function has: I/O and memory decode for its BARs, INTx disable for its pin', () => {
    const s = space();
    write32(s, 1, 0xffff);
    expect(s.command & (COMMAND_IO_SPACE | COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE)).toBe(0x0407);
    const plain = new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0 });
    write32(plain, 1, 0xffff);
    expect(plain.command & (COMMAND_IO_SPACE | COMMAND_MEMORY_SPACE | COMMAND_INTX_DISABLE)).toBe(0);
  });

  test.each([
    [{ index: 6, kind: 'memory32', size: 4096 }, /index/],
    [{ index: 5, kind: 'memory64', size: 4096 }, /index/],
    [{ index: 0, kind: 'memory32', size: 3000 }, /power of two/],
    [{ index: 0, kind: 'memory32', size: 8 }, /power of two/],
    [{ index: 0, kind: 'io', size: 512 }, /power of two/],
    [{ index: 0, kind: 'io', size: 16, prefetchable: true }, /prefetchable/],
    [{ index: 0, kind: 'memory32', size: 4096, address: 0x1800 }, /aligned/],
    [{ index: 0, kind: 'memory32', size: 4096, address: 2 ** 32 }, /aligned|fit/],
    [{ index: 0, kind: 'rom', size: 4096 }, /kind/],
  ])('rejects the BAR %o with PciError', (bar, message) => {
    expect(() => new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0, bars: [bar as never] })).toThrow(message);
  });

  test('rejects two BARs on one register (a 64-bit BAR takes two)', () => {
    expect(() => new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0, bars: [{ index: 0, kind: 'memory64', size: 4096 }, { index: 1, kind: 'memory32', size: 4096 }] })).toThrow(/already used/);
  });

  test.each([
    [{ vendorId: 0xffff }, /vendorId/],
    [{ deviceId: -1 }, /deviceId/],
    [{ classCode: 0x1000000 }, /classCode/],
    [{ interruptPin: 5 }, /interruptPin/],
  ])('rejects the identity %o with PciError', (patch, message) => {
    expect(() => new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0, ...patch })).toThrow(message);
  });
});

describe('PciConfigSpace capabilities (PCI 3.0 section 6.7)', () => {
  test('are chained from the capabilities pointer (0x34) with status bit 4 set, dword-aligned, and their writable bits only change', () => {
    const s = new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0 });
    const first = s.addCapability(0x09, Uint8Array.of(14, 1, 2), Uint8Array.of(0, 0xff, 0));
    const second = s.addCapability(0x11, new Uint8Array(10));
    expect(first).toBe(0x40);
    expect(second).toBe(0x48);
    expect(s.readRegister(PciHeader.CAPABILITIES_POINTER / 4) & 0xff).toBe(0x40);
    expect((s.readRegister(1) >>> 16) & STATUS_CAPABILITIES_LIST).toBe(STATUS_CAPABILITIES_LIST);
    expect(s.readRegister(0x40 / 4)).toBe(0x01_0e_48_09);
    expect(s.readRegister(0x48 / 4) & 0xffff).toBe(0x0011);
    s.writeRegister(0x40 / 4, 0, Uint8Array.of(0, 0, 0xaa, 0xbb));
    expect(s.readRegister(0x40 / 4)).toBe(0xbb_0e_48_09); // only body byte 1 (0x43) is writable
  });

  test('a capability that does not fit below 0x100 is refused', () => {
    const s = new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0 });
    expect(() => s.addCapability(0x09, new Uint8Array(191))).toThrow(PciError);
    expect(s.addCapability(0x09, new Uint8Array(190))).toBe(0x40);
  });
});

describe('hostile guest', () => {
  test('register indices and offsets out of range read all-ones and write nothing', () => {
    const s = new PciConfigSpace({ vendorId: 1, deviceId: 1, classCode: 0 });
    expect(s.readRegister(64)).toBe(0xffffffff);
    expect(s.readRegister(-1)).toBe(0xffffffff);
    s.writeRegister(15, 3, Uint8Array.of(1, 2));
    s.writeRegister(15, -1, Uint8Array.of(1));
    expect(s.readRegister(15)).toBe(0);
  });

  test('100,000 random accesses to 0xCF8-0xCFF never throw, and the host bridge still identifies itself', () => {
    const { root, conf1Read } = machine();
    expect(() => hostileAccesses(root, PciRoot.LENGTH, 100_000, 0xcf8)).not.toThrow();
    expect(conf1Read(0, 0, 0, 4)).toBe(0x12378086);
  });

  test('a function that throws cannot throw out of the bus', () => {
    const { root, conf1Read, messages } = machine();
    root.add({ bus: 0, device: 1, function: 0 }, { label: 'broken', readConfigRegister: () => { throw new Error('bug'); }, writeConfigRegister: () => { throw new Error('bug'); } });
    expect(conf1Read(0, 8, 0, 4)).toBe(0xffffffff);
    expect(messages.join()).toMatch(/pci root threw/);
  });
});

describe('shared state', () => {
  /** A function with a vendor-specific capability (0x09) whose 14-byte body, 0x42-0x4f, is all writable. */
  const TEST_FUNCTION: PciConfigSpaceInit = { vendorId: 0x1af4, deviceId: 0x10f0, classCode: 0xff0000, bars: [{ index: 0, kind: 'memory32', size: 0x1000, address: 0xe000_0000 }] };
  const CAPABILITY = { id: 0x09, body: new Uint8Array(14), writable: new Uint8Array(14).fill(0xff) };
  function testFunction(state?: SharedArrayBuffer, onBarChange?: (bar: PciBar, previous: number) => void) {
    const config = new PciConfigSpace({ ...TEST_FUNCTION, state, onBarChange });
    expect(config.addCapability(CAPABILITY.id, CAPABILITY.body, CAPABILITY.writable)).toBe(0x40);
    const device: PciDevice = { label: 'test function', readConfigRegister: (r) => config.readRegister(r), writeConfigRegister: (r, o, d) => config.writeRegister(r, o, d) };
    return { config, device };
  }
  const AT_1 = { bus: 0, device: 1, function: 0 };

  test('two roots over one state are one root: CONFIG_ADDRESS latched through one selects the register the other reads', () => {
    const a = machine();
    const b = machine(a.root.state);
    a.io.out(0xcf8, 4, 0x80000008);
    expect(b.io.in(0xcf8, 4)).toBe(0x80000008);
    expect(b.root.configAddress).toBe(0x80000008);
    expect(b.io.in(0xcfc, 4)).toBe(0x06000002); // the host bridge's class and revision
    a.io.out(0xcf8, 4, 0x81000000); // an extended-register address is latched in the state too
    expect(b.io.in(0xcfc, 4)).toBe(0xffffffff);
    expect(b.io.in(0xcf8, 4)).toBe(0x80000000);
  });

  test('with the same host bridge: a register written through one root reads back through the other', () => {
    const a = machine();
    const b = machine(a.root.state);
    a.conf1Write(0, 0, PciHeader.INTERRUPT_LINE, 1, 0x0b);
    a.conf1Write(0, 0, PciHeader.COMMAND, 2, COMMAND_BUS_MASTER);
    expect(b.conf1Read(0, 0, PciHeader.INTERRUPT_LINE, 1)).toBe(0x0b);
    expect(b.conf1Read(0, 0, PciHeader.COMMAND, 2)).toBe(COMMAND_BUS_MASTER);
    expect(b.root.hostBridge.config.command).toBe(COMMAND_BUS_MASTER);
    expect(b.root.hostBridge.state).toBe(a.root.hostBridge.state);
  });

  test('the reset control register is shared; RST_CPU calls the onReset of the instance it was written through', () => {
    const a = machine();
    const b = machine(a.root.state);
    a.io.out(0xcf9, 1, RESET_CONTROL_SYS_RST);
    expect(b.io.in(0xcf9, 1)).toBe(RESET_CONTROL_SYS_RST);
    b.io.out(0xcf9, 1, RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU);
    expect([a.resets(), b.resets()]).toEqual([0, 1]);
    expect(a.io.in(0xcf9, 1)).toBe(RESET_CONTROL_SYS_RST);
  });

  test('state is one plain object of two SharedArrayBuffers, the same each time, and a structured clone of it attaches', () => {
    const a = machine();
    const state = a.root.state;
    expect(a.root.state).toBe(state);
    expect(Object.keys(state).sort()).toEqual(['hostBridge', 'root']);
    expect(state.root).toBeInstanceOf(SharedArrayBuffer);
    expect(state.hostBridge).toBeInstanceOf(SharedArrayBuffer);
    const b = machine(structuredClone(state));
    a.io.out(0xcf8, 4, 0x8000003c);
    expect(b.root.configAddress).toBe(0x8000003c);
  });

  test('functions are per instance: a function added over its shared state in both roots is one function', () => {
    const changes: [string, number, number][] = [];
    const a = machine();
    const b = machine(a.root.state);
    const first = testFunction(undefined, (bar, previous) => changes.push(['a', bar.address, previous]));
    const second = testFunction(first.config.state, (bar, previous) => changes.push(['b', bar.address, previous]));
    a.root.add(AT_1, first.device);
    expect(b.conf1Read(0, 1 << 3, 0, 4)).toBe(0xffffffff); // not added to b yet
    b.root.add(AT_1, second.device);
    expect(b.root.get(AT_1)).toBe(second.device);
    a.conf1Write(0, 1 << 3, 0x44, 4, 0xdeadbeef);
    expect(b.conf1Read(0, 1 << 3, 0x44, 4)).toBe(0xdeadbeef);
    // BAR sizing through one, read back through the other; the move is reported where it was written.
    a.conf1Write(0, 1 << 3, PciHeader.BAR0, 4, 0xffffffff);
    expect(b.conf1Read(0, 1 << 3, PciHeader.BAR0, 4)).toBe(0xfffff000);
    b.conf1Write(0, 1 << 3, PciHeader.BAR0, 4, 0xe0001000);
    expect(a.root.get(AT_1) === first.device && first.config.bar(0)?.address).toBe(0xe0001000);
    expect(changes).toEqual([['a', 0xfffff000, 0xe0000000], ['b', 0xe0001000, 0xfffff000]]);
  });

  test('an attached configuration space keeps the registers as the guest left them, and re-adding its capability writes nothing', () => {
    const first = testFunction();
    first.config.writeRegister(0x44 / 4, 0, Uint8Array.of(1, 2, 3, 4));
    first.config.writeRegister(PciHeader.INTERRUPT_LINE / 4, 0, Uint8Array.of(5));
    const second = testFunction(first.config.state);
    expect(second.config.readRegister(0x44 / 4)).toBe(0x04030201);
    expect(second.config.readRegister(PciHeader.INTERRUPT_LINE / 4) & 0xff).toBe(5);
    expect(second.config.readRegister(PciHeader.CAPABILITIES_POINTER / 4) & 0xff).toBe(0x40);
    expect(second.config.readRegister(0x40 / 4) & 0xffff).toBe(0x0009); // one capability, no second link
  });

  test('a buffer of the wrong size or kind, or a state that is not a PciRootState, is refused with DeviceStateError', () => {
    const { root } = machine();
    const config = new PciConfigSpace(TEST_FUNCTION);
    expect(() => new PciRoot({ state: { root: new SharedArrayBuffer(4), hostBridge: root.state.hostBridge } })).toThrow(DeviceStateError);
    expect(() => new PciRoot({ state: { root: root.state.hostBridge, hostBridge: root.state.root } })).toThrow(/pci root: state is a SharedArrayBuffer of \d+ bytes, expected a SharedArrayBuffer of 12 bytes/);
    expect(() => new PciRoot({ state: root.state.root as unknown as PciRootState })).toThrow(DeviceStateError);
    expect(() => new PciRoot({ state: { root: root.state.root } as PciRootState })).toThrow(DeviceStateError);
    expect(() => new PciConfigSpace({ ...TEST_FUNCTION, state: root.state.root })).toThrow(DeviceStateError);
    expect(() => new PciConfigSpace({ ...TEST_FUNCTION, state: new ArrayBuffer(516) as unknown as SharedArrayBuffer })).toThrow(DeviceStateError);
    // Every configuration space's state has the same size; the header tells them apart.
    expect(() => new PciRoot({ state: { root: root.state.root, hostBridge: config.state } })).toThrow(DeviceStateError);
    expect(() => new PciRoot({ state: { root: root.state.root, hostBridge: config.state } })).toThrow(/state is of function 1af4:10f0 class ff0000, not of the one these options give \(8086:1237 class 060000/);
    expect(() => new PciConfigSpace({ ...TEST_FUNCTION, bars: [], state: config.state })).toThrow(/header byte 0x04 differs/); // no BAR: no memory decode
    expect(() => new PciConfigSpace({ ...TEST_FUNCTION, state: config.state }).addCapability(0x09, new Uint8Array(2))).toThrow(DeviceStateError);
  });

  test('a capability re-added differently over an attached state is refused', () => {
    const first = testFunction();
    const attached = () => new PciConfigSpace({ ...TEST_FUNCTION, state: first.config.state });
    expect(() => attached().addCapability(0x11, CAPABILITY.body, CAPABILITY.writable)).toThrow(/no capability 0x11 of 16 bytes at 0x40/);
    expect(() => attached().addCapability(0x09, CAPABILITY.body)).toThrow(DeviceStateError);
    const again = attached();
    expect(again.addCapability(0x09, CAPABILITY.body, CAPABILITY.writable)).toBe(0x40);
    expect(() => again.addCapability(0x09, new Uint8Array(2))).toThrow(/at 0x50/);
  });

  test('a worker thread and this one write distinct bytes of one register through their own roots, concurrently; every write lands', async () => {
    const rounds = 20_000;
    const address = 0x80000844; // 00:01.0, register 0x44
    const main = machine();
    const fn = testFunction();
    main.root.add(AT_1, fn.device);
    // [0] the worker is ready, [1] go, [2] the worker has done `rounds`, [3] this thread has.
    const sync = new Int32Array(new SharedArrayBuffer(16));
    const worker = runTsWorker<{ mismatches: number; last: number }>(new URL('./testing/pci.worker.ts', import.meta.url), {
      root: main.root.state,
      function: { init: TEST_FUNCTION, state: fn.config.state, capability: CAPABILITY },
      address,
      sync,
      rounds,
    });
    let exited = false;
    worker.then(() => (exited = true), () => (exited = true));
    while (Atomics.load(sync, 0) === 0 && !exited) await new Promise((resolve) => setTimeout(resolve, 1)); // the worker is starting
    if (exited) await worker; // it failed before it was ready: its error
    Atomics.store(sync, 1, 1);
    Atomics.notify(sync, 1);
    // This thread owns bytes 2-3 (port 0xCFE); the worker bytes 0-1 (0xCFC).
    let mismatches = 0;
    let last = 0;
    let seenWorker = 0;
    let workerWrites = 0;
    for (let i = 0; ; i++) {
      if (i === rounds) Atomics.store(sync, 3, 1);
      if (i >= rounds && (Atomics.load(sync, 2) !== 0 || i === 100 * rounds)) break;
      last = (0xffff - i) & 0xffff;
      main.io.out(0xcf8, 4, address);
      main.io.out(0xcfe, 2, last);
      main.io.out(0xcf8, 4, address);
      if (main.io.in(0xcfe, 2) !== last) mismatches++;
      const theirs = main.io.in(0xcfc, 2);
      if (theirs !== seenWorker) workerWrites++;
      seenWorker = theirs;
    }
    const result = await worker;
    expect(workerWrites, 'the worker wrote while this thread did').toBeGreaterThan(1);
    expect(result.mismatches).toBe(0);
    expect(mismatches).toBe(0);
    expect(main.conf1Read(0, 1 << 3, 0x44, 4)).toBe(((last << 16) | result.last) >>> 0);
    expect(fn.config.readRegister(0x44 / 4)).toBe(((last << 16) | result.last) >>> 0);
  });
});
