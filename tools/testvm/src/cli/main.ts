/**
 * `testvm`: the command line of the project's test VM
 * (`pnpm exec tsx tools/testvm/src/cli/main.ts <command>` at the workspace root).
 *
 *   testvm build [--force] [--json]     build the images if needed; print their paths
 *   testvm run [options] -- <command>   run <command> in the test VM; exit with its exit code
 *   testvm smoke [--negative]           Node, /dev/kvm and QEMU -enable-kvm booting the guest inside
 *
 * Exit codes: run: the command's; build, smoke: 0 success, 1 failure; 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import { ensureImages } from '../image/build.ts';
import { ImageBuildError } from '../image/errors.ts';
import { consoleProgress, seconds, size } from '../progress.ts';
import { TestVmError } from '../run/errors.ts';
import { runInTestVm, type Mount } from '../run/run.ts';
import { smoke } from '../smoke.ts';

const USAGE = `usage: testvm <command> [options]

commands:
  build                  build the images if needed (cached in .cache/testvm) and print their paths
  run -- <command...>    run <command> in the test VM (L1: QEMU TCG, nested KVM); exit with its code
  smoke                  check the test VM: node, /dev/kvm, QEMU -enable-kvm boots the guest initramfs

build options:
  --force                rebuild even if an image with the same key exists
  --json                 print the image paths and manifest as JSON

run options:
  --mount <host>[:<guest>][:rw]  share a host folder (read-only unless :rw); repeatable
  --no-workspace         do not share the workspace root (shared read-only at its own path by default)
  --file <guest>=<host>  copy a host file into the VM; repeatable
  --env <K>=<V>          environment of the command; repeatable
  --cwd <dir>            working folder in the VM (default: the workspace root)
  --timeout <seconds>    whole run, boot included (default 300)
  --cpus <n>, --memory <MiB>   test VM size (default 2, 2048)
  --kernel-log           keep kernel messages on the console during the command
  --console              print the whole serial console (boot included), not only the command's output

smoke options:
  --negative             also boot the guest wrongly (1 vCPU of 2, clock a day off); it must FAIL
  -h, --help             this text`;

class UsageError extends Error {}

/** Guest output without the terminal resets and screen clears SeaBIOS prints (ESC c, ESC [2J ...). */
function printable(text: string): string {
  return text.replace(/\r/g, '').replace(/\x1bc|\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

const write = (text: string) => process.stdout.write(printable(text));

function parseMount(spec: string): Mount {
  const parts = spec.split(':');
  const rw = parts.at(-1) === 'rw';
  if (rw || parts.at(-1) === 'ro') parts.pop();
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new UsageError(`--mount ${spec}: expected <host>[:<guest>][:rw]`);
  const host = resolve(parts[0]!);
  const guest = parts[1] ?? host;
  if (!isAbsolute(guest)) throw new UsageError(`--mount ${spec}: the guest path must be absolute`);
  return { host, guest, readonly: !rw };
}

function pairs(list: string[] | undefined, option: string): [string, string][] {
  return (list ?? []).map((s) => {
    const i = s.indexOf('=');
    if (i <= 0) throw new UsageError(`${option} ${s}: expected <name>=<value>`);
    return [s.slice(0, i), s.slice(i + 1)];
  });
}

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
  const command = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      mount: { type: 'string', multiple: true },
      'no-workspace': { type: 'boolean' },
      file: { type: 'string', multiple: true },
      env: { type: 'string', multiple: true },
      cwd: { type: 'string' },
      timeout: { type: 'string' },
      cpus: { type: 'string' },
      memory: { type: 'string' },
      'kernel-log': { type: 'boolean' },
      console: { type: 'boolean' },
      negative: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [verb, ...rest] = positionals;
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const progress = consoleProgress();
  switch (verb) {
    case 'build': {
      const images = await ensureImages({ progress, force: values.force === true });
      if (values.json === true) {
        process.stdout.write(JSON.stringify(images, null, 2) + '\n');
      } else {
        const m = images.manifest;
        process.stdout.write(
          [
            `kernel ${m.kernelVersion} (${m.packages.map((p) => `${p.name} ${p.version}`).join(', ')})`,
            `  guest kernel (bzImage)    ${images.kernel}  ${size(m.sizes.kernel)}`,
            `  guest initramfs           ${images.guestInitramfs}  ${size(m.sizes.guestInitramfs)}`,
            `  test VM kernel (vmlinux)  ${images.l1Kernel}  ${size(m.sizes.l1Kernel)}`,
            `  test VM initramfs         ${images.l1Initramfs}  ${size(m.sizes.l1Initramfs)}`,
            `  built ${m.builtAt} in ${seconds(m.buildMs)}`,
            '',
          ].join('\n'),
        );
      }
      return 0;
    }
    case 'run': {
      const cmd = [...rest, ...command];
      if (cmd.length === 0) throw new UsageError('run: no command (testvm run -- <command...>)');
      const timeout = values.timeout === undefined ? 300 : Number(values.timeout);
      if (!(timeout > 0)) throw new UsageError(`--timeout ${values.timeout}: expected seconds`);
      const result = await runInTestVm({
        command: cmd,
        mounts: (values.mount ?? []).map(parseMount),
        workspace: values['no-workspace'] !== true,
        files: Object.fromEntries(pairs(values.file, '--file').map(([g, h]) => [g, { host: resolve(h) }])),
        env: Object.fromEntries(pairs(values.env, '--env')),
        ...(values.cwd !== undefined ? { cwd: values.cwd } : {}),
        timeoutMs: timeout * 1000,
        ...(values.cpus !== undefined ? { cpus: Number(values.cpus) } : {}),
        ...(values.memory !== undefined ? { memoryMiB: Number(values.memory) } : {}),
        kernelLog: values['kernel-log'] === true,
        progress,
        ...(values.console === true ? { onConsole: write } : { onOutput: write }),
      });
      const d = result.durations;
      progress.note(
        `exit ${result.exitCode}; boot to /init ${seconds(d.bootMs)} (kernel ${d.initUptimeS.toFixed(2)} s), command ${seconds(d.commandMs)}, ` +
          `power-off ${seconds(d.shutdownMs)}, total ${seconds(d.totalMs)}; /dev/kvm ${result.kvm ? 'present' : 'MISSING'}`,
      );
      for (const [name, data] of result.files) progress.note(`out: ${name} (${data.length} bytes)`);
      return result.exitCode;
    }
    case 'smoke': {
      const r = await smoke({ progress, negative: values.negative === true, onOutput: write });
      const d = r.run.durations;
      const lines = [
        `test VM: boot to /init ${seconds(d.bootMs)} (kernel ${d.initUptimeS.toFixed(2)} s, modules loaded at ${d.modulesUptimeS?.toFixed(2) ?? '?'} s), total ${seconds(d.totalMs)}`,
        `node in the test VM: ${r.nodeVersion || 'MISSING'}; /dev/kvm: ${r.run.kvm ? 'yes' : 'MISSING'}`,
        `guest under QEMU -enable-kvm -smp 2: ${r.good.report.result.toUpperCase()} (qemu exit ${r.good.qemuExit}, boot to /init ${r.good.report.uptime ?? '?'} s, QEMU wall ${r.good.wallS.toFixed(2)} s)`,
        ...(r.bad !== undefined ? [`guest configured wrongly (1 vCPU, clock a day off): ${r.bad.report.result.toUpperCase()} ${r.bad.report.failed.join(' ')} (expected FAIL cpus clock)`] : []),
      ];
      process.stdout.write(lines.join('\n') + '\n');
      const ok = r.run.exitCode === 0 && r.run.kvm && r.good.report.result === 'pass' && (r.bad === undefined || (r.bad.report.result === 'fail' && r.bad.report.failed.includes('cpus') && r.bad.report.failed.includes('clock')));
      process.stdout.write(ok ? 'smoke: ok\n' : 'smoke: FAILED\n');
      return ok ? 0 : 1;
    }
    default:
      throw new UsageError(verb === undefined ? 'no command' : `unknown command "${verb}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`testvm: ${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof ImageBuildError || error instanceof TestVmError) {
      process.stderr.write(`testvm: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`testvm: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
