// Unexpected errors go to the log without the values they carried: a failed Drizzle statement's message lists its
// parameters (a password hash, an encrypted credential) and PostgreSQL's `detail` can quote the whole failing row.
import { DrizzleQueryError } from 'drizzle-orm/errors';

/** The error's kind, message and SQLSTATE, never the statement's parameters or the row. */
export function describeError(e: unknown): string {
  if (e instanceof DrizzleQueryError) {
    const cause = e.cause as { message?: string; code?: string } | undefined;
    return `Failed query: ${e.query}\n  ${cause?.code ? `[${cause.code}] ` : ''}${cause?.message ?? 'no cause'}`;
  }
  // A GraphQLError wrapping a failed statement repeats its message, parameters included.
  if (e instanceof Error && 'originalError' in e && e.originalError instanceof Error) return describeError(e.originalError);
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const inner = e.cause !== undefined ? `\n  caused by: ${describeError(e.cause)}` : '';
    return `${e.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${e.message}${inner}`;
  }
  return String(e);
}

export function logError(context: string, e: unknown): void {
  // Only the frames: a multi-line message (a failed statement's, with its parameters) heads the stack too.
  const stack = e instanceof Error && e.stack ? `\n${e.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}` : '';
  console.error(`${context}: ${describeError(e)}${stack}`);
}
