import { MaskedSGD, useBackend } from '@routelab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fullyLabelled } from '../labels.ts';
import { routedStep } from '../routed_step.ts';
import { changed, snapshot, TinyNet, unitLosses } from '../test_fixture.ts';
import { SplitNet, splitLosses } from './contribution_fixture.ts';
import { era, eraConfigSchema } from './era.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

async function step(net: SplitNet | TinyNet, config: unknown, isForget: number[], losses: () => () => import('@routelab/core').tf.Tensor) {
  const optimizer = new MaskedSGD(net.namedParameters(), { lr: 0.1 });
  const parsed = eraConfigSchema.parse(config);
  era.validate!({ model: net, config: parsed });
  const before = await snapshot(net as never);
  await routedStep({ model: net, optimizer, scheme: era, config: parsed, labels: fullyLabelled([4], Uint8Array.from(isForget)), unitLosses: losses() });
  optimizer.dispose();
  return { before, after: await snapshot(net as never) };
}

describe('era: contribution pair targets', () => {
  const config = { targets: [{ original: 'blocks.*.out_original', expanded: 'blocks.*.out_expanded' }] };

  it('forget units train only the expanded contribution', async () => {
    const net = new SplitNet();
    const { before, after } = await step(net, config, [1, 1, 1, 1], () => splitLosses(net));
    expect(changed(before['blocks.0.w']!, after['blocks.0.w']!)).toEqual([]);
    expect(changed(before['blocks.0.w_expanded']!, after['blocks.0.w_expanded']!).length).toBeGreaterThan(0);
  });

  it('retain units train only the original contribution (expanded off in the forward pass)', async () => {
    const net = new SplitNet();
    const { before, after } = await step(net, config, [0, 0, 0, 0], () => splitLosses(net));
    expect(changed(before['blocks.0.w_expanded']!, after['blocks.0.w_expanded']!)).toEqual([]);
    expect(changed(before['blocks.0.w']!, after['blocks.0.w']!).length).toBeGreaterThan(0);
  });

  it('names a pattern that matches no hook point', () => {
    const net = new SplitNet();
    const bad = eraConfigSchema.parse({ targets: [{ original: 'blocks.*.nope', expanded: 'blocks.*.out_expanded' }] });
    expect(() => era.validate!({ model: net, config: bad })).toThrow(/"blocks\.\*\.nope" matches no hook point/);
  });

  it('parses the shared phases with their defaults', () => {
    const parsed = eraConfigSchema.parse({ ...config, expand: { units: 8 }, ablate: ['blocks.*.w_expanded'], lrMultipliers: { 'blocks.*.w_expanded': 10 } });
    expect(era.phases!(parsed)).toEqual({
      expand: { units: 8, layers: 'all' },
      lrMultipliers: { 'blocks.*.w_expanded': 10 },
      ablate: { 'blocks.*.w_expanded': [{ weight: 1 }] },
      coherenceSteps: 0,
    });
    expect(eraConfigSchema.safeParse({ ...config, coherenceSteps: -1 }).success).toBe(false);
  });
});

describe('era: unit range target', () => {
  it('forget units reach only the extra units of the hook (upstream weights of other units stay)', async () => {
    const net = new TinyNet();
    const { before, after } = await step(net, { targets: [{ hook: 'hidden', expanded: [2, 4] }] }, [1, 1, 1, 1], () => unitLosses(net));
    // w1 is [3, 4]: columns 0-1 feed the original units and must not move.
    const moved = changed(before['w1']!, after['w1']!);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((i) => i % 4 >= 2)).toBe(true);
  });
});
