import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.ts';
import { initNormal, initZeros } from './init.ts';
import { Module, ModuleList } from './module.ts';
import { StateDictError, UnknownNameError } from './module_errors.ts';
import { Block, Mlp, TinyModel, values } from './test_fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const PARAMETER_NAMES = [
  'embed.weight',
  'embed.bias',
  'blocks.0.mlp.w_in',
  'blocks.0.mlp.b_in',
  'blocks.0.mlp.w_out',
  'blocks.0.mlp.b_out',
  'blocks.1.mlp.w_in',
  'blocks.1.mlp.b_in',
  'blocks.1.mlp.w_out',
  'blocks.1.mlp.b_out',
  'unembed.weight',
];

describe('Module names', () => {
  it('names parameters by dotted path, in registration order', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    expect(model.namedParameters().map(([n]) => n)).toEqual(PARAMETER_NAMES);
    expect(model.parameters()).toHaveLength(PARAMETER_NAMES.length);
    model.dispose();
  });

  it('lists hook points in deterministic order', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    expect(model.hookPointNames()).toEqual([
      'blocks.0.mlp.pre',
      'blocks.0.mlp.hidden',
      'blocks.0.resid_post',
      'blocks.1.mlp.pre',
      'blocks.1.mlp.hidden',
      'blocks.1.resid_post',
    ]);
    expect(model.hookPoint('blocks.1.mlp.hidden').shape).toBe('[batch, pos, d_mlp]');
    model.dispose();
  });

  it('lists and looks up submodules', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    expect(model.namedModules().map(([n]) => n)).toEqual([
      'embed', 'blocks', 'blocks.0', 'blocks.0.mlp', 'blocks.1', 'blocks.1.mlp', 'unembed',
    ]);
    expect(model.submodule('blocks.1.mlp')).toBe(model.blocks.at(1).mlp);
    expect(() => model.submodule('blocks.2')).toThrow(UnknownNameError);
    model.dispose();
  });

  it('looks up parameters by name and suggests close names for unknown ones', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    expect(model.parameter('blocks.1.mlp.w_out')).toBe(model.blocks.at(1).mlp.w_out);
    expect(() => model.parameter('blocks.0.mlp.w_inn')).toThrow(
      /^unknown parameter "blocks.0.mlp.w_inn" in TinyModel; did you mean "blocks.0.mlp.w_in"\? Available \(11\): embed.weight, /,
    );
    try {
      model.parameter('mlp.w_in');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownNameError);
      expect((err as UnknownNameError).suggestions).toEqual(['blocks.0.mlp.w_in', 'blocks.1.mlp.w_in']);
      expect((err as UnknownNameError).kind).toBe('parameter');
    }
    model.dispose();
  });

  it('counts parameters and reports shapes', () => {
    const model = new TinyModel(Rng.fromSeed(0));
    // embed 3*4+4, per block 4*6+6+6*4+4, unembed 4*2
    expect(model.parameterCount()).toBe(16 + 2 * 58 + 8);
    expect(model.parameterShapes()).toMatchObject({ 'embed.weight': [3, 4], 'blocks.0.mlp.w_in': [4, 6], 'unembed.weight': [4, 2] });
    model.dispose();
  });

  it('rejects bad, duplicate and tied registrations', () => {
    class Bad extends Module {
      constructor(what: string) {
        super();
        if (what === 'dot') this.addParameter('a.b', initZeros([1]));
        if (what === 'dup') {
          this.addParameter('w', initZeros([1]));
          this.addHookPoint('w');
        }
        if (what === 'index') this.addParameter('0', initZeros([1]));
        if (what === 'tie') {
          const shared = new Mlp(Rng.fromSeed(0), 2, 2);
          this.addModule('a', shared);
          this.addModule('b', shared);
        }
        if (what === 'self') this.addModule('me', this);
      }
    }
    expect(() => new Bad('dot')).toThrow(/invalid member name "a.b"/);
    expect(() => new Bad('dup')).toThrow(/"w" is already registered/);
    expect(() => new Bad('index')).toThrow(/invalid member name "0"/);
    expect(() => new Bad('tie')).toThrow(/already registered in a Bad \(tying is not supported\)/);
    expect(() => new Bad('self')).toThrow(/would create a cycle/);
  });

  it('refuses hook() on an undeclared hook point, naming the declared ones', () => {
    class Sloppy extends Module {
      constructor() {
        super();
        this.addHookPoint('declared');
      }
      forward(x: tf.Tensor) {
        return this.hook('undeclared', x);
      }
    }
    const x = tf.zeros([1]);
    expect(() => new Sloppy().forward(x)).toThrow(/unknown hook point "undeclared" in Sloppy.*Available \(1\): declared/);
    x.dispose();
  });
});

describe('ModuleList', () => {
  it('is indexable and iterable', () => {
    const rng = Rng.fromSeed(1);
    const blocks = [new Block(rng.split(0), 2, 3), new Block(rng.split(1), 2, 3)];
    const list = new ModuleList(blocks);
    expect(list.length).toBe(2);
    expect(list.at(1)).toBe(blocks[1]);
    expect(list.at(-1)).toBe(blocks[1]);
    expect([...list]).toEqual(blocks);
    expect(() => list.at(2)).toThrow(/index 2 out of range \(length 2\)/);
    expect(list.namedParameters().map(([n]) => n).slice(0, 2)).toEqual(['0.mlp.w_in', '0.mlp.b_in']);
    list.dispose();
  });
});

