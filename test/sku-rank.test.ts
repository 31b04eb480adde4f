import { describe, expect, it } from 'vitest';
import { type SkuRow, skuRank } from '../src/services/skus.js';

const catalogue = (names: string[]) =>
  new Map(names.map((name, i): [string, SkuRow] => [`id${i}`, { id: `id${i}`, partNumber: `P${i}`, name }]));

describe('skuRank (the order licences are listed in)', () => {
  it('ranks SKUs by name as localeCompare orders them, equal names alike', () => {
    const c = catalogue(['Visio Plan 2', 'microsoft 365 E3', 'Microsoft 365 E3', 'Éclair', 'Power BI Pro']);
    const ranks = [...c.keys()].map((id) => skuRank(c, id));
    const byLocale = [...c.values()].sort((a, b) => a.name.localeCompare(b.name)).map((s) => s.name);
    const byRank = [...c.values()].sort((a, b) => skuRank(c, a.id) - skuRank(c, b.id)).map((s) => s.name);
    expect(byRank).toEqual(byLocale);
    expect(new Set(ranks).size).toBe(5);
    const twins = catalogue(['B', 'A', 'A']);
    expect(skuRank(twins, 'id1')).toBe(skuRank(twins, 'id2'));
    expect(skuRank(twins, 'id0')).toBeGreaterThan(skuRank(twins, 'id1'));
  });
});
