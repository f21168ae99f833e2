// The page's keyboard: which key does what. Kept apart from app.js so the list is in one place.
//   Left / Right   previous / next frame (each press counts, even before the frame is shown)
//   [ / ]          smaller / larger brush
//   1 ... 9        paint object 1 ... 9
//   Space          play / pause
//   Ctrl+Z         undo this frame's last edit; Ctrl+Shift+Z or Ctrl+Y: redo (Cmd on a Mac)
'use strict';

const BRUSH_STEP = 1.25;  // [ and ] scale the brush by this factor

// The action of a keydown event as [name, argument], or null for keys the page leaves alone
// (typing in a field, keys with other modifiers).
export function keyAction(event) {
  const target = event.target;
  if (target && (target.tagName === 'SELECT' ||
                 (target.tagName === 'INPUT' && target.type !== 'radio' &&
                  target.type !== 'checkbox'))) return null;
  const command = event.ctrlKey || event.metaKey;
  if (command && !event.altKey) {
    const key = event.key.toLowerCase();
    if (key === 'z') return [event.shiftKey ? 'redo' : 'undo', null];
    if (key === 'y') return ['redo', null];
    return null;
  }
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  if (event.key === 'ArrowRight') return ['step', 1];
  if (event.key === 'ArrowLeft') return ['step', -1];
  if (event.key === ']') return ['brush', BRUSH_STEP];
  if (event.key === '[') return ['brush', 1 / BRUSH_STEP];
  if (event.key === ' ' && (!target || target.tagName !== 'BUTTON')) return ['play', null];
  if (/^[1-9]$/.test(event.key)) return ['object', Number(event.key)];
  return null;
}
