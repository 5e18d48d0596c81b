import { sql, type SQL } from 'drizzle-orm';
import { chunks } from '../../../kernel/persistence/sql-pieces.ts';
import type { Dialect, Tx } from '../../../kernel/persistence/sql.ts';
import { matchExpression, wordsOf, type QueryWords } from './match-expression.ts';
import type { schemas } from './tables.ts';

type SearchProducts = typeof schemas.postgres.searchProducts;

/** The products some words match, to join to search_products (the join is named `text_match`). */
export interface TextMatches {
  source: SQL;
  on: SQL;
  /** Higher for a better match: a word in the name weighs ten times one in the description. */
  score: SQL<number>;
}

/**
 * How search finds and ranks words: the one place where the two engines differ. Both index
 * search_products' name and description, fold case and accents ("creme" finds "Crème"), require
 * every word and take the last one also as a prefix.
 */
export interface TextMatch {
  matches(words: QueryWords): TextMatches;
  /** Indexes the text of products whose rows were just written (their name and description as stored now). */
  indexed(tx: Tx, rows: Array<{ productId: string; name: string; description: string }>): Promise<void>;
  /** Re-indexes the text of every product (after a rebuild). */
  reindexAll(tx: Tx): Promise<void>;
  /**
   * Indexes the text of products whose rows arrived without it: copied in by `npm run db:move`,
   * which writes the declared columns only. Says how many it indexed.
   */
  indexMissing(tx: Tx): Promise<number>;
}

export function textMatchOn(dialect: Dialect, products: SearchProducts): TextMatch {
  return dialect === 'postgres' ? postgresText(products) : sqliteText(products);
}

/**
 * SQLite: the FTS5 table `search_text` (migrations/sqlite/0001_fts.sql), an external-content
 * index over search_products kept in step by triggers; its unicode61 tokenizer folds case and
 * accents. Ranked by bm25.
 */
function sqliteText(products: SearchProducts): TextMatch {
  return {
    matches: (words) => ({
      source: sql`(SELECT rowid AS doc_id, bm25(search_text, 10.0, 1.0) AS rank FROM search_text WHERE search_text MATCH ${matchExpression(words)}) AS text_match`,
      on: sql`text_match.doc_id = ${products.docId}`,
      // bm25 is lower for a better match.
      score: sql<number>`-text_match.rank`.mapWith(Number),
    }),
    indexed: async () => {},
    reindexAll: async (tx) => {
      await tx.changed(sql`INSERT INTO search_text (search_text) VALUES ('rebuild')`);
    },
    // The triggers index every inserted row, however it was written.
    indexMissing: async () => 0,
  };
}

/**
 * PostgreSQL: the generated tsvector column `search_vector` with its GIN index
 * (migrations/postgres/0001_fts.sql), over `name_folded` and `description_folded`: copies of the
 * name and description that this writes cut into words and folded here, as unicode61 cuts and
 * folds them (unaccent() is an extension, which a module's role may not be allowed to create).
 * Those columns exist only in that migration, not in schema.pg.ts. Ranked by ts_rank.
 */
function postgresText(products: SearchProducts): TextMatch {
  const indexed: TextMatch['indexed'] = async (tx, rows) => {
    for (const slice of chunks(rows)) {
      const values = sql.join(slice.map((r) => sql`(${r.productId}, ${foldedText(r.name)}, ${foldedText(r.description)})`), sql`, `);
      await tx.changed(sql`UPDATE ${products} SET name_folded = folded.name, description_folded = folded.description
        FROM (VALUES ${values}) AS folded (product_id, name, description) WHERE ${products.productId} = folded.product_id`);
    }
  };
  return {
    matches: (words) => ({
      source: sql`(SELECT to_tsquery('simple', ${tsquery(words)}) AS query) AS text_match`,
      on: sql`${products}.search_vector @@ text_match.query`,
      // Name words are weighted A (1.0), description words B (0.1); 1: divided by 1 + log(length), as bm25 favours short texts.
      score: sql<number>`ts_rank('{0, 0, 0.1, 1}', ${products}.search_vector, text_match.query, 1)`.mapWith(Number),
    }),
    indexed,
    // search_vector follows the folded columns by itself, and a rebuild saves (so folds again) every product.
    reindexAll: async () => {},
    indexMissing: async (tx) => {
      const rows = await tx.rows<{ productId: string; name: string; description: string }>(
        sql`SELECT ${products.productId} AS "productId", ${products.name} AS name, ${products.description} AS description FROM ${products}
          WHERE name_folded = '' AND description_folded = '' AND (${products.name} <> '' OR ${products.description} <> '')`,
      );
      await indexed(tx, rows);
      return rows.length;
    },
  };
}

/** A word as the PostgreSQL index holds it: lower case, without the accents unicode61 removes. */
function fold(word: string): string {
  return word.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');
}

/** A text as its folded words, space-separated. */
function foldedText(text: string): string {
  return wordsOf(text).map(fold).join(' ');
}

/** A tsquery of quoted lexemes, so nothing in a word is read as tsquery syntax; the last one a prefix. */
function tsquery({ whole, prefix }: QueryWords): string {
  const lexeme = (word: string) => `'${fold(word).replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return [...whole.map(lexeme), `${lexeme(prefix)}:*`].join(' & ');
}
