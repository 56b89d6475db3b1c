// Gradient functions are registered by the project's tfjs setup (tfjs-core alone has none).
import '../backends/tfjs_setup.ts';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.ts';
import type { HookFn } from './hook_point.ts';
import { withHooks } from './hooks.ts';
import { UnknownNameError } from './module_errors.ts';
import { TinyModel, values } from './test_fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const input = () => tf.tensor(Rng.fromSeed('x').fillNormal(new Float32Array(2 * 5 * 3)), [2, 5, 3]); // [batch, pos, d_in]
const hookCounts = (model: TinyModel) => model.namedHookPoints().map(([, p]) => p.hookCount);

describe('withHooks', () => {
  it('passes activations through unchanged without hooks, and with observe-only hooks', async () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const x = input();
    const plain = await values(model.forward(x));
    const seen: Array<[string, number[]]> = [];
    const observe: HookFn = (activation, { name }) => {
      seen.push([name, activation.shape]);
    };
    const hooked = withHooks(model, [['blocks.0.mlp.hidden', observe], ['blocks.1.resid_post', observe]], () => model.forward(x));
    expect(await values(hooked)).toEqual(plain);
    expect(seen).toEqual([
      ['blocks.0.mlp.hidden', [2, 5, 6]],
      ['blocks.1.resid_post', [2, 5, 4]],
    ]);
    model.dispose();
  });

  it('replaces activations', async () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const x = input();
    // With block 0's hidden layer zeroed, the block adds only its output bias (zero at init), so its
    // residual output equals the embedding.
    let resid: tf.Tensor | undefined;
    withHooks(
      model,
      [
        ['blocks.0.mlp.hidden', (h) => tf.zerosLike(h)],
        ['blocks.0.resid_post', (r) => void (resid = r)],
      ],
      () => model.forward(x),
    );
    expect(await values(resid!)).toEqual(await values(model.embed.forward(x)));
    model.dispose();
  });

  it('applies several hooks at one point in list order', async () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const x = input();
    const captured: tf.Tensor[] = [];
    const capture: HookFn = (h) => void captured.push(h);
    const order: string[] = [];
    const double: HookFn = (h) => (order.push('double'), tf.mul(h, 2));
    const addOne: HookFn = (h) => (order.push('addOne'), tf.add(h, 1));
    withHooks(model, [['blocks.0.mlp.pre', capture]], () => model.forward(x));
    withHooks(model, [['blocks.0.mlp.pre', double], ['blocks.0.mlp.pre', addOne], ['blocks.0.mlp.pre', capture]], () =>
      model.forward(x),
    );
    expect(order).toEqual(['double', 'addOne']);
    const [plain, hooked] = await Promise.all(captured.map(values));
    expect(hooked).toEqual(plain!.map((v) => Math.fround(Math.fround(v * 2) + 1)));
    model.dispose();
  });

  it('throws on an unknown name, listing the hook points, and attaches nothing', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const run = () =>
      withHooks(model, [['blocks.0.mlp.hidden', () => undefined], ['blocks.0.mlp.hiden', () => undefined]], () => 1);
    expect(run).toThrow(UnknownNameError);
    expect(run).toThrow(
      'unknown hook point "blocks.0.mlp.hiden" in TinyModel; did you mean "blocks.0.mlp.hidden"? Available (6): ' +
        'blocks.0.mlp.pre, blocks.0.mlp.hidden, blocks.0.resid_post, blocks.1.mlp.pre, blocks.1.mlp.hidden, blocks.1.resid_post',
    );
    expect(hookCounts(model)).toEqual([0, 0, 0, 0, 0, 0]);
    model.dispose();
  });

  it('removes hooks after the call, also when it throws', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const hooks: Array<[string, HookFn]> = [['blocks.1.mlp.pre', () => undefined]];
    expect(withHooks(model, hooks, () => hookCounts(model))).toEqual([0, 0, 0, 1, 0, 0]);
    expect(hookCounts(model)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() =>
      withHooks(model, hooks, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(hookCounts(model)).toEqual([0, 0, 0, 0, 0, 0]);
    model.dispose();
  });

  it('nests, and keeps hooks attached until an async body settles', async () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const noop: HookFn = () => undefined;
    withHooks(model, [['blocks.0.mlp.pre', noop]], () => {
      withHooks(model, [['blocks.0.mlp.pre', noop]], () => expect(hookCounts(model)[0]).toBe(2));
      expect(hookCounts(model)[0]).toBe(1);
    });
    const pending = withHooks(model, [['blocks.0.mlp.pre', noop]], async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return hookCounts(model)[0];
    });
    expect(hookCounts(model)[0]).toBe(1);
    expect(await pending).toBe(1);
    expect(hookCounts(model)[0]).toBe(0);
    await expect(
      withHooks(model, [['blocks.0.mlp.pre', noop]], async () => {
        throw new Error('late');
      }),
    ).rejects.toThrow('late');
    expect(hookCounts(model)[0]).toBe(0);
    model.dispose();
  });

  it('refuses hooks that change the shape or return a non-tensor, naming the hook point', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    const x = input();
    expect(() => withHooks(model, [['blocks.0.mlp.hidden', (h) => tf.sum(h, -1)]], () => model.forward(x))).toThrow(
      'hook at "blocks.0.mlp.hidden" changed the activation shape from [2, 5, 6] to [2, 5] (declared [batch, pos, d_mlp])',
    );
    const bad = (() => 3) as unknown as HookFn;
    expect(() => withHooks(model, [['blocks.0.mlp.hidden', bad]], () => model.forward(x))).toThrow(
      /hook at "blocks.0.mlp.hidden" returned number/,
    );
    expect(hookCounts(model)).toEqual([0, 0, 0, 0, 0, 0]);
    model.dispose();
  });
});

