/**
 * `sev-tool report show FILE [--json]`: an SEV-SNP attestation report, field by field (snpguest's
 * `display report`), as text or JSON. The report is parsed by `@tsvmm/sev` (`AttestationReport`):
 * a malformed one is an input error (exit 2) naming the field and its offset. Nothing is
 * verified: use `report verify`.
 */
import { describeTcb, type AttestationReport, type TcbVersion } from '@tsvmm/sev/snp';
import { stringOption, type CommandSpec, type Parsed } from '../args.ts';
import type { Command } from '../cli.ts';
import { EXIT, hex, readInput, toJson, type ExitStatus, type Io } from '../io.ts';
import { kdsHints, parseReportFile, productOption } from '../snp.ts';

const spec: CommandSpec = {
  name: 'report show',
  summary: 'show an SEV-SNP attestation report, field by field',
  operands: { name: 'FILE', min: 1, max: 1, description: 'the report: 1184 bytes, zero-padded up to 3968 bytes, or hex text' },
  options: {
    json: { type: 'boolean', description: 'print the fields as JSON (byte fields as hex, 64-bit values as 0x-hex strings)' },
    product: { type: 'string', value: 'LINE', description: 'Milan, Genoa or Turin, for a version-2 report that cannot say (masked CHIP_ID)' },
  },
  notes: ['The product line comes from CPUID_FAM_ID/CPUID_MOD_ID (version 3 and later) or from CHIP_ID (version 2: Turin or not); it decides the TCB layout.'],
};

const u64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

function tcbJson(tcb: TcbVersion) {
  return { raw: u64(tcb.raw), ...(tcb.fmc === undefined ? {} : { fmc: tcb.fmc }), bootloader: tcb.bootloader, tee: tcb.tee, snp: tcb.snp, microcode: tcb.microcode };
}

const flags = (entries: [string, boolean][]) => entries.filter(([, on]) => on).map(([name]) => name);

/** The report as a plain JSON-ready object. */
export function reportJson(r: AttestationReport) {
  const p = r.policy;
  const pi = r.platformInfo;
  return {
    version: r.version,
    guestSvn: r.guestSvn,
    policy: {
      raw: u64(p.raw),
      abiMajor: p.abiMajor,
      abiMinor: p.abiMinor,
      smt: p.smt,
      reserved17: p.reserved17,
      migrateMa: p.migrateMa,
      debug: p.debug,
      singleSocket: p.singleSocket,
      cxlAllowed: p.cxlAllowed,
      memAes256Xts: p.memAes256Xts,
      raplDisabled: p.raplDisabled,
      ciphertextHiding: p.ciphertextHiding,
      pageSwapDisabled: p.pageSwapDisabled,
    },
    familyId: hex(r.familyId),
    imageId: hex(r.imageId),
    vmpl: r.vmpl,
    signatureAlgorithm: r.signatureAlgorithm,
    currentTcb: tcbJson(r.currentTcb),
    platformInfo: {
      raw: u64(pi.raw),
      smtEnabled: pi.smtEnabled,
      tsmeEnabled: pi.tsmeEnabled,
      eccEnabled: pi.eccEnabled,
      raplDisabled: pi.raplDisabled,
      ciphertextHidingEnabled: pi.ciphertextHidingEnabled,
      aliasCheckComplete: pi.aliasCheckComplete,
      tioEnabled: pi.tioEnabled,
    },
    keyInfo: { raw: r.keyInfo.raw, authorKeyEnabled: r.keyInfo.authorKeyEnabled, maskChipKey: r.keyInfo.maskChipKey, signingKey: r.keyInfo.signingKey },
    reportData: hex(r.reportData),
    measurement: hex(r.measurement),
    hostData: hex(r.hostData),
    idKeyDigest: hex(r.idKeyDigest),
    authorKeyDigest: hex(r.authorKeyDigest),
    reportId: hex(r.reportId),
    reportIdMa: hex(r.reportIdMa),
    reportedTcb: tcbJson(r.reportedTcb),
    cpuid: r.cpuid ?? null,
    chipId: hex(r.chipId),
    chipIdMasked: r.chipIdMasked,
    committedTcb: tcbJson(r.committedTcb),
    currentVersion: r.currentVersion,
    committedVersion: r.committedVersion,
    launchTcb: tcbJson(r.launchTcb),
    launchMitVector: r.launchMitVector === undefined ? null : u64(r.launchMitVector),
    currentMitVector: r.currentMitVector === undefined ? null : u64(r.currentMitVector),
    signature: { r: hex(r.signature.r), s: hex(r.signature.s) },
    product: { line: r.product.line ?? null, layout: r.product.layout, source: r.product.source },
  };
}

