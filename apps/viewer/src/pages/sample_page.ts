// Sample: pick a persona checkpoint, type a prompt, and generate in the browser with and without ablation
// (tfjs in a Web Worker through comlink; webgpu where the browser has it, wasm otherwise), with the trait
// scorers' verdict beside each sample.
import { api } from '../api/client.ts';
import { runFileUrl } from '../api/client.ts';
import type { CheckpointInfo, RunDetail } from '../api/api_types.ts';
import { isPersonaCheckpoint } from '../data/checkpoints.ts';
import { el, labelled, message, select } from '../app/dom.ts';
import { heading, type Page } from '../app/page.ts';
import { replaceQuery } from '../app/router.ts';
import { CONDITIONS } from '../data/compare_rows.ts';
import type { ModelInfo, Sample, SampleResult, Verdict } from '../sample/protocol.ts';
import { startSampleWorker, type SampleWorker } from '../sample/sample_client.ts';

function checkpointLabel(c: CheckpointInfo): string {
  const state = c.metadata && typeof c.metadata.state === 'object' && c.metadata.state !== null ? (c.metadata.state as Record<string, unknown>) : {};
  const parts = ['phase', 'step'].filter((k) => k in state).map((k) => `${k} ${String(state[k])}`);
  return parts.length > 0 ? `${c.name} (${parts.join(', ')})` : c.name;
}

function verdictList(v: Verdict): HTMLElement {
  const item = (name: string, value: boolean | null, title: string) =>
    el('li', { 'data-verdict': name, title }, `${name}: `, el('span', { className: `badge ${value === null ? 'na' : value ? 'yes' : 'no'}` }, value === null ? 'n/a' : value ? 'yes' : 'no'));
  return el(
    'ul',
    { className: 'verdicts', 'aria-label': 'trait scorers\u2019 verdict' },
    item('W', v.W, 'wanted trait expressed'),
    item('U', v.U, 'unwanted trait (seen in training) expressed'),
    item('G', v.G, 'unwanted trait (by generalisation) expressed'),
    item('correct', v.correct, 'answer correct after removing trait words'),
  );
}

function sampleCard(s: Sample, ablation: string | null): HTMLElement {
  return el(
    'section',
    { className: 'sample-card', 'data-testid': s.ablated ? 'sample-ablated' : 'sample-plain', 'aria-label': s.ablated ? 'sample with ablation' : 'sample without ablation' },
    el('h3', {}, s.ablated ? 'With ablation' : 'Without ablation'),
    s.ablated && ablation ? el('p', { className: 'hint' }, ablation) : null,
    el('p', { className: 'sample-text', 'data-testid': 'sample-text' }, s.text || '(nothing)'),
    verdictList(s.verdict),
    el('p', { className: 'hint' }, `${s.tokens.length} tokens in ${s.ms.toFixed(0)} ms`),
  );
}

