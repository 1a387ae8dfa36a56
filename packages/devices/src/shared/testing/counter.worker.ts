/** Worker of shared.test.ts: increments word 0 of a shared state `rounds` times under its lock. */
import { parentPort, workerData } from 'node:worker_threads';
import { DeviceState } from '../index.ts';

const { state: buffer, rounds } = workerData as { state: SharedArrayBuffer; rounds: number };
const state = new DeviceState('counter', 2, 0, buffer);
for (let i = 0; i < rounds; i++) {
  state.locked(() => {
    const value = state.words[0]!;
    state.words[1] = value;
    state.words[0] = state.words[1]! + 1;
  });
}
parentPort!.postMessage('done');
