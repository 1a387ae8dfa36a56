// Builds the KVM addon (native/build/Release/tsvmm_kvm.node) with node-gyp; packages/vmm's
// `install` script, so `pnpm install` (and a fresh clone's `pnpm install --frozen-lockfile`)
// builds it. Offline: the headers come from the running Node's own install prefix
// (<prefix>/include/node, e.g. /usr/include/node) unless npm_config_nodedir names another.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
if (process.platform !== 'linux') {
  console.log('tsvmm_kvm: KVM exists on Linux only; not building the addon');
  process.exit(0);
}
const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
const args = [gyp, 'rebuild', '--loglevel=warn', '--directory', here, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`tsvmm_kvm: node-gyp failed (${r.status ?? r.signal}); needs g++, make, python3 and Node's headers (nodedir: ${nodedir ?? 'none found, node-gyp would download them'})`);
  process.exit(r.status ?? 1);
}
