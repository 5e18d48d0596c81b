/**
 * A small YAML writer for the deploy files: block mappings and sequences, short lists of scalars
 * in flow style, comments only above a document. Strings are written plain only when every YAML
 * reader (1.1 as in docker compose's ancestry, 1.2 as in Kubernetes) reads them back as the same
 * string; anything else is double-quoted (JSON's escapes are valid YAML). No anchors, no tags,
 * no multi-line strings: nothing the deploy files need, and nothing a reader could take two ways.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml | undefined };

export interface YamlDoc {
  /** Lines written as `# ...` above the document. */
  comment?: string;
  value: Yaml;
}

/** Plain strings we allow to start with a digit: Kubernetes quantities and durations. */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T|s|ms)$/;
const PLAIN = /^[A-Za-z/][A-Za-z0-9_./:=@+-]*$/;
/** Words some YAML reader turns into a boolean or null. */
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|nan|inf)$/i;

/** File names such as `00-namespace.yaml`: digits, a dash, then a letter; no reader takes them for a number or a date. */
const NUMBERED_NAME = /^[0-9]+-[A-Za-z][A-Za-z0-9_./-]*$/;

function plainString(s: string): boolean {
  if (QUANTITY.test(s) || NUMBERED_NAME.test(s)) return true;
  return PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(':');
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} in YAML`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (v.includes('\n')) throw new Error(`multi-line strings are not written: ${JSON.stringify(v)}`);
  return plainString(v) ? v : JSON.stringify(v);
}

const isScalar = (v: Yaml): v is string | number | boolean | null => v === null || typeof v !== 'object';

/** A list of scalars short enough to read on one line: `["--modules", "cart"]`. */
function flowList(v: Yaml[]): string | undefined {
  if (!v.every(isScalar)) return undefined;
  const text = `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : scalar(x))).join(', ')}]`;
  return text.length <= 72 ? text : undefined;
}

function inline(v: Yaml): string | undefined {
  if (isScalar(v)) return scalar(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : flowList(v);
  return Object.values(v).every((x) => x === undefined) ? '{}' : undefined;
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
}

function block(v: Yaml, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      const one = inline(item);
      if (one !== undefined) return [`${pad}- ${one}`];
      const lines = block(item, indent + 2);
      return [`${pad}- ${lines[0].slice(indent + 2)}`, ...lines.slice(1)];
    });
  }
  if (v === null || typeof v !== 'object') throw new Error('a block needs a list or a mapping');
  return Object.entries(v).flatMap(([k, x]) => {
    if (x === undefined) return [];
    const one = inline(x);
    return one !== undefined ? [`${pad}${key(k)}: ${one}`] : [`${pad}${key(k)}:`, ...block(x, indent + 2)];
  });
}

const commentLines = (text: string) => text.split('\n').map((l) => (l ? `# ${l}` : '#'));

/** A file of one or more documents, each with its comment, under a header comment. */
export function yamlFile(header: string, docs: YamlDoc[]): string {
  const body = docs.map((d) => [...(d.comment ? commentLines(d.comment) : []), ...block(d.value, 0)].join('\n') + '\n');
  return `${commentLines(header).join('\n')}\n${body.join('---\n')}`;
}
