/**
 * Turns text typed by a user into an FTS5 MATCH expression that cannot be misread as FTS syntax:
 * the text is cut into words here and each word goes to FTS5 as a quoted string, so quotes,
 * operators (AND, NEAR, *, ^, :, parentheses) and control characters are never interpreted.
 *
 * Words are what the unicode61 tokenizer indexes: runs of letters, digits and private-use
 * characters, with their combining marks. Every word must match; the last also as a prefix, so
 * "wireless head" finds "Wireless Headphones" while the customer is still typing.
 * Returns null when the text holds no word: the search then browses every product.
 */
const WORD = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;
/** A run of combining marks alone is no word to unicode61, and an empty phrase would match nothing. */
const HAS_BASE_CHARACTER = /[\p{L}\p{N}\p{Co}]/u;

export function matchExpression(text: string): string | null {
  const words = (text.normalize('NFKC').match(WORD) ?? []).filter((w) => HAS_BASE_CHARACTER.test(w));
  const last = words.pop();
  if (last === undefined) return null;
  const whole = [...new Set(words)].map(quote);
  return [...whole, `${quote(last)}*`].join(' ');
}

function quote(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}
