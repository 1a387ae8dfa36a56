/**
 * Source locations inside package.json files.
 *
 * Manifests are read with `JSON.parse` (fast) and every value keeps its JSON pointer. Only when a
 * location is needed (an error, a provenance chain) is the file parsed again with momoa, the parser
 * `@eslint/json` uses, so the resolver, the build and the lint rules report the same line and column.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse, type AnyNode, type DocumentNode, type ElementNode, type MemberNode } from '@humanwhocodes/momoa';

/** A path into a JSON document: object keys and array indices. */
export type JsonPointer = readonly (string | number)[];

/** A position in a file; `line` and `column` are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** The text of that line, for code frames. */
  lineText: string;
}

/** Where a pointer should land: on the member's key (for "this entry") or on its value. */
export type PointAt = 'key' | 'value';

const documents = new Map<string, { text: string; mtimeMs: number; doc: DocumentNode | undefined; lines: string[] }>();

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** The parsed document, re-read when the file changed on disk (editors, watch mode) or `text` differs. */
function load(file: string, text?: string) {
  let entry = documents.get(file);
  const mtimeMs = text === undefined ? mtimeOf(file) : -1;
  if (entry === undefined || (text !== undefined ? entry.text !== text : entry.mtimeMs !== mtimeMs)) {
    const source = text ?? readFileSync(file, 'utf8');
    let doc: DocumentNode | undefined;
    try {
      doc = parse(source, { mode: 'json' });
    } catch {
      doc = undefined;
    }
    entry = { text: source, mtimeMs, doc, lines: source.split(/\r?\n/) };
    documents.set(file, entry);
  }
  return entry;
}

/** Forgets cached documents, so an editor session sees edits. */
export function clearLocationCache(): void {
  documents.clear();
}

/**
 * Finds the location of `pointer` in `file`. Falls back to the deepest existing ancestor, and to
 * line 1 when the file is not valid JSON.
 */
export function locate(file: string, pointer: JsonPointer, at: PointAt = 'value', text?: string): SourceLocation {
  const { doc, lines } = load(file, text);
  let node: AnyNode | undefined = doc?.body;
  let keyNode: AnyNode | undefined;
  for (const step of pointer) {
    if (node === undefined) break;
    if (node.type === 'Object' && typeof step === 'string') {
      const member: MemberNode | undefined = node.members.find((m) => (m.name.type === 'String' ? m.name.value : m.name.name) === step);
      if (member === undefined) break;
      keyNode = member.name;
      node = member.value;
    } else if (node.type === 'Array' && typeof step === 'number') {
      const element: ElementNode | undefined = node.elements[step];
      if (element === undefined) break;
      keyNode = undefined;
      node = element.value;
    } else {
      break;
    }
  }
  const target = at === 'key' && keyNode !== undefined ? keyNode : node;
  const start = target?.loc.start ?? { line: 1, column: 1 };
  return { file, line: start.line, column: start.column, lineText: lines[start.line - 1] ?? '' };
}

/** Locates a JSON syntax error, as momoa reports it. */
export function locateSyntaxError(file: string, text: string): { location: SourceLocation; message: string } | undefined {
  try {
    parse(text, { mode: 'json' });
    return undefined;
  } catch (error) {
    const e = error as Error & { line?: number; column?: number };
    const line = e.line ?? 1;
    const lines = text.split(/\r?\n/);
    return {
      location: { file, line, column: e.column ?? 1, lineText: lines[line - 1] ?? '' },
      message: e.message.replace(/\s*\(\d+:\d+\)$/, ''),
    };
  }
}

/** `file:line:column`, with the file relative to `root` when given. */
export function formatLocation(location: SourceLocation, root?: string): string {
  const file = root !== undefined && location.file.startsWith(root + '/') ? location.file.slice(root.length + 1) : location.file;
  return `${file}:${location.line}:${location.column}`;
}
