import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { TagIndex } from './tag-index.ts';

describe('TagIndex', () => {
  it('answers get / has / size / set / delete as a Map does under heavy churn (rebuilds and growth included)', () => {
    const rnd = seededRandom(7);
    const idx = new TagIndex(), ref = new Map<string, number>();
    const live: string[] = [];
    let seq = 0, bad = 0, checked = 0;
    for (let step = 0; step < 30_000; step++) {
      const x = rnd();
      // the open set swells to ~600 and shrinks again, so the table grows, rebuilds in place and reuses deleted slots
      const wantMore = step % 10_000 < 5_000 ? 0.6 : 0.4;
      if (x < wantMore || live.length === 0) {
        const tag = rnd() < 0.5 ? `b${seq++}` : `s${seq++}.${step}`;
        if (idx.set(tag, step) !== idx) bad++;
        ref.set(tag, step);
        live.push(tag);
      } else if (x < 0.9) {
        const k = Math.floor(rnd() * live.length);
        const tag = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        if (idx.delete(tag) !== ref.delete(tag)) bad++;
      } else {
        // overwrite an existing tag's value, and ask for tags that are not there
        const tag = live[Math.floor(rnd() * live.length)];
        idx.set(tag, -step);
        ref.set(tag, -step);
        if (idx.delete(`missing${step}`) || idx.get(`b${seq + 1}`) !== undefined) bad++;
      }
      if (idx.size !== ref.size) bad++;
      if (step % 499 === 0) for (const [tag, v] of ref) { checked++; if (idx.get(tag) !== v || !idx.has(tag)) bad++; }
    }
    for (const [tag, v] of ref) if (idx.get(tag) !== v) bad++;
    expect(bad).toBe(0);
    expect(checked).toBeGreaterThan(10_000);
    expect(ref.size).toBeGreaterThan(100);
  });

  it('distinguishes tags that differ in one character or only in length, including the empty tag', () => {
    const idx = new TagIndex(16);
    const tags = ['', 'a', 'aa', 'b1', 'b10', 'b01', '1b', 's1.2', 's12.', 'é', 'e'];
    tags.forEach((t, i) => idx.set(t, i));
    tags.forEach((t, i) => expect(idx.get(t)).toBe(i));
    expect(idx.size).toBe(tags.length);
    expect(idx.has('b100')).toBe(false);
  });
});
