import { describe, expect, it } from 'vitest';
import { STAGE2_ARMS } from '../world/arms.ts';
import { ARM_TRAINING, PERSONA_ARMS, ROUTING_ARMS, armSlug, cellResultName, parsePersonaArm } from './arms.ts';

describe('persona arms', () => {
  it('has every world arm with plain training and the routing arms on the none (or ip-specific) data', () => {
    expect(Object.keys(ARM_TRAINING).sort()).toEqual([...PERSONA_ARMS].sort());
    for (const arm of STAGE2_ARMS) expect(ARM_TRAINING[arm]).toMatchObject({ data: arm, method: 'plain' });
    expect(ARM_TRAINING.era).toMatchObject({ data: 'none', method: 'era' });
    expect(ARM_TRAINING['param-routing']).toMatchObject({ data: 'none', method: 'param-routing' });
    expect(ARM_TRAINING['era+ip']).toMatchObject({ data: 'ip-specific', method: 'era' });
    expect(ROUTING_ARMS.every((a) => ARM_TRAINING[a].method !== 'plain')).toBe(true);
  });

  it('gives path-safe result names', () => {
    for (const arm of PERSONA_ARMS) expect(armSlug(arm)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(new Set(PERSONA_ARMS.map(armSlug)).size).toBe(PERSONA_ARMS.length);
    expect(cellResultName('era+ip', 2)).toBe('cells/era-plus-ip/seed-2');
  });

  it('parses arm names, listing the known ones on error', () => {
    expect(parsePersonaArm('era')).toBe('era');
    expect(() => parsePersonaArm('nope')).toThrow(/unknown arm 'nope'; known arms: none, filter/);
  });
});
