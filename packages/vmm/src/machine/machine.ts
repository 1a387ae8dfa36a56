/**
 * `Machine`: one x86_64 VM put together and run, crosvm's `run_config` in small. It owns the KVM
 * objects, guest memory, the devices (on this, the main thread) and one `VcpuThread` per vCPU, and
 * resolves `run()` with the `MachineExit` that ended it.
 *
 * Setup order (Firecracker/crosvm, shared/notes/x86-linux-boot.md §1): KVM capabilities and
 * supported CPUID; VM; TSS and identity-map pages; in-kernel irqchip and PIT; coalesced port zones
 * (when KVM has KVM_CAP_COALESCED_PIO); RAM; the kernel, initrd,
 * command line and boot structures (`boot.ts`, on the arch/x86_64 module); vCPUs, each with CPUID,
 * MSRs, registers, FPU, special registers and LAPIC LINT0/LINT1; then devices and the vCPU threads.
 *
 * Devices (devices.ts, crosvm's x86_64 layout) keep their state in shared memory: this thread
 * makes it and feeds the UART with stdin; every vCPU worker builds its own instances over it
 * (vcpu_main.ts) and emulates its port accesses itself. Guest console output comes back through a
 * shared ring (console_output.ts); resets and device logs as worker messages. What the workers'
 * devices do not claim is handed to this thread (io.ts).
 */
import { Bus, type DeviceLog } from '@tsvmm/devices';
import { KVM_PIT_SPEAKER_DUMMY, KvmCap } from '../kvm_sys/constants.ts';
import { GuestMemory, Kvm, type Vcpu, type Vm } from '../kvm/index.ts';
import { EXIT_COUNT_BYTES, ExitCount } from '../vcpu/channel.ts';
import type { VcpuAffinity } from '../vcpu/affinity.ts';
import { tsWorkerEntry, VcpuSet, type WorkerEntry } from '../vcpu/thread.ts';
import { configureVcpu, loadGuest, ramLayout, TSS_ADDRESS, IDENTITY_MAP_ADDRESS, type BootInfo } from './boot.ts';
import { StdioConsole, type ConsoleStreams } from './console.ts';
import { ConsoleOutput } from './console_output.ts';
import { COALESCED_PORTS, LegacyDevices, type DeviceEvent, type VcpuDevicesData } from './devices.ts';
import { describeExit, machineExitOf, WARM_RESET_FLAG, WARM_RESET_FLAG_ADDRESS, type MachineExit } from './exit.ts';
import { BusExitHandler } from './io.ts';
import { processThreads, threadCpu, type ThreadCpu } from './thread_cpu.ts';

/**
 * The vCPU workers' script: `vcpu_main.ts` from sources (tests, tsx), or the app build's
 * `dist/vcpu.mjs` beside the bundle (package.json `guard.app.workers`).
 */
export function machineWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  return moduleUrl.endsWith('.ts') ? tsWorkerEntry(new URL('./vcpu_main.ts', moduleUrl)) : { url: new URL('./vcpu.mjs', moduleUrl) };
}

export interface MachineConfig {
  kernel: Uint8Array;
  initrd: Uint8Array | undefined;
  memoryMiB: number;
  vcpus: number;
  cmdline: string;
  kvmPath: string;
  /** Show the TSC-deadline timer to the guest when KVM emulates it (default true). */
  tscDeadline?: boolean;
  /** Where the vCPU threads may run (`--cpu-affinity`, src/vcpu/affinity.ts); default: the scheduler places them. */
  cpuAffinity?: VcpuAffinity;
  console: ConsoleStreams;
  /** Device and VMM diagnostics (default: kept, shown by `--stats`). */
  log?: DeviceLog;
  /** The vCPU workers' script; default `machineWorkerEntry()`. */
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
  /** Console bytes dropped because stdout was not read (console_output.ts). */
  droppedOutput: number;
  /** Where the threads could run when the VM ended (sched_getaffinity); undefined when unknown. */
  placement: MachinePlacement | undefined;
  /** CPU time by thread when the VM ended (thread_cpu.ts); undefined without /proc. */
  threadCpu: MachineThreadCpu | undefined;
  log: string[];
}

/** The CPUs each thread may run on; `pinned` when `--cpu-affinity` placed the vCPU. */
export interface MachinePlacement {
  main: number[];
  vcpus: ({ cpus: number[]; pinned: boolean } | undefined)[];
}

/** CPU time of the main thread, each vCPU's worker, and the process's other threads together (the runtime's helpers). */
export interface MachineThreadCpu {
  main: ThreadCpu;
  vcpus: (ThreadCpu | undefined)[];
  others: { threads: number; userMs: number; systemMs: number };
}

