// Per-request DataLoaders: a page of users costs one statement for its roles and licences, whatever its size.
import DataLoader from 'dataloader';
import type { ServiceContext } from '../services/context.js';
import { customersByIds, domainsOfCustomers } from '../services/customers.js';
import { detailsForUsers, type UserKey } from '../services/users/read.js';

const userKey = (k: UserKey) => `${k.customerId}:${k.userId}`;

export function createLoaders(svc: ServiceContext) {
  return {
    userDetails: new DataLoader((keys: readonly UserKey[]) => detailsForUsers(svc.db, keys), { cacheKeyFn: userKey }),
    customers: new DataLoader((ids: readonly string[]) => customersByIds(svc, ids)),
    customerDomains: new DataLoader((ids: readonly string[]) => domainsOfCustomers(svc, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
