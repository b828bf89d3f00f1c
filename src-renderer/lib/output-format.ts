// Pure helpers of the Outputs views (no DOM, no bridge): which output a markdown image names, CSV/TSV rows, sizes.

/**
 * `src` of an image in the markdown file `fromFile` → the output path it names (`plots/a.png` from
 * `report/summary.md` → `report/plots/a.png`), or null when it leaves the output folder.
 */
export function resolveRelative(fromFile: string, src: string): string | null {
  let clean = src.split(/[?#]/)[0] ?? '';
  try {
    clean = decodeURIComponent(clean);
  } catch {
    return null;
  }
  const parts = fromFile.includes('/') ? fromFile.slice(0, fromFile.lastIndexOf('/')).split('/') : [];
  for (const seg of clean.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length ? parts.join('/') : null;
}

/** CSV (RFC 4180 quotes) or TSV text → rows; at most `maxRows`. */
export function parseDelimited(text: string, sep: ',' | '\t', maxRows = 500): { rows: string[][]; truncated: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/\r\n?/g, '\n');
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '' && sep === ',') quoted = true;
    else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      if (rows.length > maxRows) break;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  const truncated = rows.length > maxRows;
  return { rows: rows.slice(0, maxRows), truncated };
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
