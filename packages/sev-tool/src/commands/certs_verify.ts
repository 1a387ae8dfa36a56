/**
 * `sev-tool certs verify`: verifies AMD certificate chains, like snpguest's `verify certs` and
 * sevctl's `verify`: the SEV-SNP X.509 chain (ARK → ASK → VCEK, or ARK → ASVK → VLEK) and the
 * legacy SEV chain (ARK → ASK → CEK → PEK ← OCA, PEK → PDH). Every check is listed; exit 1 if any
 * fails, 2 if an input cannot be read or decoded.
 *
 * Inputs: a directory (snpguest's `ark.pem ask.pem vcek.pem`, or `.der`; sevctl's `ark.cert
 * ask.cert cek.cert oca.cert pek.cert pdh.cert`), one bundle file (a PEM bundle such as KDS's
 * `cert_chain`, AMD's `ask_ark_<generation>.cert`, or a legacy chain), or one file per role.
 */
import { basename } from 'node:path';
import { stringOption, type CommandSpec, type Parsed } from '../args.ts';
import type { Command } from '../cli.ts';
import { addDirectoryOrBundle, addRoleFile, newInputs } from '../inputs.ts';
import { EXIT, InputError, conclude, printChecks, readInput, toJson, type Check, type ExitStatus, type Io } from '../io.ts';
import { verifyLegacy } from '../legacy.ts';
import { addCrl, nowOption, snpSetIsEmpty, verifySnpSet } from '../snp.ts';
import { SEV_GENERATIONS, type SevGeneration } from '@tsvmm/sev/sev';

const spec: CommandSpec = {
  name: 'certs verify',
  summary: 'verify AMD certificate chains (SEV-SNP X.509 and legacy SEV)',
  operands: { name: 'DIR|FILE', min: 0, max: 1, description: 'a directory of certificates, or one bundle file' },
  options: {
    ark: { type: 'string', value: 'FILE', description: 'the ARK: X.509 (PEM or DER) for SEV-SNP, AMD format for legacy SEV' },
    ask: { type: 'string', value: 'FILE', description: 'the ASK (or, for a VLEK, the ASVK); X.509 or AMD format' },
    vcek: { type: 'string', value: 'FILE', description: 'the VCEK (X.509, PEM or DER)' },
    vlek: { type: 'string', value: 'FILE', description: 'the VLEK (X.509, PEM or DER)' },
    pdh: { type: 'string', value: 'FILE', description: 'the legacy SEV PDH' },
    pek: { type: 'string', value: 'FILE', description: 'the legacy SEV PEK' },
    oca: { type: 'string', value: 'FILE', description: 'the legacy SEV OCA' },
    cek: { type: 'string', value: 'FILE', description: 'the legacy SEV CEK' },
    generation: {
      type: 'string',
      value: 'NAME',
      description: `legacy SEV: use AMD's builtin ASK and ARK of ${SEV_GENERATIONS.join(', ')} (default: the generation whose ASK signed the CEK)`,
    },
    crl: { type: 'string', value: 'FILE', multiple: true, description: "SEV-SNP: a CRL of the chain's ARK (DER or PEM, as KDS serves it)" },
    now: { type: 'string', value: 'DATE', description: 'SEV-SNP: check validity periods at this ISO 8601 time (default: now)' },
    'any-ark': { type: 'boolean', description: "accept an ARK that is not one of AMD's (test chains)" },
    json: { type: 'boolean', description: 'print the checks as JSON' },
  },
  notes: [
    'A directory may hold snpguest\'s files (ark.pem, ask.pem, vcek.pem; .der, .crt and .cer too; vlek.*, asvk.*; cert_chain.pem) and sevctl\'s (ark.cert, ask.cert, cek.cert, oca.cert, pek.cert, pdh.cert, ask_ark_<generation>.cert). Other files are ignored and named. Whether ark/ask files are X.509 or AMD format is told by their contents.',
    "A bundle FILE is a PEM file of X.509 certificates (ASK then ARK, as KDS's cert_chain; a VCEK or VLEK may be included), AMD's ask_ark_<generation>.cert, or a legacy chain in the order PDH, PEK, OCA, CEK[, ASK, ARK].",
    "Checks: AMD's certificate profile (SEV-SNP), every signature between the certificates given, validity periods and CRLs (SEV-SNP), that each chain is complete, and that the ARK is AMD's: a legacy ARK must be one of the builtin AMD-format ARKs of Naples to Turin; an SEV-SNP ARK must hold the key of AMD's ARK of its product line (the same key as that generation's builtin AMD-format ARK). A legacy chain without ASK and ARK is checked against the builtin ones. When every SEV-SNP check passes, @tsvmm/sev's own chain verification runs last.",
  ],
};

async function run(parsed: Parsed, io: Io): Promise<ExitStatus> {
  const inputs = newInputs();
  const generationName = stringOption(parsed, 'generation');
  if (generationName !== undefined && !(SEV_GENERATIONS as readonly string[]).includes(generationName.toLowerCase())) {
    throw new InputError(`--generation must be one of ${SEV_GENERATIONS.join(', ')}, not ${JSON.stringify(generationName)}`);
  }
  const operand = parsed.operands[0];
  if (operand !== undefined) {
    await addDirectoryOrBundle(inputs, operand);
  }
  for (const role of ['ark', 'ask', 'vcek', 'vlek', 'pdh', 'pek', 'oca', 'cek'] as const) {
    const path = stringOption(parsed, role);
    if (path !== undefined) await addRoleFile(inputs, role, path);
  }
  for (const path of (parsed.values.crl as string[] | undefined) ?? []) addCrl(inputs.snp, path, readInput(path, 'CRL'));
  const now = nowOption(stringOption(parsed, 'now'));

  const hasLegacy = Object.keys(inputs.legacy).length > 0 || generationName !== undefined;
  const hasSnp = !snpSetIsEmpty(inputs.snp);
  if (!hasLegacy && !hasSnp) {
    const where = operand === undefined ? 'no certificates given' : `no certificates found in ${operand}`;
    throw new InputError(`${where}${inputs.ignored.length > 0 ? ` (ignored: ${inputs.ignored.join(', ')})` : ''}; give a directory, a bundle, or --ark/--ask/--vcek (SEV-SNP) or --pdh/--pek/--oca/--cek (legacy SEV)`);
  }

  const sections: { title: string; checks: Check[] }[] = [];
  if (hasSnp) {
    const { checks, description } = await verifySnpSet(inputs.snp, { anyArk: parsed.values['any-ark'] === true, now });
    sections.push({ title: description, checks });
  }
  if (hasLegacy) {
    const { checks, description } = await verifyLegacy(inputs.legacy, {
      generation: generationName?.toLowerCase() as SevGeneration | undefined,
      anyArk: parsed.values['any-ark'] === true,
    });
    sections.push({ title: description, checks });
  }

  const all = sections.flatMap((s) => s.checks);
  if (parsed.values.json === true) {
    io.stdout.write(toJson({ ok: all.every((c) => c.ok), ignored: inputs.ignored, chains: sections }));
    return all.every((c) => c.ok) ? EXIT.ok : EXIT.failed;
  }
  for (const section of sections) printChecks(io, section.title, section.checks);
  if (inputs.ignored.length > 0) io.stdout.write(`ignored: ${inputs.ignored.map((n) => basename(n)).join(', ')}\n`);
  return conclude(io, 'certificate verification', all);
}

export const certsVerify: Command = { spec, run };
