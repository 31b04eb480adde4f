// The message catalogue: every message the API writes for a person, in English and French, by key. Each area keeps
// its own file; keys are prefixed by area so they cannot clash.
import { BULK_MESSAGES } from './bulk.js';
import { COMMON_MESSAGES } from './common.js';
import { PARTNER_MESSAGES } from './partner.js';
import { REQUEST_MESSAGES } from './requests.js';
import { SESSION_MESSAGES } from './sessions.js';
import { USER_MESSAGES } from './users.js';
import { VIOLATION_MESSAGES } from './violations.js';

export const MESSAGES = {
  ...COMMON_MESSAGES,
  ...VIOLATION_MESSAGES,
  ...REQUEST_MESSAGES,
  ...SESSION_MESSAGES,
  ...USER_MESSAGES,
  ...BULK_MESSAGES,
  ...PARTNER_MESSAGES,
};
