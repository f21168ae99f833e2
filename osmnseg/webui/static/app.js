// The page of tools/webui.py: plain JavaScript, no build step.
// The server holds the clips; the page shows one frame at a time (a JPEG under a canvas of
// object ids drawn in the DAVIS palette), edits that frame's mask with the brush and sends it
// back as raw bytes (one object id per pixel, row by row).
'use strict';

const POLL_MS = 250;
const state = {
  info: null,        // /api/info: model, limits, palette
  clip: null,        // the open clip's summary
  index: 0,          // the frame shown
  mask: null,        // Uint8Array of the shown frame's object ids
  object: 1,         // the id the brush paints
  maxObject: 1,      // objects offered in the palette
  painting: false,
  last: null,        // the previous brush point of a stroke
  playing: false,
  polling: false,
  showToken: 0,      // drops answers for frames no longer shown
};
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ server
async function api(method, url, body, headers = {}) {
  const response = await fetch(url, {method, body, headers, credentials: 'same-origin'});
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try { detail = (await response.json()).detail; } catch (err) { /* not JSON */ }
    throw new Error(detail);
  }
  return response;
}
const getJson = async (url) => (await api('GET', url)).json();
const sendJson = async (method, url, value) =>
  (await api(method, url, JSON.stringify(value), {'Content-Type': 'application/json'})).json();
const clipUrl = (path = '') => `/api/clips/${state.clip.id}${path}`;

function showMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
}
const clearMessage = () => { $('message').hidden = true; };

// Runs an action of a control; a refusal of the server becomes the page's message.
function guarded(action) {
  return async (event) => {
    try { await action(event); } catch (err) { showMessage(err.message); }
  };
}

