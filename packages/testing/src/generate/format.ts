/**
 * Values in PostgreSQL's COPY text format, and the exact text PostgreSQL prints for a jsonb
 * value and a timestamp, because the timeline's hashes cover those texts
 * (app.case_event_digest) and the generator computes them outside the database.
 */

/** A JSON value as the generator writes it (integers only: no float formatting questions). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}

function jsonString(s: string): string {
  if (!needsEscape(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** jsonb orders object keys by byte length, then bytewise (UTF-8); for ASCII keys that is length, then code units. */
function compareKeys(a: string, b: string): number {
  const ascii = /^[\x20-\x7e]*$/;
  if (ascii.test(a) && ascii.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const ba = Buffer.byteLength(a);
  const bb = Buffer.byteLength(b);
  if (ba !== bb) return ba - bb;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const keyOrders = new Map<string, { keys: string[]; prefixes: string[] }>();

/** The key order jsonb prints for a set of keys, with each key's `"key": ` (memoised: payloads repeat a few shapes). */
function orderedKeys(signature: string, keys: string[]): { keys: string[]; prefixes: string[] } {
  let entry = keyOrders.get(signature);
  if (!entry) {
    const sorted = [...keys].sort(compareKeys);
    entry = { keys: sorted, prefixes: sorted.map((k) => `${jsonString(k)}: `) };
    if (keyOrders.size < 10_000) keyOrders.set(signature, entry);
  }
  return entry;
}

/** The text `value::jsonb::text` prints. Undefined object members are left out, as JSON.stringify does. */
export function jsonbText(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "string") return jsonString(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`only integers in generated JSON, got ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? ", " : "") + jsonbText(value[i] as Json);
    return `${out}]`;
  }
  const present: string[] = [];
  let signature = "";
  for (const k in value) {
    if (value[k] === undefined) continue;
    present.push(k);
    signature += `${k}\u0001`;
  }
  const { keys, prefixes } = orderedKeys(signature, present);
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    out += (i ? ", " : "") + (prefixes[i] as string) + jsonbText(value[keys[i] as string] as Json);
  }
  return `${out}}`;
}

/** A text field for COPY: backslash, tab, newline and carriage return escaped. */
export function text(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"))
    : value;
}

/** COPY's NULL. */
export const NULL = "\\N";

/** A nullable text field. */
export function opt(value: string | null | undefined): string {
  return value === null || value === undefined ? NULL : text(value);
}

/** A bytea field (hex format, its backslash escaped for COPY). */
export function bytea(value: Buffer | null | undefined): string {
  return value ? `\\\\x${value.toString("hex")}` : NULL;
}

/** A text[] field. */
export function textArray(values: readonly string[]): string {
  return text(`{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`);
}

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const SIX = (n: number) => String(n).padStart(6, "0");

/** Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm), as `YYYY-MM-DD`. */
function civil(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${TWO[m]}-${TWO[d]}`;
}

const US_PER_DAY = 86_400_000_000;
let cachedDay = Number.NaN;
let cachedDate = "";

/**
 * An instant in microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`: what
 * `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` prints, and valid COPY input.
 */
export function isoMicros(instant: number): string {
  const us = Math.round(instant);
  const day = Math.floor(us / US_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = civil(day);
  }
  const inDay = us - day * US_PER_DAY;
  const seconds = Math.floor(inDay / 1_000_000);
  const micros = inDay - seconds * 1_000_000;
  const h = Math.floor(seconds / 3600);
  const mi = Math.floor((seconds % 3600) / 60);
  return `${cachedDate}T${TWO[h]}:${TWO[mi]}:${TWO[seconds % 60]}.${SIX(micros)}Z`;
}

/** A nullable timestamptz field from microseconds. */
export function tsOpt(us: number | null | undefined): string {
  return us === null || us === undefined ? NULL : isoMicros(us);
}

/** The ISO text `Date.prototype.toISOString()` gives for an instant in microseconds (milliseconds). */
export function isoMillis(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

const CST_US = 8 * 3_600_000_000;

/** The calendar date in China (UTC+8) of an instant in microseconds. */
export function chinaDateOf(us: number): string {
  return civil(Math.floor((us + CST_US) / US_PER_DAY));
}

/** The China day number (days since 1970-01-01 in UTC+8) of an instant in microseconds. */
export function chinaDayOf(us: number): number {
  return Math.floor((us + CST_US) / US_PER_DAY);
}
