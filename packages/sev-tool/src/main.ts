/**
 * The `sev-tool` app's entry (bundled by `nx build @tsvmm/sev-tool` into dist/main.mjs). It proves
 * its one crypto backend first (`noble`, chosen in package.json through @tsvmm/sev's `crypto_nossl`
 * feature), then runs the command line (src/cli.ts) and exits with its status.
 */
import { ensureSingleBackend } from '@tsvmm/crypto';
import { main } from './cli.ts';

ensureSingleBackend();

process.exitCode = await main(process.argv.slice(2));
