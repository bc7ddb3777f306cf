/**
 * Finds the imports of a TypeScript file without a parser: static `import`,
 * `export … from` and `import("…")` with a literal specifier. Comments,
 * string, template and regular-expression literals are blanked first, so an
 * import in a JSDoc example or in a string does not count.
 *
 * @module
 */

/** One import: its specifier as written and the 1-based line it is on. */
export interface ImportSite {
  /** The module specifier, e.g. `../errors.ts`. */
  readonly specifier: string;
  /** Line of the specifier's opening quote. */
  readonly line: number;
}

/** The imports of `source`, in source order. */
export function importSpecifiers(source: string): ImportSite[] {
  const { code, strings } = blank(source);
  const sites: ImportSite[] = [];
  const patterns = [
    /(?<![\w$.])(?:import|export)\s[\w$*{},\s]*?(?<![\w$])from\s*(["'])/g,
    /(?<![\w$.])import\s*(["'])/g,
    /(?<![\w$.])import\s*\(\s*(["'`])/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const quote = match.index + match[0].length - 1;
      const specifier = strings.get(quote);
      if (specifier === undefined) continue;
      sites.push({ specifier, line: lineAt(code, quote) });
    }
  }
  return sites.sort((a, b) => a.line - b.line);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** Characters after which a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
const KEYWORDS_BEFORE_REGEX =
  /(?:^|[^\w$])(?:return|typeof|case|in|of|new|delete|void|throw|yield|await|else|do)$/;

/**
 * `source` with comments and literal contents turned into spaces (newlines
 * kept, so offsets and lines stay), and the text of each string literal (and
 * template literal without `${}`) by the offset of its opening quote.
 */
function blank(source: string): { code: string; strings: Map<number, string> } {
  const out = source.split("");
  const strings = new Map<number, string>();
  const erase = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  const templates: number[] = []; // brace depth at each open `${`
  let depth = 0;
  let i = 0;
  /** Scans template text from `i` (just after a backtick or a closing `}`). */
  const template = (open: number) => {
    const start = i;
    while (i < source.length && source[i] !== "`") {
      if (source[i] === "\\") i++;
      else if (source[i] === "$" && source[i + 1] === "{") {
        erase(start, i);
        templates.push(depth++);
        i += 2;
        return;
      }
      i++;
    }
    if (source[open] === "`") strings.set(open, source.slice(start, i));
    erase(start, i);
    i++;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      erase(i, end === -1 ? source.length : end);
      i = end === -1 ? source.length : end;
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      erase(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n") {
        j += source[j] === "\\" ? 2 : 1;
      }
      strings.set(i, source.slice(i + 1, j));
      erase(i + 1, j);
      i = j + 1;
    } else if (c === "`") {
      i++;
      template(i - 1);
    } else if (c === "}" && templates.length > 0 && templates.at(-1) === depth - 1) {
      templates.pop();
      depth--;
      i++;
      template(i - 1);
    } else if (c === "/" && startsRegex(out, i)) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== "\n" && (inClass || source[j] !== "/")) {
        if (source[j] === "\\") j++;
        else if (source[j] === "[") inClass = true;
        else if (source[j] === "]") inClass = false;
        j++;
      }
      erase(i + 1, j);
      i = j + 1;
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
  }
  return { code: out.join(""), strings };
}

/** Whether the `/` at `at` opens a regular expression, judged by the code before it. */
function startsRegex(code: string[], at: number): boolean {
  let k = at - 1;
  while (k >= 0 && /\s/.test(code[k])) k--;
  if (k < 0 || BEFORE_REGEX.has(code[k])) return true;
  return KEYWORDS_BEFORE_REGEX.test(code.slice(Math.max(0, k - 9), k + 1).join(""));
}
