/**
 * Throughput of @tsvmm/crypto on each backend, beside the same operation called on the underlying
 * library directly in the same process, and the overhead ratio ours/direct (goal: at most 1.05 for
 * bulk operations on 16 KiB).
 *
 *   pnpm exec tsx packages/crypto/bench/crypto.bench.ts            all backends
 *   pnpm exec tsx packages/crypto/bench/crypto.bench.ts noble      one backend
 *
 * How a backend is selected: "ours" goes through the **public API** (`src/index.ts`, with its
 * input validation and error wrapping), so each backend runs in its own child process in which
 * `bench/link-backend.mjs` resolves `#backend` to `src/backend/<name>.ts`, exactly as backend-guard
 * links one backend into an app; the child checks `ensureSingleBackend()` names that backend (not
 * the placeholder). "direct" calls `node:crypto`, `@noble/*` or `crypto.subtle` itself, with the
 * key already set up, as a caller of that library would. Each row times both alternately, in
 * several rounds, and reports medians.
 *
 * Rows are a table of cases ({@link CASES}); a case gives bytes per operation for MB/s, or none for
 * operations per second (signature verification: add ECDSA P-384 and RSA-4096 PSS verify rows the
 * same way). Where a library has no such operation (XTS in `@noble/ciphers` and WebCrypto), the
 * direct column is the library calls our construction makes, and says so.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ASYMMETRIC_CASES } from './asymmetric.ts';

type Api = typeof import('../src/index.ts');
type BackendName = 'openssl' | 'noble' | 'native';
const BACKEND_NAMES: readonly BackendName[] = ['openssl', 'noble', 'native'];

/** One operation pair for one backend. */
interface Prepared {
  ours: () => unknown;
  /** Undefined when the library has no comparable call. */
  direct?: () => unknown;
  /** What "direct" is. */
  directLabel: string;
}

/** One row of the table, for every backend. */
export interface BenchCase {
  name: string;
  /** Bytes processed per operation (MB/s); omit for operations per second. */
  bytes?: number;
  setup(api: Api, backend: BackendName): Promise<Prepared>;
}

const KIB = 1024;
const random = (length: number) => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
};
const subtle = () => globalThis.crypto.subtle;

const GCM_KEY = random(32);
const GCM_IV = random(12);
const XTS_KEY = random(64);
const XTS_TWEAK = 123456789n;
const XTS_TWEAK_BYTES = (() => {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setBigUint64(0, XTS_TWEAK, true);
  return out;
})();

async function gcmDirect(backend: BackendName, data: Uint8Array<ArrayBuffer>, decrypt: boolean): Promise<Prepared> {
  switch (backend) {
    case 'openssl': {
      const sealed = createCipheriv('aes-256-gcm', GCM_KEY, GCM_IV);
      const ct = sealed.update(data);
      sealed.final();
      const tag = sealed.getAuthTag();
      return {
        directLabel: 'node:crypto createCipheriv aes-256-gcm',
        direct: decrypt
          ? () => {
              const d = createDecipheriv('aes-256-gcm', GCM_KEY, GCM_IV);
              d.setAuthTag(tag);
              const out = d.update(ct);
              d.final();
              return out;
            }
          : () => {
              const c = createCipheriv('aes-256-gcm', GCM_KEY, GCM_IV);
              const out = c.update(data);
              c.final();
              return [out, c.getAuthTag()];
            },
        ours: () => undefined,
      };
    }
    case 'noble': {
      const sealed = gcm(GCM_KEY, GCM_IV).encrypt(data);
      return { directLabel: '@noble/ciphers gcm', direct: decrypt ? () => gcm(GCM_KEY, GCM_IV).decrypt(sealed) : () => gcm(GCM_KEY, GCM_IV).encrypt(data), ours: () => undefined };
    }
    case 'native': {
      const key = await subtle().importKey('raw', GCM_KEY, 'AES-GCM', false, ['encrypt', 'decrypt']);
      const params = { name: 'AES-GCM', iv: GCM_IV, tagLength: 128 };
      const sealed = await subtle().encrypt(params, key, data);
      return { directLabel: 'crypto.subtle AES-GCM', direct: decrypt ? () => subtle().decrypt(params, key, sealed) : () => subtle().encrypt(params, key, data), ours: () => undefined };
    }
  }
}

