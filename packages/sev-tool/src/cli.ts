/**
 * `sev-tool` on the command line: finds the command, runs it, and turns its outcome into the exit
 * status (see `io.ts`). Commands live in `commands/<name>.ts`, each a {@link Command}: a spec
 * (options and help, `args.ts`) and a `run`. Results go to stdout; usage and input errors go to
 * stderr as `sev-tool: <message>`.
 *
 *   sev-tool report show FILE [--json]
 *   sev-tool report verify --report FILE --certs DIR|FILE [--crl FILE]
 *   sev-tool report validate --report FILE [policy options]
 *   sev-tool certs verify [DIR|FILE] [--ark FILE --ask FILE --vcek FILE | --pdh ... --cek FILE]
 */
import { helpText, parseCommand, usageLine, UsageError, type CommandSpec, type Parsed } from './args.ts';
import { certsVerify } from './commands/certs_verify.ts';
import { reportShow } from './commands/report_show.ts';
import { reportValidate } from './commands/report_validate.ts';
import { reportVerify } from './commands/report_verify.ts';
import { EXIT, InputError, type ExitStatus, type Io } from './io.ts';

/** A command: its spec and what it does with the parsed arguments. */
export interface Command {
  spec: CommandSpec;
  run(parsed: Parsed, io: Io): Promise<ExitStatus>;
}

/** Every command, by its words. */
export const COMMANDS: readonly Command[] = [reportShow, reportVerify, reportValidate, certsVerify];

const GROUPS = ['report', 'certs'] as const;

export const USAGE = `usage: sev-tool <command> [options]

AMD SEV-SNP and legacy SEV attestation: show, verify and validate attestation reports, and verify
AMD certificate chains. Pure JavaScript cryptography (the noble backend of @tsvmm/crypto).

commands:
${COMMANDS.map((c) => `  ${c.spec.name.padEnd(17)}${c.spec.summary}`).join('\n')}

Run \`sev-tool <command> --help\` for a command's options.

exit status:
  0  success
  1  verification or validation failed (every failed check is listed)
  2  usage or input error (bad options; a file that cannot be read or is malformed)
  3  unexpected internal error (a bug: please report it with the command line)
`;

function groupHelp(group: string): string {
  const commands = COMMANDS.filter((c) => c.spec.name.startsWith(`${group} `));
  return `usage: sev-tool ${group} <command> [options]\n\ncommands:\n${commands.map((c) => `  ${c.spec.name.padEnd(17)}${c.spec.summary}`).join('\n')}\n\nRun \`sev-tool ${group} <command> --help\` for a command's options.\n`;
}

const isHelp = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';

/** Runs `sev-tool` with `argv` (no node or script path); resolves with the exit status. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitStatus> {
  const say = (text: string) => io.stderr.write(`sev-tool: ${text}\n`);
  const [first, second] = argv;
  if (first === undefined || isHelp(first)) {
    (first === undefined ? io.stderr : io.stdout).write(USAGE);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(GROUPS as readonly string[]).includes(first)) {
    say(`unknown command ${JSON.stringify(first)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (second === undefined || isHelp(second)) {
    (second === undefined ? io.stderr : io.stdout).write(groupHelp(first));
    return second === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === `${first} ${second}`);
  if (command === undefined) {
    say(`unknown command ${JSON.stringify(`${first} ${second}`)}\n\n${groupHelp(first)}`);
    return EXIT.usage;
  }
  try {
    const parsed = parseCommand(command.spec, argv.slice(2));
    if (parsed.help) {
      io.stdout.write(helpText(command.spec));
      return EXIT.ok;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      say(`${error.command}: ${error.message}\n${usageLine(command.spec)}\nRun \`sev-tool ${error.command} --help\` for the options.`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      say(error.message);
      return EXIT.usage;
    }
    say(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.internal;
  }
}
