/**
 * Worker of pci.test.ts: a second vCPU thread. It builds the PCI root over the shared state and,
 * as a VMM re-adds functions in each thread, the test function at 00:01.0 over that function's
 * shared state (same options, same capability). With the main thread it shares `sync`: [0] the
 * worker is ready, [1] go, [2] the worker has done `rounds`, [3] the main thread has; so both
 * start together and each keeps going until both have done `rounds`. Each round selects
 * `address` and writes a word at 0xCFC (bytes 0-1 of the register, which the main thread never
 * writes), then reads it back. Posts the number of read-backs that differed and the last word
 * written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PciConfigSpace, PciRoot, type PciConfigSpaceInit, type PciRootState } from '../index.ts';

interface Data {
  root: PciRootState;
  function: { init: PciConfigSpaceInit; state: SharedArrayBuffer; capability: { id: number; body: Uint8Array; writable: Uint8Array } };
  address: number;
  sync: Int32Array;
  rounds: number;
}

const { root: rootState, function: fn, address, sync, rounds } = workerData as Data;
const root = new PciRoot({ state: rootState });
const config = new PciConfigSpace({ ...fn.init, state: fn.state });
config.addCapability(fn.capability.id, fn.capability.body, fn.capability.writable);
root.add({ bus: 0, device: 1, function: 0 }, {
  label: 'shared test function',
  readConfigRegister: (register) => config.readRegister(register),
  writeConfigRegister: (register, offset, data) => config.writeRegister(register, offset, data),
});
Atomics.store(sync, 0, 1);
Atomics.notify(sync, 0);
Atomics.wait(sync, 1, 0, 30_000);

const select = new Uint8Array(4);
new DataView(select.buffer).setUint32(0, address, true);
const word = new Uint8Array(2);
const back = new Uint8Array(2);
let mismatches = 0;
let last = 0;
for (let i = 0; ; i++) {
  if (i === rounds) Atomics.store(sync, 2, 1);
  if (i >= rounds && Atomics.load(sync, 3) !== 0) break;
  last = (i * 0x0101 + 1) & 0xffff;
  word[0] = last & 0xff;
  word[1] = last >>> 8;
  root.write(0, select);
  root.write(4, word);
  root.write(0, select);
  root.read(4, back);
  if (back[0] !== word[0] || back[1] !== word[1]) mismatches++;
}
parentPort!.postMessage({ mismatches, last });
