/**
 * `Machine`: one x86_64 VM put together and run, crosvm's `run_config` in small. It owns the KVM
 * objects, guest memory, the devices (on this, the main thread) and one `VcpuThread` per vCPU, and
 * resolves `run()` with the `MachineExit` that ended it.
 *
 * Setup order (Firecracker/crosvm, shared/notes/x86-linux-boot.md §1): KVM capabilities and
 * supported CPUID; VM; TSS and identity-map pages; in-kernel irqchip and PIT; RAM; the kernel, initrd,
 * command line and boot structures (`boot.ts`, on the arch/x86_64 module); vCPUs, each with CPUID,
 * MSRs, registers, FPU, special registers and LAPIC LINT0/LINT1; then devices and the vCPU threads.
 *
 * Devices and ports (crosvm's x86_64 layout):
 *   0x3f8-0x3ff   8250 UART, IRQ 4, bridged to stdin/stdout (console.ts)
 *   0x60-0x64     i8042 (IRQ 1); its reset command ends the VM (0x61 is answered by KVM's PIT
 *                 speaker, KVM_PIT_SPEAKER_DUMMY)
 *   0x70-0x71     CMOS/RTC with the host's time, memory sizes
 *   0xcf8-0xcff   PCI configuration mechanism #1, host bridge at 00:00.0; 0xcf9 reset control
 *   0x80, 0xed, 0xf0-0xf1  sinks (POST/IO delay, FPU); 0x92 fast reset
 *   0x20/0xa0 PIC, 0x40-0x43 PIT, 0x61 speaker, LAPIC, IOAPIC: in the kernel (KVM)
 */
import { Bus, Cmos, I8042, PciRoot, Serial, type DeviceLog } from '@tsvmm/devices';
import { KVM_PIT_SPEAKER_DUMMY, KvmCap } from '../kvm_sys/constants.ts';
import { GuestMemory, Kvm, type Vcpu, type Vm } from '../kvm/index.ts';
import { VcpuSet, type Affinity, type WorkerEntry } from '../vcpu/thread.ts';
import { configureVcpu, loadGuest, ramLayout, TSS_ADDRESS, IDENTITY_MAP_ADDRESS, type BootInfo } from './boot.ts';
import { StdioConsole, type ConsoleStreams } from './console.ts';
import { describeExit, machineExitOf, WARM_RESET_FLAG, WARM_RESET_FLAG_ADDRESS, type MachineExit } from './exit.ts';
import { BusExitHandler } from './io.ts';
import { SinkDevice, SystemControlA } from './legacy.ts';

export interface MachineConfig {
  kernel: Uint8Array;
  initrd: Uint8Array | undefined;
  memoryMiB: number;
  vcpus: number;
  cmdline: string;
  kvmPath: string;
  /** Show the TSC-deadline timer to the guest when KVM emulates it (default true). */
  tscDeadline?: boolean;
  /** Thread placement (src/vcpu/thread.ts `Affinity`); default colocate. */
  affinity?: Affinity;
  console: ConsoleStreams;
  /** Device and VMM diagnostics (default: kept, shown by `--stats`). */
  log?: DeviceLog;
  /** The vCPU workers' script (tests); default `defaultWorkerEntry()`. */
  workerEntry?: WorkerEntry;
}

/** Timings (ms since the process started) and counters, for `--stats` and the benchmark. */
export interface MachineStats {
  /** `Machine.create` began. */
  createMs: number;
  /** The VM was set up and the vCPU threads were being started. */
  setupMs: number;
  /** Every vCPU worker was running JavaScript. */
  workersOnlineMs: number | undefined;
  /** vCPU 0's worker first entered KVM_RUN. */
  firstRunMs: number | undefined;
  /** vCPU 0's first exit. */
  firstExitMs: number | undefined;
  firstOutputMs: number | undefined;
  endMs: number | undefined;
  exits: Record<string, number>;
  topPorts: [string, number][];
  topPciFunctions: [string, number][];
  /** Where the threads were pinned (`--affinity colocate`), if they were. */
  cpus: { main: number; vcpus: number[][] } | undefined;
  log: string[];
}

