/**
 * Turns text typed by a user into the words search looks for, which cannot be misread as query
 * syntax: the text is cut into words here, and each engine is given the words alone (text-match.ts
 * hands each to FTS5 as a quoted string, or to PostgreSQL as a quoted lexeme), so quotes,
 * operators (AND, NEAR, *, ^, :, &, |, !, parentheses) and control characters are never interpreted.
 *
 * Words are what SQLite's unicode61 tokenizer indexes: runs of letters, digits and private-use
 * characters, with their combining marks. Every word must match; the last also as a prefix, so
 * "wireless head" finds "Wireless Headphones" while the customer is still typing.
 */
const WORD = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;
/** A run of combining marks alone is no word to unicode61, and an empty phrase would match nothing. */
const HAS_BASE_CHARACTER = /[\p{L}\p{N}\p{Co}]/u;

/** What a search looks for: every word of `whole`, and `prefix` as a word or the start of one. */
export interface QueryWords {
  whole: string[];
  prefix: string;
}

/** The words of a text, in order (documents and queries are cut alike). */
export function wordsOf(text: string): string[] {
  return (text.normalize('NFKC').match(WORD) ?? []).filter((w) => HAS_BASE_CHARACTER.test(w));
}

/** The words of a query; null when the text holds no word: the search then browses every product. */
export function queryWords(text: string): QueryWords | null {
  const words = wordsOf(text);
  const prefix = words.pop();
  if (prefix === undefined) return null;
  return { whole: [...new Set(words)], prefix };
}

/** The FTS5 MATCH expression for the words: each a quoted string, the last a prefix query. */
export function matchExpression({ whole, prefix }: QueryWords): string {
  return [...whole.map(quote), `${quote(prefix)}*`].join(' ');
}

function quote(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}
