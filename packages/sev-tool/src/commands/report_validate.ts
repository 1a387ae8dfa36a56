/**
 * `sev-tool report validate --report FILE [policy options]`: checks what an SEV-SNP report says
 * against a policy, with the options of go-sev-guest's `check` tool (`--measurement`,
 * `--minimum-tcb`, `--max-guest-policy`, ...), on `@tsvmm/sev`'s `validateReport`. Each option
 * given is one check; firmware that is provisional (COMMITTED ≠ CURRENT) always fails unless
 * `--provisional`. Every failure is listed (exit 1). Signatures are not checked here: run
 * `report verify` first.
 */
import { EcdsaPublicKey } from '@tsvmm/crypto';
import { SnpError, validateReport, type SnpFailure, type SnpValidationPolicy } from '@tsvmm/sev/snp';
import { stringOption, type CommandSpec, type OptionSpec, type Parsed } from '../args.ts';
import type { Command } from '../cli.ts';
import { EXIT, InputError, conclude, printChecks, readInput, toJson, type Check, type ExitStatus, type Io } from '../io.ts';
import { parseReportFile, productOption } from '../snp.ts';

type Kind = 'hex' | 'u64' | 'u32' | 'version' | 'flag';

/** One policy option: its flag, the policy key, how its value is read, and the check IDs its failures carry. */
interface PolicyOption {
  flag: string;
  key: keyof SnpValidationPolicy;
  kind: Kind;
  /** The check's name in the output. */
  name: (value: string) => string;
  /** Failure check IDs (exact, or prefixes ending in `.`) that belong to this option. */
  checks: string[];
  description: string;
}

