/**
 * Kernel modules from the linux-image package: `depmod -b <root> <version>` (the .deb ships no
 * modules.dep), then `modprobe -d <root> -S <version> --show-depends <module>` gives each module's
 * dependencies in load order. `loadOrder()` merges several modules into one ordered list without
 * repeats, e.g. kvm-amd → irqbypass, kvm, ccp, kvm-amd.
 */
import { exec } from '../host/exec.ts';
import { ImageBuildError } from './errors.ts';

/** Runs depmod over the extracted kernel package. */
export async function depmod(root: string, kernelVersion: string): Promise<void> {
  const r = await exec('depmod', ['-b', root, kernelVersion]);
  if (r.code !== 0) throw new ImageBuildError('modules', 'depmod', `depmod exited with ${r.code}`, { output: r.stderr });
}

/**
 * The module files (paths relative to `root`, e.g. "lib/modules/6.1.0-56-amd64/kernel/virt/lib/irqbypass.ko")
 * to insmod, in order, so that every module in `modules` is loaded. Built-in modules are skipped.
 */
export async function loadOrder(root: string, kernelVersion: string, modules: readonly string[]): Promise<string[]> {
  const order: string[] = [];
  for (const module of modules) {
    const r = await exec('modprobe', ['-d', root, '-S', kernelVersion, '--show-depends', module]);
    if (r.code !== 0) throw new ImageBuildError('modules', `modprobe --show-depends ${module}`, `modprobe exited with ${r.code}`, { output: r.stderr });
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) throw new ImageBuildError('modules', `modprobe --show-depends ${module}`, `no such module "${module}"`);
    for (const line of lines) {
      const m = /^insmod (\S+)/.exec(line);
      if (m === null) continue; // "builtin <name>"
      const file = m[1]!;
      if (!file.startsWith(root + '/')) throw new ImageBuildError('modules', `modprobe --show-depends ${module}`, `module outside the package: ${file}`);
      const rel = file.slice(root.length + 1);
      if (!order.includes(rel)) order.push(rel);
    }
  }
  return order;
}

/** A module's name from its file ("…/kvm-amd.ko" → "kvm-amd"). */
export function moduleName(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.ko(\.\w+)?$/, '');
}
