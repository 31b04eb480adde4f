import type { Config } from '../config.js';
import type { Locale } from '../messages/index.js';
import type { ServiceContext } from '../services/context.js';
import type { Loaders } from './loaders.js';

export interface GraphQLContext {
  svc: ServiceContext;
  loaders: Loaders;
  config: Config;
  /** The language of messages (userErrors, top-level errors), from Accept-Language. */
  locale: Locale;
  /**
   * The request's bearer token, until the request is authenticated: by cost.ts before execution, in the same
   * statement as the spend of its price (so `svc.caller` is null until then, which refuses everything: fail closed).
   */
  bearerToken?: string;
}
