/**
 * Reads the YAML the deploy files use, written here apart from the writer (deploy/render/yaml.ts)
 * so a test reads the files as a deploy tool would: block mappings and sequences, flow lists of
 * scalars, `{}`, plain, double- and single-quoted scalars, comments, `---` between documents.
 * Strict where the writer must be careful: anything outside that subset throws, and so does a
 * plain scalar that YAML 1.1 readers (docker compose's ancestry) and YAML 1.2 readers
 * (Kubernetes) would read differently, such as `yes`, `on`, `0x1F` or `3000:3000`.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  no: number;
  indent: number;
  text: string;
}

const AMBIGUOUS = [/^(yes|no|on|off|y|n)$/i, /^[-+]?0[xob][0-9a-f_]+$/i, /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/, /^[-+]?\.(inf|nan)$/i, /^[0-9]{4}-[0-9]{2}-[0-9]{2}/];

export function parseYamlDocuments(source: string): YamlValue[] {
  const docs: Line[][] = [[]];
  source.split('\n').forEach((raw, i) => {
    if (raw.includes('\t')) throw new Error(`line ${i + 1}: tab character`);
    if (/^---\s*$/.test(raw)) return void docs.push([]);
    if (/^\s*(#.*)?$/.test(raw)) return;
    const indent = raw.length - raw.trimStart().length;
    docs[docs.length - 1].push({ no: i + 1, indent, text: raw.trim() });
  });
  return docs.filter((d) => d.length > 0).map((lines) => new Reader(lines).document());
}

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  document(): YamlValue {
    const value = this.block(this.lines[0].indent);
    if (this.i < this.lines.length) this.fail(this.lines[this.i], 'unexpected indentation');
    return value;
  }

  private fail(line: Line, why: string): never {
    throw new Error(`line ${line.no}: ${why}: ${line.text}`);
  }

  private block(indent: number): YamlValue {
    const line = this.lines[this.i];
    return isItem(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (this.i < this.lines.length && this.lines[this.i].indent === indent && isItem(this.lines[this.i].text)) {
      const line = this.lines[this.i];
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.i++;
        out.push(this.nested(line, indent));
      } else if (isItem(rest) || splitKey(rest)) {
        // `- key: value` opens a mapping whose keys sit where `key` does (`- - x`: a list in a list).
        const inner = indent + (line.text.length - rest.length);
        this.lines[this.i] = { no: line.no, indent: inner, text: rest };
        out.push(isItem(rest) ? this.sequence(inner) : this.mapping(inner));
      } else {
        this.i++;
        out.push(scalarOrFlow(rest, line));
      }
    }
    return out;
  }

  private mapping(indent: number): Record<string, YamlValue> {
    const out: Record<string, YamlValue> = {};
    while (this.i < this.lines.length && this.lines[this.i].indent === indent) {
      const line = this.lines[this.i];
      if (isItem(line.text)) this.fail(line, 'a list item where a key was expected');
      const kv = splitKey(line.text);
      if (!kv) this.fail(line, 'expected `key: value`');
      if (Object.hasOwn(out, kv.key)) this.fail(line, `duplicate key ${kv.key}`);
      this.i++;
      out[kv.key] = kv.rest === '' ? this.nested(line, indent) : scalarOrFlow(kv.rest, line);
    }
    return out;
  }

  /** The value under `key:` or `-`: a deeper block, a list at the key's own indent, or null. */
  private nested(parent: Line, indent: number): YamlValue {
    const next = this.lines[this.i];
    if (!next) return null;
    if (next.indent > indent) return this.block(next.indent);
    if (next.indent === indent && isItem(next.text) && !isItem(parent.text)) return this.sequence(indent);
    return null;
  }
}

const isItem = (text: string) => text === '-' || text.startsWith('- ');

function splitKey(text: string): { key: string; rest: string } | undefined {
  const quoted = /^("(?:[^"\\]|\\.)*")\s*:(?:\s+|$)/.exec(text);
  if (quoted) return { key: JSON.parse(quoted[1]) as string, rest: text.slice(quoted[0].length).trim() };
  const plain = /^([^\s"'#\-[\]{},&*!|>%@`][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+|$)/.exec(text);
  return plain ? { key: plain[1], rest: text.slice(plain[0].length).trim() } : undefined;
}

function scalarOrFlow(text: string, line: Line): YamlValue {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new Error(`line ${line.no}: unclosed flow list: ${text}`);
    return splitFlow(text.slice(1, -1), line).map((item) => scalar(item, line));
  }
  if (text.startsWith('{')) {
    if (/^\{\s*\}$/.test(text)) return {};
    throw new Error(`line ${line.no}: flow mappings are not used in the deploy files: ${text}`);
  }
  return scalar(text, line);
}

function splitFlow(inner: string, line: Line): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let k = 0; k < inner.length; k++) {
    const c = inner[k];
    if (quote) {
      current += c;
      if (c === '\\' && quote === '"') current += inner[++k];
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === ',') {
      items.push(current.trim());
      current = '';
    } else if ('[]{}'.includes(c)) {
      throw new Error(`line ${line.no}: nested flow collections are not used: ${inner}`);
    } else current += c;
  }
  if (quote) throw new Error(`line ${line.no}: unclosed quote: ${inner}`);
  if (current.trim() !== '') items.push(current.trim());
  else if (items.length > 0) throw new Error(`line ${line.no}: empty flow item: ${inner}`);
  return items;
}

function scalar(raw: string, line: Line): YamlValue {
  if (raw.startsWith('"')) {
    const end = closingQuote(raw);
    const rest = raw.slice(end + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) throw new Error(`line ${line.no}: text after a quoted string: ${raw}`);
    return JSON.parse(raw.slice(0, end + 1)) as string;
  }
  if (raw.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(raw);
    if (!m) throw new Error(`line ${line.no}: bad single-quoted string: ${raw}`);
    return m[1].replaceAll("''", "'");
  }
  const text = raw.replace(/\s+#.*$/, '');
  if (/^[&*!|>%@`]/.test(text)) throw new Error(`line ${line.no}: anchors, tags and block scalars are not used: ${raw}`);
  if (/: |:$/.test(text)) throw new Error(`line ${line.no}: a mapping inside a plain scalar: ${raw}`);
  if (AMBIGUOUS.some((re) => re.test(text))) throw new Error(`line ${line.no}: YAML 1.1 and 1.2 read this differently; quote it: ${raw}`);
  if (text === '' || text === '~' || /^null$/i.test(text)) return null;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

function closingQuote(s: string): number {
  for (let k = 1; k < s.length; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === '"') return k;
  }
  throw new Error(`unclosed double-quoted string: ${s}`);
}
