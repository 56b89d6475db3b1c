import { describe, expect, it } from 'vitest';
import { runPool } from './worker_pool.ts';

const workerModule = new URL('../../test/fixtures/pool_worker.ts', import.meta.url);

describe('worker pool', () => {
  it('runs cells on parallel workers, reports progress, returns outcomes in task order', async () => {
    const progress: string[] = [];
    const tasks = [1, 2, 3, 4, 5].map((v) => ({ id: `c${v}`, spec: { value: v } }));
    const outcomes = await runPool<{ value: number }, number>(tasks, {
      workerModule,
      workers: 2,
      onProgress: (id, u) => progress.push(`${id}:${u.done}/${u.total}`),
    });
    expect(outcomes).toEqual(tasks.map((t) => ({ id: t.id, status: 'finished', result: t.spec.value ** 2 })));
    expect(progress).toContain('c5:3/3');
  });

  it('a failing or crashing cell is marked failed with its error; the others finish', async () => {
    const tasks = [
      { id: 'ok1', spec: { value: 2 } },
      { id: 'throws', spec: { value: 3, mode: 'throw' as const } },
      { id: 'crashes', spec: { value: 4, mode: 'crash' as const } },
      { id: 'ok2', spec: { value: 5 } },
    ];
    const outcomes = await runPool<(typeof tasks)[number]['spec'], number>(tasks, { workerModule, workers: 2 });
    expect(outcomes[0]).toEqual({ id: 'ok1', status: 'finished', result: 4 });
    expect(outcomes[1]).toEqual({ id: 'throws', status: 'failed', error: 'cell 3 failed on purpose' });
    expect(outcomes[2]).toMatchObject({ id: 'crashes', status: 'failed', error: 'worker exited with code 3' });
    expect(outcomes[3]).toEqual({ id: 'ok2', status: 'finished', result: 25 });
  });

  it('a stop request reaches running cells and no new cell starts', async () => {
    let stop = false;
    setTimeout(() => (stop = true), 300);
    const tasks = [
      { id: 'a', spec: { value: 1, mode: 'wait-for-stop' as const } },
      { id: 'b', spec: { value: 2, mode: 'wait-for-stop' as const } },
      { id: 'c', spec: { value: 3 } },
    ];
    const outcomes = await runPool<(typeof tasks)[number]['spec'], number>(tasks, { workerModule, workers: 1, stopRequested: () => stop });
    expect(outcomes.map((o) => o.status)).toEqual(['stopped', 'stopped', 'stopped']);
  });
});
