/** The newc writer: round trip through the reader, parents, padding, device nodes, determinism. */
import { describe, expect, it } from 'vitest';
import { cpioBuffer, InitramfsTree, readCpio } from '../src/image/cpio.ts';

describe('cpio newc writer', () => {
  const tree = () =>
    new InitramfsTree()
      .file('init', '#!/bin/sh\necho hi\n', 0o755)
      .file('/usr/lib/x/libfoo.so.1', Buffer.from([1, 2, 3]))
      .symlink('lib', 'usr/lib')
      .chardev('dev/console', 5, 1)
      .dir('tmp', 0o1777);

  it('round-trips every entry with its type, mode and data', () => {
    const records = readCpio(cpioBuffer(tree()));
    const byPath = new Map(records.map((r) => [r.path, r]));
    expect(byPath.get('init')?.mode).toBe(0o100755);
    expect(byPath.get('init')?.data.toString()).toBe('#!/bin/sh\necho hi\n');
    expect([...byPath.get('usr/lib/x/libfoo.so.1')!.data]).toEqual([1, 2, 3]);
    expect(byPath.get('lib')?.mode).toBe(0o120777);
    expect(byPath.get('lib')?.data.toString()).toBe('usr/lib');
    expect(byPath.get('dev/console')).toMatchObject({ mode: 0o020600, rdevMajor: 5, rdevMinor: 1 });
    expect(byPath.get('tmp')?.mode).toBe(0o041777);
  });

  it('adds parent folders and writes them before their children', () => {
    const paths = readCpio(cpioBuffer(tree())).map((r) => r.path);
    for (const p of ['usr', 'usr/lib', 'usr/lib/x', 'dev']) expect(paths).toContain(p);
    expect(paths.indexOf('usr/lib/x')).toBeLessThan(paths.indexOf('usr/lib/x/libfoo.so.1'));
  });

  it('keeps every header 4-byte aligned and ends with the trailer', () => {
    const archive = cpioBuffer(tree());
    expect(archive.length % 4).toBe(0);
    let at = -1;
    let count = 0;
    while ((at = archive.indexOf('070701', at + 1, 'ascii')) >= 0) {
      expect(at % 4).toBe(0);
      count++;
    }
    expect(count).toBe(readCpio(archive).length + 1);
    expect(archive.includes(Buffer.from('TRAILER!!!\0'))).toBe(true);
  });

  it('is byte-identical for identical inputs (owner root, mtime 0)', () => {
    expect(cpioBuffer(tree()).equals(cpioBuffer(tree()))).toBe(true);
  });

  it('refuses a file under a symlink and paths leaving the root', () => {
    expect(() => new InitramfsTree().symlink('lib', 'usr/lib').file('lib/x', 'y')).toThrow(/is a symlink/);
    expect(() => new InitramfsTree().file('../etc/passwd', 'x')).toThrow(/bad initramfs path/);
  });
});