export class Machine {
  private vcpuSet: VcpuSet | undefined;
  private readonly console: StdioConsole;
  private readonly consoleOutput = new ConsoleOutput();
  private readonly devices: LegacyDevices;
  private readonly handler: BusExitHandler;
  private readonly exitCounts = new SharedArrayBuffer(EXIT_COUNT_BYTES);
  private readonly log: DeviceLog;
  private readonly logLines: string[] = [];
  private finished = false;
  private resolveExit!: (exit: MachineExit) => void;
  private readonly exit = new Promise<MachineExit>((resolve) => (this.resolveExit = resolve));
  readonly stats: MachineStats = { createMs: 0, setupMs: 0, workersOnlineMs: undefined, firstRunMs: undefined, firstExitMs: undefined, firstOutputMs: undefined, endMs: undefined, exits: {}, topPorts: [], droppedOutput: 0, placement: undefined, threadCpu: undefined, log: [] };

  private constructor(
    private readonly config: MachineConfig,
    private readonly kvm: Kvm,
    private readonly vm: Vm,
    private readonly memory: GuestMemory,
    private readonly vcpus: Vcpu[],
    readonly boot: BootInfo,
    private readonly started: number,
    /** The page of the coalesced ring when `COALESCED_PORTS` are coalesced (KVM_CAP_COALESCED_PIO). */
    private readonly coalescedRingPage: number | undefined,
  ) {
    this.log = config.log ?? ((m) => this.logLines.length < 200 && this.logLines.push(m));
    this.devices = new LegacyDevices(
      {
        irq: (gsi, high) => this.vm.setIrqLine(gsi, high),
        output: (bytes) => this.consoleOutput.write(bytes),
        reset: (via) => this.onReset(via),
        log: this.log,
      },
      { memBelow4g: boot.memBelow4g, memAbove4g: boot.memAbove4g },
    );
    const serial = this.devices.serial;
    this.console = new StdioConsole(config.console, (bytes) => serial.queueInput(bytes), () => this.end({ kind: 'quit' }));
    this.console.watcher.onHalted = (line) => this.end({ kind: 'poweroff', line });
    this.handler = new BusExitHandler(new Bus('pio', { log: this.log }), new Bus('mmio', { log: this.log }));
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
      const coalescedRingPage = kvm.coalescedRingPage();
      if (coalescedRingPage !== undefined) for (const { port, length } of COALESCED_PORTS) vm.registerCoalescedZone({ address: BigInt(port), size: length, pio: true });
      memory = GuestMemory.allocate(ramLayout(config.memoryMiB * 1024 * 1024));
      vm.mapMemory(memory);
      const boot = loadGuest(memory, { kernel: config.kernel, initrd: config.initrd, cmdline: config.cmdline, vcpus: config.vcpus });
      const vcpus: Vcpu[] = [];
      for (let id = 0; id < config.vcpus; id++) {
        const vcpu = vm.createVcpu(id);
        configureVcpu(vcpu, boot, cpu, config.vcpus);
        vcpus.push(vcpu);
      }
      return new Machine(config, kvm, vm, memory, vcpus, boot, started, coalescedRingPage);
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
    const pumped = this.consoleOutput.pump((bytes) => this.onOutput(bytes));
    const local: VcpuDevicesData = {
      vmFd: this.vm.fd,
      devices: this.devices.state,
      memory: { memBelow4g: this.boot.memBelow4g, memAbove4g: this.boot.memAbove4g },
      consoleOutput: this.consoleOutput.buffer,
    };
    this.vcpuSet = VcpuSet.start(this.vcpus, this.handler, {
      ...(this.config.cpuAffinity === undefined ? {} : { cpuAffinity: this.config.cpuAffinity }),
      entry: this.config.workerEntry ?? machineWorkerEntry(),
      local,
      exitCounts: this.exitCounts,
      ...(this.coalescedRingPage === undefined ? {} : { coalescedRingPage: this.coalescedRingPage }),
      onMessage: (_vcpu, message) => this.onDeviceEvent(message as DeviceEvent),
    });
    for (const thread of this.vcpuSet.threads) {
      void thread.exited.then((exit) => {
        this.takeConsoleOutput();
        const ended = machineExitOf(exit, () => this.console.watcher.events.panic);
        if (ended) this.end(ended);
      });
    }
    const exit = await this.exit;
    await this.shutdown();
    await pumped;
    return exit;
  }

  /** Ends the VM from outside (a signal): `run()` resolves with `{ kind: 'signal' }`. */
  stop(signal: NodeJS.Signals): void {
    this.end({ kind: 'signal', signal });
  }

