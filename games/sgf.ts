/**
 * SGF (Smart Game Format, FF[4]) syntax: parse any collection into trees of nodes, and write
 * trees back. Game-agnostic; games/go/record.ts gives the nodes their Go meaning.
 *
 * No recursion anywhere: real OGS exports nest every move in its own subtree, and a file may
 * nest tens of thousands deep. Errors name the file and line:column.
 */
import { SgfError } from "../core/errors.js";
import { readInputBytes } from "../core/files.js";

export interface SgfNode {
  /** Property values by identifier ("B", "AB", "SZ", ...); each property has one or more values. */
  readonly props: Record<string, string[]>;
  /** Child nodes: the first one continues the main line, the others are variations. */
  readonly children: SgfNode[];
  /** Offset in the text of the ';' that opened the node, and of each property identifier. */
  readonly offset: number;
  readonly propOffsets: Record<string, number>;
}

/** Converts text offsets to 1-based line:column. */
export class SourceMap {
  private readonly lineStarts: number[] = [0];
  constructor(readonly file: string, text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }
  where(offset: number): { file: string; line: number; column: number } {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
  /** The text offset of a 1-based line and column. */
  offsetOf(line: number, column: number): number {
    return (this.lineStarts[line - 1] ?? 0) + column - 1;
  }
  error(message: string, offset: number): SgfError {
    return new SgfError(message, this.where(offset));
  }
}

export interface SgfCollection {
  /** Root node of each game tree in the file. */
  readonly games: SgfNode[];
  readonly source: SourceMap;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 11 || code === 12 || code === 0xfeff;
}
function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}
function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

/**
 * Whether a ']' just before `i` really closes a value: false only when a run of lower-case
 * letters without any capital follows, which no SGF can continue with (a name such as
 * "[O]at[P]ramote" written with an unescaped ']'). Anything else is left to the grammar.
 */
function canFollowValue(text: string, i: number): boolean {
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i >= n || !isLower(text.charCodeAt(i))) return true;
  while (i < n && isLower(text.charCodeAt(i))) i++;
  return i < n && isUpper(text.charCodeAt(i));
}

/** Removes SGF escapes: a backslash escapes the next character; backslash-newline is a soft break. */
function unescapeValue(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw;
  return raw.replace(/\\(\r\n|\n\r|\n|\r|[\s\S])/g, (_m, ch: string) => (ch.length > 1 || ch === "\n" || ch === "\r" ? "" : ch));
}

/**
 * Parses SGF text. Text before the first '(' and between game trees is ignored (mail headers,
 * byte-order marks); inside a tree every character must fit the grammar.
 */
export function parseSgf(text: string, file = "<input>"): SgfCollection {
  const source = new SourceMap(file, text);
  const games: SgfNode[] = [];
  parseTrees(text, source, 0, (root) => games.push(root));
  return { games, source };
}

/**
 * Parses a collection that may hold broken game trees: a tree with a syntax error is reported
 * (with its game number) and skipped, and parsing resumes at the next tree — where a ')' is
 * followed by '(;', or a line starts with '(;'. Each game keeps its number in the file.
 */
