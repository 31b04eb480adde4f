// Text inputs may not carry NUL, other control characters (tab, line feed and carriage return excepted: CSV text has
// them), or invisible and bidirectional-override characters (U+200B, U+202E, …): PostgreSQL refuses NUL (a server
// error before this), and the others hide or reorder what UIs and audit trails show. Checked once for every request,
// in its variables and in the document's literals, before anything runs; the refusal names the field.
import { type ASTNode, type DocumentNode, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { msg } from '../messages/index.js';
import { forbiddenCharacter } from '../services/validation.js';
import { localizedError } from './errors.js';

/** File contents sent as text: an import checks them row by row, with the same rule, and names the row and column. */
const FILE_CONTENT = new Set(['csv']);

type Found = { path: string[]; character: string; variable?: string };

function inValue(value: unknown, path: string[]): Found | null {
  if (typeof value === 'string') {
    const character = forbiddenCharacter(value);
    return character ? { path, character } : null;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = inValue(v, [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      if (FILE_CONTENT.has(k)) continue;
      const found = inValue(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * What inDocument found in each document: its literals never change, and yoga hands the same parsed document to every
 * request with the same text (its parse cache), so the walk (~2 % of a users page's CPU) runs once per document.
 */
const documents = new WeakMap<DocumentNode, Found | null>();

function inDocumentOnce(document: DocumentNode): Found | null {
  let found = documents.get(document);
  if (found === undefined) documents.set(document, (found = inDocument(document)));
  return found;
}

function inDocument(document: DocumentNode): Found | null {
  let found: Found | null = null;
  const names: string[] = [];
  const named = (node: ASTNode) => node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD;
  visit(document, {
    enter(node) {
      if (found) return false;
      if (named(node)) names.push((node as { name: { value: string } }).name.value);
      if (node.kind === Kind.STRING && !FILE_CONTENT.has(names.at(-1) ?? '')) {
        const character = forbiddenCharacter(node.value);
        if (character) found = { path: [...names], character };
      }
      return undefined;
    },
    leave(node) {
      if (named(node)) names.pop();
    },
  });
  return found;
}

function refusal(args: { document: DocumentNode; variableValues?: unknown }) {
  const variables = inValue(args.variableValues ?? {}, []);
  const found = variables ? { ...variables, variable: variables.path[0] } : inDocumentOnce(args.document);
  if (!found) return null;
  // The field as userErrors name it: inside the input (a variable's name, or the `input` argument, comes first).
  const field = found.path.length > 1 ? found.path.slice(1) : found.path;
  return localizedError(
    msg('requests.forbiddenCharacter', { name: found.path.at(-1) ?? null, character: found.character }),
    {
      code: 'BAD_USER_INPUT',
      reason: 'INVALID',
      field,
      ...(found.variable ? { variable: found.variable } : {}),
    },
  );
}

export function inputGuard(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
