// A service entry point declares the task it performs once: the service authorizes that task, and the GraphQL field's
// @requiresRole / @requiresPartnerRole directive reads it from the same symbol, so the two cannot drift.
import type { PartnerTask, Task } from '../auth/roles.js';

/** Tags a customer-side entry point with its tasks, in the order its field's @requiresRole directives print. */
export function customerTask<const T extends readonly Task[], F extends (...args: never[]) => unknown>(
  tasks: T,
  run: F,
): F & { readonly tasks: T } {
  return Object.assign(run, { tasks });
}

/** Tags a partner-side entry point with its task (its field's @requiresPartnerRole directive). */
export function partnerTask<const T extends PartnerTask, F extends (...args: never[]) => unknown>(
  task: T,
  run: F,
): F & { readonly partnerTask: T } {
  return Object.assign(run, { partnerTask: task });
}

// The read tasks, shared by many modules' entry points. They live here, in a module that imports nothing at run time,
// because the modules tagging with them at load time import each other (customers.ts imports audit.ts, for one).

/** Reading a customer: its users, licences, relationships, audit log and bulk jobs. */
export const readCustomer = { tasks: ['READ_CUSTOMER'] } as const satisfies { readonly tasks: readonly Task[] };

/** Reading the partner side: agents, security groups and their members, GDAP relationships. */
export const readPartner = { partnerTask: 'READ_PARTNER' } as const satisfies { readonly partnerTask: PartnerTask };
