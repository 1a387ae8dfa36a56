/**
 * The command line itself: help for the tool, each group and each command (exit 0, on stdout);
 * usage errors (exit 2, on stderr, with the usage line); and that every command and option is
 * documented both in its `--help` and in README.md (one name in every place).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { COMMANDS, USAGE } from './cli.ts';
import { EXIT } from './io.ts';
import { sevTool } from './testing/run.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('help', () => {
  test.each([['--help'], ['-h'], ['help']])('sev-tool %s: the commands and the exit statuses, exit 0', async (flag) => {
    const run = await sevTool(flag);
    expect(run).toEqual({ status: EXIT.ok, stdout: USAGE, stderr: '' });
    for (const c of COMMANDS) expect(run.stdout).toContain(c.spec.name);
    expect(run.stdout).toContain('1  verification or validation failed');
  });

  test.each(['report', 'certs'])('sev-tool %s --help lists its commands', async (group) => {
    const run = await sevTool(group, '--help');
    expect(run.status).toBe(EXIT.ok);
    for (const c of COMMANDS.filter((c) => c.spec.name.startsWith(`${group} `))) expect(run.stdout).toContain(c.spec.name);
  });

  test.each(COMMANDS.map((c) => [c.spec.name, c] as const))('sev-tool %s --help names every option', async (name, command) => {
    const run = await sevTool(...name.split(' '), '--help');
    expect(run.status).toBe(EXIT.ok);
    expect(run.stderr).toBe('');
    expect(run.stdout.startsWith(`usage: sev-tool ${name} [options]`)).toBe(true);
    for (const option of Object.keys(command.spec.options)) expect(run.stdout).toContain(`--${option}`);
    expect(run.stdout).toContain('-h, --help');
  });
});

describe('README.md documents every command and option', () => {
  test.each(COMMANDS.map((c) => [c.spec.name, c] as const))('%s', (name, command) => {
    expect(README).toContain(`### \`sev-tool ${name}\``);
    const section = README.slice(README.indexOf(`### \`sev-tool ${name}\``)).split('\n### ')[0]!;
    for (const option of Object.keys(command.spec.options)) expect(section, `--${option} in README's ${name} section`).toContain(`--${option}`);
  });
});

describe('usage errors: exit 2 on stderr', () => {
  test('no arguments: the usage on stderr', async () => {
    expect(await sevTool()).toEqual({ status: EXIT.usage, stdout: '', stderr: USAGE });
  });

  test('an unknown command or subcommand', async () => {
    const unknown = await sevTool('attest');
    expect(unknown.status).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('sev-tool: unknown command "attest"');
    const sub = await sevTool('certs', 'fetch');
    expect(sub.status).toBe(EXIT.usage);
    expect(sub.stderr).toContain('sev-tool: unknown command "certs fetch"');
    expect((await sevTool('report')).status).toBe(EXIT.usage);
  });

  test('an unknown option, a missing value, a missing or extra operand', async () => {
    expect((await sevTool('report', 'show', 'x', '--color')).stderr).toBe(
      'sev-tool: report show: unknown option --color\nusage: sev-tool report show [options] FILE\nRun `sev-tool report show --help` for the options.\n',
    );
    expect((await sevTool('report', 'verify', '--report')).stderr).toContain('report verify: --report needs a value');
    expect((await sevTool('report', 'show')).stderr).toContain('report show: missing FILE');
    expect((await sevTool('report', 'show', 'a', 'b')).stderr).toContain('report show: unexpected operand "b"');
    expect((await sevTool('report', 'show', 'a', '--json=yes')).stderr).toContain('--json takes no value');
    for (const run of await Promise.all([sevTool('report', 'show'), sevTool('report', 'verify', 'x')])) {
      expect(run.status).toBe(EXIT.usage);
      expect(run.stdout).toBe('');
    }
  });
});
