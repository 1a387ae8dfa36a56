/**
 * The `vmm` app's entry (bundled by `nx build @tsvmm/vmm` into dist/main.mjs): proves the one
 * crypto backend, then runs the command line, `vmm run [-m MiB] [-c vcpus] [-p params] [-i initrd]
 * KERNEL` (src/cli/run.ts), whose exit status says how the guest ended (see `vmm --help`). The vCPU
 * workers run their own, smaller bundle, dist/vcpu.mjs (src/machine/vcpu_main.ts).
 */
import { ensureSingleBackend } from '@tsvmm/crypto';
import { main } from './cli/run.ts';

ensureSingleBackend();
process.exit(await main(process.argv.slice(2)));