const POLICY_OPTIONS: readonly PolicyOption[] = [
  { flag: 'report-data', key: 'reportData', kind: 'hex', name: () => 'REPORT_DATA is the expected value', checks: ['reportData'], description: 'REPORT_DATA, 64 bytes (hex; shorter values are not padded)' },
  { flag: 'host-data', key: 'hostData', kind: 'hex', name: () => 'HOST_DATA is the expected value', checks: ['hostData'], description: 'HOST_DATA, 32 bytes' },
  { flag: 'family-id', key: 'familyId', kind: 'hex', name: () => 'FAMILY_ID is the expected value', checks: ['familyId'], description: 'FAMILY_ID, 16 bytes' },
  { flag: 'image-id', key: 'imageId', kind: 'hex', name: () => 'IMAGE_ID is the expected value', checks: ['imageId'], description: 'IMAGE_ID, 16 bytes' },
  { flag: 'report-id', key: 'reportId', kind: 'hex', name: () => 'REPORT_ID is the expected value', checks: ['reportId'], description: 'REPORT_ID, 32 bytes' },
  { flag: 'report-id-ma', key: 'reportIdMa', kind: 'hex', name: () => 'REPORT_ID_MA is the expected value', checks: ['reportIdMa'], description: 'REPORT_ID_MA, 32 bytes' },
  { flag: 'measurement', key: 'measurement', kind: 'hex', name: () => 'MEASUREMENT is the expected value', checks: ['measurement'], description: 'MEASUREMENT, 48 bytes' },
  { flag: 'chip-id', key: 'chipId', kind: 'hex', name: () => 'CHIP_ID is the expected value', checks: ['chipId'], description: 'CHIP_ID, 64 bytes' },
  { flag: 'minimum-tcb', key: 'minimumTcb', kind: 'u64', name: (v) => `REPORTED_TCB is at least ${v}`, checks: ['tcb.minimum'], description: 'the minimum REPORTED_TCB, each SPL byte (a 64-bit TCB_VERSION)' },
  { flag: 'minimum-launch-tcb', key: 'minimumLaunchTcb', kind: 'u64', name: (v) => `LAUNCH_TCB is at least ${v}`, checks: ['tcb.minimumLaunch'], description: 'the minimum LAUNCH_TCB' },
  { flag: 'minimum-guest-svn', key: 'minimumGuestSvn', kind: 'u32', name: (v) => `GUEST_SVN is at least ${v}`, checks: ['guestSvn'], description: 'the minimum GUEST_SVN' },
  { flag: 'minimum-build', key: 'minimumBuild', kind: 'u32', name: (v) => `CURRENT_BUILD is at least ${v}`, checks: ['firmware.minimumBuild'], description: 'the minimum firmware build (0-255)' },
  { flag: 'minimum-version', key: 'minimumVersion', kind: 'version', name: (v) => `the firmware is at least ${v}`, checks: ['firmware.minimumVersion'], description: 'the minimum firmware API version, MAJOR.MINOR' },
  { flag: 'max-guest-policy', key: 'guestPolicy', kind: 'u64', name: (v) => `POLICY is within ${v}`, checks: ['guestPolicy.'], description: 'the most permissive guest POLICY accepted (SMT, MIGRATE_MA, DEBUG, CXL allowed only if set here; ABI at least; SINGLE_SOCKET etc. required if set)' },
  { flag: 'platform-info', key: 'platformInfo', kind: 'u64', name: (v) => `PLATFORM_INFO is within ${v}`, checks: ['platformInfo.'], description: 'the most PLATFORM_INFO accepted (SMT, TSME, SEV-TIO allowed only if set; ECC etc. required if set)' },
  { flag: 'vmpl', key: 'vmpl', kind: 'u32', name: (v) => `VMPL is ${v}`, checks: ['vmpl'], description: 'the VMPL (0-3)' },
  { flag: 'minimum-launch-mit-vector', key: 'minimumLaunchMitVector', kind: 'u64', name: (v) => `LAUNCH_MIT_VECTOR has every bit of ${v}`, checks: ['mitigation.minimumLaunchMitVector'], description: 'bits LAUNCH_MIT_VECTOR must have (report version 5)' },
  { flag: 'minimum-current-mit-vector', key: 'minimumCurrentMitVector', kind: 'u64', name: (v) => `CURRENT_MIT_VECTOR has every bit of ${v}`, checks: ['mitigation.minimumCurrentMitVector'], description: 'bits CURRENT_MIT_VECTOR must have (report version 5)' },
  { flag: 'require-author-key', key: 'requireAuthorKey', kind: 'flag', name: () => 'a trusted author key signed the ID block', checks: ['keys.authorKeyEnabled', 'keys.authorKey'], description: 'require AUTHOR_KEY_EN and a trusted AUTHOR_KEY_DIGEST' },
  { flag: 'require-id-block', key: 'requireIdBlock', kind: 'flag', name: () => 'a trusted ID key signed the ID block', checks: ['keys.idKey'], description: 'require a trusted ID_KEY_DIGEST (or a trusted author key)' },
];

const KEY_OPTIONS = {
  'trusted-author-key': { type: 'string', value: 'FILE', multiple: true, description: 'a trusted author public key (PEM or DER SubjectPublicKeyInfo, P-384)' },
  'trusted-author-key-hash': { type: 'string', value: 'HEX', multiple: true, description: 'a trusted AUTHOR_KEY_DIGEST (SHA-384 of the key in the SEV ABI format, 48 bytes)' },
  'trusted-id-key': { type: 'string', value: 'FILE', multiple: true, description: 'a trusted ID public key (PEM or DER SubjectPublicKeyInfo, P-384)' },
  'trusted-id-key-hash': { type: 'string', value: 'HEX', multiple: true, description: 'a trusted ID_KEY_DIGEST (48 bytes)' },
} as const satisfies Record<string, OptionSpec>;

