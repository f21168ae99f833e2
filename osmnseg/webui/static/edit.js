// Editing the frame shown: brush and eraser strokes, a box and its inside / outside strokes,
// undo, redo, forgetting the frame's edits, a mask PNG. A stroke is painted here at once and
// sent as the stroke (points, radius, object, erase); a box or a hint asks the server for the
// object's mask (GrabCut) and shows the answer.
'use strict';

import {$, api, guarded, sendJson, showMessage} from './api.js';
import {adler32, paintSegment} from './paint.js';
import {clipUrl, drawMask, isBusy, reloadMask, setClip, state, stopPlaying} from './view.js';

const tool = () => document.querySelector('input[name=tool]:checked').value;

function canvasPoint(event) {
  const canvas = $('mask-canvas');
  const rect = canvas.getBoundingClientRect();
  const round = (value) => Math.round(value * 10) / 10;  // short JSON; both sides use it
  return {x: round((event.clientX - rect.left) * canvas.width / rect.width),
          y: round((event.clientY - rect.top) * canvas.height / rect.height)};
}

const brushRadius = () => Number($('brush-size').value) / 2;

export function setBrushSize(size) {
  const slider = $('brush-size');
  slider.value = Math.min(Number(slider.max), Math.max(1, Math.round(size)));
  $('brush-size-value').textContent = slider.value;
}

// The value a stroke paints in the page's preview.
const strokeValue = (stroke) =>
  (stroke.tool === 'erase' || stroke.tool === 'outside' ? 0 : stroke.object);

function paintTo(point) {
  const stroke = state.stroke;
  const from = stroke.points[stroke.points.length - 1];
  const rect = paintSegment(state.mask, state.clip.width, state.clip.height, from, point,
                            stroke.radius, strokeValue(stroke));
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
  state.stroke = {tool: tool(), points: [point], radius: brushRadius(), index: state.index,
                  object: state.object};
  const rect = paintSegment(state.mask, state.clip.width, state.clip.height, point, point,
                            state.stroke.radius, strokeValue(state.stroke));
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
                object: stroke.object};
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
      const answer = body ? await sendJson(method, url, body)
        : await (await api(method, url)).json();
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

export const undo = () => sendEdit(state.index, '/undo', null);
export const redo = () => sendEdit(state.index, '/redo', null);
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

// Binds the mask canvas and section 2's controls.
export function bindEditing() {
  const mask = $('mask-canvas');
  mask.addEventListener('pointerdown', guarded(startDrawing));
  mask.addEventListener('pointermove', (event) => {
    if (state.stroke || state.boxStart) continueDrawing(event);
  });
  mask.addEventListener('pointerup', guarded(endDrawing));
  mask.addEventListener('pointercancel', guarded(endDrawing));
  $('brush-size').addEventListener('input', () => setBrushSize(Number($('brush-size').value)));
  $('undo').addEventListener('click', guarded(undo));
  $('redo').addEventListener('click', guarded(redo));
  $('mask-file').addEventListener('change', guarded(uploadMask));
  $('forget-edit').addEventListener('click', guarded(forgetEdits));
}
