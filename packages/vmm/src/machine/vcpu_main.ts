/**
 * The machine's vCPU worker entry (bundled beside the app as `dist/vcpu.mjs`: package.json
 * `guard.app.workers`): builds this vCPU's own instances of the legacy devices over the machine's
 * shared state (devices.ts), wires their hooks for a worker (KVM_IRQ_LINE on the VM's fd, output
 * into the console ring, resets and logs posted on the vCPU's event port), and runs the vCPU loop.
 * It imports no crypto: a worker has nothing to prove, the app's entry does.
 */
import { workerData } from 'node:worker_threads';
import { IrqLineWriter } from '../kvm/vm.ts';
import { nativeKvm } from '../native/addon.ts';
import type { VcpuWorkerData } from '../vcpu/channel.ts';
import { runVcpuWorker } from '../vcpu/worker.ts';
import { ConsoleOutput } from './console_output.ts';
import { LegacyDevices, type DeviceEvent, type VcpuDevicesData } from './devices.ts';

const data = (workerData as { tsvmmVcpu: VcpuWorkerData }).tsvmmVcpu;
const local = data.local as VcpuDevicesData;
const irqLines = new IrqLineWriter(nativeKvm(), local.vmFd);
const consoleOutput = new ConsoleOutput(local.consoleOutput);
const post = (event: DeviceEvent) => data.events.postMessage(event);
const devices = new LegacyDevices(
  {
    irq: (gsi, high) => irqLines.set(gsi, high),
    output: (bytes) => consoleOutput.write(bytes),
    reset: (via) => post({ kind: 'reset', via }),
    log: (message) => post({ kind: 'log', message: `vCPU ${data.id}: ${message}` }),
  },
  local.memory,
  local.devices,
);
runVcpuWorker(data, { pio: devices.pio });
