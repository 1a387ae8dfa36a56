/**
 * Worker of serial.test.ts: a vCPU thread's view of a shared UART. It attaches a `Serial` of its
 * own to the state in `workerData`, says it is ready, waits for the go, then transmits `count`
 * bytes (byte i is i & 0xff) as Linux's console does (poll LSR for THRE|TEMT, write THR), storing
 * its progress, and posts back the bytes its own output callback received and the levels its own
 * IRQ line was driven to (how many times high, how many low).
 *
 * `workerData`: `{ state, count, sync }`, where `sync` is a SharedArrayBuffer of three Int32
 * words: ready (set here), go (set by the test), progress (bytes written so far).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RecordingIrq, inb, outb } from '../../testing/index.ts';
import { LSR_TEMT, LSR_THRE, Serial, SerialRegister } from '../index.ts';

const READY = 0;
const GO = 1;
const PROGRESS = 2;
const { state, count, sync } = workerData as { state: SharedArrayBuffer; count: number; sync: SharedArrayBuffer };
const flags = new Int32Array(sync);
const output: number[] = [];
const irq = new RecordingIrq();
const serial = new Serial({ state, irq, output: (bytes) => output.push(...bytes) });
Atomics.store(flags, READY, 1);
Atomics.wait(flags, GO, 0);
for (let i = 0; i < count; i++) {
  while ((inb(serial, SerialRegister.LSR) & (LSR_THRE | LSR_TEMT)) !== (LSR_THRE | LSR_TEMT));
  outb(serial, SerialRegister.DATA, i & 0xff);
  Atomics.store(flags, PROGRESS, i + 1);
}
const rises = irq.levels.filter((high) => high).length;
parentPort!.postMessage({ output: Uint8Array.from(output), rises, falls: irq.levels.length - rises });
