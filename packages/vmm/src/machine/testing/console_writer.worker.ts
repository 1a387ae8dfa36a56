/** Worker of console_output.test.ts: writes `count` bytes (i mod 251) into the ring, in chunks of 1-7 bytes. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConsoleOutput } from '../console_output.ts';

const { tsvmmVcpu } = workerData as { tsvmmVcpu: { buffer: SharedArrayBuffer; count: number } };
const output = new ConsoleOutput(tsvmmVcpu.buffer);
for (let i = 0; i < tsvmmVcpu.count; ) {
  const chunk = Array.from({ length: Math.min(1 + (i % 7), tsvmmVcpu.count - i) }, (_, k) => (i + k) % 251);
  output.write(Uint8Array.from(chunk));
  i += chunk.length;
}
parentPort!.postMessage('done');