const COM1 = 0x3f8;
const COM1_IRQ = 4;
const I8042_IRQ = 1;

export class Machine {
  private vcpuSet: VcpuSet | undefined;
  private readonly console: StdioConsole;
  private readonly handler: BusExitHandler;
  private readonly logLines: string[] = [];
  private finished = false;
  private resolveExit!: (exit: MachineExit) => void;
  private readonly exit = new Promise<MachineExit>((resolve) => (this.resolveExit = resolve));
  readonly stats: MachineStats = { createMs: 0, setupMs: 0, workersOnlineMs: undefined, firstRunMs: undefined, firstExitMs: undefined, firstOutputMs: undefined, endMs: undefined, exits: {}, topPorts: [], topPciFunctions: [], cpus: undefined, log: [] };

  private constructor(
    private readonly config: MachineConfig,
    private readonly kvm: Kvm,
    private readonly vm: Vm,
    private readonly memory: GuestMemory,
    private readonly vcpus: Vcpu[],
    readonly boot: BootInfo,
    private readonly started: number,
  ) {
    const log: DeviceLog = config.log ?? ((m) => this.logLines.length < 200 && this.logLines.push(m));
    const irq = (gsi: number) => ({ setLevel: (high: boolean) => this.vm.setIrqLine(gsi, high) });

    const serial = new Serial({ irq: irq(COM1_IRQ), log, output: (bytes) => this.onOutput(bytes) });
    this.console = new StdioConsole(config.console, (bytes) => serial.queueInput(bytes), () => this.end({ kind: 'quit' }));
    this.console.watcher.onHalted = (line) => this.end({ kind: 'poweroff', line });

    const reset = (via: string) => () => this.onReset(via);
    const pio = new Bus('pio', { log });
    pio.insert(serial, COM1, 8);
    const i8042 = new I8042({ irq: irq(I8042_IRQ), log, onReset: reset('i8042 reset, port 0x64') });
    pio.insert(i8042, I8042.BASE, I8042.LENGTH);
    pio.insert(new Cmos({ memBelow4g: boot.memBelow4g, memAbove4g: boot.memAbove4g, log }), Cmos.BASE, Cmos.LENGTH);
    pio.insert(new PciRoot({ log, onReset: reset('reset control, port 0xcf9') }), PciRoot.BASE, PciRoot.LENGTH);
    pio.insert(new SinkDevice('POST/IO delay (0x80)'), 0x80, 1);
    pio.insert(new SinkDevice('0xed'), 0xed, 1);
    pio.insert(new SinkDevice('FPU (0xf0)'), 0xf0, 2);
    pio.insert(new SystemControlA(reset('port 0x92')), 0x92, 1);
    this.handler = new BusExitHandler(pio, new Bus('mmio', { log }));
  }

  /** Creates the VM and loads the guest; throws `KvmError` or a boot error on failure. */
  static create(config: MachineConfig): Machine {
    const started = performance.now();
    const kvm = Kvm.open(config.kvmPath);
    let vm: Vm | undefined;
    let memory: GuestMemory | undefined;
    try {
      kvm.requireExtensions(['IRQCHIP', 'HLT', 'USER_MEMORY', 'SET_TSS_ADDR', 'EXT_CPUID', 'PIT2', 'IMMEDIATE_EXIT']);
      const maxVcpus = kvm.maxVcpus();
      if (config.vcpus > maxVcpus) throw new RangeError(`${config.vcpus} vCPUs requested; this KVM allows ${maxVcpus}`);
      const cpu = { supported: kvm.supportedCpuid(), tscDeadline: (config.tscDeadline ?? true) && kvm.checkExtension(KvmCap.TSC_DEADLINE_TIMER) > 0 };
      vm = kvm.createVm();
      vm.setIdentityMapAddress(IDENTITY_MAP_ADDRESS);
      vm.setTssAddress(TSS_ADDRESS);
      vm.createIrqchip();
      vm.createPit2(KVM_PIT_SPEAKER_DUMMY);
      memory = GuestMemory.allocate(ramLayout(config.memoryMiB * 1024 * 1024));
      vm.mapMemory(memory);
      const boot = loadGuest(memory, { kernel: config.kernel, initrd: config.initrd, cmdline: config.cmdline, vcpus: config.vcpus });
      const vcpus: Vcpu[] = [];
      for (let id = 0; id < config.vcpus; id++) {
        const vcpu = vm.createVcpu(id);
        configureVcpu(vcpu, boot, cpu, config.vcpus);
        vcpus.push(vcpu);
      }
      return new Machine(config, kvm, vm, memory, vcpus, boot, started);
    } catch (error) {
      vm?.close();
      memory?.release();
      kvm.close();
      throw error;
    }
  }

