// Logs are JSON lines (pino) on stderr, each with the id of the request it belongs to. Nothing secret and nothing
// unbounded reaches them: a failed statement's parameters (a password hash, an encrypted credential) and PostgreSQL's
// `detail` (which can quote a whole row) are never written, known secret fields are redacted, and long text is cut.
import { AsyncLocalStorage } from 'node:async_hooks';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pino from 'pino';

/** The request being served (set by server.ts around each HTTP request). */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

const MAX_TEXT = 2_000;

/** Text cut to a bounded size, saying how long it was. */
export function bounded(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    mixin: () => {
      const request = requestContext.getStore();
      return request ? { requestId: request.requestId } : {};
    },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'variables',
        '*.variables',
        'key',
        '*.key',
      ],
      censor: '[redacted]',
    },
  },
  // Through process.stderr (not a raw file descriptor), so an operator's redirection and the tests see the same.
  process.stderr,
);

/** The error's kind, message and SQLSTATE, never the statement's parameters or the row. */
export function describeError(e: unknown): string {
  if (e instanceof DrizzleQueryError) {
    const cause = e.cause as { message?: string; code?: string } | undefined;
    return `Failed query: ${e.query}\n  ${cause?.code ? `[${cause.code}] ` : ''}${cause?.message ?? 'no cause'}`;
  }
  // A GraphQLError wrapping a failed statement repeats its message, parameters included.
  if (e instanceof Error && 'originalError' in e && e.originalError instanceof Error)
    return describeError(e.originalError);
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const inner = e.cause !== undefined ? `\n  caused by: ${describeError(e.cause)}` : '';
    return `${e.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${e.message}${inner}`;
  }
  return String(e);
}

export function logError(context: string, e: unknown): void {
  // Only the frames: a multi-line message (a failed statement's, with its parameters) heads the stack too.
  const frames =
    e instanceof Error && e.stack
      ? e.stack
          .split('\n')
          .filter((l) => /^\s+at /.test(l))
          .slice(0, 20)
          .join('\n')
      : undefined;
  logger.error({ error: bounded(describeError(e)), stack: frames }, bounded(context, 200));
}

export function logWarning(message: string): void {
  logger.warn(bounded(message));
}
