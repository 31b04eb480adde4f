import { msg } from '../../messages/index.js';
import { getActivation } from '../../services/activations.js';
import { getAgent } from '../../services/agents.js';
import { getApplication } from '../../services/applications.js';
import { getBulkJob } from '../../services/bulk/jobs.js';
import { getCustomer, listCustomers } from '../../services/customers.js';
import { DomainError } from '../../services/errors.js';
import { getGdapRelationship } from '../../services/gdap.js';
import { getPartner } from '../../services/partners.js';
import { getSecurityGroup } from '../../services/security-groups.js';
import { getSku } from '../../services/skus.js';
import { getUser } from '../../services/users/read.js';
import { builder, requiresRole } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { decodeAnyId, decodeId } from '../ids.js';
import { CustomerRef } from './refs.js';

/** Loads any node with the same authorization as its typed field; unknown and invisible give the same NOT_FOUND. */
async function loadNode(ctx: GraphQLContext, globalId: string, field: string[]) {
  const d = decodeAnyId(globalId, field);
  const svc = ctx.svc;
  const value: object | undefined = await (async () => {
    switch (d.typename) {
      case 'Customer':
        return getCustomer(svc, d.id);
      case 'User':
        return getUser(svc, d.customerId!, d.id);
      case 'GdapRelationship':
        return getGdapRelationship(svc, d.customerId!, d.id);
      case 'Agent':
        return getAgent(svc, d.id);
      case 'Application':
        return getApplication(svc, d.id);
      case 'SecurityGroup':
        return getSecurityGroup(svc, d.id);
      case 'Partner':
        return getPartner(svc, d.id);
      case 'Sku':
        return getSku(svc, d.id);
      case 'BulkJob':
        return getBulkJob(svc, d.customerId!, d.id);
      case 'GroupActivation':
        return getActivation(svc, d.id);
    }
  })();
  if (!value) throw new DomainError('NOT_FOUND', msg('common.noSuchNode', { type: d.typename }));
  return { ...value, __typename: d.typename };
}

/** Most ids one nodes(ids:) call takes (GitHub's limit too). */
export const MAX_NODE_IDS = 100;

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'Any object by its global id, with the same access rules as its own field (NOT_FOUND when invisible).',
    args: { id: t.arg.id({ required: true, description: 'A global id, as every `id` field returns.' }) },
    resolve: (_, args, ctx) => loadNode(ctx, args.id, ['id']) as never,
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `Several objects by their global ids, in the same order (a selection screen): null for each one that does not exist or that you may not see. At most ${MAX_NODE_IDS} ids.`,
    args: {
      ids: t.arg.idList({
        required: true,
        description: `Global ids, ${MAX_NODE_IDS} at most; a malformed one is INVALID_ID.`,
      }),
    },
    resolve: async (_, args, ctx) => {
      if (args.ids.length > MAX_NODE_IDS) {
        throw new DomainError('LIMIT_EXCEEDED', msg('ids.tooMany', { max: MAX_NODE_IDS, given: args.ids.length }), {
          field: ['ids'],
        });
      }
      // Malformed ids are refused first, naming their place; then each is loaded with its own access rules.
      for (const [i, id] of args.ids.entries()) decodeAnyId(String(id), ['ids', String(i)]);
      return Promise.all(
        args.ids.map((id, i) =>
          loadNode(ctx, String(id), ['ids', String(i)]).catch((e: unknown) => {
            if (e instanceof DomainError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')) return null;
            throw e;
          }),
        ),
      ) as never;
    },
  }),
  customers: t.connection({
    type: CustomerRef,
    description: 'Customers in which you hold a GDAP role now, by name.',
    directives: requiresRole(listCustomers),
    args: { search: t.arg.string({ required: false, description: 'Part of the name or of a domain.' }) },
    resolve: (_, args, ctx) => listCustomers(ctx.svc, args),
  }),
  customer: t.field({
    type: CustomerRef,
    nullable: true,
    description: 'A customer you hold a GDAP role in now (NOT_FOUND otherwise, as if it did not exist).',
    directives: requiresRole(getCustomer),
    args: { id: t.arg.id({ required: true, description: "The customer's global id." }) },
    resolve: (_, args, ctx) => getCustomer(ctx.svc, decodeId(args.id, 'Customer', ['id'])),
  }),
}));