const spec: CommandSpec = {
  name: 'report validate',
  summary: "check an SEV-SNP report's fields against a policy (go-sev-guest check's options)",
  options: {
    report: { type: 'string', value: 'FILE', description: 'the report: 1184 bytes, zero-padded up to 3968 bytes, or hex text (required)' },
    ...Object.fromEntries(
      POLICY_OPTIONS.map((o) => [
        o.flag,
        { type: o.kind === 'flag' ? 'boolean' : 'string', value: o.kind === 'hex' ? 'HEX' : o.kind === 'version' ? 'MAJOR.MINOR' : 'N', description: o.description } satisfies OptionSpec,
      ]),
    ),
    ...KEY_OPTIONS,
    provisional: { type: 'boolean', description: 'accept provisional firmware (COMMITTED_TCB and version at most CURRENT); default: they must be equal' },
    product: { type: 'string', value: 'LINE', description: 'Milan, Genoa or Turin, for a version-2 report that cannot say' },
    json: { type: 'boolean', description: 'print the checks as JSON' },
  },
  notes: [
    'N is decimal or 0x-hexadecimal (a 64-bit TCB_VERSION as go-sev-guest prints it, e.g. 4901323769462652930). HEX values must have exactly the field\'s length.',
    'Only the options given are checked, plus provisional firmware (always). Invalid option values (a 65-byte --report-data, --vmpl 4, --minimum-version 0.) are usage errors, exit 2, all listed.',
  ],
};

const INTEGER = /^(0[xX][0-9a-fA-F]+|\d+)$/;

function integer(flag: string, text: string, max: bigint): bigint {
  if (!INTEGER.test(text.trim())) throw new InputError(`--${flag}: ${JSON.stringify(text)} is not a non-negative integer (decimal or 0x-hex)`, undefined, flag);
  const value = BigInt(text.trim());
  if (value > max) throw new InputError(`--${flag}: ${text} is above ${max}`, undefined, flag);
  return value;
}

