// Per-request DataLoaders: a page of users costs one statement for its roles and licences, whatever its size.
import DataLoader from 'dataloader';
import type { ServiceContext } from '../services/context.js';
import { type CustomerRow, customersByIds, type DomainRow, domainsOfCustomers } from '../services/customers.js';
import { detailsForUsers, type UserDetails, type UserKey } from '../services/users/read.js';

const userKey = (k: UserKey) => `${k.customerId}:${k.userId}`;

/**
 * A request's loaders, each made when first used. Most requests use none (a createUser; the users page, whose rows
 * bring their roles and licences), yet three DataLoaders were made for each, every one storing its batch function (a
 * closure over the request's context) in a field after creation: the pattern V8's minor GC lets survive
 * (BENCHMARKS.md, thirteenth round).
 */
export class Loaders {
  #userDetails?: DataLoader<UserKey, UserDetails, string>;
  #customers?: DataLoader<string, CustomerRow | undefined>;
  #customerDomains?: DataLoader<string, DomainRow[]>;
  readonly #svc: ServiceContext;

  constructor(svc: ServiceContext) {
    this.#svc = svc;
  }

  get userDetails() {
    const svc = this.#svc;
    return (this.#userDetails ??= new DataLoader((keys: readonly UserKey[]) => detailsForUsers(svc.db, keys), {
      cacheKeyFn: userKey,
    }));
  }

  get customers() {
    const svc = this.#svc;
    return (this.#customers ??= new DataLoader((ids: readonly string[]) => customersByIds(svc, ids)));
  }

  get customerDomains() {
    const svc = this.#svc;
    return (this.#customerDomains ??= new DataLoader((ids: readonly string[]) => domainsOfCustomers(svc, ids)));
  }
}

export const createLoaders = (svc: ServiceContext) => new Loaders(svc);