async function xtsDirect(backend: BackendName, data: Uint8Array<ArrayBuffer>, decrypt: boolean): Promise<Prepared> {
  switch (backend) {
    case 'openssl': {
      const make = decrypt ? createDecipheriv : createCipheriv;
      return {
        directLabel: 'node:crypto createCipheriv aes-256-xts',
        direct: () => {
          const c = make('aes-256-xts', XTS_KEY, XTS_TWEAK_BYTES);
          const out = c.update(data);
          c.final();
          return out;
        },
        ours: () => undefined,
      };
    }
    case 'noble': {
      const k1 = XTS_KEY.subarray(0, 32);
      const k2 = XTS_KEY.subarray(32);
      return {
        directLabel: 'only the @noble/ciphers ECB calls (noble has no XTS)',
        direct: () => {
          ecb(k2, { disablePadding: true }).encrypt(XTS_TWEAK_BYTES);
          const e = ecb(k1, { disablePadding: true });
          return decrypt ? e.decrypt(data) : e.encrypt(data);
        },
        ours: () => undefined,
      };
    }
    case 'native': {
      const key = await subtle().importKey('raw', XTS_KEY.subarray(0, 32), 'AES-CBC', false, ['encrypt', 'decrypt']);
      const empty = new Uint8Array(0);
      const iv = new Uint8Array(16);
      const extended = new Uint8Array(data.length + 16);
      extended.set(data);
      return {
        directLabel: decrypt ? 'only the 3 crypto.subtle AES-CBC calls (WebCrypto has no XTS)' : `only the ${data.length / 16 + 1} crypto.subtle AES-CBC calls (WebCrypto has no XTS)`,
        direct: decrypt
          ? async () => {
              await subtle().encrypt({ name: 'AES-CBC', iv }, key, empty);
              const pad = await subtle().encrypt({ name: 'AES-CBC', iv: data.subarray(data.length - 16) }, key, empty);
              extended.set(new Uint8Array(pad), data.length);
              return subtle().decrypt({ name: 'AES-CBC', iv }, key, extended);
            }
          : () => Promise.all(Array.from({ length: data.length / 16 + 1 }, (_, j) => subtle().encrypt({ name: 'AES-CBC', iv: data.subarray(j * 16 - (j === data.length / 16 ? 16 : 0), j * 16 + 16 - (j === data.length / 16 ? 16 : 0)) }, key, empty))),
        ours: () => undefined,
      };
    }
  }
}

async function sha256Direct(backend: BackendName, data: Uint8Array<ArrayBuffer>): Promise<Prepared> {
  switch (backend) {
    case 'openssl':
      return { directLabel: "node:crypto createHash('sha256')", direct: () => createHash('sha256').update(data).digest(), ours: () => undefined };
    case 'noble':
      return { directLabel: '@noble/hashes sha256', direct: () => nobleSha256(data), ours: () => undefined };
    case 'native':
      return { directLabel: "crypto.subtle.digest('SHA-256')", direct: () => subtle().digest('SHA-256', data), ours: () => undefined };
  }
}

export const CASES: BenchCase[] = [
  {
    name: 'AES-256-GCM encrypt, 16 KiB',
    bytes: 16 * KIB,
    async setup(api, backend) {
      const data = random(16 * KIB);
      const ours = new api.Aes256Gcm(GCM_KEY);
      return { ...(await gcmDirect(backend, data, false)), ours: () => ours.encrypt(GCM_IV, data) };
    },
  },
  {
    name: 'AES-256-GCM decrypt, 16 KiB',
    bytes: 16 * KIB,
    async setup(api, backend) {
      const data = random(16 * KIB);
      const ours = new api.Aes256Gcm(GCM_KEY);
      const { ciphertext, tag } = await ours.encrypt(GCM_IV, data);
      return { ...(await gcmDirect(backend, data, true)), ours: () => ours.decrypt(GCM_IV, ciphertext, tag) };
    },
  },
  {
    name: 'SHA-256, 16 KiB',
    bytes: 16 * KIB,
    async setup(api, backend) {
      const data = random(16 * KIB);
      return { ...(await sha256Direct(backend, data)), ours: () => api.sha256(data) };
    },
  },
  {
    name: 'XTS-AES-256 encrypt, 4 KiB sector',
    bytes: 4 * KIB,
    async setup(api, backend) {
      const data = random(4 * KIB);
      const ours = new api.XtsAes256(XTS_KEY, 4 * KIB);
      return { ...(await xtsDirect(backend, data, false)), ours: () => ours.encrypt(XTS_TWEAK, data) };
    },
  },
  {
    name: 'XTS-AES-256 decrypt, 4 KiB sector',
    bytes: 4 * KIB,
    async setup(api, backend) {
      const data = random(4 * KIB);
      const ours = new api.XtsAes256(XTS_KEY, 4 * KIB);
      return { ...(await xtsDirect(backend, data, true)), ours: () => ours.decrypt(XTS_TWEAK, data) };
    },
  },
  // ECDSA P-384 verify and RSA-4096 PSS verify: add cases here without `bytes` (reported as ops/s).
  ...ASYMMETRIC_CASES,
];

/** Wall-clock and CPU seconds (this process, all threads: user + system). */
interface Sample {
  wall: number;
  cpu: number;
}

