/**
 * The vCPU worker's entry when running from sources (tests, tsx): the thread is started with tsx's
 * loader and this file. A built bundle instead starts itself as the worker (see `src/main.ts`).
 */
import { workerData } from 'node:worker_threads';
import type { VcpuWorkerData } from './channel.ts';
import { runVcpuWorker } from './worker.ts';

runVcpuWorker((workerData as { tsvmmVcpu: VcpuWorkerData }).tsvmmVcpu);
