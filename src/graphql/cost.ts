// What a request costs, and what the caller may spend. The cost is what the request may return, counted with its
// variables (graphql-armor's cost limit ran at validation, before variables are known, so `users(first: $n)` nested
// twice with n = 500 passed it): graphql-query-complexity evaluates the operation with its variables, and the estimator
// counts every field once, a connection's fields `first` times (its default page when not given), a plain list's
// fields LIST_SIZE times, and each mutation MUTATION_COST more plus one per item of the lists it is given. One
// request may cost up to the limit; every caller spends from its budget (services/rate-limits.ts). Both are in every
// answer's extensions.cost.

import {
  type ASTNode,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isListType,
  Kind,
  type OperationDefinitionNode,
  type ValueNode,
  visit,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { msg } from '../messages/index.js';
import { DEFAULT_PAGE_SIZE } from '../services/pagination.js';
import {
  authenticateAndSpend,
  type RatePolicy,
  type ReadAhead,
  type Spent,
  type ThrottleStatus,
} from '../services/rate-limits.js';
import { authenticate } from '../services/sessions.js';
import type { GraphQLContext } from './context.js';
import { localizedError } from './errors.js';
import { decodeAnyId } from './ids.js';

/** What an unpaged list of objects (a customer's licences, a partner's agents) is assumed to hold. */
const LIST_SIZE = 20;
/** How many selections the count may walk: fragments spread many times multiply them; past this, the request is refused. */
const MAX_WALK = 100_000;

/** A mutation does work beyond what it returns (a write, an audit event, often a password hash). */
const MUTATION_COST = 10;

/** The items of the lists in a mutation's arguments (deleteUsers' ids, a user's roles): each is work. */
function listItems(value: unknown): number {
  if (Array.isArray(value)) return value.length + value.reduce((n: number, v) => n + listItems(v), 0);
  if (value && typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + listItems(v), 0);
  return 0;
}

const estimate: ComplexityEstimator = ({ type: parent, field, args, childComplexity }) => {
  // Introspection (only served with GRAPHIQL=1) is the schema, not data: GraphiQL's docs query must pass.
  if (parent.name.startsWith('__') || field.name.startsWith('__')) return 1 + childComplexity;
  if (parent.name === 'Mutation') return MUTATION_COST + listItems(args) + childComplexity;
  // A connection's edges are its page, already counted `first` times by the connection field.
  if (parent.name.endsWith('Connection') && (field.name === 'edges' || field.name === 'nodes'))
    return 1 + childComplexity;
  if (field.args.some((a) => a.name === 'first')) {
    // A page of `first` or of `last` (backward paging); both at once are refused by the resolver, count the larger.
    const sizes = [args.first, args.last].filter((n): n is number => typeof n === 'number' && n >= 0);
    const page = sizes.length ? Math.max(...sizes) : DEFAULT_PAGE_SIZE;
    return 1 + page * childComplexity;
  }
  const type = getNullableType(field.type);
  if (isListType(type) && isCompositeType(getNamedType(type))) return 1 + LIST_SIZE * childComplexity;
  return 1 + childComplexity;
};

type Check = { document: DocumentNode; variableValues?: unknown; operationName?: string | null };

/**
 * The request's cost: the objects and fields it may return, counted with its variables (Infinity when there are too
 * many selections to count), or null when its variables do not coerce (execution answers that with its own error).
 */
export function requestCost(schema: GraphQLSchema, args: Check): number | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  const variables = (args.variableValues ?? {}) as Record<string, unknown>;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return null;
  // A mutation's cost is its walk's (which the page sizes and @skip/@include decide) plus the items of the lists it is
  // given (each is work): the walk is kept, the items are counted each time (null: not countable apart; walk again).
  const items = operation.operation === 'mutation' ? rootListItems(schema, operation, coerced.coerced) : 0;
  const key = items === null ? null : costKey(args.document, operation, coerced.coerced);
  let known = key === null ? undefined : costs.get(args.document);
  const cached = key === null ? undefined : known?.get(key);
  if (cached !== undefined) return cached + items!;
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: args.document,
      variables,
      operationName: args.operationName ?? undefined,
      estimators: [estimate],
      maxQueryNodes: MAX_WALK,
    });
  } catch {
    // Too many selections to even count (fragments spread over and over): over any budget.
    cost = Number.POSITIVE_INFINITY;
  }
  if (key !== null) {
    if (!known) costs.set(args.document, (known = new Map()));
    if (known.size >= COSTS_PER_DOCUMENT) known.clear();
    known.set(key, cost - items!);
  }
  return cost;
}

