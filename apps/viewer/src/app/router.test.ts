import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './router.ts';

describe('hash routes', () => {
  it('round-trips run ids with slashes and special characters', () => {
    const id = 'sweep-a/cells/3 x?';
    const route = parseRoute(href.run(id));
    expect(route).toMatchObject({ page: 'run', id });
    expect(parseRoute(href.inspect(id, { cell: 'routed/seed-0' }))).toMatchObject({ page: 'inspect', id });
    expect((parseRoute(href.inspect(id, { cell: 'routed/seed-0' })) as { query: URLSearchParams }).query.get('cell')).toBe('routed/seed-0');
  });
  it('knows every page, and says not found otherwise', () => {
    expect(parseRoute('').page).toBe('runs');
    expect(parseRoute('#/runs?q=x').page).toBe('runs');
    expect(parseRoute(href.compare({ source: 'c' })).page).toBe('compare');
    expect(parseRoute(href.sample()).page).toBe('sample');
    expect(parseRoute('#/run').page).toBe('notFound');
    expect(parseRoute('#/run/%zz').page).toBe('notFound');
    expect(parseRoute('#/elsewhere').page).toBe('notFound');
  });
});
