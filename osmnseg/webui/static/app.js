// The page of tools/webui.py: plain JavaScript modules, no build step.
// The server holds the clips; the page shows one frame at a time (the frame's image under a
// canvas of object ids drawn in the DAVIS palette). A stroke is painted here at once and sent
// as the stroke (points, radius, object, erase); a box or an inside / outside stroke asks the
// server for the object's mask (GrabCut) and shows the answer.
'use strict';

import {$, api, clearMessage, getJson, guarded, sendJson, showMessage} from './api.js';
import {keyAction} from './keys.js';
import {adler32, paintSegment} from './paint.js';
import {bindExports, fillExportChoices} from './export.js';

const POLL_MS = 250;
export const state = {
  info: null,        // /api/info: model, limits, palette, heartbeat period, export choices
  clip: null,        // the open clip's summary
  index: 0,          // the frame shown
  target: 0,         // the frame asked for last (arrow presses add up here)
  mask: null,        // Uint8Array of the shown frame's object ids
  overlay: null,     // ImageData of the mask canvas
  object: 1,         // the id the brush paints
  maxObject: 1,      // objects offered in the palette
  stroke: null,      // the stroke being drawn: {tool, points, radius, index}
  boxStart: null,    // the corner where the box being dragged started
  pending: Promise.resolve(),  // edits are sent one after the other, in order
  unsent: 0,         // edits drawn but not answered yet
  playing: false,
  polling: false,
  showToken: 0,      // drops answers for frames no longer shown
};
const tool = () => document.querySelector('input[name=tool]:checked').value;
const clipUrl = (path = '') => `/api/clips/${state.clip.id}${path}`;
const isBusy = () => Boolean(state.clip && state.clip.propagation &&
                             state.clip.propagation.state === 'running');

// ------------------------------------------------------------------ drawing
// Redraws the mask canvas inside the rectangle (inclusive; default: all of it).
function drawMask(rect = null) {
  const {width, height} = $('mask-canvas');
  const {x0, y0, x1, y1} = rect || {x0: 0, y0: 0, x1: width - 1, y1: height - 1};
  const data = state.overlay.data;
  const alpha = Math.round(2.55 * $('opacity').value);
  const palette = state.info.palette;
  for (let y = y0; y <= y1; y++) {
    for (let i = y * width + x0; i <= y * width + x1; i++) {
      const id = state.mask[i];
      const [r, g, b] = palette[id];
      data[4 * i] = r; data[4 * i + 1] = g; data[4 * i + 2] = b;
      data[4 * i + 3] = id ? alpha : 0;
    }
  }
  $('mask-canvas').getContext('2d').putImageData(state.overlay, 0, 0, x0, y0,
                                                 x1 - x0 + 1, y1 - y0 + 1);
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
  state.target = index;
  const [image, mask] = await Promise.all([loadFrame(index), loadMask(index)]);
  if (token !== state.showToken) return;  // another frame was asked for meanwhile
  state.index = index;
  state.mask = mask;
  $('frame-canvas').getContext('2d').drawImage(image, 0, 0);
  drawMask();
  noteObjects(mask);
  updateFrameLabel();
}

// Shows the server's mask of the frame shown (after a box, a hint, undo, a propagation).
async function reloadMask() {
  const index = state.index;
  const mask = await loadMask(index);
  if (index !== state.index || state.stroke || state.unsent) return;
  state.mask = mask;
  drawMask();
  noteObjects(mask);
}

function updateFrameLabel() {
  const clip = state.clip;
  const edited = clip.edited.includes(state.index) ? ' (edited)' : '';
  $('frame-label').textContent = `frame ${state.index} / ${clip.num_frames - 1}${edited}`;
  $('slider').value = state.index;
  const [undos, redos] = clip.history[state.index] || [0, 0];
  $('undo').disabled = !undos;
  $('redo').disabled = !redos;
  $('forget-edit').disabled = !clip.edited.includes(state.index);
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

function pickObject(id) {
  state.object = id;
  state.maxObject = Math.max(state.maxObject, id);
  renderObjects();
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
    button.title = `paint object ${id} (key ${id})`;
    button.addEventListener('click', () => pickObject(id));
    box.append(button);
  }
}

// ------------------------------------------------------------------ brush, box and hints
function canvasPoint(event) {
  const canvas = $('mask-canvas');
  const rect = canvas.getBoundingClientRect();
  const round = (value) => Math.round(value * 10) / 10;  // short JSON; both sides use it
  return {x: round((event.clientX - rect.left) * canvas.width / rect.width),
          y: round((event.clientY - rect.top) * canvas.height / rect.height)};
}

const brushRadius = () => Number($('brush-size').value) / 2;

function setBrushSize(size) {
  const slider = $('brush-size');
  slider.value = Math.min(Number(slider.max), Math.max(1, Math.round(size)));
  $('brush-size-value').textContent = slider.value;
}

