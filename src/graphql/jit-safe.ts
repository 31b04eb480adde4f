// When graphql-jit may run a request (server.ts useGraphQlJit's enableIf): where it gives graphql-js's answer.
import { BREAK, type DocumentNode, getOperationAST, Kind, type OperationDefinitionNode, visit } from 'graphql';

/**
 * The paging arguments of connections: every resolver reads an absent one and a null one alike (pagination.ts), so
 * a variable left out there means the same to both executors.
 */
const PAGING_ARGUMENTS = new Set(['first', 'last', 'after', 'before']);

/** Per operation: the variables that may be left out (used only as the whole value of a paging argument). */
const omittable = new WeakMap<OperationDefinitionNode, Set<string>>();

function omittableVariables(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  let known = omittable.get(operation);
  if (known) return known;
  const safe = new Set(operation.variableDefinitions?.map((d) => d.variable.name.value));
  // Any use of a variable elsewhere (in an input object, a list, another argument, a directive) makes it unsafe;
  // fragments are walked as part of the document.
  visit(document, {
    Variable(node, _key, parent) {
      const argument =
        parent && !Array.isArray(parent) ? (parent as { kind?: string; name?: { value: string } }) : null;
      const direct = argument?.kind === Kind.ARGUMENT && PAGING_ARGUMENTS.has(argument.name?.value ?? '');
      if (!direct) safe.delete(node.name.value);
    },
    VariableDefinition() {
      return false;
    },
  });
  known = safe;
  omittable.set(operation, known);
  return known;
}

const conditionalDocuments = new WeakMap<DocumentNode, boolean>();

/** Whether the document uses @skip or @include anywhere (once per document: yoga's parser cache reuses it). */
function conditional(document: DocumentNode): boolean {
  let known = conditionalDocuments.get(document);
  if (known === undefined) {
    known = false;
    visit(document, {
      Directive(node) {
        if (node.name.value === 'skip' || node.name.value === 'include') {
          known = true;
          return BREAK;
        }
        return undefined;
      },
    });
    conditionalDocuments.set(document, known);
  }
  return known;
}

/**
 * graphql-jit is used where it gives graphql-js's answer: not for subscriptions, and not when a declared variable is
 * left out, except one used only as a connection's first/last/after/before; nor for a document of several operations. graphql-jit passes a left-out variable
 * as null (graphql-jit issues #91 and #230) where graphql-js leaves the field or argument out, and null means
 * "erase" to updateUser, so a codegen'd form would wipe data; paging arguments read null and absent alike. Clients
 * commonly leave `$after` out on a first page: that request keeps the compiled executor.
 */
export function jitSafe(args: {
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
}): boolean {
  // graphql-jit caches its compiled query by document, not by operation: a document of several operations would
  // run whichever was compiled first, whatever operationName says (past the cost, the budget and idempotency).
  if (args.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length > 1) return false;
  // graphql-jit 0.8 marks a fragment visited before it evaluates the spread's @include/@skip: `...F @include(if: $no)
  // ...F @include(if: $yes)` answers without F's fields. Conditional selections go to graphql-js.
  if (conditional(args.document)) return false;
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation === 'subscription') return false;
  const given = args.variableValues ?? {};
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.every((d) => Object.hasOwn(given, d.variable.name.value))) return true;
  const safe = omittableVariables(args.document, operation);
  return definitions.every((d) => Object.hasOwn(given, d.variable.name.value) || safe.has(d.variable.name.value));
}