export function parseSgfRecovering(text: string, file = "<input>"): { games: { root: SgfNode; number: number }[]; errors: SgfError[]; source: SourceMap } {
  const source = new SourceMap(file, text);
  const games: { root: SgfNode; number: number }[] = [];
  const errors: SgfError[] = [];
  let from = 0;
  let number = 0;
  for (;;) {
    try {
      parseTrees(text, source, from, (root) => games.push({ root, number: ++number }));
      return { games, errors, source };
    } catch (e) {
      if (!(e instanceof SgfError) || e.where.line === undefined) throw e;
      number++;
      errors.push(e.at({ game: number }) as SgfError);
      const offset = source.offsetOf(e.where.line, e.where.column ?? 1);
      const next = /\)\s*(\(\s*;)|(?:^|\n)(\(\s*;)/g;
      next.lastIndex = offset + 1;
      const m = next.exec(text);
      if (!m) return { games, errors, source };
      from = m.index + m[0].length - (m[1] ?? m[2])!.length;
    }
  }
}

/** Parses game trees from `from` on, handing each finished top-level tree to `onTree`. */
function parseTrees(text: string, source: SourceMap, from: number, onTree: (root: SgfNode) => void): void {
  // One frame per open '(': the node its subtrees hang from, and the last node of its sequence.
  const parents: (SgfNode | null)[] = [];
  const lasts: (SgfNode | null)[] = [];
  const opens: number[] = [];
  const roots: SgfNode[] = [];
  let i = from;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    const depth = opens.length;
    if (code === 40 /* ( */) {
      if (depth > 0 && lasts[depth - 1] === null) throw source.error("a game tree must start with a node (';') before any variation '('", i);
      parents.push(depth > 0 ? lasts[depth - 1]! : null);
      lasts.push(null);
      opens.push(i);
      i++;
      continue;
    }
    if (depth === 0) {
      if (code === 41 /* ) */) throw source.error("unbalanced ')': no game tree is open here", i);
      i++;
      continue;
    }
    if (code === 41 /* ) */) {
      if (lasts[depth - 1] === null) throw source.error("empty game tree '()': a game tree needs at least one node", opens[depth - 1]!);
      parents.pop();
      lasts.pop();
      opens.pop();
      if (opens.length === 0) onTree(roots.pop()!);
      i++;
      continue;
    }
    if (code !== 59 /* ; */) {
      throw source.error(`unexpected character '${text[i]}': expected ';', '(' or ')'`, i);
    }
    // A node and its properties.
    const node: SgfNode = { props: Object.create(null), children: [], offset: i, propOffsets: Object.create(null) };
    const last = lasts[depth - 1]!;
    if (last) last.children.push(node);
    else {
      const parent = parents[depth - 1]!;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    lasts[depth - 1] = node;
    i++;
    for (;;) {
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      if (i >= n) break;
      const c0 = text.charCodeAt(i);
      if (!isUpper(c0) && !isLower(c0)) break;
      // Property identifier: upper-case letters; FF[1-3] lower-case letters inside are dropped.
      const start = i;
      let ident = "";
      while (i < n) {
        const c = text.charCodeAt(i);
        if (isUpper(c)) ident += text[i];
        else if (!isLower(c)) break;
        i++;
      }
      if (ident === "") throw source.error(`bad property identifier '${text.slice(start, i)}': identifiers are upper-case letters`, start);
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      if (i >= n || text.charCodeAt(i) !== 91 /* [ */) {
        throw source.error(`property ${ident} has no value: expected '['`, start);
      }
      const values = node.props[ident] ?? (node.props[ident] = []);
      if (!(ident in node.propOffsets)) node.propOffsets[ident] = start;
      while (i < n && text.charCodeAt(i) === 91) {
        const open = i;
        let close = text.indexOf("]", i + 1);
        for (;;) {
          if (close < 0) throw source.error(`unterminated property value of ${ident}: no closing ']'`, open);
          let backslashes = 0;
          for (let k = close - 1; k > open && text.charCodeAt(k) === 92; k--) backslashes++;
          // An escaped ']' does not close; nor does an unescaped one that nothing valid can follow
          // (real exports leave ']' unescaped in names like "[O]at[P]ramote").
          if (backslashes % 2 === 0 && canFollowValue(text, close + 1)) break;
          close = text.indexOf("]", close + 1);
        }
        values.push(unescapeValue(text.slice(open + 1, close)));
        i = close + 1;
        while (i < n && isSpace(text.charCodeAt(i))) i++;
      }
    }
  }
  if (opens.length > 0) {
    throw source.error(`unexpected end of file: ${opens.length} game tree${opens.length > 1 ? "s" : ""} not closed with ')' (the innermost opened here)`, opens[opens.length - 1]!);
  }
}

/** Escapes a property value for writing. */
export function escapeValue(value: string): string {
  return value.replace(/[\]\\]/g, (ch) => `\\${ch}`);
}

/**
 * Writes trees as an SGF collection. A line of single children is written flat
 * (`;B[cc];W[dd]`), variations as nested trees; no recursion, so any depth is fine.
 */
export function writeSgf(games: readonly SgfNode[]): string {
  const out: string[] = [];
  for (const root of games) {
    // Stack of pending items: a node to open a subtree for, or a ')' to close one.
    const stack: (SgfNode | null)[] = [root];
    while (stack.length > 0) {
      let node = stack.pop()!;
      if (node === null) {
        out.push(")");
        continue;
      }
      out.push("(");
      for (;;) {
        out.push(";");
        for (const [ident, values] of Object.entries(node.props)) {
          out.push(ident);
          for (const v of values) out.push(`[${escapeValue(v)}]`);
        }
        if (node.children.length === 1) {
          node = node.children[0]!;
          continue;
        }
        stack.push(null);
        for (let k = node.children.length - 1; k >= 0; k--) stack.push(node.children[k]!);
        break;
      }
    }
    out.push("\n");
  }
  return out.join("");
}

/** A new node with the given properties (values given as strings or lists). */
export function sgfNode(props: Record<string, string | string[] | undefined>, children: SgfNode[] = []): SgfNode {
  const node: SgfNode = { props: Object.create(null), children, offset: -1, propOffsets: Object.create(null) };
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    node.props[k] = Array.isArray(v) ? v : [v];
  }
  return node;
}

/** Decodes file bytes: UTF-8 unless the root's CA[] names another charset the runtime knows. */
export function decodeSgfBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString("latin1");
  const m = /CA\s*\[([^\]]*)\]/.exec(head);
  const label = m?.[1]?.trim().toLowerCase();
  if (label && label !== "utf-8" && label !== "utf8") {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // Unknown charset name: fall back to UTF-8.
    }
  }
  return new TextDecoder("utf-8").decode(bytes);
}

/** Reads an SGF file, honouring its CA[] charset; a missing or unreadable file is an InputError naming it. */
export function readSgfFile(file: string): string {
  return decodeSgfBytes(readInputBytes(file));
}
