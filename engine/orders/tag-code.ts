/**
 * Numeric order tags: a tag of the form <prefix><number> (the prefix has no digit, the number is written without
 * leading zeros and has at most 9 digits, e.g. 'b1234') is held by the order simulator as a (prefix id, number) pair
 * of integers, and its string is built only when someone reads it (`OrderRecord.tag`, `FillView.tag`, a lot's tags).
 * A grid places ~100k orders a year on 1m bars: one string per order was most of what survived its collections.
 *
 * Strategies opt in per intent: an intent that also carries the symbol-keyed `[TAG_PREFIX]` and `[TAG_NUM]` (see
 * `NumericTag`; they must spell its `tag`: `tag === intent[TAG_PREFIX] + intent[TAG_NUM]`) is booked without reading
 * `tag`, which may then be a getter (the grid's pooled intents). Symbol keys: JSON, `Object.keys` and the live runtime's
 * stored intents see only the usual fields. String tags work as before; a string tag of the form above is booked under
 * the same pair, so both spellings name the same order (a duplicate of one is a duplicate of the other). Every other
 * tag is kept as its string. The simulator's fills (`onFill`'s `ctx.fill`) carry the same keys when their order's tag
 * is numeric (`[TAG_PREFIX]` undefined otherwise).
 *
 * The dotted form <prefix><number>.<number> (e.g. the grid's paired sells, 's12.3': lot 12, fill 3) is numeric too: an
 * intent spells it with `[TAG_NUM2]` (tag === prefix + num + '.' + num2), the simulator holds the triple.
 */

export const TAG_PREFIX: unique symbol = Symbol('tradelab.tagPrefix');
export const TAG_NUM: unique symbol = Symbol('tradelab.tagNum');
export const TAG_NUM2: unique symbol = Symbol('tradelab.tagNum2');

/**
 * The optional numeric spelling of an intent's tag: `tag === it[TAG_PREFIX] + it[TAG_NUM]`, or with `[TAG_NUM2]`,
 * `tag === it[TAG_PREFIX] + it[TAG_NUM] + '.' + it[TAG_NUM2]`.
 */
export interface NumericTag {
  /** Non-empty, no digit (e.g. 'b'). */
  readonly [TAG_PREFIX]: string;
  /** An integer in 0 .. MAX_TAG_NUM. */
  readonly [TAG_NUM]: number;
  /** The dotted form's second number, an integer in 0 .. MAX_TAG_NUM (undefined: the plain form). */
  readonly [TAG_NUM2]?: number;
}

/** The string of a numeric tag (num2 < 0: the plain form). */
export function spellTag(prefix: string, num: number, num2: number): string {
  return num2 < 0 ? prefix + num : prefix + num + '.' + num2;
}

export const MAX_TAG_NUM = 999_999_999;
/** Distinct prefixes a run registers at most; tags of further prefixes are kept as strings. */
const MAX_PREFIXES = 1 << 15; // (ids fit the order store's Int16 column)

/** Where the number of a numeric tag starts (its prefix's length), or -1 when `s` is not of the numeric form. */
export function tagNumberStart(s: string): number {
  const n = s.length;
  let j = n;
  while (j > 0) {
    const c = s.charCodeAt(j - 1);
    if (c < 48 || c > 57) break;
    j--;
  }
  const digits = n - j;
  if (digits === 0 || digits > 9 || j === 0) return -1;
  if (digits > 1 && s.charCodeAt(j) === 48) return -1;
  for (let i = 0; i < j; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return -1;
  }
  return j;
}

/** The number of `s` from index `j` up to `end` (default: its end; digits only, as checked by `tagNumberStart`). */
export function tagNumberAt(s: string, j: number, end = s.length): number {
  let x = 0;
  for (let i = j; i < end; i++) x = x * 10 + (s.charCodeAt(i) - 48);
  return x;
}

/**
 * Where the first number of a tag of the dotted form <prefix><number>.<number> starts (its prefix's length), or -1 when
 * `s` is not of that form (each number without leading zeros and at most 9 digits, the prefix non-empty and without
 * digits). The dot is at `s.lastIndexOf('.')`.
 */
export function dottedTagStart(s: string): number {
  const dot = s.lastIndexOf('.');
  if (dot < 2 || dot === s.length - 1) return -1;
  if (!canonicalDigits(s, dot + 1, s.length)) return -1;
  let j = dot;
  while (j > 0) {
    const c = s.charCodeAt(j - 1);
    if (c < 48 || c > 57) break;
    j--;
  }
  if (j === 0 || !canonicalDigits(s, j, dot)) return -1;
  for (let i = 0; i < j; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return -1;
  }
  return j;
}

/** Whether s[from, to) is 1 to 9 digits without a leading zero (a lone '0' is fine). */
function canonicalDigits(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 1 || n > 9) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return !(n > 1 && s.charCodeAt(from) === 48);
}

/** The prefixes of a run's numeric tags, by id. */
export class TagPrefixes {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private last = '';
  private lastId = -1;

