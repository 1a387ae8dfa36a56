/**
 * The vCPU worker of exits.bench.ts's `local` mode: the loop with a port-I/O bus of its own (one
 * device at 0x3f8 that answers reads with 0 and accepts writes), so every exit is emulated on the
 * vCPU's thread, as the machine's devices are.
 */
import { workerData } from 'node:worker_threads';
import { Bus, type BusDevice } from '@tsvmm/devices';
import type { VcpuWorkerData } from '../src/vcpu/channel.ts';
import { runVcpuWorker } from '../src/vcpu/worker.ts';

const port: BusDevice = {
  label: 'bench port',
  read: (_offset, data) => data.fill(0),
  write: () => {},
};
const pio = new Bus('pio');
pio.insert(port, 0x3f8, 8);
runVcpuWorker((workerData as { tsvmmVcpu: VcpuWorkerData }).tsvmmVcpu, { pio });
