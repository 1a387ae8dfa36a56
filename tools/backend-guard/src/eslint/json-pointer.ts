/**
 * The node a JSON pointer names in the package.json that ESLint is linting (`@eslint/json` parses
 * it with momoa). It walks the pointer as `manifest/locate.ts` does for backend-guard's own errors,
 * so a lint report starts where the build's error does, and it also gives the node's end.
 */
import type { AnyNode, DocumentNode, ElementNode, MemberNode } from '@humanwhocodes/momoa';
import type { JsonPointer, PointAt } from '../manifest/locate.ts';

/** The node at `pointer` (its key with `at: 'key'`), or the deepest existing ancestor. */
export function nodeAtPointer(document: DocumentNode, pointer: JsonPointer, at: PointAt = 'value'): AnyNode {
  let node: AnyNode = document.body;
  let key: AnyNode | undefined;
  for (const step of pointer) {
    if (node.type === 'Object' && typeof step === 'string') {
      const member: MemberNode | undefined = node.members.find((m) => (m.name.type === 'String' ? m.name.value : m.name.name) === step);
      if (member === undefined) break;
      key = member.name;
      node = member.value;
    } else if (node.type === 'Array' && typeof step === 'number') {
      const element: ElementNode | undefined = node.elements[step];
      if (element === undefined) break;
      key = undefined;
      node = element.value;
    } else {
      break;
    }
  }
  return at === 'key' && key !== undefined ? key : node;
}
