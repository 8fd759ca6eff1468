'use strict';

// The attention explorer: lists the models (GET models), runs one (POST attend) and draws the weights it answers as
// an SVG heatmap. Both URLs are relative to this page, so it works behind a reverse proxy's path prefix.
//
// Signals for people and tests: #result carries data-run (incremented by every Attend) and data-state
// (idle, running, done, error); body carries data-models (loaded, failed) once the model list is in.
(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const DATE_EXAMPLES = ['24 November 2026', "Nov 24, '26", '2026/11/24', 'tuesday 24 nov 2026'];
  const $ = id => document.getElementById(id);
  const service = path => new URL(path, document.baseURI);

  const el = {
    model: $('model'), description: $('model-description'), forms: $('forms'), backend: $('backend'),
    textForm: $('text-form'), source: $('source'), examples: $('examples'),
    tensorForm: $('tensor-form'), tq: $('tq'), tv: $('tv'), d: $('d'), dv: $('dv'), seed: $('seed'), generate: $('generate'),
    query: $('query'), keys: $('keys'), values: $('values'), queryTokens: $('query-tokens'), keyTokens: $('key-tokens'),
    headsField: $('heads-field'), heads: $('heads'), causal: $('causal'),
    result: $('result'), status: $('status'), output: $('output'), answeredBy: $('answered-by'), elapsed: $('elapsed'),
    heatmap: $('heatmap'), hover: $('hover'), table: $('weights-table'), saveSvg: $('save-svg'), savePng: $('save-png'),
  };

  let models = new Map();
  let runs = 0;
  let drawn = null;

  // ---- the models ----

  const formsOf = m => Array.isArray(m.forms) && m.forms.length > 0 ? m.forms : ['tensors'];

  /** The graph tensor bound to a role (query, values, weights ...), from the model's binding. */
  function graphTensor(m, side, role) {
    const bound = m.binding?.[side]?.find(b => b.name === role);
    return bound ? m[side].find(t => t.name === bound.graph) : undefined;
  }

  function headsOf(m) {
    if (Number.isInteger(m.heads)) return m.heads;
    const declared = parseInt(m.parameters?.['attention.heads'] ?? '', 10);
    if (declared > 0) return declared;
    const weights = graphTensor(m, 'outputs', 'weights');
    return weights?.shape.length === 4 && weights.shape[1] > 0 ? weights.shape[1] : 1;
  }

  const fixedLast = t => t && t.shape.length > 0 && t.shape[t.shape.length - 1] > 0 ? t.shape[t.shape.length - 1] : null;

  async function loadModels() {
    try {
      const response = await fetch(service('models'), { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(await problemText(response));
      const list = (await response.json()).models;
      models = new Map(list.map(m => [m.name, m]));
      el.model.replaceChildren(...list.map(m => new Option(m.ready ? m.name : `${m.name} (cannot serve)`, m.name)));
      const wanted = new URLSearchParams(location.search).get('model');
      const initial = list.find(m => m.name === wanted)
        ?? list.find(m => m.ready && formsOf(m).includes('text'))
        ?? list.find(m => m.ready) ?? list[0];
      if (initial) el.model.value = initial.name;
      showModel();
      document.body.dataset.models = 'loaded';
    } catch (e) {
      setState('error', `Cannot list the models: ${e.message}`);
      document.body.dataset.models = 'failed';
    }
  }

  function showModel() {
    const m = models.get(el.model.value);
    clearAnswer();
    if (!m) return;
    el.description.textContent = m.description ?? '';
    const forms = formsOf(m);
    for (const option of el.backend.options) {
      if (!option.value) continue;
      const backend = m.backends?.find(b => b.name === option.value);
      option.disabled = backend !== undefined && !backend.ready;
      option.title = backend?.ready ? backend.description ?? '' : backend?.reason ?? '';
    }
    if (el.backend.selectedOptions[0]?.disabled) el.backend.value = '';
    const text = forms.includes('text');
    el.forms.textContent = forms.join(', ') + (forms.length > 1 ? ` (the explorer sends ${text ? 'text' : 'tensors'})` : '');
    el.textForm.hidden = !text;
    el.examples.parentElement.hidden = m.name !== 'dates';
    el.tensorForm.hidden = text;
    if (!text) prepareTensors(m);
    const url = new URL(location.href);
    url.searchParams.set('model', m.name);
    history.replaceState(null, '', url);
    if (!m.ready) setState('error', `${m.name} cannot serve: ${m.reason ?? 'no backend is ready'}`);
    else setState('idle', text ? 'Type a source text and press Attend.' : 'Paste or generate tensors and press Attend.');
  }

  // ---- tensors for a layer model ----

  function prepareTensors(m) {
    const query = graphTensor(m, 'inputs', 'query');
    fix(el.d, fixedLast(query));
    fix(el.dv, fixedLast(graphTensor(m, 'inputs', 'values')));
    // A decoder-step graph takes one query per sequence ([batch, hidden]).
    fix(el.tq, query?.shape.length === 2 ? 1 : null);
    el.headsField.hidden = headsOf(m) <= 1;
    el.heads.value = 'each';
    el.queryTokens.value = '';
    el.keyTokens.value = '';
    generate();
  }

  function fix(input, size) {
    input.readOnly = size !== null;
    input.title = size !== null ? 'fixed by the model' : '';
    if (size !== null) input.value = String(size);
  }

  function intIn(input, min, max) {
    const value = Math.trunc(Number(input.value));
    const clamped = Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
    input.value = String(clamped);
    return clamped;
  }

  /** mulberry32: a small seeded generator, so the same seed gives the same tensors. */
  function seeded(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function generate() {
    const m = models.get(el.model.value);
    const tq = intIn(el.tq, 1, 64), tv = intIn(el.tv, 1, 64), d = intIn(el.d, 1, 4096), dv = intIn(el.dv, 1, 4096);
    const uniform = seeded(intIn(el.seed, 0, 2 ** 31));
    const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    // Entries of scale d^-1/4 give query·key scores of variance 1: weights neither uniform nor one-hot.
    const matrix = (rows, cols, scale) =>
      Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(normal() * scale * 1e4) / 1e4));
    const queries = matrix(tq, d, d ** -0.25);
    const decoderStep = m && graphTensor(m, 'inputs', 'query')?.shape.length === 2;
    el.query.value = decoderStep ? JSON.stringify(queries[0]) : format(queries);
    el.keys.value = format(matrix(tv, d, d ** -0.25));
    el.values.value = format(matrix(tv, dv, 1));
  }

  const format = rows => '[\n' + rows.map(r => '  ' + JSON.stringify(r)).join(',\n') + '\n]';

  const depth = x => Array.isArray(x) ? 1 + (x.length > 0 ? depth(x[0]) : 0) : 0;

  function parseTensor(textarea, name, required) {
    const text = textarea.value.trim();
    if (!text) {
      if (required) throw new Error(`${name} is empty: paste it as JSON or press Generate`);
      return undefined;
    }
    let tensor;
    try {
      tensor = JSON.parse(text);
    } catch (e) {
      throw new Error(`${name} is not JSON: ${e.message}`);
    }
    const rank = depth(tensor);
    if (rank < 1 || rank > 2)
      throw new Error(`${name} has rank ${rank}; the explorer shows one sequence, so paste it as [positions][features] without a batch axis`);
    return tensor;
  }

  function labels(input) {
    const text = input.value.trim();
    return text ? text.split(',').map(s => s.trim()) : undefined;
  }

  async function runTensors(event) {
    event.preventDefault();
    const run = begin();
    const m = models.get(el.model.value);
    if (!m) return fail(run, 'Choose a model first.');
    const body = { model: m.name };
    try {
      body.query = parseTensor(el.query, 'query', true);
      const keys = parseTensor(el.keys, 'keys', false);
      if (keys !== undefined) body.keys = keys;
      body.values = parseTensor(el.values, 'values', true);
    } catch (e) {
      return fail(run, e.message);
    }
    const queryLabels = labels(el.queryTokens), keyLabels = labels(el.keyTokens);
    if (queryLabels || keyLabels) body.tokens = { ...(queryLabels && { query: queryLabels }), ...(keyLabels && { keys: keyLabels }) };
    const average = !el.headsField.hidden && el.heads.value === 'average';
    if (average) body.heads = 'average';
    if (el.causal.checked) body.causal = true;

    const answer = await attend(run, body);
    if (!answer) return;
    const perHead = !el.headsField.hidden && !average && depth(answer.weights) === 3;
    const panels = perHead
      ? answer.weights.map((w, h) => ({ head: h, title: `head ${h + 1}`, weights: w }))
      : [{ head: null, title: average ? 'average over heads' : '', weights: depth(answer.weights) === 1 ? [answer.weights] : answer.weights }];
    const rows = panels[0].weights.length, cols = panels[0].weights[0]?.length ?? 0;
    const rowLabels = answer.tokens?.query ?? queryLabels ?? numbered('q', rows);
    const colLabels = answer.tokens?.keys ?? keyLabels ?? numbered('k', cols);
    el.output.textContent = `weights [${perHead ? `${panels.length} heads × ` : ''}${rows} queries × ${cols} keys]`;
    draw({
      name: m.name, panels, rowLabels, colLabels, rowAxis: 'query', colAxis: 'key', characters: false,
      describe: (r, c, w, panel) => `${panel.title ? panel.title + ': ' : ''}query ${rowLabels[r]} (${r}) → key ${colLabels[c]} (${c}): ${w}`,
    });
    succeed(run, `${m.name} answered from ${answer.backend}.`);
  }

  const numbered = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  // ---- text for a seq2seq model ----

  async function runText(event) {
    event.preventDefault();
    const run = begin();
    const m = models.get(el.model.value);
    if (!m) return fail(run, 'Choose a model first.');
    const source = el.source.value;
    if (!source.trim()) return fail(run, 'Type a source text first.');

    const answer = await attend(run, { model: m.name, source });
    if (!answer) return;
    el.output.textContent = answer.output;
    const rowLabels = answer.outputTokens, colLabels = answer.sourceTokens;
    draw({
      name: m.name, panels: [{ head: null, title: '', weights: answer.weights }], rowLabels, colLabels,
      rowAxis: 'output', colAxis: 'source', characters: true,
      describe: (r, c, w) => `output ${shown(rowLabels[r])} (step ${r}) → source ${shown(colLabels[c])} (position ${c}): ${w}`,
    });
    succeed(run, `${m.name} read ${colLabels.length} characters and wrote ${rowLabels.length} tokens (stop: ${answer.stop ?? 'end'}).`);
  }

  // ---- one request ----

  function begin() {
    runs += 1;
    el.result.dataset.run = String(runs);
    setState('running', 'Running…');
    clearAnswer();
    return runs;
  }

  async function attend(run, body) {
    if (el.backend.value) body.backend = el.backend.value;
    const started = performance.now();
    try {
      const response = await fetch(service('attend'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) return fail(run, await problemText(response));
      const answer = await response.json();
      if (run !== runs) return null;
      el.answeredBy.textContent = answer.backend ?? '';
      el.elapsed.textContent = `${(performance.now() - started).toFixed(1)} ms (round trip)`;
      return answer;
    } catch (e) {
      return fail(run, `The service did not answer: ${e.message}`);
    }
  }

  async function problemText(response) {
    const text = await response.text();
    try {
      const problem = JSON.parse(text);
      return `${response.status} ${problem.title ?? ''}: ${problem.detail ?? text}`;
    } catch {
      return `${response.status}: ${text || response.statusText}`;
    }
  }

  function setState(state, message) {
    el.result.dataset.state = state;
    el.status.textContent = message;
    el.status.classList.toggle('error', state === 'error');
  }

  function fail(run, message) {
    if (run === runs) setState('error', message);
    return null;
  }

  function succeed(run, message) {
    if (run === runs) setState('done', message);
  }

  function clearAnswer() {
    el.output.textContent = '';
    el.answeredBy.textContent = '';
    el.elapsed.textContent = '';
    el.heatmap.replaceChildren();
    el.table.replaceChildren();
    el.hover.textContent = '';
    el.saveSvg.disabled = el.savePng.disabled = true;
    drawn = null;
  }

  // ---- the heatmap ----

  /** A token as drawn: a space is visible, an empty token too. */
  const shown = token => token === ' ' ? '␣' : token === '' ? '∅' : token;

  const clip = (text, n) => text.length > n ? text.slice(0, n - 1) + '…' : text;

  /**
   * White (0) to dark blue (1) by the square root of the weight: weights are probabilities, so the scale is fixed, and
   * the root keeps small weights (a spread-out row) visible beside a near-one-hot row.
   */
  const shade = weight => Math.sqrt(Math.min(1, Math.max(0, Number(weight) || 0)));

  function colour(weight) {
    const w = shade(weight);
    const from = [247, 251, 255], to = [8, 48, 107];
    const c = from.map((f, i) => Math.round(f + (to[i] - f) * w));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  function node(name, attributes = {}, text) {
    const e = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) e.setAttribute(key, String(value));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function draw(spec) {
    const { panels, rowLabels, colLabels } = spec;
    const rows = panels[0].weights.length, cols = panels[0].weights[0]?.length ?? 0;
    const cell = Math.max(10, Math.min(28, Math.floor((panels.length > 1 ? 420 : 760) / Math.max(1, cols))));
    const rowText = rowLabels.map(l => clip(shown(String(l)), 14));
    const colText = colLabels.map(l => clip(shown(String(l)), 14));
    const longest = texts => Math.max(1, ...texts.map(t => t.length));
    const rowLabelWidth = 20 + longest(rowText) * 8;
    const upright = longest(colText) <= 2;
    const colLabelHeight = upright ? 18 : 12 + longest(colText) * 6;
    const titleHeight = panels.some(p => p.title) ? 20 : 0;
    const panelWidth = rowLabelWidth + cols * cell + 16;
    const panelHeight = 18 + titleHeight + colLabelHeight + rows * cell + 12;
    const perRow = panels.length > 1 ? 2 : 1;
    const legendHeight = 40;
    const width = Math.max(perRow * panelWidth + 16, 340);
    const height = Math.ceil(panels.length / perRow) * panelHeight + legendHeight + 8;

    const svg = node('svg', {
      width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
      'font-family': 'DejaVu Sans, Verdana, sans-serif', 'font-size': 12,
      'aria-label': `Attention weights of ${spec.name}: ${rows} ${spec.rowAxis} positions by ${cols} ${spec.colAxis} positions` +
        (panels.length > 1 ? `, ${panels.length} heads` : ''),
    });
    svg.append(node('title', {}, `Attention weights of ${spec.name}`));
    svg.append(node('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
    const mono = spec.characters ? { 'font-family': 'DejaVu Sans Mono, monospace', 'font-size': 13 } : {};

    panels.forEach((panel, index) => {
      const ox = 8 + (index % perRow) * panelWidth, oy = 8 + Math.floor(index / perRow) * panelHeight;
      const g = node('g', { transform: `translate(${ox},${oy})` });
      if (panel.title) g.append(node('text', { x: rowLabelWidth, y: 14, 'font-weight': 'bold' }, panel.title));
      const top = titleHeight + 14;
      g.append(node('text', { x: rowLabelWidth + (cols * cell) / 2, y: top, 'text-anchor': 'middle', fill: '#57606a' }, spec.colAxis));
      const gridTop = top + 4 + colLabelHeight;
      colText.forEach((label, c) => {
        const x = rowLabelWidth + c * cell + cell / 2;
        g.append(upright
          ? node('text', { x, y: gridTop - 5, 'text-anchor': 'middle', ...mono }, label)
          : node('text', { x, y: gridTop - 5, transform: `rotate(-60 ${x} ${gridTop - 5})`, ...mono }, label));
      });
      g.append(node('text', {
        x: 10, y: gridTop + (rows * cell) / 2, 'text-anchor': 'middle', fill: '#57606a',
        transform: `rotate(-90 10 ${gridTop + (rows * cell) / 2})`,
      }, spec.rowAxis));
      rowText.forEach((label, r) => {
        g.append(node('text', { x: rowLabelWidth - 6, y: gridTop + r * cell + cell / 2 + 4, 'text-anchor': 'end', ...mono }, label));
      });
      panel.weights.forEach((row, r) => row.forEach((weight, c) => {
        const rect = node('rect', {
          class: 'cell', x: rowLabelWidth + c * cell, y: gridTop + r * cell, width: cell, height: cell,
          fill: colour(weight), stroke: '#ffffff', 'stroke-width': 0.5,
          'data-step': r, 'data-source': c, 'data-weight': weight,
        });
        if (panel.head !== null) rect.setAttribute('data-head', String(panel.head));
        rect.append(node('title', {}, spec.describe(r, c, weight, panel)));
        g.append(rect);
      }));
      svg.append(g);
    });

    // The legend: the scale from 0 to 1, with ticks where the square root puts them.
    const ly = height - legendHeight + 6;
    const gradient = node('linearGradient', { id: 'attention-scale', x1: 0, x2: 1, y1: 0, y2: 0 });
    gradient.append(node('stop', { offset: 0, 'stop-color': colour(0) }), node('stop', { offset: 1, 'stop-color': colour(1) }));
    const defs = node('defs');
    defs.append(gradient);
    svg.append(defs, node('rect', { x: 8, y: ly, width: 160, height: 10, fill: 'url(#attention-scale)', stroke: '#d0d7de' }));
    for (const tick of [0, 0.1, 0.5, 1]) {
      const x = 8 + 160 * shade(tick);
      svg.append(node('line', { x1: x, x2: x, y1: ly + 10, y2: ly + 13, stroke: '#57606a' }),
        node('text', { x, y: ly + 25, 'text-anchor': tick === 0 ? 'start' : tick === 1 ? 'end' : 'middle', 'font-size': 11 }, String(tick)));
    }
    svg.append(node('text', { x: 178, y: ly + 9, fill: '#57606a' }, 'attention weight'));

    el.heatmap.replaceChildren(svg);
    el.table.replaceChildren(...panels.map(p => table(spec, p)));
    drawn = { svg, name: spec.name };
    el.saveSvg.disabled = el.savePng.disabled = false;
  }

  function table(spec, panel) {
    const t = document.createElement('table');
    t.createCaption().textContent = panel.title || `${spec.rowAxis} (rows) × ${spec.colAxis} (columns)`;
    const head = t.createTHead().insertRow();
    head.append(document.createElement('th'));
    for (const label of spec.colLabels) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = shown(String(label));
      head.append(th);
    }
    const body = t.createTBody();
    panel.weights.forEach((row, r) => {
      const tr = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = shown(String(spec.rowLabels[r] ?? r));
      tr.append(th);
      for (const w of row) tr.insertCell().textContent = Number(w).toFixed(3);
    });
    return t;
  }

  // ---- saving ----

  function svgBlob() {
    return new Blob([new XMLSerializer().serializeToString(drawn.svg)], { type: 'image/svg+xml' });
  }

  function download(blob, fileName) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  function saveSvg() {
    if (drawn) download(svgBlob(), `attention-${drawn.name}.svg`);
  }

  /** The SVG drawn onto a canvas at twice its size, then encoded as PNG by the browser. */
  async function savePng() {
    if (!drawn) return;
    const { svg, name } = drawn;
    const url = URL.createObjectURL(svgBlob());
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      const scale = 2;
      const canvas = document.createElement('canvas');
      canvas.width = Number(svg.getAttribute('width')) * scale;
      canvas.height = Number(svg.getAttribute('height')) * scale;
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      const png = await new Promise((resolve, reject) =>
        canvas.toBlob(b => b ? resolve(b) : reject(new Error('the browser could not encode the PNG')), 'image/png'));
      download(png, `attention-${name}.png`);
    } catch (e) {
      setState('error', `Cannot save the PNG: ${e.message}`);
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  // ---- wiring ----

  el.model.addEventListener('change', showModel);
  el.generate.addEventListener('click', generate);
  el.textForm.addEventListener('submit', runText);
  el.tensorForm.addEventListener('submit', runTensors);
  el.saveSvg.addEventListener('click', saveSvg);
  el.savePng.addEventListener('click', savePng);
  el.heatmap.addEventListener('mouseover', event => {
    const cell = event.target.closest?.('.cell');
    if (cell) el.hover.textContent = cell.querySelector('title')?.textContent ?? '';
  });
  el.examples.replaceChildren(...DATE_EXAMPLES.map(example => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'example';
    button.textContent = example;
    button.addEventListener('click', () => {
      el.source.value = example;
      el.textForm.requestSubmit();
    });
    return button;
  }));
  loadModels();
})();
