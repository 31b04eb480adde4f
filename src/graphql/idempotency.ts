// The Idempotency-Key header (IETF httpapi draft) on mutation requests: the first request with a key claims it and
// its answer is kept; a retry with the same key, caller and body gets that answer again (header Idempotent-Replayed:
// true) without the work being done twice; the same key with another body is refused (422); a retry while the first
// is still running waits for its answer, or gets 409 after IDEMPOTENCY_WAIT_MS. Queries and unauthenticated requests
// ignore the header (there is nothing to repeat, or no caller to scope the key to).
import { createHash } from 'node:crypto';
import { GraphQLError, getOperationAST } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { stringify } from 'safe-stable-stringify';
import { logError } from '../log.js';
import { type Message, msg } from '../messages/index.js';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../services/idempotency.js';
import type { GraphQLContext } from './context.js';
import { localizedError } from './errors.js';

/** How long a retry waits for the first request with its key to finish before it gets 409. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
const POLL_MS = 100;

/** An sf-string (quoted) or a bare token: printable ASCII, 1 to 255 characters. */
export function parseIdempotencyKey(header: string): string | null {
  let v = header.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  return /^[\x20-\x7e]{1,255}$/.test(v) && v.trim() ? v : null;
}

/** Variables with uploaded files replaced by their content's hash, so another file is another body. */
async function canonicalVariables(value: unknown): Promise<unknown> {
  if (value instanceof Blob) {
    return {
      file: createHash('sha256')
        .update(Buffer.from(await value.arrayBuffer()))
        .digest('hex'),
    };
  }
  if (Array.isArray(value)) return Promise.all(value.map(canonicalVariables));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await canonicalVariables(v);
    return out;
  }
  return value;
}

function refusal(status: number, code: string, message: Message, headers: Record<string, string> = {}) {
  return { errors: [localizedError(message, { code, http: { status, headers } })] };
}

/** A kept answer back into an execution result: its errors as GraphQLErrors, so they pass error masking as they did. */
function revive(stored: string) {
  const result = JSON.parse(stored) as {
    data?: unknown;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
  return {
    ...result,
    errors: result.errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })),
  } as never;
}

interface Claimed {
  principalId: string;
  key: string;
  claimToken: string;
  db: GraphQLContext['svc']['db'];
}

export function idempotency(encryptionKey: () => Buffer): Plugin {
  const claimed = new WeakMap<Request, Claimed>();
  const replayed = new WeakSet<Request>();
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as GraphQLContext & YogaInitialContext;
      const header = ctx.request?.headers.get('idempotency-key');
      if (header == null) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      const caller = ctx.svc.caller;
      if (!caller) return;
      const key = parseIdempotencyKey(header);
      if (!key) {
        setResultAndStopExecution(refusal(400, 'INVALID_IDEMPOTENCY_KEY', msg('requests.badIdempotencyKey')));
        return;
      }
      const principalId = caller.kind === 'agent' ? caller.agentId : caller.userId;
      const body = stringify({
        query: ctx.params.query ?? null,
        operationName: ctx.params.operationName ?? null,
        variables: await canonicalVariables(ctx.params.variables ?? {}),
      });
      const requestHash = createHash('sha256')
        .update(body ?? '')
        .digest('hex');
      const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
      for (;;) {
        const claim = await claimIdempotencyKey(ctx.svc.db, encryptionKey(), {
          principalId,
          key,
          requestHash,
          now: ctx.svc.clock.now(),
        });
        if (claim.kind === 'claimed') {
          claimed.set(ctx.request, { principalId, key, claimToken: claim.claimToken, db: ctx.svc.db });
          return;
        }
        if (claim.kind === 'replay') {
          replayed.add(ctx.request);
          setResultAndStopExecution(revive(claim.response));
          return;
        }
        if (claim.kind === 'mismatch') {
          setResultAndStopExecution(refusal(422, 'IDEMPOTENCY_KEY_REUSED', msg('requests.idempotencyKeyReused')));
          return;
        }
        if (Date.now() >= deadline) {
          setResultAndStopExecution(
            refusal(409, 'IDEMPOTENCY_KEY_IN_USE', msg('requests.idempotencyKeyInUse'), { 'retry-after': '1' }),
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async onResultProcess({ request, result }) {
      const claim = claimed.get(request);
      if (!claim) return;
      claimed.delete(request);
      try {
        const single = !Array.isArray(result) && !(Symbol.asyncIterator in (result as object));
        const { data, errors } = result as { data?: Record<string, unknown> | null; errors?: GraphQLError[] };
        const serverFault = errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
        // A server fault that did nothing is not an answer to keep: the retry does the work (the fault rolled it
        // back). One where another field of the request did its work is kept, so the retry does not do that twice.
        const didWork = Object.values(data ?? {}).some((v) => v != null);
        if (!single || (serverFault && !didWork)) await releaseIdempotencyKey(claim.db, claim);
        else {
          // The answer itself; extensions (this request's cost) are each request's own.
          await completeIdempotencyKey(claim.db, encryptionKey(), {
            ...claim,
            response: JSON.stringify({ data, errors }),
          });
        }
      } catch (e) {
        logError('idempotency key not saved', e);
      }
    },
    onResponse({ request, response }) {
      if (replayed.has(request)) response.headers.set('idempotent-replayed', 'true');
    },
  };
}
