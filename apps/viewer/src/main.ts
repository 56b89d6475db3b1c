// The viewer app: a hash router that swaps pages in <main>. Each page loads what it needs from the server's
// read-only API (/api/...) and stops its polling when the user leaves it.
import './styles.css';
import { el } from './app/dom.ts';
import type { Page } from './app/page.ts';
import { parseRoute, type Route } from './app/router.ts';
import { comparePage } from './pages/compare_page.ts';
import { inspectorPage } from './pages/inspector_page.ts';
import { runPage } from './pages/run_page.ts';
import { runsPage } from './pages/runs_page.ts';
import { samplePage } from './pages/sample_page.ts';

const main = document.getElementById('main')!;
let current: Page | undefined;

function pageFor(route: Route): Page {
  switch (route.page) {
    case 'runs':
      return runsPage(route.query);
    case 'run':
      return runPage(route.id);
    case 'inspect':
      return inspectorPage(route.id, route.query);
    case 'compare':
      return comparePage(route.query);
    case 'sample':
      return samplePage(route.query);
    case 'notFound':
      return {
        title: 'Not found',
        element: el('div', {}, el('h1', { tabindex: -1 }, 'Not found'), el('p', {}, `No page at "${route.path}". `, el('a', { href: '#/runs' }, 'All runs'))),
      };
  }
}

// Pages record their filters and selections with history.replaceState (router.replaceQuery), which fires
// no hashchange: only real navigation rebuilds the page.
function navigate(): void {
  const route = parseRoute(location.hash);
  current?.dispose?.();
  const page = pageFor(route);
  current = page;
  main.replaceChildren(page.element);
  document.title = `${page.title} · routelab viewer`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (link.dataset.nav === route.page || (route.page === 'run' && link.dataset.nav === 'runs') || (route.page === 'inspect' && link.dataset.nav === 'runs')) {
      link.setAttribute('aria-current', 'page');
    } else link.removeAttribute('aria-current');
  }
  const title = page.element.querySelector<HTMLElement>('h1');
  (title ?? main).focus({ preventScroll: false });
}

window.addEventListener('hashchange', navigate);
if (!location.hash) history.replaceState(null, '', '#/runs');
navigate();