/**
 * The items of the lists a mutation's root fields are given (what `estimate` adds for each), or null when a root
 * selection is not a plain field (a fragment, or a directive that may leave it out): its cost is then walked each time.
 */
function rootListItems(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number | null {
  const fields = schema.getMutationType()?.getFields();
  let items = 0;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return null;
    const field = fields?.[selection.name.value];
    if (!field) return null;
    try {
      items += listItems(getArgumentValues(field, selection, variables));
    } catch {
      return null;
    }
  }
  return items;
}

/**
 * The costs of a document's queries already counted, by operation and the values of the variables they depend on
 * (below), less a mutation's list items: a client sends the same document again and again (yoga's parser cache
 * gives the same DocumentNode), so the walk is done once per page size, not once a request.
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();
const COSTS_PER_DOCUMENT = 32;
const costVariables = new WeakMap<OperationDefinitionNode, readonly string[]>();

/**
 * What a query's or a mutation's walk depends on beyond its document: the variables given to `first` or `last` (a
 * page's size) and to @skip/@include (what is counted at all); null for a subscription (never cached).
 */
function costKey(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) {
  if (operation.operation === 'subscription') return null;
  let names = costVariables.get(operation);
  if (!names) {
    const found = new Set<string>();
    const look = (node: ASTNode) =>
      visit(node, {
        Argument(arg) {
          if (arg.value.kind !== Kind.VARIABLE) return;
          if (arg.name.value === 'first' || arg.name.value === 'last') found.add(arg.value.name.value);
        },
        Directive(directive) {
          if (directive.name.value !== 'skip' && directive.name.value !== 'include') return;
          for (const arg of directive.arguments ?? [])
            if (arg.value.kind === Kind.VARIABLE) found.add(arg.value.name.value);
        },
      });
    look(operation);
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) look(definition);
    names = [...found].sort();
    costVariables.set(operation, names);
  }
  // The coerced values (a left-out variable has its default, if any), an absent one apart from null: an explicit null
  // page size counts the default page, a left-out one with a default of 500 counts 500.
  const values = names.map((n) => (Object.hasOwn(variables, n) ? JSON.stringify(variables[n]) : '-'));
  return `${operation.name?.value ?? ''}\0${values.join(',')}`;
}

function overLimit(cost: number, maxCost: number) {
  const requested = Number.isFinite(cost) ? cost : null;
  return localizedError(msg('requests.costOverLimit', { requested, limit: maxCost }), {
    code: 'GRAPHQL_VALIDATION_FAILED',
    reason: 'LIMIT_EXCEEDED',
    limit: maxCost,
    requested,
  });
}

function throttled(cost: number, spent: Extract<Spent, { ok: false }>) {
  const { currentlyAvailable, restoreRate } = spent.throttleStatus;
  const { retryAfterSeconds } = spent;
  return localizedError(msg('requests.throttled', { cost, currentlyAvailable, restoreRate, retryAfterSeconds }), {
    code: 'THROTTLED',
    retryAfterSeconds,
    http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
  });
}

/** A Customer's global id's uuid, or the customer part of a User's, GdapRelationship's or BulkJob's; else null. */
function customerOfId(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 200) return null;
  try {
    const decoded = decodeAnyId(value, []);
    return decoded.typename === 'Customer' ? decoded.id : (decoded.customerId ?? null);
  } catch {
    return null;
  }
}

/**
 * The customer a request is about, when its first root field says so: `customer(id:)`, `node(id:)`, or a mutation's
 * `input: { customerId }` / `input: { id }` (a literal or a variable). The session statement then brings that
 * customer and the caller's grants in it (services/rate-limits.ts): a hint for reading ahead, never a decision —
 * the resolvers still decode, check and authorize the ids they are given, and a wrong guess only costs a read.
 * A mutation also reads ahead the customer's verified domains (a new UPN's domain is checked against them).
 */
