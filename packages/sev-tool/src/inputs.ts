/**
 * Gathering certificate inputs for `certs verify` and `report verify`: a directory (snpguest's and
 * sevctl's file names), a bundle file, or one file per role. SEV-SNP certificates go to an
 * `SnpSet` (`snp.ts`), legacy SEV ones to a `LegacySet` (`legacy.ts`); whether an `ark` or `ask`
 * file is X.509 or AMD format is told by its contents.
 */
import { join } from 'node:path';
import { isDirectory, listDirectory, readInput } from './io.ts';
import { LEGACY_ROLES, addLegacy, looksLegacy, readLegacyFile, type LegacyRole, type LegacySet } from './legacy.ts';
import { SNP_ROLES, addSnpFile, isSnpFileName, newSnpSet, type SnpRole, type SnpSet } from './snp.ts';

export interface Inputs {
  legacy: LegacySet;
  snp: SnpSet;
  /** Names of directory entries that are not certificate files. */
  ignored: string[];
}

export const newInputs = (): Inputs => ({ legacy: {}, snp: newSnpSet(), ignored: [] });

const LEGACY_NAME = /^(ark|ask|cek|oca|pek|pdh)(\.cert|\.bin)?$/;
const AMD_BUNDLE_NAME = /^ask_ark(_[a-z]+)?\.cert$/;

/** The role a snpguest file name gives (`vcek.pem` → vcek); bundles (`cert_chain`) have none. */
function snpRoleOfName(name: string): SnpRole | undefined {
  return /^(ark|ask|asvk|vcek|vlek)\./.exec(name)?.[1] as SnpRole | undefined;
}

/** Reads a file given for one role (an option such as `--pek`, or a file named after a role). */
export async function addRoleFile(inputs: Inputs, role: LegacyRole | SnpRole, path: string): Promise<void> {
  const bytes = readInput(path, `${role.toUpperCase()} certificate`);
  const legacyRole = (LEGACY_ROLES as readonly string[]).includes(role) ? (role as LegacyRole) : undefined;
  const snpRole = (SNP_ROLES as readonly string[]).includes(role) ? (role as SnpRole) : undefined;
  if (legacyRole !== undefined && (snpRole === undefined || looksLegacy(bytes))) addLegacy(inputs.legacy, readLegacyFile(path, bytes, legacyRole));
  else if (snpRole !== undefined) await addSnpFile(inputs.snp, path, bytes, snpRole);
}

/** Reads a bundle file: a legacy chain (told by its shape) or X.509 certificates. */
export async function addBundle(inputs: Inputs, path: string): Promise<void> {
  const bytes = readInput(path, 'certificate bundle');
  if (looksLegacy(bytes)) addLegacy(inputs.legacy, readLegacyFile(path, bytes));
  else await addSnpFile(inputs.snp, path, bytes);
}

/** Reads the certificate files of `dir` (not its subdirectories); other names go to `ignored`. */
export async function addDirectory(inputs: Inputs, dir: string): Promise<void> {
  for (const name of listDirectory(dir)) {
    const path = join(dir, name);
    if (isDirectory(path)) continue;
    const lower = name.toLowerCase();
    const legacy = LEGACY_NAME.exec(lower);
    if (legacy !== null) await addRoleFile(inputs, legacy[1] as LegacyRole, path);
    else if (AMD_BUNDLE_NAME.test(lower)) await addBundle(inputs, path);
    else if (isSnpFileName(lower)) await addSnpFile(inputs.snp, path, readInput(path, 'certificate'), snpRoleOfName(lower));
    else inputs.ignored.push(name);
  }
}

/** A directory or a bundle file. */
export async function addDirectoryOrBundle(inputs: Inputs, path: string): Promise<void> {
  if (isDirectory(path)) await addDirectory(inputs, path);
  else await addBundle(inputs, path);
}
