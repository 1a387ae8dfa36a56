/**
 * The `vmm` app's entry (bundled by `nx build @tsvmm/vmm` into dist/main.mjs). It proves the one
 * crypto backend first, then plays one of two roles:
 *   - in a vCPU worker (the bundle starts itself as each vCPU's worker, with
 *     `workerData.tsvmmVcpu`): the vCPU run loop (src/vcpu/worker.ts);
 *   - otherwise the command line: `vmm run [-m MiB] [-c vcpus] [-p params] [-i initrd] KERNEL`
 *     (src/cli/run.ts), whose exit status says how the guest ended (see `vmm --help`).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { ensureSingleBackend } from '@tsvmm/crypto';
import type { VcpuWorkerData } from './vcpu/channel.ts';
import { runVcpuWorker } from './vcpu/worker.ts';
import { main } from './cli/run.ts';

ensureSingleBackend();

const vcpu = isMainThread ? undefined : (workerData as { tsvmmVcpu?: VcpuWorkerData } | null)?.tsvmmVcpu;
if (vcpu !== undefined) runVcpuWorker(vcpu);
else process.exit(await main(process.argv.slice(2)));
