// The usage location rule as a plain function: ICU's region list decides, each code looked up once and remembered.
import { describe, expect, it } from 'vitest';
import { usageLocationViolation } from '../src/services/validation.js';

describe('usage location', () => {
  it('accepts countries and refuses the rest, the same at every ask', () => {
    for (let ask = 0; ask < 2; ask++) {
      for (const code of ['US', 'FR', 'DE', 'JP', 'BR']) expect(usageLocationViolation(code)).toBeNull();
      for (const code of ['XX', 'EU', 'UN', 'ZZ', 'AA', 'QO'])
        expect(usageLocationViolation(code)).toEqual({ rule: 'notCountry', value: code });
      for (const code of ['us', 'USA', '', 'U1'])
        expect(usageLocationViolation(code)).toEqual({ rule: 'countryFormat' });
    }
  });

  it('knows the ICU regions (about 270 countries and territories) among the 676 two-letter codes', () => {
    const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
    const countries = letters.flatMap((a) => letters.map((b) => a + b)).filter((c) => !usageLocationViolation(c));
    expect(countries.length).toBeGreaterThan(240);
    expect(countries.length).toBeLessThan(280);
  });
});
