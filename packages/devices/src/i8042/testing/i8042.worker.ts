/**
 * Worker of i8042.test.ts: attaches to a shared I8042, waits at the start line (`sync[0]` set to 1
 * by every party, then go), and `rounds` times has the controller queue controller RAM byte `ram`
 * (command 0x20 + ram) then reads one byte from port 0x60. Posts how many of each byte it read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { inb, outb } from '../../testing/index.ts';
import { I8042 } from '../index.ts';

const { state, sync, rounds, ram } = workerData as { state: SharedArrayBuffer; sync: SharedArrayBuffer; rounds: number; ram: number };
const i8042 = new I8042({ state });
const start = new Int32Array(sync);
Atomics.add(start, 0, 1);
Atomics.notify(start, 0);
while (Atomics.load(start, 0) < 2) Atomics.wait(start, 0, 1, 10);
const counts: Record<number, number> = {};
for (let i = 0; i < rounds; i++) {
  outb(i8042, 4, 0x20 + ram);
  const byte = inb(i8042, 0);
  counts[byte] = (counts[byte] ?? 0) + 1;
}
parentPort!.postMessage(counts);