// The value a stroke of the tool paints in the page's preview.
const strokeValue = (kind) => (kind === 'erase' || kind === 'outside' ? 0 : state.object);

function paintTo(point) {
  const stroke = state.stroke;
  const from = stroke.points[stroke.points.length - 1];
  const rect = paintSegment(state.mask, state.clip.width, state.clip.height, from, point,
                            stroke.radius, strokeValue(stroke.tool));
  stroke.points.push(point);
  if (rect) drawMask(rect);
}

function startDrawing(event) {
  if (!state.clip || !state.mask || event.button !== 0) return;
  if (isBusy()) {
    showMessage('The clip is being propagated: masks can change when it has finished or ' +
                'been cancelled.', 'info');
    return;
  }
  event.preventDefault();
  $('mask-canvas').setPointerCapture(event.pointerId);
  stopPlaying();
  const point = canvasPoint(event);
  if (tool() === 'box') {
    state.boxStart = point;
    showBoxOutline(point, point);
    return;
  }
  state.stroke = {tool: tool(), points: [point], radius: brushRadius(), index: state.index};
  const rect = paintSegment(state.mask, state.clip.width, state.clip.height, point, point,
                            state.stroke.radius, strokeValue(state.stroke.tool));
  if (rect) drawMask(rect);
}

function continueDrawing(event) {
  const point = canvasPoint(event);
  if (state.boxStart) showBoxOutline(state.boxStart, point);
  const stroke = state.stroke;
  if (!stroke) return;
  const last = stroke.points[stroke.points.length - 1];
  // points closer than half the radius add nothing a person sees, only bytes
  if (Math.hypot(point.x - last.x, point.y - last.y) >= Math.max(1, stroke.radius / 2)) {
    paintTo(point);
  }
}

function endDrawing(event) {
  const point = canvasPoint(event);
  if (state.boxStart) {
    const start = state.boxStart;
    state.boxStart = null;
    $('box-outline').hidden = true;
    return sendEdit(state.index, '/box', {box: [start.x, start.y, point.x, point.y],
                                          object: state.object});
  }
  const stroke = state.stroke;
  if (!stroke) return null;
  const last = stroke.points[stroke.points.length - 1];
  if (point.x !== last.x || point.y !== last.y) paintTo(point);
  state.stroke = null;
  const body = {points: stroke.points.map((p) => [p.x, p.y]), radius: stroke.radius,
                object: state.object};
  if (stroke.tool === 'inside' || stroke.tool === 'outside') {
    return sendEdit(stroke.index, '/hint', {...body, inside: stroke.tool === 'inside'});
  }
  return sendEdit(stroke.index, '/strokes', {...body, erase: stroke.tool === 'erase'});
}

function showBoxOutline(a, b) {
  const box = $('box-outline');
  const {width, height} = state.clip;
  box.style.left = `${100 * Math.min(a.x, b.x) / width}%`;
  box.style.top = `${100 * Math.min(a.y, b.y) / height}%`;
  box.style.width = `${100 * Math.abs(b.x - a.x) / width}%`;
  box.style.height = `${100 * Math.abs(b.y - a.y) / height}%`;
  box.hidden = false;
}

// Sends an edit of frame `index` after the ones before it. A stroke's answer carries the
// server's mask checksum: equal to the page's, nothing to do; else (or after a box, a hint,
// undo) the page shows the server's mask, once no other edit is on its way.
function sendEdit(index, path, body, method = 'POST') {
  state.unsent += 1;
  const url = clipUrl(`/masks/${index}${path}`);
  const send = async () => {
    try {
      const answer = body ? await sendJson(method, url, body) : await (await api(method, url)).json();
      setClip(answer.clip);
      if (answer.seconds !== undefined) {
        $('tool-note').textContent = `mask from the box in ${answer.seconds.toFixed(2)} s`;
      }
      state.unsent -= 1;
      const agrees = path === '/strokes' && adler32(state.mask) === answer.checksum;
      if (index === state.index && !state.unsent && !state.stroke && !agrees) await reloadMask();
    } catch (err) {
      state.unsent -= 1;
      showMessage(err.message);
      if (index === state.index && !state.unsent) await reloadMask();
    }
  };
  state.pending = state.pending.then(send);
  return state.pending;
}

const undo = () => sendEdit(state.index, '/undo', null);
const redo = () => sendEdit(state.index, '/redo', null);
const forgetEdits = () => sendEdit(state.index, '/edit', null, 'DELETE');