// ------------------------------------------------------------------ drawing
function drawMask() {
  const canvas = $('mask-canvas');
  const context = canvas.getContext('2d');
  const image = context.createImageData(canvas.width, canvas.height);
  const alpha = Math.round(2.55 * $('opacity').value);
  const palette = state.info.palette;
  for (let i = 0; i < state.mask.length; i++) {
    const id = state.mask[i];
    if (id === 0) continue;
    const [r, g, b] = palette[id];
    image.data.set([r, g, b, alpha], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

async function loadFrame(index) {
  const image = new Image();
  image.src = clipUrl(`/frames/${index}`);
  await image.decode();
  return image;
}

async function loadMask(index) {
  const response = await api('GET', clipUrl(`/masks/${index}`));
  return new Uint8Array(await response.arrayBuffer());
}

async function show(index) {
  const token = ++state.showToken;
  const [image, mask] = await Promise.all([loadFrame(index), loadMask(index)]);
  if (token !== state.showToken) return;  // another frame was asked for meanwhile
  state.index = index;
  state.mask = mask;
  $('frame-canvas').getContext('2d').drawImage(image, 0, 0);
  drawMask();
  noteObjects(mask);
  updateFrameLabel();
}

async function reloadMask() {
  const index = state.index;
  const mask = await loadMask(index);
  if (index !== state.index || state.painting) return;
  state.mask = mask;
  drawMask();
  noteObjects(mask);
}

function updateFrameLabel() {
  const clip = state.clip;
  const edited = clip.edited.includes(state.index) ? ' (edited)' : '';
  $('frame-label').textContent = `frame ${state.index} / ${clip.num_frames - 1}${edited}`;
  $('slider').value = state.index;
  const list = $('edited');
  list.replaceChildren(document.createTextNode(clip.edited.length ? 'Edited frames: ' : ''));
  for (const index of clip.edited) {
    const chip = document.createElement('button');
    chip.textContent = index;
    chip.className = 'chip';
    chip.addEventListener('click', guarded(() => show(index)));
    list.append(chip);
  }
}

// ------------------------------------------------------------------ objects
function noteObjects(mask) {
  let highest = state.maxObject;
  for (const id of mask) if (id > highest) highest = id;
  if (highest !== state.maxObject) {
    state.maxObject = highest;
    renderObjects();
  }
}

function renderObjects() {
  const box = $('objects');
  box.replaceChildren();
  for (let id = 1; id <= state.maxObject; id++) {
    const button = document.createElement('button');
    const [r, g, b] = state.info.palette[id];
    button.textContent = id;
    button.className = 'object' + (id === state.object ? ' selected' : '');
    button.style.background = `rgb(${r}, ${g}, ${b})`;
    button.title = `paint object ${id}`;
    button.addEventListener('click', () => { state.object = id; renderObjects(); });
    box.append(button);
  }
}

// ------------------------------------------------------------------ brush
function canvasPoint(event) {
  const canvas = $('mask-canvas');
  const rect = canvas.getBoundingClientRect();
  return {x: (event.clientX - rect.left) * canvas.width / rect.width,
          y: (event.clientY - rect.top) * canvas.height / rect.height};
}

function stamp(point) {
  const {width, height} = $('mask-canvas');
  const radius = Number($('brush-size').value) / 2;
  const erasing = document.querySelector('input[name=tool]:checked').value === 'erase';
  const value = erasing ? 0 : state.object;
  const x0 = Math.max(0, Math.floor(point.x - radius));
  const x1 = Math.min(width - 1, Math.ceil(point.x + radius));
  const y0 = Math.max(0, Math.floor(point.y - radius));
  const y1 = Math.min(height - 1, Math.ceil(point.y + radius));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - point.x, dy = y + 0.5 - point.y;
      if (dx * dx + dy * dy <= radius * radius) state.mask[y * width + x] = value;
    }
  }
}

// A stroke between two points is a row of stamps no further apart than a quarter brush.
function strokeTo(point) {
  const from = state.last || point;
  const spacing = Math.max(0.5, Number($('brush-size').value) / 4);
  const steps = Math.ceil(Math.hypot(point.x - from.x, point.y - from.y) / spacing);
  for (let i = 1; i <= Math.max(1, steps); i++) {
    const t = i / Math.max(1, steps);
    stamp({x: from.x + t * (point.x - from.x), y: from.y + t * (point.y - from.y)});
  }
  state.last = point;
  drawMask();
}

function startStroke(event) {
  if (!state.clip || !state.mask || isBusy()) return;
  event.preventDefault();
  $('mask-canvas').setPointerCapture(event.pointerId);
  state.painting = true;
  state.last = null;
  strokeTo(canvasPoint(event));
}

function continueStroke(event) {
  if (state.painting) strokeTo(canvasPoint(event));
}

async function endStroke() {
  if (!state.painting) return;
  state.painting = false;
  await saveMask();
}

async function saveMask() {
  const index = state.index;
  try {
    const response = await api('PUT', clipUrl(`/masks/${index}`), state.mask);
    setClip(await response.json());
    noteObjects(state.mask);
  } catch (err) {
    showMessage(err.message);
    await reloadMask();
  }
}

// ------------------------------------------------------------------ clips
function setClip(summary) {
  state.clip = summary;
  updateFrameLabel();
}

async function openClip(summary) {
  stopPlaying();
  state.clip = summary;
  state.index = 0;
  for (const canvas of [$('frame-canvas'), $('mask-canvas')]) {
    canvas.width = summary.width;
    canvas.height = summary.height;
  }
  $('stage').style.setProperty('--aspect', summary.width / summary.height);
  $('placeholder').hidden = true;
  $('slider').max = summary.num_frames - 1;
  state.object = 1;
  state.maxObject = 1;
  renderObjects();
  enableClipControls(true);
  await refreshClipList();
  await show(0);
  showProgress(summary.propagation);
  if (isBusy()) pollPropagation();
}

async function refreshClipList() {
  const clips = await getJson('/api/clips');
  const select = $('clip-select');
  select.replaceChildren();
  for (const clip of clips) {
    const option = new Option(`${clip.name} (${clip.num_frames} frames)`, clip.id);
    option.selected = state.clip && clip.id === state.clip.id;
    select.append(option);
  }
  if (!clips.length) select.append(new Option('no clip open', ''));
  return clips;
}

async function uploadClip() {
  const file = $('clip-file').files[0];
  if (!file) return;
  $('clip-file').value = '';
  if (file.size > state.info.max_upload_bytes) {
    const limit = (state.info.max_upload_bytes / 2 ** 20).toFixed(1);
    const size = (file.size / 2 ** 20).toFixed(1);
    throw new Error(`${file.name} is ${size} MiB, over the limit of ${limit} MiB of this ` +
                    'server (--max-upload-mb).');
  }
  const form = new FormData();
  form.append('file', file);
  showMessage(`Reading ${file.name} ...`, 'info');
  const response = await api('POST', '/api/clips', form);
  clearMessage();
  await openClip(await response.json());
}

async function openSequence() {
  const name = $('sequence-select').value;
  if (!name) return;
  showMessage(`Reading ${name} ...`, 'info');
  const summary = await sendJson('POST', '/api/clips/sequence', {name});
  clearMessage();
  await openClip(summary);
}

async function switchClip() {
  const id = $('clip-select').value;
  if (id) await openClip(await getJson(`/api/clips/${id}`));
}

async function closeClip() {
  await api('DELETE', clipUrl());
  state.clip = null;
  const clips = await refreshClipList();
  if (clips.length) {
    await openClip(clips[clips.length - 1]);
  } else {
    enableClipControls(false);
    $('placeholder').hidden = false;
    $('frame-label').textContent = '';
    $('edited').replaceChildren();
    for (const canvas of [$('frame-canvas'), $('mask-canvas')]) {
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
    }
  }
}

async function loadSequences() {
  const select = $('sequence-select');
  try {
    const {names} = await getJson('/api/sequences');
    select.replaceChildren(...names.map((name) => new Option(name, name)));
  } catch (err) {
    select.replaceChildren(new Option('no data set', ''));
    select.title = err.message;
    $('open-sequence').disabled = true;
  }
}

function enableClipControls(enabled) {
  for (const element of document.querySelectorAll('.needs-clip')) element.disabled = !enabled;
}

// ------------------------------------------------------------------ masks
async function uploadMask() {
  const file = $('mask-file').files[0];
  if (!file) return;
  $('mask-file').value = '';
  const form = new FormData();
  form.append('file', file);
  const response = await api('POST', clipUrl(`/masks/${state.index}/png`), form);
  setClip(await response.json());
  await reloadMask();
}

async function forgetEdit() {
  setClip(await (await api('DELETE', clipUrl(`/masks/${state.index}/edit`))).json());
}

// ------------------------------------------------------------------ propagation
const isBusy = () => Boolean(state.clip && state.clip.propagation &&
                             state.clip.propagation.state === 'running');

async function propagate() {
  stopPlaying();
  const status = await sendJson('POST', clipUrl('/propagation'),
                                {start: state.index, reencode: $('reencode').checked});
  state.clip.propagation = status;
  showProgress(status);
  clearMessage();
  pollPropagation();
}

function showProgress(status) {
  if (!status) {  // a clip never propagated
    $('progress').value = 0;
    $('progress-text').textContent = '';
    $('cancel').disabled = true;
    return;
  }
  $('progress').max = status.total;
  $('progress').value = status.done;
  $('progress-text').textContent =
    `${status.state}: ${status.done} / ${status.total} frames from frame ${status.start}` +
    (status.fps ? `, ${status.fps.toFixed(1)} frames/s` : '');
  $('propagate').disabled = status.state === 'running';
  $('cancel').disabled = status.state !== 'running';
}

async function pollPropagation() {
  if (state.polling) return;
  state.polling = true;
  try {
    for (;;) {
      const revision = state.clip.revision;
      const summary = await getJson(clipUrl());
      setClip(summary);
      showProgress(summary.propagation);
      if (summary.revision !== revision) await reloadMask();
      if (summary.propagation.state !== 'running') {
        reportEnd(summary.propagation);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    state.polling = false;
  }
}

function reportEnd(status) {
  if (status.state === 'failed') showMessage(`Propagation failed: ${status.message}`);
  else if (status.state === 'cancelled') {
    showMessage(`Propagation cancelled after ${status.done} frames.`, 'info');
  } else {
    showMessage(`Propagated ${status.done} frames at ${status.fps.toFixed(1)} frames/s.`, 'info');
  }
}

async function cancelPropagation() {
  await api('POST', clipUrl('/propagation/cancel'));
}

// ------------------------------------------------------------------ playback
function stopPlaying() {
  state.playing = false;
  $('play').textContent = 'Play';
}

async function play() {
  if (state.playing) { stopPlaying(); return; }
  state.playing = true;
  $('play').textContent = 'Pause';
  if (state.index >= state.clip.num_frames - 1) await show(0);
  while (state.playing && state.index < state.clip.num_frames - 1) {
    const started = performance.now();
    await show(state.index + 1);
    const wait = 1000 / Number($('fps').value) - (performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
  stopPlaying();
}

function step(offset) {
  if (!state.clip) return;
  const index = Math.min(state.clip.num_frames - 1, Math.max(0, state.index + offset));
  if (index !== state.index) show(index).catch((err) => showMessage(err.message));
}

// ------------------------------------------------------------------ export
async function download(path, filename) {
  showMessage(`Preparing ${filename} ...`, 'info');
  const blob = await (await api('GET', clipUrl(path))).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  showMessage(`Saved ${filename}.`, 'info');
}

function exportOverlay(kind) {
  return () => download(`/export/overlay.${kind}?fps=${$('fps').value}`,
                        `${state.clip.name}_overlay.${kind}`);
}

// ------------------------------------------------------------------ start
function bindControls() {
  const mask = $('mask-canvas');
  mask.addEventListener('pointerdown', startStroke);
  mask.addEventListener('pointermove', continueStroke);
  mask.addEventListener('pointerup', guarded(endStroke));
  mask.addEventListener('pointercancel', guarded(endStroke));
  $('clip-file').addEventListener('change', guarded(uploadClip));
  $('open-sequence').addEventListener('click', guarded(openSequence));
  $('clip-select').addEventListener('change', guarded(switchClip));
  $('close-clip').addEventListener('click', guarded(closeClip));
  $('add-object').addEventListener('click', () => {
    state.maxObject = Math.min(255, state.maxObject + 1);
    state.object = state.maxObject;
    renderObjects();
  });
  $('brush-size').addEventListener('input', () => {
    $('brush-size-value').textContent = $('brush-size').value;
  });
  $('mask-file').addEventListener('change', guarded(uploadMask));
  $('forget-edit').addEventListener('click', guarded(forgetEdit));
  $('propagate').addEventListener('click', guarded(propagate));
  $('cancel').addEventListener('click', guarded(cancelPropagation));
  $('play').addEventListener('click', guarded(play));
  $('slider').addEventListener('input', guarded(() => {
    stopPlaying();
    return show(Number($('slider').value));
  }));
  $('opacity').addEventListener('input', () => { if (state.mask) drawMask(); });
  $('export-masks').addEventListener('click', guarded(
    () => download('/export/masks.zip', `${state.clip.name}_masks.zip`)));
  $('export-mp4').addEventListener('click', guarded(exportOverlay('mp4')));
  $('export-gif').addEventListener('click', guarded(exportOverlay('gif')));
  document.addEventListener('keydown', (event) => {
    if (event.target.tagName === 'INPUT' || event.target.tagName === 'SELECT') return;
    if (event.key === 'ArrowRight') step(1);
    if (event.key === 'ArrowLeft') step(-1);
  });
}

async function start() {
  bindControls();
  enableClipControls(false);
  $('brush-size-value').textContent = $('brush-size').value;
  state.info = await getJson('/api/info');
  $('model').textContent = state.info.model;
  renderObjects();
  await loadSequences();
  const clips = await refreshClipList();
  if (clips.length) await openClip(clips[clips.length - 1]);
}

start().catch((err) => showMessage(err.message));
