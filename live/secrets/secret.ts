/**
 * A secret value (API key, secret, passphrase) that never prints itself (CONVENTIONS §12): its string, JSON and
 * `util.inspect` forms are `<redacted>`, and the value is kept in a private field (not an enumerable property), so
 * spreading, JSON.stringify or a structured logger cannot copy it by accident. Call `reveal()` at the one place
 * that hands it to the exchange client.
 */
export const REDACTED = '<redacted>';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The raw value: only for handing to the exchange client. */
  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export const isSecret = (x: unknown): x is Secret => x instanceof Secret;

/**
 * A function that replaces every occurrence of the given secrets' values in a text with `<redacted>`. Used on
 * every error message and log line that may quote an exchange's reply or a request. Values shorter than 4
 * characters are ignored (they would blank out ordinary words).
 */
export function redactor(secrets: readonly (Secret | undefined)[]): (text: string) => string {
  const values = secrets
    .filter((s): s is Secret => s !== undefined && s.length >= 4)
    .map((s) => s.reveal())
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
}