async function readKeys(flag: string, paths: readonly string[]): Promise<EcdsaPublicKey[]> {
  const keys: EcdsaPublicKey[] = [];
  for (const path of paths) {
    const bytes = readInput(path, 'public key');
    const text = new TextDecoder('latin1').decode(bytes);
    const pem = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(text);
    const der = pem === null ? bytes : new Uint8Array(Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64'));
    try {
      keys.push(await EcdsaPublicKey.fromPublicKeyDer(der));
    } catch {
      throw new InputError(`--${flag} ${path}: not a P-384 public key (PEM "PUBLIC KEY" or DER SubjectPublicKeyInfo)`, path);
    }
  }
  return keys;
}

/** `FIELD message`, unless the message already starts with the field. */
const failureText = (f: SnpFailure) => (f.message.startsWith(f.field) ? f.message : `${f.field} ${f.message}`);

const belongs = (option: PolicyOption, failure: SnpFailure) => option.checks.some((c) => (c.endsWith('.') ? failure.check.startsWith(c) : failure.check === c));

const FLAG_OF: Record<string, string> = {
  ...Object.fromEntries(POLICY_OPTIONS.map((o) => [o.key, o.flag])),
  trustedAuthorKeyDigests: 'trusted-author-key-hash',
  trustedIdKeyDigests: 'trusted-id-key-hash',
  trustedAuthorKeys: 'trusted-author-key',
  trustedIdKeys: 'trusted-id-key',
};

/** `minimumBuild` → `--minimum-build`, `trustedIdKeyDigests[1]` → `--trusted-id-key-hash (2nd)`. */
function flagOf(field: string): string {
  const m = /^(\w+)(?:\[(\d+)\])?$/.exec(field);
  const flag = m === null ? undefined : FLAG_OF[m[1]!];
  if (flag === undefined) return field;
  return m![2] === undefined ? `--${flag}` : `--${flag} (value ${Number(m![2]) + 1})`;
}

async function run(parsed: Parsed, io: Io): Promise<ExitStatus> {
  const reportPath = stringOption(parsed, 'report');
  if (reportPath === undefined) throw new InputError('report validate: --report FILE is required');
  const report = parseReportFile(reportPath, readInput(reportPath, 'report'), productOption(stringOption(parsed, 'product')));

  const policy: Record<string, unknown> = {};
  const given: { option: PolicyOption; text: string }[] = [];
  for (const option of POLICY_OPTIONS) {
    const raw = parsed.values[option.flag];
    if (raw === undefined || raw === false) continue;
    const text = typeof raw === 'string' ? raw : '';
    given.push({ option, text });
    switch (option.kind) {
      case 'hex':
      case 'version':
        policy[option.key] = text;
        break;
      case 'u64':
        policy[option.key] = integer(option.flag, text, (1n << 64n) - 1n);
        break;
      case 'u32':
        policy[option.key] = Number(integer(option.flag, text, 0xffffffffn));
        break;
      case 'flag':
        policy[option.key] = true;
        break;
    }
  }
  policy.permitProvisionalFirmware = parsed.values.provisional === true;
  policy.trustedAuthorKeyDigests = (parsed.values['trusted-author-key-hash'] as string[] | undefined) ?? [];
  policy.trustedIdKeyDigests = (parsed.values['trusted-id-key-hash'] as string[] | undefined) ?? [];
  policy.trustedAuthorKeys = await readKeys('trusted-author-key', (parsed.values['trusted-author-key'] as string[] | undefined) ?? []);
  policy.trustedIdKeys = await readKeys('trusted-id-key', (parsed.values['trusted-id-key'] as string[] | undefined) ?? []);

  let failures: readonly SnpFailure[];
  try {
    ({ failures } = await validateReport(report, policy as SnpValidationPolicy));
  } catch (error) {
    if (error instanceof SnpError && error.code === 'policyOptions') {
      throw new InputError(`report validate: invalid policy options:\n${error.failures.map((f) => `  ${flagOf(f.field)}: ${f.message}`).join('\n')}`);
    }
    throw error;
  }

  const checks: Check[] = [];
  const used = new Set<SnpFailure>();
  const checkOf = (name: string, mine: SnpFailure[]): Check => {
    mine.forEach((f) => used.add(f));
    return mine.length === 0 ? { name, ok: true } : { name, ok: false, id: mine.map((f) => f.check).join(','), detail: mine.map(failureText).join('; ') };
  };
  // --require-author-key includes --require-id-block (the library then checks the author key only): one check for both.
  const both = given.some((g) => g.option.flag === 'require-author-key') && given.some((g) => g.option.flag === 'require-id-block');
  for (const { option, text } of given) {
    if (both && option.flag === 'require-id-block') continue;
    const name = both && option.flag === 'require-author-key' ? `${option.name(text)} (--require-author-key includes --require-id-block)` : option.name(text);
    const idBlock = POLICY_OPTIONS.find((o) => o.flag === 'require-id-block')!;
    checks.push(checkOf(name, failures.filter((f) => belongs(option, f) || (both && option.flag === 'require-author-key' && belongs(idBlock, f)))));
  }
  const provisional = parsed.values.provisional === true;
  checks.push(checkOf(provisional ? 'the committed firmware is at most the current one (--provisional)' : 'the firmware is committed (COMMITTED = CURRENT TCB and version)', failures.filter((f) => f.check === 'tcb.provisional' || f.check === 'firmware.provisional')));
  for (const f of failures) if (!used.has(f)) checks.push({ name: f.check, ok: false, id: f.check, detail: failureText(f) });

  const title = `attestation report ${reportPath} (version ${report.version}) against ${given.length} polic${given.length === 1 ? 'y option' : 'y options'}`;
  if (parsed.values.json === true) {
    io.stdout.write(toJson({ ok: failures.length === 0, title, checks, failures }));
    return failures.length === 0 ? EXIT.ok : EXIT.failed;
  }
  printChecks(io, title, checks);
  return conclude(io, 'report validation', checks);
}

export const reportValidate: Command = { spec, run };