/** The report as `NAME  value` lines (ABI field names). */
export function reportText(r: AttestationReport): string {
  const p = r.policy;
  const pi = r.platformInfo;
  const version = (v: { major: number; minor: number; build: number }) => `${v.major}.${v.minor} build ${v.build}`;
  const rows: [string, string][] = [
    ['VERSION', String(r.version)],
    ['GUEST_SVN', String(r.guestSvn)],
    [
      'POLICY',
      `${u64(p.raw)}: ABI ${p.abiMajor}.${p.abiMinor}; ${flags([
        ['SMT', p.smt],
        ['reserved bit 17', p.reserved17],
        ['MIGRATE_MA', p.migrateMa],
        ['DEBUG', p.debug],
        ['SINGLE_SOCKET', p.singleSocket],
        ['CXL_ALLOW', p.cxlAllowed],
        ['MEM_AES_256_XTS', p.memAes256Xts],
        ['RAPL_DIS', p.raplDisabled],
        ['CIPHERTEXT_HIDING', p.ciphertextHiding],
        ['PAGE_SWAP_DISABLE', p.pageSwapDisabled],
      ]).join(', ') || 'no flags'}`,
    ],
    ['FAMILY_ID', hex(r.familyId)],
    ['IMAGE_ID', hex(r.imageId)],
    ['VMPL', String(r.vmpl)],
    ['SIGNATURE_ALGO', `${r.signatureAlgorithm}${r.signatureAlgorithm === 1 ? ' (ECDSA P-384 with SHA-384)' : ' (unknown)'}`],
    ['CURRENT_TCB', describeTcb(r.currentTcb)],
    [
      'PLATFORM_INFO',
      `${u64(pi.raw)}: ${flags([
        ['SMT enabled', pi.smtEnabled],
        ['TSME enabled', pi.tsmeEnabled],
        ['ECC enabled', pi.eccEnabled],
        ['RAPL disabled', pi.raplDisabled],
        ['ciphertext hiding enabled', pi.ciphertextHidingEnabled],
        ['alias check complete', pi.aliasCheckComplete],
        ['SEV-TIO enabled', pi.tioEnabled],
      ]).join(', ') || 'no flags'}`,
    ],
    ['KEY_INFO', `0x${r.keyInfo.raw.toString(16)}: signed by ${r.keyInfo.signingKey === 'none' ? 'no key' : `the ${r.keyInfo.signingKey.toUpperCase()}`}${r.keyInfo.authorKeyEnabled ? ', AUTHOR_KEY_EN' : ''}${r.keyInfo.maskChipKey ? ', MASK_CHIP_KEY' : ''}`],
    ['REPORT_DATA', hex(r.reportData)],
    ['MEASUREMENT', hex(r.measurement)],
    ['HOST_DATA', hex(r.hostData)],
    ['ID_KEY_DIGEST', hex(r.idKeyDigest)],
    ['AUTHOR_KEY_DIGEST', hex(r.authorKeyDigest)],
    ['REPORT_ID', hex(r.reportId)],
    ['REPORT_ID_MA', hex(r.reportIdMa)],
    ['REPORTED_TCB', describeTcb(r.reportedTcb)],
    ...(r.cpuid === undefined ? [] : ([['CPUID', `family 0x${r.cpuid.family.toString(16)}, model 0x${r.cpuid.model.toString(16)}, stepping ${r.cpuid.stepping}`]] as [string, string][])),
    ['CHIP_ID', `${hex(r.chipId)}${r.chipIdMasked ? ' (masked)' : ''}`],
    ['COMMITTED_TCB', describeTcb(r.committedTcb)],
    ['CURRENT_VERSION', version(r.currentVersion)],
    ['COMMITTED_VERSION', version(r.committedVersion)],
    ['LAUNCH_TCB', describeTcb(r.launchTcb)],
    ...(r.launchMitVector === undefined
      ? []
      : ([
          ['LAUNCH_MIT_VECTOR', u64(r.launchMitVector)],
          ['CURRENT_MIT_VECTOR', u64(r.currentMitVector!)],
        ] as [string, string][])),
    ['SIGNATURE.R', hex(r.signature.r)],
    ['SIGNATURE.S', hex(r.signature.s)],
    ['product', `${r.product.line ?? 'Milan or Genoa'} (TCB layout ${r.product.layout}, from ${r.product.source === 'chipId' ? 'CHIP_ID' : r.product.source === 'cpuid' ? 'CPUID' : '--product'})`],
  ];
  return rows.map(([name, value]) => `${name.padEnd(20)}${value}`).join('\n') + '\n';
}

async function run(parsed: Parsed, io: Io): Promise<ExitStatus> {
  const path = parsed.operands[0]!;
  const report = parseReportFile(path, readInput(path, 'report'), productOption(stringOption(parsed, 'product')));
  if (parsed.values.json === true) {
    io.stdout.write(toJson(reportJson(report)));
    return EXIT.ok;
  }
  io.stdout.write(`SEV-SNP attestation report ${path} (version ${report.version})\n`);
  io.stdout.write(reportText(report));
  for (const hint of kdsHints(report, undefined)) io.stdout.write(`${'KDS'.padEnd(20)}${hint}\n`);
  return EXIT.ok;
}

export const reportShow: Command = { spec, run };