describe('hooks under autodiff', () => {
  it('a masking hook inside tf.variableGrads routes gradient away from masked hidden units', async () => {
    const model = new TinyModel(Rng.fromSeed(3));
    const x = input();
    // Keep hidden units 0..2 of block 0, cut 3..5 (the activation-routing pattern).
    const mask = tf.tensor([1, 1, 1, 0, 0, 0], [1, 1, 6]);
    const loss = () => tf.sum(tf.square(model.forward(x))) as tf.Scalar;
    const wIn = model.parameter('blocks.0.mlp.w_in');
    const { grads } = tf.variableGrads(
      () => withHooks(model, [['blocks.0.mlp.hidden', (h) => tf.mul(h, mask)]], loss),
      [wIn],
    );
    const g = await values(grads[wIn.name]!); // [d_model=4, d_mlp=6], row-major
    for (let row = 0; row < 4; row++) {
      expect(g.slice(row * 6 + 3, row * 6 + 6), `row ${row}`).toEqual([0, 0, 0]);
    }
    expect(g.some((v) => v !== 0)).toBe(true);
    // Without the hook the same columns do get gradient.
    const free = tf.variableGrads(loss, [wIn]);
    const gFree = await values(free.grads[wIn.name]!);
    expect(gFree.filter((_, i) => i % 6 >= 3).some((v) => v !== 0)).toBe(true);
    model.dispose();
  });

  it('works inside tf.grad with respect to the input', async () => {
    const model = new TinyModel(Rng.fromSeed(4));
    const x = input();
    const gradFn = tf.grad((inp: tf.Tensor) =>
      withHooks(model, [['blocks.1.resid_post', (r) => tf.mul(r, 0)]], () => tf.sum(model.forward(inp))),
    );
    // Everything downstream of a zeroed residual stream is constant: the input gradient vanishes.
    expect((await values(gradFn(x))).every((v) => v === 0)).toBe(true);
    model.dispose();
  });
});
