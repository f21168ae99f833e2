// Brush strokes on a mask of object ids, the same shape as the server's (osmnseg/webui/strokes.py):
// a pixel is covered when its centre lies within the radius of a segment of the stroke. The
// arithmetic is the server's, operation for operation, so both get the same pixels; the server
// answers each stroke with the Adler-32 of its mask and the page compares it with its own.
'use strict';

// Sets to `value` the pixels of `mask` (Uint8Array, `width` x `height`, row by row) within
// `radius` of the segment a-b ({x, y} in frame pixels). Returns the changed rectangle
// {x0, y0, x1, y1} (inclusive), or null when the segment is off the frame.
export function paintSegment(mask, width, height, a, b, radius, value) {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + radius));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + radius));
  if (x0 > x1 || y0 > y1) return null;
  const dx = b.x - a.x, dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const radius2 = radius * radius;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      const t = length2 > 0 ?
        Math.min(1.0, Math.max(0.0, ((px - a.x) * dx + (py - a.y) * dy) / length2)) : 0.0;
      const ex = px - (a.x + t * dx);
      const ey = py - (a.y + t * dy);
      if (ex * ex + ey * ey <= radius2) mask[y * width + x] = value;
    }
  }
  return {x0, y0, x1, y1};
}

// Paints a whole stroke: its segments between consecutive points (one point: a disk).
export function paintStroke(mask, width, height, points, radius, value) {
  const ends = points.length === 1 ? points : points.slice(1);
  const starts = points.length === 1 ? points : points.slice(0, -1);
  for (let i = 0; i < ends.length; i++) {
    paintSegment(mask, width, height, starts[i], ends[i], radius, value);
  }
}

// Adler-32 of the bytes, as Python's zlib.adler32.
export function adler32(bytes) {
  const MOD = 65521, BLOCK = 5552;  // the largest block whose sums fit before a modulo
  let a = 1, b = 0;
  for (let start = 0; start < bytes.length; start += BLOCK) {
    const end = Math.min(bytes.length, start + BLOCK);
    for (let i = start; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return (b * 65536 + a) >>> 0;
}
