'use strict';
// The step-through player of etcetera-viz pages. The page carries the whole
// trace (gzip, base64) in #etcetera-data; nothing is fetched.

// Collected first, so a test can tell a quiet page from a broken one.
window.etceteraErrors = [];
window.addEventListener('error', (e) => {
  window.etceteraErrors.push(String(e.error && e.error.stack || e.message));
});
window.addEventListener('unhandledrejection', (e) => {
  window.etceteraErrors.push('unhandled rejection: ' + String(e.reason && e.reason.stack || e.reason));
});

// What tests and curious readers may look at; `ready` turns true only once
// the first step is on screen.
window.etcetera = { ready: false, step: 0, steps: 0, data: null };

(function () {
  const $ = (id) => document.getElementById(id);

  // Each panel keeps this many parsed frames; enough to step back and forth
  // without re-parsing, small enough for traces with thousands of frames.
  const FRAME_CACHE = 64;
  const HASH_DELAY_MS = 250;
  const NEARBY_BEFORE = 3;
  const NEARBY_AFTER = 5;
  const PREFERRED_TAGS = ['election', 'commit', 'fault'];
  const TAG_COLORS = { election: '#6941c6', commit: '#16803c', fault: '#c4320a' };
  const SPARE_COLORS = ['#0e7490', '#a15c07', '#be185d', '#475467', '#4d7c0f'];

  const state = {
    data: null,
    steps: [],
    cur: 0,              // 0-based; the reader sees cur + 1
    panels: [],
    tags: [],            // tags present in the data, in button order
    tagSteps: new Map(), // tag -> ascending step indices carrying it
    tagKeys: new Map(),  // key letter -> tag
    rows: [],
    playing: false,
    timer: 0,
    hashTimer: 0,
    writtenHash: '',
  };

  // ---- decoding ----------------------------------------------------------

  async function decodeData() {
    const holder = $('etcetera-data');
    if (!holder) throw new Error('this page carries no trace (no #etcetera-data element)');
    const bytes = base64Bytes(holder.textContent);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return JSON.parse(await new Response(stream).text());
  }

  function base64Bytes(text) {
    const clean = text.replace(/\s+/g, '');
    // fromBase64 skips the binary string that atob would build, as large as the data.
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(clean);
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function checkData(data) {
    if (!data || !Array.isArray(data.steps) || !Array.isArray(data.frames) || !Array.isArray(data.views)) {
      throw new Error('the trace data lacks "views", "frames" or "steps"');
    }
  }

  // ---- frames --------------------------------------------------------------

  // A <template> parses with the HTML parser, which reads inline SVG (and skips
  // Graphviz's XML prologue) several times faster than DOMParser plus
  // importNode; adopting the result moves it without a copy.
  function parseFrame(markup) {
    const tpl = document.createElement('template');
    tpl.innerHTML = markup;
    const found = tpl.content.querySelector('svg');
    if (!found) return emptyNote('this frame holds no SVG');
    const svg = document.adoptNode(found);
    fitToPanel(svg);
    return svg;
  }

  function fitToPanel(svg) {
    const w = svg.getAttribute('width');
    const h = svg.getAttribute('height');
    if (!svg.hasAttribute('viewBox') && parseFloat(w) > 0 && parseFloat(h) > 0) {
      svg.setAttribute('viewBox', `0 0 ${parseFloat(w)} ${parseFloat(h)}`);
    }
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    // The drawn size is a ceiling, not a target: a three-node cluster should
    // not be blown up to fill a wide screen, but a wide log must shrink to fit.
    if (w) svg.style.maxWidth = /^[\d.]+$/.test(w) ? w + 'px' : w;
  }

  function emptyNote(text) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    return p;
  }

  function frameNode(panel, index) {
    const cache = panel.cache;
    let node = cache.get(index);
    if (node) {
      cache.delete(index); // re-inserted below, so the Map's order is least recently used first
    } else {
      node = parseFrame(state.data.frames[index]);
    }
    cache.set(index, node);
    if (cache.size > FRAME_CACHE) cache.delete(cache.keys().next().value);
    return node;
  }

  // ---- panels --------------------------------------------------------------

  function buildPanels(views) {
    const host = $('panels');
    return views.map((view, index) => {
      const section = document.createElement('section');
      section.className = 'panel';
      section.id = 'view-' + view.id;
      const body = document.createElement('div');
      body.className = 'panel-body';
      section.append(panelHeader(view, section), body);
      host.append(section);
      return { index, body, cache: new Map(), shown: undefined, node: null, marked: null,
               nothing: emptyNote('nothing to show at this step') };
    });
  }

  function panelHeader(view, section) {
    const header = document.createElement('header');
    const title = document.createElement('h2');
    title.textContent = view.title || view.id;
    const widen = document.createElement('button');
    widen.type = 'button';
    widen.textContent = 'widen';
    widen.addEventListener('click', () => {
      widen.textContent = section.classList.toggle('wide') ? 'narrow' : 'widen';
    });
    header.append(title, widen);
    return header;
  }

  function showPanel(panel, step) {
    const frames = Array.isArray(step.frames) ? step.frames : [];
    const index = Number.isInteger(frames[panel.index]) ? frames[panel.index] : -1;
    if (index !== panel.shown) swapFrame(panel, index);
    markCurrent(panel, step.mark);
  }

  // Only a change of frame touches the DOM; most steps keep most panels as they are.
  function swapFrame(panel, index) {
    unmark(panel);
    const valid = index >= 0 && index < state.data.frames.length;
    panel.node = valid ? frameNode(panel, index) : panel.nothing;
    panel.body.replaceChildren(panel.node);
    panel.shown = index;
  }

  function unmark(panel) {
    if (panel.marked) panel.marked.classList.remove('current');
    panel.marked = null;
  }

  function markCurrent(panel, id) {
    const el = id && panel.node.querySelector ? panel.node.querySelector('#' + CSS.escape(id)) : null;
    if (el === panel.marked) return;
    unmark(panel);
    if (!el) return;
    el.classList.add('current');
    panel.marked = el;
    scrollWithin(panel.body, el);
  }

  // scrollIntoView would move the page too; only the panel should follow the event.
  function scrollWithin(box, el) {
    if (box.scrollHeight <= box.clientHeight && box.scrollWidth <= box.clientWidth) return;
    const b = box.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.top < b.top || r.bottom > b.bottom) {
      box.scrollTop += (r.top + r.height / 2) - (b.top + b.height / 2);
    }
    if (r.left < b.left || r.right > b.right) {
      box.scrollLeft += (r.left + r.width / 2) - (b.left + b.width / 2);
    }
  }

  // ---- tags ----------------------------------------------------------------

  function indexTags(steps) {
    const byTag = new Map();
    steps.forEach((step, i) => {
      for (const tag of step.tags || []) {
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push(i);
      }
    });
    return byTag;
  }

  function orderTags(tagSteps) {
    const known = PREFERRED_TAGS.filter((t) => tagSteps.has(t));
    const others = [...tagSteps.keys()].filter((t) => !PREFERRED_TAGS.includes(t));
    return known.concat(others);
  }

  function tagColor(tag) {
    if (TAG_COLORS[tag]) return TAG_COLORS[tag];
    let h = 0;
    for (const ch of tag) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return SPARE_COLORS[h % SPARE_COLORS.length];
  }

  // Each tag gets the first letter of its name that no other key has taken.
  function assignTagKeys(tags) {
    const keys = new Map();
    for (const tag of tags) {
      const letter = [...tag.toLowerCase()].find((c) => /[a-z]/.test(c) && !keys.has(c));
      if (letter) keys.set(letter, tag);
    }
    return keys;
  }

  // The nearest step after (dir 1) or before (dir -1) `from` carrying the tag, or -1.
  function nearestTagged(tag, from, dir) {
    const list = state.tagSteps.get(tag) || [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= from) lo = mid + 1; else hi = mid;
    }
    // lo is now the first position past `from`.
    if (dir > 0) return lo < list.length ? list[lo] : -1;
    const before = list[lo - 1] === from ? lo - 2 : lo - 1;
    return before >= 0 ? list[before] : -1;
  }

  function jump(tag, dir) {
    const target = nearestTagged(tag, state.cur, dir);
    if (target >= 0) go(target);
  }

  function buildJumps() {
    const host = $('jumps');
    for (const tag of state.tags) {
      host.append(jumpButton('back-' + tag, 'previous ' + tag, tag, -1),
                  jumpButton('jump-' + tag, 'next ' + tag, tag, 1));
    }
  }

  function jumpButton(id, label, tag, dir) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = id;
    b.textContent = label;
    b.title = label + ' (shift-click goes the other way)';
    b.style.setProperty('--tag-color', tagColor(tag));
    b.addEventListener('click', (e) => jump(tag, e.shiftKey ? -dir : dir));
    return b;
  }

  function tagBadge(tag) {
    const span = document.createElement('span');
    span.className = 'tag';
    span.textContent = tag;
    span.style.setProperty('--tag-color', tagColor(tag));
    return span;
  }

  // ---- the strip of tag ticks under the slider -------------------------------

  const LANE_HEIGHT = 5;

  // One lane per tag. The CSS height is set once here, never while drawing:
  // drawing runs on resize, and resizing from there would loop.
  function sizeTagStrip() {
    $('tag-strip').style.height = Math.max(1, state.tags.length) * LANE_HEIGHT + 'px';
  }

  function drawTagStrip() {
    const canvas = $('tag-strip');
    const laneHeight = LANE_HEIGHT;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, state.tags.length) * laneHeight * ratio;
    const ctx = canvas.getContext('2d');
    ctx.scale(ratio, ratio);
    const last = Math.max(1, state.steps.length - 1);
    // Ticks widen for short traces, so a handful of events stays visible.
    const tick = Math.max(1, Math.min(4, width / state.steps.length));
    state.tags.forEach((tag, lane) => {
      ctx.fillStyle = tagColor(tag);
      for (const i of state.tagSteps.get(tag)) {
        const x = Math.min(width - tick, (i / last) * width - tick / 2);
        ctx.fillRect(Math.max(0, x), lane * laneHeight, tick, laneHeight - 1);
      }
    });
  }

  function onStripClick(e) {
    const rect = e.currentTarget.getBoundingClientRect();
    const fraction = (e.clientX - rect.left) / Math.max(1, rect.width);
    go(Math.round(fraction * (state.steps.length - 1)));
  }

  // ---- nearby events: a fixed handful of rows, reused at every step ---------

  function buildRows() {
    const list = $('events');
    for (let r = 0; r < NEARBY_BEFORE + 1 + NEARBY_AFTER; r++) {
      const li = document.createElement('li');
      li.innerHTML = '<span class="n"></span><span class="t"></span><span class="text"></span>';
      li.addEventListener('click', () => go(Number(li.dataset.step)));
      list.append(li);
      state.rows.push(li);
    }
  }

  function renderRows() {
    state.rows.forEach((li, r) => {
      const i = state.cur - NEARBY_BEFORE + r;
      li.hidden = i < 0 || i >= state.steps.length;
      if (li.hidden) return;
      const step = state.steps[i];
      li.dataset.step = i;
      li.classList.toggle('current', i === state.cur);
      li.children[0].textContent = '#' + (i + 1);
      li.children[1].textContent = step.time === undefined ? '' : 't=' + step.time;
      li.children[2].textContent = step.text || step.action || '';
    });
  }

  // ---- showing a step --------------------------------------------------------

  function go(i) {
    const n = state.steps.length;
    if (n === 0) return;
    show(Math.max(0, Math.min(n - 1, i)));
  }

  function show(i) {
    state.cur = i;
    const step = state.steps[i];
    renderHeader(step, i);
    for (const panel of state.panels) showPanel(panel, step);
    renderControls(i);
    renderRows();
    window.etcetera.step = i + 1;
    scheduleHash();
  }

  function renderHeader(step, i) {
    $('step-counter').textContent = `step ${i + 1} / ${state.steps.length}`;
    $('step-time').textContent = step.time === undefined ? '' : 'time ' + step.time;
    $('step-node').textContent = step.node === undefined ? '' : 'node ' + step.node;
    $('description').textContent = step.text || step.action || '';
    $('step-tags').replaceChildren(...(step.tags || []).map(tagBadge));
  }

  function renderControls(i) {
    const last = state.steps.length - 1;
    $('slider').value = String(i + 1);
    $('first').disabled = $('prev').disabled = i === 0;
    $('next').disabled = $('last').disabled = i === last;
    for (const tag of state.tags) {
      $('jump-' + tag).disabled = nearestTagged(tag, i, 1) < 0;
      $('back-' + tag).disabled = nearestTagged(tag, i, -1) < 0;
    }
  }

  // ---- the URL hash: #step=K -------------------------------------------------

  function stepFromHash() {
    const m = /step=(\d+)/.exec(location.hash);
    return m ? Number(m[1]) - 1 : null;
  }

  // Browsers throttle rapid history updates, so the hash follows at most a few
  // times a second; a link only needs the step the reader stopped at.
  function scheduleHash() {
    if (state.hashTimer) return;
    state.hashTimer = setTimeout(() => {
      state.hashTimer = 0;
      writeHash('#step=' + (state.cur + 1));
    }, HASH_DELAY_MS);
  }

  function writeHash(hash) {
    if (location.hash === hash) return;
    state.writtenHash = hash;
    try {
      history.replaceState(null, '', hash);
    } catch (_) {
      location.replace(hash); // some file:// setups refuse replaceState
    }
  }

  function onHashChange() {
    if (location.hash === state.writtenHash) return; // our own write, already shown
    const i = stepFromHash();
    if (i !== null) go(i);
  }

  // ---- playing ----------------------------------------------------------------

  function speed() {
    return Number($('speed').value) || 5;
  }

  function play() {
    if (state.cur === state.steps.length - 1) go(0);
    state.playing = true;
    $('play').textContent = 'pause';
    state.timer = setTimeout(tick, 1000 / speed());
  }

  function pause() {
    state.playing = false;
    clearTimeout(state.timer);
    $('play').textContent = 'play';
  }

  function tick() {
    go(state.cur + 1);
    if (state.cur >= state.steps.length - 1) pause();
    else state.timer = setTimeout(tick, 1000 / speed());
  }

  function togglePlay() {
    if (state.playing) pause(); else play();
  }

  // ---- keys -------------------------------------------------------------------

  function keyAction(e) {
    const stride = e.shiftKey ? 10 : 1;
    switch (e.key) {
      case 'ArrowRight': return () => go(state.cur + stride);
      case 'ArrowLeft': return () => go(state.cur - stride);
      // A held Space would flicker between play and pause.
      case ' ': return e.repeat ? () => {} : togglePlay;
      case 'Home': return () => go(0);
      case 'End': return () => go(state.steps.length - 1);
    }
    const tag = state.tagKeys.get((e.key || '').toLowerCase());
    return tag ? () => jump(tag, e.shiftKey ? -1 : 1) : null;
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // The slider and the speed menu have their own meaning for these keys.
    if (e.target.closest && e.target.closest('input, select, textarea')) return;
    const action = keyAction(e);
    if (!action) return;
    e.preventDefault();
    action();
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  }

  function writeHelp() {
    const parts = ['<kbd>&larr;</kbd> <kbd>&rarr;</kbd> step (with <kbd>Shift</kbd>: 10)',
                   '<kbd>Space</kbd> play/pause', '<kbd>Home</kbd> <kbd>End</kbd> first/last'];
    for (const [key, tag] of state.tagKeys) {
      const name = escapeHtml(tag);
      parts.push(`<kbd>${key}</kbd> next ${name} (<kbd>${key.toUpperCase()}</kbd> previous)`);
    }
    $('help').innerHTML = 'Keys: ' + parts.join(' &middot; ');
  }

  // ---- wiring -----------------------------------------------------------------

  function wireControls() {
    $('first').addEventListener('click', () => go(0));
    $('prev').addEventListener('click', () => go(state.cur - 1));
    $('next').addEventListener('click', () => go(state.cur + 1));
    $('last').addEventListener('click', () => go(state.steps.length - 1));
    $('play').addEventListener('click', togglePlay);
    $('slider').addEventListener('input', (e) => go(Number(e.target.value) - 1));
    $('tag-strip').addEventListener('click', onStripClick);
    // A clicked button keeps no focus, so Space goes on meaning play/pause.
    $('bar').addEventListener('mousedown', (e) => {
      if (e.target.closest('button')) e.preventDefault();
    });
    document.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', onHashChange);
    new ResizeObserver(drawTagStrip).observe($('tag-strip'));
  }

  function setUp(data) {
    state.data = data;
    state.steps = data.steps;
    state.panels = buildPanels(data.views);
    state.tagSteps = indexTags(data.steps);
    state.tags = orderTags(state.tagSteps);
    state.tagKeys = assignTagKeys(state.tags);
    $('slider').max = String(Math.max(1, data.steps.length));
    buildJumps();
    sizeTagStrip();
    buildRows();
    writeHelp();
    wireControls();
  }

  async function main() {
    const data = await decodeData();
    checkData(data);
    setUp(data);
    Object.assign(window.etcetera, { steps: data.steps.length, data });
    if (data.steps.length === 0) {
      $('status').textContent = 'this trace has no steps';
    } else {
      $('status').textContent = '';
      go(stepFromHash() ?? 0);
    }
    window.etcetera.loadMs = Math.round(performance.now());
    window.etcetera.ready = true;
  }

  main().catch((err) => {
    window.etceteraErrors.push(String(err && err.stack || err));
    const status = $('status');
    status.textContent = 'could not show the trace: ' + (err && err.message || err);
    status.className = 'error';
  });
})();