/** The time taken by `count` operations of `op`, each awaited before the next. */
async function timeBatch(op: () => unknown, count: number): Promise<Sample> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** How many operations of `op` take about `seconds` of wall-clock time. */
async function calibrate(op: () => unknown, seconds: number): Promise<number> {
  let count = 1;
  while ((await timeBatch(op, count)).wall < seconds / 4 && count < 1e7) count *= 2;
  return Math.max(1, Math.round((count * seconds) / Math.max(1e-9, (await timeBatch(op, count)).wall)));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Per-operation time over the rounds: the median wall-clock time, and the smallest CPU time (other
 * processes can only add to it, so the best round is the closest to the uncontended cost).
 */
function perOp(samples: Sample[], count: number): Sample {
  return { wall: median(samples.map((s) => s.wall / count)), cpu: Math.min(...samples.map((s) => s.cpu / count)) };
}

/**
 * Seconds per operation of `ours` and of `direct` (medians over rounds), timed in A-B-B-A order in
 * every round so that drift, JIT and GC settle on both alike. CPU time is measured too: on a
 * loaded machine (other processes taking the cores) wall-clock ratios swing widely, CPU ratios much
 * less.
 */
async function compare(ours: () => unknown, direct: (() => unknown) | undefined, rounds: number, roundSeconds: number): Promise<[Sample, Sample | undefined]> {
  const oursCount = await calibrate(ours, roundSeconds / 4);
  const directCount = direct ? await calibrate(direct, roundSeconds / 4) : 0;
  const oursSamples: Sample[] = [];
  const directSamples: Sample[] = [];
  const add = (a: Sample, b: Sample): Sample => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu });
  for (let round = 0; round < rounds; round++) {
    let o = await timeBatch(ours, oursCount);
    if (direct) directSamples.push(add(await timeBatch(direct, directCount), await timeBatch(direct, directCount)));
    o = add(o, await timeBatch(ours, oursCount));
    oursSamples.push(o);
  }
  return [perOp(oursSamples, 2 * oursCount), direct ? perOp(directSamples, 2 * directCount) : undefined];
}

interface Row {
  backend: BackendName;
  name: string;
  unit: 'MB/s' | 'ops/s';
  /** Throughput, from wall-clock time. */
  ours: number;
  direct: number | undefined;
  /** Time ours / time direct: wall-clock, and CPU. */
  wallRatio: number | undefined;
  cpuRatio: number | undefined;
  directLabel: string;
}

async function runChild(backend: BackendName): Promise<void> {
  const api: Api = await import('../src/index.ts');
  const linked = api.ensureSingleBackend();
  if (linked !== backend) throw new Error(`the benchmark wanted the ${backend} backend but ${linked} is linked`);
  const ROUNDS = 9;
  const ROUND_SECONDS = 0.2;
  for (const benchCase of CASES) {
    const prepared = await benchCase.setup(api, backend);
    const [ours, direct] = await compare(prepared.ours, prepared.direct, ROUNDS, ROUND_SECONDS);
    const rate = (secondsPerOp: number) => (benchCase.bytes === undefined ? 1 / secondsPerOp : benchCase.bytes / secondsPerOp / 1e6);
    const row: Row = {
      backend,
      name: benchCase.name,
      unit: benchCase.bytes === undefined ? 'ops/s' : 'MB/s',
      ours: rate(ours.wall),
      direct: direct === undefined ? undefined : rate(direct.wall),
      wallRatio: direct === undefined ? undefined : ours.wall / direct.wall,
      cpuRatio: direct === undefined ? undefined : ours.cpu / direct.cpu,
      directLabel: prepared.directLabel,
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function printTable(rows: Row[]): void {
  const header = ['backend', 'operation', 'ours', 'direct', 'ours/direct (wall)', 'ours/direct (CPU, best)', 'direct is'];
  const ratio = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(3)}x`);
  const lines = rows.map((row) => [
    row.backend,
    row.name,
    `${format(row.ours)} ${row.unit}`,
    row.direct === undefined ? 'n/a' : `${format(row.direct)} ${row.unit}`,
    ratio(row.wallRatio),
    ratio(row.cpuRatio),
    row.directLabel,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(render(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(render(line));
}

async function main(): Promise<void> {
  const child = process.env.CRYPTO_BENCH_BACKEND as BackendName | undefined;
  if (child !== undefined) return runChild(child);
  const wanted = process.argv.slice(2);
  const backends = wanted.length === 0 ? BACKEND_NAMES : BACKEND_NAMES.filter((b) => wanted.includes(b));
  console.log(`@tsvmm/crypto benchmark, Node ${process.version}, ${process.arch}; ours = public API, direct = the library itself; ratios = time ours / time direct (wall-clock: medians; CPU of this process: best rounds)`);
  const rows: Row[] = [];
  for (const backend of backends) {
    const result = spawnSync(process.execPath, [...process.execArgv, '--import', new URL('./link-backend.mjs', import.meta.url).href, fileURLToPath(import.meta.url)], {
      env: { ...process.env, CRYPTO_BENCH_BACKEND: backend },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`the ${backend} benchmark process failed (exit ${result.status})`);
    rows.push(...result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Row));
  }
  printTable(rows);
}

await main();
