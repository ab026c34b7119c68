/**
 * `--constraint` expressions, parsed without eval. Grammar (whitespace ignored):
 *
 *   expr    := compare (('&&' | 'and') compare)*
 *   compare := sum ('<' | '<=' | '>' | '>=' | '==' | '!=') sum
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := '-' unary | atom
 *   atom    := number | parameter-name | '(' sum ')'
 *
 * Names must be parameters of the strategy (unknown ones fail with a "did you mean"); parameter values must be
 * numbers. A combination for which the expression is false is skipped and counted.
 */
import { didYouMean, usageError } from '../errors.ts';
import type { ParamValues } from '../params.ts';

export interface ParsedConstraint {
  readonly expr: string;
  /** The parameter names it reads. */
  readonly names: readonly string[];
  readonly check: (p: ParamValues) => boolean;
}

type Num = (p: ParamValues) => number;
type Tok = { kind: 'num'; value: number; at: number } | { kind: 'name'; value: string; at: number } | { kind: 'op'; value: string; at: number };

const OPS = ['<=', '>=', '==', '!=', '&&', '<', '>', '+', '-', '*', '/', '(', ')'];

function tokenize(expr: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(expr.slice(i));
    if (num) { out.push({ kind: 'num', value: Number(num[0]), at: i }); i += num[0].length; continue; }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i));
    if (name) {
      if (name[0] === 'and') out.push({ kind: 'op', value: '&&', at: i });
      else out.push({ kind: 'name', value: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => expr.startsWith(o, i));
    if (!op) throw bad(expr, `unexpected character '${c}' at position ${i + 1}`);
    out.push({ kind: 'op', value: op, at: i });
    i += op.length;
  }
  return out;
}

const bad = (expr: string, why: string) =>
  usageError('BAD_CONSTRAINT', `--constraint '${expr}': ${why}. Write comparisons of parameters and numbers with + - * / and parentheses, joined by && (e.g. 'fast < slow', 'fast * 2 <= slow')`);

/** Parse `expr` for a strategy whose parameters are `names`. */
export function parseConstraint(expr: string, names: readonly string[]): ParsedConstraint {
  const toks = tokenize(expr);
  let pos = 0;
  const used = new Set<string>();
  const peek = () => toks[pos];
  const isOp = (v: string) => toks[pos]?.kind === 'op' && toks[pos].value === v;
  const where = () => (pos < toks.length ? `at position ${toks[pos].at + 1}` : 'at the end');

  function atom(): Num {
    const t = peek();
    if (!t) throw bad(expr, 'expected a number, a parameter or ( at the end');
    if (t.kind === 'num') { pos++; const v = t.value; return () => v; }
    if (t.kind === 'name') {
      pos++;
      if (!names.includes(t.value)) throw bad(expr, `unknown parameter '${t.value}'.${didYouMean(t.value, names)} Parameters: ${names.join(', ')}`);
      used.add(t.value);
      const k = t.value;
      return (p) => {
        const v = p[k];
        if (typeof v !== 'number') throw usageError('BAD_CONSTRAINT', `--constraint '${expr}': parameter '${k}' is not a number (${String(v)})`);
        return v;
      };
    }
    if (t.value === '(') {
      pos++;
      const inner = sum();
      if (!isOp(')')) throw bad(expr, `expected ) ${where()}`);
      pos++;
      return inner;
    }
    throw bad(expr, `expected a number, a parameter or ( ${where()}`);
  }
  function unary(): Num {
    if (isOp('-')) { pos++; const f = unary(); return (p) => -f(p); }
    return atom();
  }
  function product(): Num {
    let f = unary();
    while (isOp('*') || isOp('/')) {
      const op = toks[pos++].value;
      const a = f, b = unary();
      f = op === '*' ? (p) => a(p) * b(p) : (p) => a(p) / b(p);
    }
    return f;
  }
  function sum(): Num {
    let f = product();
    while (isOp('+') || isOp('-')) {
      const op = toks[pos++].value;
      const a = f, b = product();
      f = op === '+' ? (p) => a(p) + b(p) : (p) => a(p) - b(p);
    }
    return f;
  }
  function compare(): (p: ParamValues) => boolean {
    const a = sum();
    const t = peek();
    const cmp = ['<', '<=', '>', '>=', '==', '!='];
    if (!t || t.kind !== 'op' || !cmp.includes(t.value)) throw bad(expr, `expected a comparison (< <= > >= == !=) ${where()}`);
    pos++;
    const b = sum();
    switch (t.value) {
      case '<': return (p) => a(p) < b(p);
      case '<=': return (p) => a(p) <= b(p);
      case '>': return (p) => a(p) > b(p);
      case '>=': return (p) => a(p) >= b(p);
      case '==': return (p) => a(p) === b(p);
      default: return (p) => a(p) !== b(p);
    }
  }
  if (toks.length === 0) throw bad(expr, 'it is empty');
  const parts = [compare()];
  while (isOp('&&')) { pos++; parts.push(compare()); }
  if (pos < toks.length) throw bad(expr, `unexpected '${String(toks[pos].value)}' ${where()}`);
  return { expr, names: [...used], check: (p) => parts.every((c) => c(p)) };
}
