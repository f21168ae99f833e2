// The frame shown with its mask, and what the page knows: the state every part of it shares.
'use strict';

import {$, api, guarded} from './api.js';


export const state = {  // tests/webui/test_browser.py reads it too
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
export const clipUrl = (path = '') => `/api/clips/${state.clip.id}${path}`;
export const isBusy = () => Boolean(state.clip && state.clip.propagation &&
                             state.clip.propagation.state === 'running');

// ------------------------------------------------------------------ drawing
// Redraws the mask canvas inside the rectangle (inclusive; default: all of it).
export function drawMask(rect = null) {
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

export async function show(index) {
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
export async function reloadMask() {
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
export function noteObjects(mask) {
  let highest = state.maxObject;
  for (const id of mask) if (id > highest) highest = id;
  if (highest !== state.maxObject) {
    state.maxObject = highest;
    renderObjects();
  }
}

export function pickObject(id) {
  state.object = id;
  state.maxObject = Math.max(state.maxObject, id);
  renderObjects();
}

export function renderObjects() {
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

export function setClip(summary) {
  state.clip = summary;
  updateFrameLabel();
}

export function stopPlaying() {
  state.playing = false;
  $('play').textContent = 'Play';
}

