/**
 * Loads the native KVM addon (`native/kvm_addon.cc`, built by `pnpm install` into
 * `native/build/Release/tsvmm_kvm.node`) and types its functions. The addon is the only native code
 * of the VMM: raw open/close/ioctl/mmap, ArrayBuffer views of mappings, thread ids and the kick
 * signal. Failures come back as negative errno values; `src/kvm` turns them into `KvmError`s.
 *
 * An esbuild bundle cannot contain a `.node` file, so the addon is found at run time, first match:
 *   1. `$TSVMM_KVM_ADDON` (an explicit path),
 *   2. `tsvmm_kvm.node` next to the running module (a bundle's `dist/`, where the app build puts it),
 *   3. the package's own `native/build/Release/tsvmm_kvm.node`, from `src/native/` (sources, tests)
 *      or from `dist/` (a bundle run inside the source tree).
 * It is loaded with `createRequire`, which works the same in the main thread and in workers (the
 * addon is context-aware: each worker gets its own exports over the same process-wide state).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exports. Numbers returned as `number` are `>= 0` on success and `-errno` on failure. */
export interface NativeKvm {
  /** open(2) with O_CLOEXEC added: fd or -errno. */
  open(path: string, flags: number): number;
  /** close(2): 0 or -errno. */
  close(fd: number): number;
  /** ioctl(2) with an integer argument or a pointer to the buffer's bytes: the result or -errno. */
  ioctl(fd: number, request: number, arg?: number | bigint | ArrayBufferLike | ArrayBufferView): number;
  /** mmap(2): a registry handle (> 0) or -errno; `align` (anonymous maps only) aligns the start. */
  mmap(length: number, prot: number, flags: number, fd: number, offset: number, align?: number): number;
  /** madvise(2) over the whole mapping: 0 or -errno. */
  madvise(handle: number, advice: number): number;
  /** An ArrayBuffer over the whole mapping, in the calling thread (no copy). Throws on a bad handle. */
  view(handle: number): ArrayBuffer;
  /** The mapping's user-space address. */
  address(handle: number): bigint;
  /** Releases a mapping; its pages are unmapped once no view of it is alive in any thread. 0 or -EBADF. */
  unmap(handle: number): number;
  /** The calling thread's kernel thread id. */
  gettid(): number;
  /** sched_setaffinity(2) of thread `tid` (0 = the caller) to `cpus`: 0 or -errno. */
  setAffinity(tid: number, cpus: readonly number[]): number;
  /** The CPUs thread `tid` (0 = the caller) may run on, or -errno. */
  getAffinity(tid: number): number[] | number;
  /** Sends the kick signal (a no-op real-time signal, no SA_RESTART) to a thread: 0 or -errno. */
  kick(tid: number): number;
  /** The kick signal's number. */
  readonly kickSignal: number;
}

export const ADDON_FILE = 'tsvmm_kvm.node';

/** Where the addon is looked for, in order (see the module doc). */
export function addonCandidates(moduleUrl: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env['TSVMM_KVM_ADDON']) out.push(env['TSVMM_KVM_ADDON']);
  out.push(fileURLToPath(new URL(`./${ADDON_FILE}`, moduleUrl)));
  for (const up of ['../../', '../']) out.push(fileURLToPath(new URL(`${up}native/build/Release/${ADDON_FILE}`, moduleUrl)));
  return out;
}

/** Thrown when the addon cannot be found or loaded. */
export class AddonLoadError extends Error {
  override readonly name = 'AddonLoadError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

let loaded: NativeKvm | undefined;

/** The addon, loaded once per thread. */
export function nativeKvm(): NativeKvm {
  if (loaded) return loaded;
  const tried = addonCandidates();
  const path = tried.find((p) => existsSync(p));
  if (path === undefined) {
    throw new AddonLoadError(
      `the KVM addon ${ADDON_FILE} was not found; looked in:\n${tried.map((p) => `  ${p}`).join('\n')}\n` +
        'Build it with `pnpm install` (packages/vmm runs node-gyp; needs g++, make, python3), or set TSVMM_KVM_ADDON.',
    );
  }
  try {
    loaded = createRequire(import.meta.url)(path) as NativeKvm;
  } catch (cause) {
    throw new AddonLoadError(`the KVM addon at ${path} failed to load: ${(cause as Error).message}`, { cause });
  }
  return loaded;
}