  /** The id of `prefix` (registered on first use), or -1 when it cannot be one (empty, has a digit, table full). */
  id(prefix: string): number {
    if (prefix === this.last) return this.lastId;
    let id = this.ids.get(prefix);
    if (id === undefined) {
      if (!validPrefix(prefix) || this.names.length >= MAX_PREFIXES) return -1;
      id = this.names.length;
      this.names.push(prefix);
      this.ids.set(prefix, id);
    }
    this.last = prefix;
    this.lastId = id;
    return id;
  }

  /** `id(s.slice(0, j))`, without the slice when the prefix is the last one looked up. */
  idIn(s: string, j: number): number {
    const last = this.last;
    if (last.length === j && s.startsWith(last)) return this.lastId;
    return this.id(s.slice(0, j));
  }
}

function validPrefix(p: string): boolean {
  if (p.length === 0) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c >= 48 && c <= 57) return false;
  }
  return true;
}

const EMPTY = 0;
const FULL = 1;
const DELETED = 2;

/** Open orders' numeric tags (prefix id, number, second number or -1) -> order ids: an open-addressing table in typed arrays. */
export class NumTagIndex {
  size = 0;
  private used = 0;
  private mask: number;
  private pre: Int32Array;
  private num: Int32Array;
  private num2: Int32Array;
  private vals: Int32Array;
  private state: Uint8Array;
  /** Scratch for rebuilds: the held (pre, num, num2, id) quadruples. */
  private spare = new Int32Array(0);

  constructor(capacity = 64) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.pre = new Int32Array(cap);
    this.num = new Int32Array(cap);
    this.num2 = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.state = new Uint8Array(cap);
  }

  private static hash(pre: number, num: number, num2: number): number {
    let h = Math.imul(num, 0x9e3779b1) ^ Math.imul(pre + 1, 0x85ebca6b) ^ Math.imul(num2 + 1, 0xc2b2ae35);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
  }

  /** The id under (pre, num, num2), or -1. */
  get(pre: number, num: number, num2: number): number {
    const mask = this.mask, state = this.state;
    let i = NumTagIndex.hash(pre, num, num2) & mask;
    for (;;) {
      const s = state[i];
      if (s === EMPTY) return -1;
      if (s === FULL && this.num[i] === num && this.pre[i] === pre && this.num2[i] === num2) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  /** Insert (pre, num, num2) -> id unless the key is held; false (nothing changed) when it is. */
  add(pre: number, num: number, num2: number, id: number): boolean {
    const mask = this.mask, state = this.state;
    let i = NumTagIndex.hash(pre, num, num2) & mask;
    let free = -1;
    for (;;) {
      const s = state[i];
      if (s === EMPTY) break;
      if (s === FULL) {
        if (this.num[i] === num && this.pre[i] === pre && this.num2[i] === num2) return false;
      } else if (free < 0) free = i;
      i = (i + 1) & mask;
    }
    if (free >= 0) i = free; else this.used++;
    state[i] = FULL;
    this.pre[i] = pre;
    this.num[i] = num;
    this.num2[i] = num2;
    this.vals[i] = id;
    this.size++;
    if (this.used * 2 > mask + 1) this.rebuild();
    return true;
  }

  delete(pre: number, num: number, num2: number): boolean {
    const mask = this.mask, state = this.state;
    let i = NumTagIndex.hash(pre, num, num2) & mask;
    for (;;) {
      const s = state[i];
      if (s === EMPTY) return false;
      if (s === FULL && this.num[i] === num && this.pre[i] === pre && this.num2[i] === num2) {
        state[i] = DELETED;
        this.size--;
        return true;
      }
      i = (i + 1) & mask;
    }
  }

  /** Re-insert the held pairs without the deleted slots; doubles the capacity when more than a quarter is held. */
  private rebuild(): void {
    const oldPre = this.pre, oldNum = this.num, oldNum2 = this.num2, oldVals = this.vals, oldState = this.state, oldCap = this.mask + 1;
    const cap = this.size * 4 > oldCap ? oldCap * 2 : oldCap;
    // (a rebuild at the same capacity copies the held keys out first: the table is refilled in place)
    const n = this.size;
    if (this.spare.length < 4 * n) this.spare = new Int32Array(Math.max(4 * n, 2 * this.spare.length));
    const sp = this.spare;
    let k = 0;
    for (let i = 0; i < oldCap; i++) {
      if (oldState[i] === FULL) { sp[4 * k] = oldPre[i]; sp[4 * k + 1] = oldNum[i]; sp[4 * k + 2] = oldNum2[i]; sp[4 * k + 3] = oldVals[i]; k++; }
    }
    if (cap !== oldCap) {
      this.pre = new Int32Array(cap); this.num = new Int32Array(cap); this.num2 = new Int32Array(cap); this.vals = new Int32Array(cap);
      this.state = new Uint8Array(cap);
    } else {
      this.state.fill(EMPTY);
    }
    this.mask = cap - 1;
    this.size = 0;
    this.used = 0;
    for (let j = 0; j < k; j++) this.add(sp[4 * j], sp[4 * j + 1], sp[4 * j + 2], sp[4 * j + 3]);
  }
}
