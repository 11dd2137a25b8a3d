import { describe, expect, it } from 'vitest';
import { crossoverText } from '../../lib/hardware';

describe('crossoverText', () => {
  it('says where delta execution costs less, including the two ends (regression: "100.0% vs dense" read as a density)', () => {
    expect(crossoverText(0.4207778848625249)).toBe('below 42.1%');
    // t* = 1: delta costs no more than the other mode even when every input changes.
    expect(crossoverText(1)).toBe('at every temporal density');
    // t* = 0: delta costs more even when nothing changes.
    expect(crossoverText(0)).toBe('at no temporal density');
  });
});
