/**
 * `sev-tool report verify --report FILE --certs DIR|FILE [--crl FILE]`: verifies an SEV-SNP
 * attestation report, like snpguest's `verify attestation` and go-sev-guest's `check`: the chain
 * ARK → ASK → VCEK (or ARK → ASVK → VLEK) as `certs verify` checks it, then the report against
 * the VCEK: KEY_INFO, SIGNATURE_ALGO, product, REPORTED_TCB, CHIP_ID, and the signature. Every
 * check is listed; exit 1 if any fails. Nothing is fetched: without a VCEK the KDS URLs to fetch
 * it from are printed (exit 2).
 */
import { stringOption, type CommandSpec, type Parsed } from '../args.ts';
import type { Command } from '../cli.ts';
import { addDirectoryOrBundle, addRoleFile, newInputs } from '../inputs.ts';
import { EXIT, InputError, conclude, printChecks, readInput, toJson, type ExitStatus, type Io } from '../io.ts';
import { addCrl, kdsHints, nowOption, parseReportFile, productOption, verifyReportChecks, verifySnpSet } from '../snp.ts';

const spec: CommandSpec = {
  name: 'report verify',
  summary: 'verify an SEV-SNP attestation report against its VCEK (or VLEK) and AMD chain',
  options: {
    report: { type: 'string', value: 'FILE', description: 'the report: 1184 bytes, zero-padded up to 3968 bytes, or hex text (required)' },
    certs: { type: 'string', value: 'DIR|FILE', description: "a directory (ark.pem, ask.pem, vcek.pem, ... as snpguest writes them) or a PEM bundle (KDS's cert_chain, with or without the VCEK)" },
    vcek: { type: 'string', value: 'FILE', description: 'the VCEK (X.509, PEM or DER)' },
    vlek: { type: 'string', value: 'FILE', description: 'the VLEK (X.509, PEM or DER)' },
    ark: { type: 'string', value: 'FILE', description: 'the ARK (X.509)' },
    ask: { type: 'string', value: 'FILE', description: 'the ASK, or the ASVK for a VLEK (X.509)' },
    crl: { type: 'string', value: 'FILE', multiple: true, description: "a CRL of the chain's ARK (DER or PEM)" },
    product: { type: 'string', value: 'LINE', description: 'Milan, Genoa or Turin, for a version-2 report that cannot say' },
    now: { type: 'string', value: 'DATE', description: 'check validity periods at this ISO 8601 time (default: now)' },
    'any-ark': { type: 'boolean', description: "accept an ARK whose key is not AMD's (test chains)" },
    json: { type: 'boolean', description: 'print the checks as JSON' },
  },
  notes: [
    'The report must be signed by the VCEK (or VLEK) given, which must be signed by the ASK (ASVK), signed by the ARK; the ARK must hold the key of AMD\'s ARK of the product line. When every check passes, @tsvmm/sev\'s own verification (verifyEndorsementKey, verifyReport) runs last. Policy (measurement, TCB minimums, ...) is `report validate`\'s.',
  ],
};

async function run(parsed: Parsed, io: Io): Promise<ExitStatus> {
  const reportPath = stringOption(parsed, 'report');
  if (reportPath === undefined) throw new InputError('report verify: --report FILE is required');
  const product = productOption(stringOption(parsed, 'product'));
  const report = parseReportFile(reportPath, readInput(reportPath, 'report'), product);
  const now = nowOption(stringOption(parsed, 'now'));

  const inputs = newInputs();
  const certs = stringOption(parsed, 'certs');
  if (certs !== undefined) await addDirectoryOrBundle(inputs, certs);
  for (const role of ['ark', 'ask', 'vcek', 'vlek'] as const) {
    const path = stringOption(parsed, role);
    if (path !== undefined) await addRoleFile(inputs, role, path);
  }
  for (const path of (parsed.values.crl as string[] | undefined) ?? []) addCrl(inputs.snp, path, readInput(path, 'CRL'));

  const c = inputs.snp.certificates;
  const key = report.keyInfo.signingKey === 'vlek' ? (c.vlek ?? c.vcek) : (c.vcek ?? c.vlek);
  if (key === undefined) {
    const hints = kdsHints(report, product ?? c.ark?.line ?? c.ask?.line);
    throw new InputError(`report verify: no ${report.keyInfo.signingKey === 'vlek' ? 'VLEK' : 'VCEK'} certificate was given (--certs, --vcek or --vlek); nothing is fetched. From AMD's KDS:\n  ${hints.join('\n  ')}`);
  }

  const chain = await verifySnpSet(inputs.snp, { anyArk: parsed.values['any-ark'] === true, now });
  const reportChecks = await verifyReportChecks(report, key, chain.extensions, chain.endorsementKey);
  const reportTitle = `attestation report ${reportPath} (version ${report.version}, ${report.product.line ?? chain.line ?? 'Milan or Genoa'})`;
  const all = [...chain.checks, ...reportChecks];

  if (parsed.values.json === true) {
    io.stdout.write(toJson({ ok: all.every((x) => x.ok), chain: { title: chain.description, checks: chain.checks }, report: { title: reportTitle, checks: reportChecks } }));
    return all.every((x) => x.ok) ? EXIT.ok : EXIT.failed;
  }
  printChecks(io, chain.description, chain.checks);
  printChecks(io, reportTitle, reportChecks);
  return conclude(io, 'attestation verification', all);
}

export const reportVerify: Command = { spec, run };
