// Section 4 of the page: the masks as a zip, the overlay as an MP4 or a GIF. The overlay plays
// at the video's own frame rate when the clip is a video, else at the rate chosen (24 unless
// asked); the GIF's size is chosen too.
'use strict';

import {$, api, guarded, showMessage} from './api.js';

// Fills the frame rate and GIF size choices for the clip `summary` (info: /api/info).
export function fillExportChoices(summary, info) {
  const rates = $('export-fps');
  rates.replaceChildren();
  if (summary.fps) {
    rates.append(new Option(`the video's (${Number(summary.fps.toFixed(3))})`, summary.fps,
                            true, true));
  }
  for (const fps of info.export_fps.choices) {
    const selected = !summary.fps && fps === info.export_fps.default;
    rates.append(new Option(String(fps), fps, selected, selected));
  }
  const sizes = $('gif-size');
  const longer = Math.max(summary.width, summary.height);
  sizes.replaceChildren(new Option(`the frames' (${summary.width}x${summary.height})`, 0));
  if (longer > info.gif_max_side) {
    sizes.append(new Option(`${info.gif_max_side} px on the longer side`, info.gif_max_side,
                            true, true));
  }
}

async function download(url, filename) {
  showMessage(`Preparing ${filename} ...`, 'info');
  const blob = await (await api('GET', url)).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  showMessage(`Saved ${filename}.`, 'info');
}

// Binds the export buttons; `clip()` gives the open clip's summary.
export function bindExports(clip) {
  const base = () => `/api/clips/${clip().id}/export`;
  $('export-masks').addEventListener('click', guarded(
    () => download(`${base()}/masks.zip`, `${clip().name}_masks.zip`)));
  $('export-mp4').addEventListener('click', guarded(
    () => download(`${base()}/overlay.mp4?fps=${$('export-fps').value}`,
                   `${clip().name}_overlay.mp4`)));
  $('export-gif').addEventListener('click', guarded(
    () => download(`${base()}/overlay.gif?fps=${$('export-fps').value}` +
                   `&max_side=${$('gif-size').value}`, `${clip().name}_overlay.gif`)));
}
