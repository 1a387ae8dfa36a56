/**
 * A writer for the Linux initramfs format (cpio "newc", `070701`), so images are built without the
 * `cpio` tool and come out byte-identical for identical inputs (owner root, mtime 0, inodes in
 * order). An `InitramfsTree` collects entries by path (parents are added for you) and `writeCpio`
 * serializes it; several archives may be concatenated, as the kernel unpacks them in turn.
 * Format: Documentation/driver-api/early-userspace/buffer-format.rst.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { posix } from 'node:path';

export type CpioEntry =
  | { kind: 'dir'; mode: number }
  | { kind: 'file'; mode: number; data: Buffer | { path: string } }
  | { kind: 'symlink'; target: string }
  | { kind: 'chardev'; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** Normalizes "/a/b/" and "a/b" to "a/b" (archive paths are relative to the root). */
function clean(path: string): string {
  const normal = posix.normalize(path).replace(/^\/+/, '').replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal.startsWith('..')) throw new Error(`bad initramfs path "${path}"`);
  return normal;
}

/** The entries of one initramfs, keyed by path relative to its root. */
export class InitramfsTree {
  readonly entries = new Map<string, CpioEntry>();

  dir(path: string, mode = 0o755): this {
    const p = clean(path);
    this.parents(p);
    const existing = this.entries.get(p);
    if (existing !== undefined && existing.kind !== 'dir') throw new Error(`initramfs: "${p}" is already a ${existing.kind}`);
    this.entries.set(p, { kind: 'dir', mode });
    return this;
  }

  /** A regular file from a Buffer, a string, or a host file read when the archive is written. */
  file(path: string, data: Buffer | string | { path: string }, mode = 0o644): this {
    const p = clean(path);
    this.parents(p);
    this.entries.set(p, { kind: 'file', mode, data: typeof data === 'string' ? Buffer.from(data) : data });
    return this;
  }

  symlink(path: string, target: string): this {
    const p = clean(path);
    this.parents(p);
    this.entries.set(p, { kind: 'symlink', target });
    return this;
  }

  chardev(path: string, major: number, minor: number, mode = 0o600): this {
    const p = clean(path);
    this.parents(p);
    this.entries.set(p, { kind: 'chardev', mode, major, minor });
    return this;
  }

  has(path: string): boolean {
    return this.entries.has(clean(path));
  }

  private parents(p: string): void {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const existing = this.entries.get(parent);
      if (existing === undefined) this.entries.set(parent, { kind: 'dir', mode: 0o755 });
      else if (existing.kind !== 'dir') throw new Error(`initramfs: "${parent}" is a ${existing.kind}, cannot hold "${p}"`);
    }
  }
}

function header(ino: number, mode: number, nlink: number, fileSize: number, rdevMajor: number, rdevMinor: number, nameSize: number): Buffer {
  const fields = [ino, mode, 0, 0, nlink, 0, fileSize, 0, 0, rdevMajor, rdevMinor, nameSize, 0];
  return Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''), 'ascii');
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Yields the archive in pieces: header+name, data, padding; parents sort before children. */
export function* cpioChunks(tree: InitramfsTree): Generator<Buffer> {
  const paths = [...tree.entries.keys()].sort();
  let ino = 1;
  const record = function* (path: string, mode: number, nlink: number, data: Buffer, rdevMajor = 0, rdevMinor = 0): Generator<Buffer> {
    const name = Buffer.from(path + '\0');
    const head = header(ino++, mode, nlink, data.length, rdevMajor, rdevMinor, name.length);
    yield Buffer.concat([head, name, Buffer.alloc(pad4(head.length + name.length))]);
    if (data.length > 0) {
      yield data;
      yield Buffer.alloc(pad4(data.length));
    }
  };
  for (const path of paths) {
    const e = tree.entries.get(path)!;
    switch (e.kind) {
      case 'dir':
        yield* record(path, S_IFDIR | e.mode, 2, Buffer.alloc(0));
        break;
      case 'file':
        yield* record(path, S_IFREG | e.mode, 1, Buffer.isBuffer(e.data) ? e.data : readFileSync(e.data.path));
        break;
      case 'symlink':
        yield* record(path, S_IFLNK | 0o777, 1, Buffer.from(e.target));
        break;
      case 'chardev':
        yield* record(path, S_IFCHR | e.mode, 1, Buffer.alloc(0), e.major, e.minor);
        break;
    }
  }
  yield* record('TRAILER!!!', 0, 1, Buffer.alloc(0));
}

/** The whole archive in memory (for small archives and tests). */
export function cpioBuffer(tree: InitramfsTree): Buffer {
  return Buffer.concat([...cpioChunks(tree)]);
}

/** Writes the archive to `file` piece by piece (large files are read one at a time); returns its size. */
export function writeCpio(tree: InitramfsTree, file: string): number {
  const fd = openSync(file, 'w');
  let total = 0;
  try {
    for (const chunk of cpioChunks(tree)) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off);
      total += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

/** One entry read back by `readCpio` (tests and debugging). */
export interface CpioRecord {
  path: string;
  mode: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Buffer;
}

/** Parses a newc archive (up to its trailer); the inverse of `cpioBuffer`, for tests. */
export function readCpio(archive: Buffer): CpioRecord[] {
  const out: CpioRecord[] = [];
  let off = 0;
  for (;;) {
    const magic = archive.toString('ascii', off, off + 6);
    if (magic !== '070701') throw new Error(`cpio: bad magic "${magic}" at offset ${off}`);
    const field = (i: number) => parseInt(archive.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const fileSize = field(6);
    const rdevMajor = field(9);
    const rdevMinor = field(10);
    const nameSize = field(11);
    const nameStart = off + 110;
    const path = archive.toString('utf8', nameStart, nameStart + nameSize - 1);
    const dataStart = nameStart + nameSize + pad4(110 + nameSize);
    if (path === 'TRAILER!!!') return out;
    out.push({ path, mode, rdevMajor, rdevMinor, data: archive.subarray(dataStart, dataStart + fileSize) });
    off = dataStart + fileSize + pad4(fileSize);
  }
}