  private onDeviceEvent(event: DeviceEvent): void {
    if (event.kind === 'reset') this.onReset(event.via);
    else this.log(event.message);
  }

  private onOutput(bytes: Uint8Array): void {
    this.stats.firstOutputMs ??= performance.now();
    this.console.write(bytes);
  }

  private onReset(via: string): void {
    this.takeConsoleOutput();
    // panic_warm: Linux writes 0x1234 to 0x472 before a reset only when it panicked (exit.ts).
    const flag = this.memory.readU16(WARM_RESET_FLAG_ADDRESS);
    if (flag === WARM_RESET_FLAG || this.console.watcher.events.panic !== undefined) {
      this.end({ kind: 'panic', message: this.console.watcher.events.panic });
    } else {
      this.end({ kind: 'reboot', via });
    }
  }

  /**
   * Hands what the guest wrote and the ring still holds (the pump takes it every `batchMs`) to the
   * console now: the VM is ending, and how it ended may depend on those lines (a panic message)
   * or be reported with them (the console tail).
   */
  private takeConsoleOutput(): void {
    const queued = this.consoleOutput.take();
    if (queued.length > 0) this.onOutput(queued);
  }

  private end(exit: MachineExit): void {
    if (this.finished) return;
    this.takeConsoleOutput();
    this.finished = true;
    this.stats.endMs = performance.now();
    this.resolveExit(exit);
  }

  /** Stops every vCPU, restores the terminal, releases KVM objects. */
  private async shutdown(): Promise<void> {
    this.stats.threadCpu = this.threadCpu();
    this.stats.placement = this.placement();
    this.console.stop();
    await this.vcpuSet?.stop();
    this.consoleOutput.stop();
    const threads = this.vcpuSet?.threads ?? [];
    const online = threads.map((t) => t.onlineAt);
    this.stats.workersOnlineMs = online.every((t) => t !== undefined) ? Math.max(...(online as number[])) : undefined;
    this.stats.firstRunMs = threads[0]?.runningAt;
    this.stats.firstExitMs = threads[0]?.firstExitAt;
    const counts = new Int32Array(this.exitCounts);
    const [pioIn, pioOut, mmioRead, mmioWrite] = [counts[ExitCount.PIO_IN]!, counts[ExitCount.PIO_OUT]!, counts[ExitCount.MMIO_READ]!, counts[ExitCount.MMIO_WRITE]!];
    this.stats.exits = { pioIn, pioOut, mmioRead, mmioWrite, total: pioIn + pioOut + mmioRead + mmioWrite };
    const ports = [...counts.subarray(ExitCount.PORTS)].map((n, port) => [port, n] as const).filter(([, n]) => n > 0);
    this.stats.topPorts = ports.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([p, n]) => [`0x${p.toString(16)}`, n]);
    this.stats.droppedOutput = this.consoleOutput.dropped;
    this.stats.log = this.logLines;
    this.vm.close();
    this.kvm.close();
    this.memory.release();
  }

  /** CPU time by thread, read while the vCPU workers still exist. */
  private threadCpu(): MachineThreadCpu | undefined {
    const main = threadCpu(this.kvm.native.gettid());
    if (main === undefined) return undefined;
    const vcpus = (this.vcpuSet?.threads ?? []).map((t) => (t.tid === 0 ? undefined : threadCpu(t.tid)));
    const known = new Set([main.tid, ...vcpus.map((c) => c?.tid)]);
    const others = { threads: 0, userMs: 0, systemMs: 0 };
    for (const tid of processThreads()) {
      const cpu = known.has(tid) ? undefined : threadCpu(tid);
      if (cpu === undefined) continue;
      others.threads++;
      others.userMs += cpu.userMs + cpu.guestMs;
      others.systemMs += cpu.systemMs;
    }
    return { main, vcpus, others };
  }

  /** Where the threads may run, read while the vCPU workers still exist. */
  private placement(): MachinePlacement | undefined {
    const main = this.kvm.native.getAffinity(0);
    if (!Array.isArray(main)) return undefined;
    const vcpus = (this.vcpuSet?.threads ?? []).map((t) => {
      const cpus = t.allowedCpus();
      return cpus === undefined ? undefined : { cpus, pinned: t.cpus !== undefined };
    });
    return { main, vcpus };
  }

  /** The tail of the guest's console, for error messages. */
  consoleTail(): string[] {
    return this.console.watcher.events.tail;
  }

  static describe(exit: MachineExit): string {
    return describeExit(exit);
  }
}
