#!/usr/bin/env node
// Derives the bundled Bitbrains sample from the published GWA-T-12 "Rnd" traces (2013-7/1..100.csv.gz).
// For every VM it keeps the header and the rows of the first 26 hours (timestamp <= first timestamp + 26 h, with
// 150 s of tolerance because the published 300 s steps drift by a second now and then, so the row due at 26 h is
// kept: usually 313 rows), as a byte-for-byte prefix of the decompressed original (duplicates and gaps in that window stay as published), and
// writes it gzipped as N.csv.gz. Deterministic: same input, same bytes (gzip mtime is 0).
//
// Usage: node data/bitbrains-sample/derive.mjs <folder with 1.csv.gz..100.csv.gz> [output folder]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';

const WINDOW_SECONDS = 26 * 3600 + 150; // half an interval of tolerance (see above)
const VMS = 100;

const source = process.argv[2];
const out = process.argv[3] ?? dirname(fileURLToPath(import.meta.url));
if (!source) {
  console.error('usage: node derive.mjs <source folder with 1.csv.gz..100.csv.gz> [output folder]');
  process.exit(2);
}

let total = 0;
for (let n = 1; n <= VMS; n++) {
  const path = join(source, `${n}.csv.gz`);
  const text = gunzipSync(readFileSync(path)).toString('latin1'); // latin1: one char per byte, so bytes survive
  let end = text.indexOf('\n') + 1; // after the header
  if (end === 0) throw new Error(`${path}: no header line`);
  let first;
  let rows = 0;
  while (end < text.length) {
    const next = text.indexOf('\n', end);
    const lineEnd = next < 0 ? text.length : next + 1;
    const line = text.slice(end, lineEnd);
    if (line.trim() === '') break;
    const t = Number(line.slice(0, line.indexOf(';')).trim());
    if (!Number.isFinite(t)) throw new Error(`${path}: bad timestamp in '${line.trim()}'`);
    first ??= t;
    // Stop at the first row past the window: the sample stays an exact prefix of the original file.
    if (t - first > WINDOW_SECONDS) break;
    rows++;
    end = lineEnd;
  }
  const gz = gzipSync(Buffer.from(text.slice(0, end), 'latin1'), { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(out, `${n}.csv.gz`), gz);
  total += gz.length;
  console.log(`${n}.csv.gz: ${rows} rows, ${gz.length} bytes`);
}
console.log(`total ${total} bytes`);
