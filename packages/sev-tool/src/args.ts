/**
 * Command-line parsing for sev-tool: each command declares its options once ({@link CommandSpec})
 * and gets both its parsed values and its `--help` text from that declaration. Parsing is strict:
 * an unknown option, a missing value or a wrong number of operands is a {@link UsageError}
 * (exit status 2), with the command's usage line.
 */
import { parseArgs } from 'node:util';

/** A usage error: bad options or operands (exit status 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /** @param command the command's words (`report verify`), for the hint to its `--help` */
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** For `string` options: the value's name in the help (`FILE`, `HEX`). */
  value?: string;
  /** May be given several times (values are collected in order). */
  multiple?: boolean;
  description: string;
}

export interface CommandSpec {
  /** The command's words after `sev-tool`, e.g. `report verify`. */
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** Operands after the options, e.g. `FILE`; in the usage line. */
  operands?: { name: string; min: number; max: number; description: string };
  options: Record<string, OptionSpec>;
  /** Paragraphs after the options in `--help`. */
  notes?: string[];
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  operands: string[];
  help: boolean;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', description: 'show this help' };

/** Parses `argv` for `spec`; throws {@link UsageError}. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: HELP_OPTION }).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false, ...(name === 'help' ? { short: 'h' } : {}) }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error), spec.name);
  }
  const values = parsed.values as Parsed['values'];
  const help = values.help === true;
  delete values.help;
  const operands = parsed.positionals;
  if (!help) {
    const o = spec.operands;
    const min = o?.min ?? 0;
    const max = o?.max ?? 0;
    if (operands.length < min) throw new UsageError(`missing ${o!.name}`, spec.name);
    if (operands.length > max) throw new UsageError(max === 0 ? `unexpected operand ${JSON.stringify(operands[0])}` : `unexpected operand ${JSON.stringify(operands[max])}`, spec.name);
  }
  return { values, operands, help };
}

/** node:util's parseArgs messages, made shorter and naming the option. */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1];
    return option === undefined ? message : `unknown option ${option}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
    if (option === undefined) return message;
    if (message.includes('argument missing')) return `${option} needs a value`;
    if (message.includes('ambiguous')) return `${option} needs a value; one that starts with "-" is written ${option}=VALUE`;
    return `${option} takes no value`;
  }
  return message;
}

/** The value of a string option, or `undefined`. */
export function stringOption(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
}

/** The usage line of `spec`. */
export function usageLine(spec: CommandSpec): string {
  const operands = spec.operands === undefined ? '' : ` ${spec.operands.min === 0 ? `[${spec.operands.name}]` : spec.operands.name}`;
  return `usage: sev-tool ${spec.name} [options]${operands}`;
}

/** `text` in lines of at most `width` characters (words are never split). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length === 0 ? word : `${line} ${word}`;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

const WIDTH = 100;

/** Rows of `left` and wrapped `right` text, the right column aligned. */
function table(rows: readonly [string, string][]): string[] {
  const column = Math.min(32, Math.max(...rows.map(([left]) => left.length)) + 4);
  return rows.flatMap(([left, right]) => {
    const text = wrap(right, WIDTH - column);
    const first = left.length + 4 > column ? [`  ${left}`, ...text.map((t) => `${' '.repeat(column)}${t}`)] : [`  ${left.padEnd(column - 2)}${text[0] ?? ''}`, ...text.slice(1).map((t) => `${' '.repeat(column)}${t}`)];
    return first;
  });
}

/** The `--help` text of `spec`. */
export function helpText(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, help: HELP_OPTION }).map(
    ([name, o]): [string, string] => [`${name === 'help' ? '-h, ' : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, o.description + (o.multiple ? ' (repeatable)' : '')],
  );
  const operands = spec.operands === undefined ? [] : ['', 'arguments:', ...table([[spec.operands.name, spec.operands.description]])];
  const notes = (spec.notes ?? []).flatMap((n) => ['', ...wrap(n, WIDTH)]);
  return [usageLine(spec), '', spec.summary, ...operands, '', 'options:', ...table(options), ...notes, ''].join('\n');
}