describe('initialisation through Rng', () => {
  it('gives bit-identical parameters for the same seed and different ones for another seed', async () => {
    const a = new TinyModel(Rng.fromSeed(7));
    const b = new TinyModel(Rng.fromSeed(7));
    const c = new TinyModel(Rng.fromSeed(8));
    for (const name of PARAMETER_NAMES) {
      expect(await values(a.parameter(name)), name).toEqual(await values(b.parameter(name)));
    }
    expect(await values(a.parameter('blocks.0.mlp.w_in'))).not.toEqual(await values(c.parameter('blocks.0.mlp.w_in')));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('keeps existing parameters unchanged when the architecture grows (streams split by path)', async () => {
    const small = new TinyModel(Rng.fromSeed(7), { dIn: 3, dModel: 4, dMlp: 6, nBlocks: 2, dOut: 2 });
    const big = new TinyModel(Rng.fromSeed(7), { dIn: 3, dModel: 4, dMlp: 6, nBlocks: 3, dOut: 2 });
    for (const name of PARAMETER_NAMES) {
      expect(await values(big.parameter(name)), name).toEqual(await values(small.parameter(name)));
    }
    small.dispose();
    big.dispose();
  });

  it('blocks get different initial weights', async () => {
    const model = new TinyModel(Rng.fromSeed(7));
    expect(await values(model.parameter('blocks.0.mlp.w_in'))).not.toEqual(await values(model.parameter('blocks.1.mlp.w_in')));
    model.dispose();
  });

  it('creates trainable variables unless told otherwise, and frees them on dispose', () => {
    const before = tf.memory().numTensors;
    class Frozen extends Module {
      readonly w = this.addParameter('w', initNormal(Rng.fromSeed(0), [2], 1), { trainable: false });
      readonly v = this.addParameter('v', initZeros([2]));
    }
    const m = new Frozen();
    expect(m.w.trainable).toBe(false);
    expect(m.v.trainable).toBe(true);
    expect(tf.memory().numTensors).toBe(before + 2); // the initial tensors were handed over, not leaked
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('stateDict / loadStateDict', () => {
  it('copies parameters from one model into another', async () => {
    const source = new TinyModel(Rng.fromSeed(1));
    const target = new TinyModel(Rng.fromSeed(2));
    const state = source.stateDict();
    expect(Object.keys(state)).toEqual(PARAMETER_NAMES);
    expect(state['embed.weight']).toBe(source.embed.weight);
    target.loadStateDict(state);
    for (const name of PARAMETER_NAMES) expect(await values(target.parameter(name))).toEqual(await values(source.parameter(name)));
    source.dispose(); // target keeps its own references
    expect(await values(target.parameter('unembed.weight'))).toHaveLength(8);
    target.dispose();
  });

  it("loading a model's own state dict is a no-op", async () => {
    const model = new TinyModel(Rng.fromSeed(1));
    const before = await values(model.parameter('embed.weight'));
    model.loadStateDict(model.stateDict());
    expect(await values(model.parameter('embed.weight'))).toEqual(before);
    model.dispose();
  });

  it('names missing, unexpected, shape- and dtype-mismatched tensors, and assigns nothing', async () => {
    const model = new TinyModel(Rng.fromSeed(1));
    const before = await values(model.parameter('embed.bias'));
    const state: Record<string, tf.Tensor> = { ...model.stateDict() };
    state['embed.bias'] = tf.zeros([4]); // a valid entry that must not be assigned
    delete state['blocks.1.mlp.b_out'];
    state['blocks.2.mlp.w_in'] = tf.zeros([4, 6]);
    state['blocks.0.mlp.w_in'] = tf.zeros([6, 4]);
    state['blocks.0.mlp.b_in'] = tf.zeros([6], 'int32');
    let error: StateDictError | undefined;
    try {
      model.loadStateDict(state);
    } catch (err) {
      error = err as StateDictError;
    }
    expect(error).toBeInstanceOf(StateDictError);
    expect(error!.message).toBe(
      'loadStateDict into TinyModel: missing 1 tensor (blocks.1.mlp.b_out); unexpected 1 tensor (blocks.2.mlp.w_in); ' +
        'shape mismatch: blocks.0.mlp.w_in expected [4, 6], found [6, 4]; ' +
        'dtype mismatch: blocks.0.mlp.b_in expected float32, found int32 (nothing was loaded)',
    );
    expect(error!.mismatch.dtypeMismatches).toEqual([{ name: 'blocks.0.mlp.b_in', expected: 'float32', found: 'int32' }]);
    expect(await values(model.parameter('embed.bias'))).toEqual(before);
    tf.dispose([state['embed.bias'], state['blocks.2.mlp.w_in'], state['blocks.0.mlp.w_in'], state['blocks.0.mlp.b_in']]);
    model.dispose();
  });

  it('non-strict loading accepts a subset but still checks shapes', async () => {
    const model = new TinyModel(Rng.fromSeed(1));
    const ones = tf.ones([3, 4]);
    model.loadStateDict({ 'embed.weight': ones, extra: tf.zeros([1]) }, { strict: false });
    expect(await values(model.parameter('embed.weight'))).toEqual(new Array(12).fill(1));
    expect(() => model.loadStateDict({ 'embed.weight': tf.zeros([4, 3]) }, { strict: false })).toThrow(
      /shape mismatch: embed.weight expected \[3, 4\], found \[4, 3\]/,
    );
    ones.dispose();
    model.dispose();
  });
});
