/**
 * Provenance chains: every path of causes from the request to one enabled node, as
 * `cargo tree -e features -i` shows them, but with the package.json entry of each step.
 */
import { locate, type SourceLocation } from '../manifest/locate.ts';
import { parseNode, type NodeId, type Resolution, type Site } from './resolve.ts';

/** One step of a chain: the node turned on, and the entry that did it. */
export interface ChainStep {
  node: NodeId;
  site: Site;
}

export interface Chains {
  /** The chains found, request first in each; at most `limit`. */
  chains: ChainStep[][];
  /** How many chains exist (counted up to `countLimit`). */
  total: number;
}

/** Enumerates the chains that turned `target` on, up to `limit` of them. */
export function chainsTo(resolution: Resolution, target: NodeId, limit = 16, countLimit = 10_000): Chains {
  const chains: ChainStep[][] = [];
  let total = 0;
  const onPath = new Set<NodeId>();
  const walk = (node: NodeId, suffix: ChainStep[]) => {
    if (total >= countLimit) return;
    onPath.add(node);
    for (const cause of resolution.causesOf(node)) {
      const steps = [{ node, site: cause.site }, ...suffix];
      if (cause.from === undefined) {
        total++;
        if (chains.length < limit) chains.push(steps);
      } else if (!onPath.has(cause.from)) {
        walk(cause.from, steps);
      }
    }
    onPath.delete(node);
  };
  walk(target, []);
  return { chains, total };
}

/** Drops steps that add nothing for a reader: a package reached through the edge just shown. */
export function readableSteps(chain: readonly ChainStep[]): ChainStep[] {
  return chain.filter((step, i) => {
    const prev = chain[i - 1];
    return !(parseNode(step.node).kind === 'package' && prev !== undefined && parseNode(prev.node).kind === 'edge' && prev.site.pointer.join('/') === step.site.pointer.join('/'));
  });
}

/** The package whose package.json holds a step's entry, and the entry's location. */
export function stepLocation(step: ChainStep): SourceLocation {
  return locate(step.site.file, step.site.pointer, 'value');
}

/** The package a node belongs to. */
export function nodePackage(node: NodeId): string {
  return parseNode(node).pkg;
}
