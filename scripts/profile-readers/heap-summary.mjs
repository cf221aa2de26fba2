/**
 * Summarises a V8 heap snapshot by what allocated each node: constructor name for objects,
 * function name for closures, the node type otherwise. Self sizes only (what the node itself
 * holds), so the rows add up to the heap.
 */
import { readFileSync } from 'node:fs';

/** @returns {Map<string, { count: number, size: number }>} */
export function summarise(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const { nodes, strings } = snap;
  const rows = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const name = strings[nodes[i + nameAt]];
    const key = type === 'object' ? name : type === 'closure' ? `closure ${name || '(anonymous)'}` : `(${type})`;
    const row = rows.get(key) ?? { count: 0, size: 0 };
    row.count++;
    row.size += nodes[i + sizeAt];
    rows.set(key, row);
  }
  return rows;
}

/** Rows of `after` minus `before`, largest growth first. */
export function diff(before, after) {
  const out = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, size: 0 };
    if (a.size !== b.size || a.count !== b.count) out.push({ key, count: a.count - b.count, size: a.size - b.size });
  }
  return out.sort((x, y) => y.size - x.size);
}