  /** Starts every vCPU and the console; resolves with how the VM ended. */
  async run(): Promise<MachineExit> {
    this.stats.createMs = this.started;
    this.stats.setupMs = performance.now();
    this.console.start();
    this.vcpuSet = VcpuSet.start(this.vcpus, this.handler, {
      affinity: this.config.affinity ?? 'colocate',
      ...(this.config.workerEntry ? { entry: this.config.workerEntry } : {}),
    });
    for (const thread of this.vcpuSet.threads) {
      void thread.exited.then((exit) => {
        const ended = machineExitOf(exit, () => this.console.watcher.events.panic);
        if (ended) this.end(ended);
      });
    }
    const exit = await this.exit;
    await this.shutdown();
    return exit;
  }

  /** Ends the VM from outside (a signal): `run()` resolves with `{ kind: 'signal' }`. */
  stop(signal: NodeJS.Signals): void {
    this.end({ kind: 'signal', signal });
  }

  private onOutput(bytes: Uint8Array): void {
    this.stats.firstOutputMs ??= performance.now();
    this.console.write(bytes);
  }

  private onReset(via: string): void {
    // panic_warm: Linux writes 0x1234 to 0x472 before a reset only when it panicked (exit.ts).
    const flag = this.memory.readU16(WARM_RESET_FLAG_ADDRESS);
    if (flag === WARM_RESET_FLAG || this.console.watcher.events.panic !== undefined) {
      this.end({ kind: 'panic', message: this.console.watcher.events.panic });
    } else {
      this.end({ kind: 'reboot', via });
    }
  }

  private end(exit: MachineExit): void {
    if (this.finished) return;
    this.finished = true;
    this.stats.endMs = performance.now();
    this.resolveExit(exit);
  }

  /** Stops every vCPU, restores the terminal, releases KVM objects. */
  private async shutdown(): Promise<void> {
    this.console.stop();
    await this.vcpuSet?.stop();
    const threads = this.vcpuSet?.threads ?? [];
    const online = threads.map((t) => t.onlineAt);
    this.stats.workersOnlineMs = online.every((t) => t !== undefined) ? Math.max(...(online as number[])) : undefined;
    this.stats.cpus = this.vcpuSet?.cpus;
    this.stats.firstRunMs = threads[0]?.runningAt;
    this.stats.firstExitMs = threads[0]?.firstExitAt;
    const counts = this.handler.counts;
    this.stats.exits = { ...counts, total: counts.pioIn + counts.pioOut + counts.mmioRead + counts.mmioWrite };
    this.stats.topPorts = [...this.handler.perPort].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([p, n]) => [`0x${p.toString(16)}`, n]);
    this.stats.topPciFunctions = [...this.handler.perPciFunction].sort((a, b) => b[1] - a[1]).slice(0, 8);
    this.stats.log = this.logLines;
    this.vm.close();
    this.kvm.close();
    this.memory.release();
  }

  /** The tail of the guest's console, for error messages. */
  consoleTail(): string[] {
    return this.console.watcher.events.tail;
  }

  static describe(exit: MachineExit): string {
    return describeExit(exit);
  }
}