async function uploadMask() {
  const file = $('mask-file').files[0];
  if (!file) return;
  $('mask-file').value = '';
  const form = new FormData();
  form.append('file', file);
  const answer = await (await api('POST', clipUrl(`/masks/${state.index}/png`), form)).json();
  setClip(answer.clip);
  await reloadMask();
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
  state.overlay = new ImageData(summary.width, summary.height);
  $('stage').style.setProperty('--aspect', summary.width / summary.height);
  $('placeholder').hidden = true;
  $('slider').max = summary.num_frames - 1;
  $('brush-size').max = Math.max(1, Math.floor(summary.width / 4));  // up to a quarter frame
  setBrushSize(Number($('brush-size').value));
  if (summary.sequence) $('sequence-select').value = summary.sequence;
  fillExportChoices(summary, state.info);
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
    showNoClip();
  }
}

function showNoClip() {
  state.clip = null;
  enableClipControls(false);
  $('placeholder').hidden = false;
  $('frame-label').textContent = '';
  $('edited').replaceChildren();
  for (const canvas of [$('frame-canvas'), $('mask-canvas')]) {
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
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

// The server ends a session none of whose pages has called for a while; this page calls.
async function heartbeat() {
  const {new_session: isNew} = await getJson('/api/heartbeat');
  if (isNew && state.clip) {
    showNoClip();
    await refreshClipList();
    showMessage('This page was away too long and the server removed its clips; open the ' +
                'clip again.');
  }
}

// ------------------------------------------------------------------ propagation
async function propagate() {
  stopPlaying();
  await state.pending;  // the edits drawn before the click go first
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
  const written = (status) => state.index >= status.start &&
                              state.index < status.start + status.done;
  try {
    let shownWritten = written(state.clip.propagation);
    for (;;) {
      const summary = await getJson(clipUrl());
      setClip(summary);
      const status = summary.propagation;
      showProgress(status);
      if (written(status) !== shownWritten || status.state !== 'running') await reloadMask();
      shownWritten = written(status);
      if (status.state !== 'running') {
        reportEnd(status);
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

const cancelPropagation = () => api('POST', clipUrl('/propagation/cancel'));

// ------------------------------------------------------------------ playback
function stopPlaying() {
  state.playing = false;
  $('play').textContent = 'Play';
}

async function play() {
  if (!state.clip) return;
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

// Arrow keys: each press moves the frame asked for, so quick presses all count.
function step(offset) {
  if (!state.clip) return null;
  stopPlaying();
  const index = Math.min(state.clip.num_frames - 1, Math.max(0, state.target + offset));
  return index === state.target ? null : show(index);
}

// ------------------------------------------------------------------ start
const KEY_ACTIONS = {
  step, play, undo, redo,
  brush: (factor) => setBrushSize(Number($('brush-size').value) * factor),
  object: (id) => pickObject(id),
};

function bindControls() {
  const mask = $('mask-canvas');
  mask.addEventListener('pointerdown', guarded(startDrawing));
  mask.addEventListener('pointermove', (event) => {
    if (state.stroke || state.boxStart) continueDrawing(event);
  });
  mask.addEventListener('pointerup', guarded(endDrawing));
  mask.addEventListener('pointercancel', guarded(endDrawing));
  $('clip-file').addEventListener('change', guarded(uploadClip));
  $('open-sequence').addEventListener('click', guarded(openSequence));
  $('clip-select').addEventListener('change', guarded(switchClip));
  $('close-clip').addEventListener('click', guarded(closeClip));
  $('add-object').addEventListener('click', () => pickObject(Math.min(255, state.maxObject + 1)));
  $('brush-size').addEventListener('input', () => setBrushSize(Number($('brush-size').value)));
  $('undo').addEventListener('click', guarded(undo));
  $('redo').addEventListener('click', guarded(redo));
  $('mask-file').addEventListener('change', guarded(uploadMask));
  $('forget-edit').addEventListener('click', guarded(forgetEdits));
  $('propagate').addEventListener('click', guarded(propagate));
  $('cancel').addEventListener('click', guarded(cancelPropagation));
  $('play').addEventListener('click', guarded(play));
  $('slider').addEventListener('input', guarded(() => {
    stopPlaying();
    return show(Number($('slider').value));
  }));
  $('opacity').addEventListener('input', () => { if (state.mask) drawMask(); });
  $('message').addEventListener('click', clearMessage);
  bindExports(() => state.clip);
  document.addEventListener('keydown', (event) => {
    const action = keyAction(event);
    if (!action || !state.clip) return;
    event.preventDefault();
    guarded(() => KEY_ACTIONS[action[0]](action[1]))();
  });
}

async function start() {
  bindControls();
  enableClipControls(false);
  setBrushSize(Number($('brush-size').value));
  state.info = await getJson('/api/info');
  $('model').textContent = state.info.model;
  renderObjects();
  setInterval(guarded(heartbeat), 1000 * state.info.heartbeat_s);
  await loadSequences();
  const clips = await refreshClipList();
  if (clips.length) await openClip(clips[clips.length - 1]);
}

start().catch((err) => showMessage(err.message));
