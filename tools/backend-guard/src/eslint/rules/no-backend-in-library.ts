/**
 * `no-backend-in-library`: a library must not choose a crypto backend; apps do (openvmm: the
 * binary, never a library crate, picks the backend).
 *
 * The library (a workspace package without `guard.app`) is resolved alone, as its own build would
 * be: its default features, no dev-dependencies. If a feature of an `exactlyOne` group (a backend)
 * is then on, the rule follows the provenance chains of that feature and reports the entry of THIS
 * package.json that turned it on: a backend in `guard.dependencies[...].features`, or a default
 * feature forwarding one. An opt-in feature that forwards a backend (`"openssl":
 * ["@tsvmm/crypto/openssl"]`, not in `default`) is allowed: an app turns it on.
 *
 * When a chain leaves this package.json through another library that turns the backend on by
 * itself, that library is reported instead (when its package.json is linted), not every dependent.
 */
import type { JsonPointer } from '../../manifest/locate.ts';
import type { Manifest } from '../../manifest/manifest.ts';
import type { Workspace } from '../../manifest/workspace.ts';
import { chainsTo, readableSteps } from '../../resolver/chains.ts';
import { featureNode, resolve, type Resolution } from '../../resolver/resolve.ts';
import { createJsonRule } from '../create-rule.ts';
import { nodeAtPointer } from '../json-pointer.ts';
import { cached, packageOfManifest, workspaceOf } from '../workspace-context.ts';

export type MessageIds = 'backendInLibrary';

/** One entry of the library's package.json that turns a backend on. */
export interface Finding {
  pointer: JsonPointer;
  owner: string;
  group: string;
  feature: string;
  /** The chain's steps in this package.json, as the resolver words them. */
  via: string;
}

interface Standalone {
  resolution: Resolution;
  /** `owner\0feature` of every backend on. */
  backends: Set<string>;
}

/** `pkg` resolved alone with its default features and no dev-dependencies (a library's own build). */
function standalone(workspace: Workspace, pkg: string): Standalone {
  return cached(workspace, `standalone:${pkg}`, () => {
    const resolution = resolve(workspace, { roots: [pkg] }).get(pkg)!;
    const backends = new Set<string>();
    for (const state of resolution.groups()) {
      if (state.group.rule === 'exactlyOne') for (const feature of state.enabled) backends.add(`${state.group.owner}\0${feature}`);
    }
    return { resolution, backends };
  });
}

/** The entries of library `manifest` that turn a backend on by default; empty for a sound library. */
export function libraryFindings(workspace: Workspace, manifest: Manifest): Finding[] {
  return cached(workspace, `library-findings:${manifest.name}`, () => {
    const { resolution } = standalone(workspace, manifest.name);
    const findings = new Map<string, Finding>();
    for (const { group, enabled } of resolution.groups()) {
      if (group.rule !== 'exactlyOne') continue;
      for (const feature of enabled) {
        for (const chain of chainsTo(resolution, featureNode(group.owner, feature)).chains) {
          const steps = readableSteps(chain);
          const last = steps.findLastIndex((step) => step.site.file === manifest.file);
          if (last < 0) continue;
          const next = steps[last + 1];
          const through = next === undefined ? undefined : packageOfManifest(workspace, next.site.file);
          // Another library that turns this backend on by itself is the one to fix (and report).
          if (through !== undefined && through.name !== manifest.name && through.app === undefined && standalone(workspace, through.name).backends.has(`${group.owner}\0${feature}`)) continue;
          const at = steps[last]!;
          const key = `${feature}\0${JSON.stringify(at.site.pointer)}`;
          if (findings.has(key)) continue;
          const via = steps.slice(1, last + 1).map((step) => step.site.text).join(' → ');
          findings.set(key, { pointer: at.site.pointer, owner: group.owner, group: group.name, feature, via });
        }
      }
    }
    return [...findings.values()];
  });
}

export default createJsonRule<MessageIds>({
  name: 'no-backend-in-library',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow a library whose package.json turns a crypto backend on by default',
      recommended: true,
      requiresWorkspace: true,
    },
    messages: {
      backendInLibrary:
        '{{ library }} turns on backend "{{ feature }}" of {{ owner }} by default ({{ via }}). Backends are chosen by apps (group "{{ group }}" allows exactly one per app): make this a feature that is not in "default", for apps to opt into, or remove it.',
    },
    schema: [],
  },
  create(context) {
    const file = context.physicalFilename;
    return {
      Document(document) {
        const workspace = workspaceOf(file, 'no-backend-in-library');
        if (workspace === undefined) return;
        const manifest = packageOfManifest(workspace, file);
        if (manifest === undefined || manifest.app !== undefined) return;
        for (const finding of libraryFindings(workspace, manifest)) {
          context.report({
            node: nodeAtPointer(document, finding.pointer),
            messageId: 'backendInLibrary',
            data: { library: manifest.name, feature: finding.feature, owner: finding.owner, group: finding.group, via: finding.via },
          });
        }
      },
    };
  },
});