export function namedCustomer(check: Check): ReadAhead | null {
  const operation = getOperationAST(check.document, check.operationName);
  const field = operation?.selectionSet.selections[0];
  if (!operation || field?.kind !== Kind.FIELD) return null;
  const named = (customerId: string | null) =>
    customerId ? { customerId, domains: operation.operation === 'mutation' } : null;
  const variables = (check.variableValues ?? {}) as Record<string, unknown>;
  const argumentValue = (node: ValueNode): unknown =>
    node.kind === Kind.VARIABLE
      ? variables[node.name.value]
      : node.kind === Kind.STRING
        ? node.value
        : node.kind === Kind.OBJECT
          ? Object.fromEntries(node.fields.map((f) => [f.name.value, argumentValue(f.value)]))
          : null;
  for (const arg of field.arguments ?? []) {
    const value = argumentValue(arg.value);
    if (arg.name.value === 'id') return named(customerOfId(value));
    if (arg.name.value === 'input' && value && typeof value === 'object') {
      const input = value as Record<string, unknown>;
      return named(customerOfId(input.customerId) ?? customerOfId(input.id));
    }
  }
  return null;
}

/**
 * Who sent the request (its bearer token's session), and, with `spend`, its price taken from that caller's budget:
 * one statement for both. Once a request; no token, no caller.
 */
async function authenticateRequest(
  ctx: GraphQLContext,
  spend?: { cost: number; policy: RatePolicy; check: Check },
): Promise<Spent | null> {
  const token = ctx.bearerToken;
  if (token === undefined) return null;
  ctx.bearerToken = undefined;
  const { caller, spent } = spend
    ? await authenticateAndSpend(ctx.svc, token, spend.cost, spend.policy, namedCustomer(spend.check))
    : { caller: await authenticate(ctx.svc, token), spent: null };
  ctx.svc.caller = caller;
  ctx.svc.tokenRejected = !caller;
  return spent;
}

/** What every answer's extensions.cost says (Shopify's names). */
interface CostExtension {
  requestedQueryCost: number | null;
  maximumQueryCost: number;
  throttleStatus?: ThrottleStatus;
}

/**
 * Prices each request (before it runs, with its variables), refuses one over `maxCost`, takes the price from the
 * caller's budget (429 with Retry-After when it is spent), and puts both in the answer's extensions.cost.
 */
export function costAndRateLimit(schema: GraphQLSchema, maxCost: number, policy: RatePolicy | null): Plugin {
  const costs = new WeakMap<Request, CostExtension>();
  const check = async ({
    args,
    setResultAndStopExecution,
  }: {
    args: Check & { contextValue: unknown };
    setResultAndStopExecution: (result: ExecutionResult) => void;
  }) => {
    const ctx = args.contextValue as GraphQLContext & Partial<YogaInitialContext>;
    const cost = requestCost(schema, args);
    if (cost === null) {
      await authenticateRequest(ctx);
      return;
    }
    const info: CostExtension = {
      requestedQueryCost: Number.isFinite(cost) ? cost : null,
      maximumQueryCost: maxCost,
    };
    if (ctx.request) costs.set(ctx.request, info);
    if (cost > maxCost) {
      setResultAndStopExecution({ errors: [overLimit(cost, maxCost)] });
      return;
    }
    const spent = await authenticateRequest(ctx, policy ? { cost, policy, check: args } : undefined);
    if (!spent) return;
    info.throttleStatus = spent.throttleStatus;
    if (!spent.ok) setResultAndStopExecution({ errors: [throttled(cost, spent)] });
  };
  return {
    onExecute: check,
    onSubscribe: check,
    onResultProcess({ request, result, setResult }) {
      const info = costs.get(request);
      if (!info || Array.isArray(result) || !result || Symbol.asyncIterator in result) return;
      setResult({ ...result, extensions: { ...result.extensions, cost: info } });
    },
  };
}