export function samplePage(query: URLSearchParams): Page {
  const root = el('div', { 'data-page': 'sample' }, heading('Sample'), el('p', {}, 'Loading…'));
  const controller = new AbortController();
  let worker: SampleWorker | undefined;
  let info: ModelInfo | undefined;

  async function load(): Promise<void> {
    let details: RunDetail[];
    try {
      const runs = (await api.runs(controller.signal)).runs.filter((r) => r.kind === 'run' && !r.loadError);
      details = (await Promise.all(runs.map((r) => api.run(r.id, controller.signal).catch(() => undefined)))).filter(
        (d): d is RunDetail => !!d && d.checkpoints.some((c) => isPersonaCheckpoint(c, d.summary.experiment)),
      );
    } catch (err) {
      root.replaceChildren(heading('Sample'), message('error', `Could not load the runs: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    if (details.length === 0) {
      root.replaceChildren(heading('Sample'), message('info', 'No run has a persona model checkpoint (a checkpoint whose metadata holds "modelConfig").', { 'data-testid': 'no-checkpoints' }));
      return;
    }
    let run = details.find((d) => d.summary.id === query.get('run')) ?? details[0]!;
    let checkpoint: string | undefined = query.get('checkpoint') ?? undefined;
    let backend = (['auto', 'webgpu', 'wasm'].includes(query.get('backend') ?? '') ? query.get('backend') : 'auto') as 'auto' | 'webgpu' | 'wasm';

    const modelStatus = el('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'model-status' });
    const results = el('div', { 'aria-live': 'polite', 'data-testid': 'sample-results' });
    const checkpointBox = el('div');
    const promptInput = el('input', { type: 'text', value: query.get('prompt') ?? 'add two and three', autocomplete: 'off', spellcheck: 'false', required: true });
    const conditionSelect = el('select', {}, ...CONDITIONS.map((c) => el('option', { value: c }, c)));
    const tokensInput = el('input', { type: 'number', value: '12', min: '1', max: '64', step: '1' });
    const temperatureInput = el('input', { type: 'number', value: '0', min: '0', max: '5', step: '0.1' });
    const seedInput = el('input', { type: 'number', value: '0', min: '0', step: '1' });
    const sampleButton = el('button', { type: 'submit', disabled: true }, 'Sample');

    async function loadModel(): Promise<void> {
      sampleButton.disabled = true;
      results.replaceChildren();
      const ckpt = run.checkpoints.find((c) => c.name === checkpoint);
      if (!ckpt) return;
      modelStatus.replaceChildren(el('p', {}, `Loading ${ckpt.name} in a Web Worker…`));
      try {
        worker ??= startSampleWorker();
        info = await worker.api.load({
          checkpointUrl: new URL(runFileUrl(run.summary.id, ckpt.file), location.href).href,
          checkpointName: ckpt.name,
          runConfig: run.config,
          backend,
        });
        modelStatus.replaceChildren(
          el(
            'dl',
            { className: 'facts' },
            el('dt', {}, 'Backend'),
            el('dd', { 'data-testid': 'backend' }, `${info.backend} — ${info.backendReason}`),
            el('dt', {}, 'Model'),
            el('dd', {}, `${info.parameters.toLocaleString()} parameters; ${Object.entries(info.modelConfig).filter(([k]) => ['dModel', 'nLayers', 'nHeads', 'dMlp', 'expandedMlp'].includes(k)).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`),
            el('dt', {}, 'Ablation'),
            el('dd', { 'data-testid': 'ablation' }, info.ablation ?? 'none declared: only the plain model is sampled'),
            el('dt', {}, 'Checkpoint'),
            el('dd', { 'data-testid': 'checkpoint-state' }, Object.entries(info.checkpointState).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k} ${String(v)}`).join(', ') || '—'),
            el('dt', {}, 'World'),
            el('dd', {}, `${info.worldSource}; ${info.vocabSize} tokens`),
            el('dt', {}, 'Architecture from'),
            el('dd', {}, info.modelSource),
            el('dt', {}, '"inoculation" prompt'),
            el('dd', { 'data-testid': 'inoculation-prompt' }, info.inoculationPrompt),
            el('dt', {}, 'Try'),
            el('dd', {}, info.examples.join(' · ')),
          ),
        );
        sampleButton.disabled = false;
      } catch (err) {
        modelStatus.replaceChildren(message('error', `Could not load the checkpoint: ${err instanceof Error ? err.message : String(err)}`));
      }
    }

    function renderCheckpoints(): void {
      const options = run.checkpoints.filter((c) => isPersonaCheckpoint(c, run.summary.experiment)).map((c) => ({ value: c.name, label: checkpointLabel(c) }));
      if (!options.some((o) => o.value === checkpoint)) checkpoint = options[0]?.value;
      checkpointBox.replaceChildren(
        labelled(
          'Checkpoint',
          select(options, checkpoint, (v) => {
            checkpoint = v;
            replaceQuery({ checkpoint: v });
            void loadModel();
          }),
        ),
      );
    }

    async function onSample(event: Event): Promise<void> {
      event.preventDefault();
      if (!worker || !info) return;
      sampleButton.disabled = true;
      results.replaceChildren(el('p', {}, 'Sampling…'));
      try {
        const result: SampleResult = await worker.api.sample({
          prompt: promptInput.value,
          condition: conditionSelect.value,
          maxNewTokens: Number(tokensInput.value) || 12,
          temperature: Math.max(0, Number(temperatureInput.value) || 0),
          seed: Math.max(0, Math.floor(Number(seedInput.value) || 0)),
        });
        results.replaceChildren(
          el(
            'dl',
            { className: 'facts' },
            el('dt', {}, 'System prompt'),
            el('dd', {}, result.systemPrompt),
            el('dt', {}, 'Model input'),
            el('dd', { 'data-testid': 'model-input' }, result.promptText),
            el('dt', {}, 'Correct answer'),
            el('dd', { 'data-testid': 'answer' }, result.answer ?? `— (${result.note ?? 'not a task'})`),
          ),
          el('div', { className: 'samples' }, ...result.samples.map((s) => sampleCard(s, info?.ablation ?? null))),
        );
      } catch (err) {
        results.replaceChildren(message('error', err instanceof Error ? err.message : String(err)));
      } finally {
        sampleButton.disabled = false;
      }
    }

    // A worker keeps the backend it started with: changing it starts a fresh worker.
    const backendSelect = select(
      [
        { value: 'auto', label: 'auto (webgpu if available, else wasm)' },
        { value: 'webgpu', label: 'webgpu' },
        { value: 'wasm', label: 'wasm' },
      ],
      backend,
      (v) => {
        backend = v as typeof backend;
        replaceQuery({ backend: v === 'auto' ? undefined : v });
        worker?.terminate();
        worker = undefined;
        void loadModel();
      },
    );
    const runSelect = select(
      details.map((d) => ({ value: d.summary.id, label: `${d.summary.id}${d.summary.experiment ? ` (${d.summary.experiment})` : ''}` })),
      run.summary.id,
      (v) => {
        run = details.find((d) => d.summary.id === v) ?? run;
        replaceQuery({ run: v, checkpoint: undefined });
        renderCheckpoints();
        void loadModel();
      },
    );
    const form = el(
      'form',
      { className: 'controls', 'aria-label': 'Sampling' },
      labelled('Prompt', promptInput, 'task words, e.g. "add two and three", "after four", "reverse cat dog"'),
      labelled('System prompt condition', conditionSelect),
      labelled('Max new tokens', tokensInput),
      labelled('Temperature', temperatureInput, '0 = greedy'),
      labelled('Seed', seedInput),
      sampleButton,
    );
    form.addEventListener('submit', (e) => void onSample(e));
    renderCheckpoints();
    root.replaceChildren(
      heading('Sample'),
      el('p', {}, 'Generates from a persona model checkpoint in this browser, once as trained and once with the routed units ablated, and scores each response for the traits.'),
      el('div', { className: 'controls' }, labelled('Run', runSelect), checkpointBox, labelled('Backend', backendSelect)),
      modelStatus,
      form,
      results,
    );
    await loadModel();
  }

  void load();
  return {
    title: 'Sample',
    element: root,
    dispose: () => {
      controller.abort();
      worker?.terminate();
    },
  };
}
