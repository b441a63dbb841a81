// A JSON reader with Python's json.loads semantics, used only when the fast
// native JSON.parse rejects a JSONL line (docs/protocol/sync.md#beads-parsing). It exists
// for two reasons: the 400 detail must carry Python's message ("Invalid JSON on
// line N: Expecting value"), and Python accepts NaN / Infinity / -Infinity,
// which JSON.parse does not (they become non-finite numbers here and are
// coerced to null later). Iterative with an explicit stack, so hostile nesting
// cannot overflow the call stack.

export class PythonJsonError extends Error {}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

type Frame =
  | { kind: "array"; value: unknown[] }
  | { kind: "object"; value: Record<string, unknown>; key: string };

export function parsePythonJson(s: string): unknown {
  if (s.startsWith("\ufeff")) throw new PythonJsonError("Unexpected UTF-8 BOM (decode using utf-8-sig)");
  let i = 0;
  const skip = () => {
    while (i < s.length && WS.has(s[i])) i++;
  };

  const parseString = (): string => {
    // s[i] is the opening quote
    i++;
    let out = "";
    for (;;) {
      if (i >= s.length) throw new PythonJsonError("Unterminated string starting at");
      const ch = s[i];
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === "\\") {
        const esc = s[i + 1];
        if (esc === undefined) throw new PythonJsonError("Unterminated string starting at");
        if (esc === "u") {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PythonJsonError("Invalid \\uXXXX escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        const mapped = ESCAPES[esc];
        if (mapped === undefined) throw new PythonJsonError("Invalid \\escape");
        out += mapped;
        i += 2;
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) throw new PythonJsonError("Invalid control character at");
      out += ch;
      i++;
    }
  };

  /** A scalar, or a fresh container pushed on the stack (returned as a marker). */
  const OPEN = Symbol("open");
  const stack: Frame[] = [];

  const parseValue = (): unknown => {
    const ch = s[i];
    if (ch === '"') return parseString();
    if (ch === "{") {
      i++;
      skip();
      if (s[i] === "}") {
        i++;
        return {};
      }
      if (s[i] !== '"') throw new PythonJsonError("Expecting property name enclosed in double quotes");
      const key = parseString();
      skip();
      if (s[i] !== ":") throw new PythonJsonError("Expecting ':' delimiter");
      i++;
      skip();
      stack.push({ kind: "object", value: {}, key });
      return OPEN;
    }
    if (ch === "[") {
      i++;
      skip();
      if (s[i] === "]") {
        i++;
        return [];
      }
      stack.push({ kind: "array", value: [] });
      return OPEN;
    }
    for (const [word, value] of [
      ["null", null],
      ["true", true],
      ["false", false],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["-Infinity", -Infinity],
    ] as const) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(s);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    throw new PythonJsonError("Expecting value");
  };

  skip();
  let value = parseValue();
  for (;;) {
    if (value === OPEN) {
      // a container was opened: its first element/value starts here
      value = parseValue();
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) break;
    if (top.kind === "array") top.value.push(value);
    // defineProperty: a "__proto__" key must stay data, as JSON.parse keeps it
    else Object.defineProperty(top.value, top.key, { value, enumerable: true, writable: true, configurable: true });
    skip();
    const close = top.kind === "array" ? "]" : "}";
    if (s[i] === close) {
      i++;
      stack.pop();
      value = top.value;
      continue;
    }
    if (s[i] !== ",") throw new PythonJsonError("Expecting ',' delimiter");
    i++;
    skip();
    if (top.kind === "object") {
      if (s[i] !== '"') throw new PythonJsonError("Expecting property name enclosed in double quotes");
      top.key = parseString();
      skip();
      if (s[i] !== ":") throw new PythonJsonError("Expecting ':' delimiter");
      i++;
      skip();
    }
    value = parseValue();
  }
  skip();
  if (i !== s.length) throw new PythonJsonError("Extra data");
  return value;
}
