/**
 * Worker of cmos.test.ts: attaches to a shared CMOS, waits at the start line (`sync[0]` set to 1
 * by every party, then go), and `rounds` times writes its own NVRAM bytes [first, first + count)
 * through one 2-byte write at port 0x70 (index, then data), each followed by one 2-byte read
 * (index, then that register). Whenever the index read is one of its bytes, the data read must be
 * the last value it wrote there; it posts the number of reads where it was not, and the last
 * value it wrote to each byte.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Cmos } from '../index.ts';

const { state, sync, rounds, first, count, tag } = workerData as { state: SharedArrayBuffer; sync: SharedArrayBuffer; rounds: number; first: number; count: number; tag: number };
const cmos = new Cmos({ memBelow4g: 0, memAbove4g: 0, state });
const start = new Int32Array(sync);
Atomics.add(start, 0, 1);
Atomics.notify(start, 0);
while (Atomics.load(start, 0) < 2) Atomics.wait(start, 0, 1, 10);
const last = new Map<number, number>();
const pair = new Uint8Array(2);
let mismatches = 0;
for (let i = 0; i < rounds; i++) {
  const index = first + (i % count);
  const value = tag | (i & 0x7f);
  cmos.write(0, Uint8Array.of(index, value));
  last.set(index, value);
  cmos.read(0, pair);
  if (last.has(pair[0]!) && last.get(pair[0]!) !== pair[1]) mismatches++;
}
parentPort!.postMessage({ mismatches, last: [...last] });
