// The page of tools/webui.py: plain JavaScript modules, no build step.
//   app.js     opening and closing clips, propagation, playback, the keyboard, start
//   view.js    the frame shown with its mask; the state the modules share
//   edit.js    brush, eraser, box and hint strokes; undo, redo, forgetting a frame's edits
//   paint.js   the brush's pixels (the same as the server's) and the mask checksum
//   export.js  the masks zip and the overlay MP4 / GIF
//   keys.js    which key does what
//   api.js     the calls to the server and the message line
// The server holds the clips; the page shows one frame at a time (the frame's image under a
// canvas of object ids drawn in the DAVIS palette).
'use strict';

import {$, api, clearMessage, getJson, guarded, sendJson, showMessage} from './api.js';
import {bindEditing, redo, setBrushSize, undo} from './edit.js';
import {bindExports, fillExportChoices} from './export.js';
import {keyAction} from './keys.js';
import {clipUrl, drawMask, isBusy, pickObject, reloadMask, renderObjects, setClip, show, state,
        stopPlaying} from './view.js';

const POLL_MS = 250;

// ------------------------------------------------------------------ clips
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
  bindEditing();
  $('clip-file').addEventListener('change', guarded(uploadClip));
  $('open-sequence').addEventListener('click', guarded(openSequence));
  $('clip-select').addEventListener('change', guarded(switchClip));
  $('close-clip').addEventListener('click', guarded(closeClip));
  $('add-object').addEventListener('click', () => pickObject(Math.min(255, state.maxObject + 1)));
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
