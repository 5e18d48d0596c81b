import type { Product } from '../../modules/catalog/contract.ts';
import type { z } from 'zod';
import type { Recommendation } from '../../modules/recommendation/contract.ts';
import type { SearchResult } from './search-result.ts';
import { Layout } from './layout.tsx';
import { Csrf, Pager, Price, ProductButton, ProductGrid, ProductImage, type CardProduct } from './parts.tsx';
import type { View } from './view.ts';

/** Home and category pages: a grid of products, newest first. */
export function ListingPage(props: { view: View; heading: string; products: CardProduct[]; page: number; pages: number; baseHref: string }) {
  const { view } = props;
  return (
    <Layout view={view} title={props.heading}>
      <h1>{props.heading}</h1>
      {props.products.length === 0 ? <p>Nothing here yet.</p> : <ProductGrid products={props.products} view={view} label={props.heading} />}
      <Pager page={props.page} pages={props.pages} href={(p) => `${props.baseHref}?page=${p}`} />
    </Layout>
  );
}

export function ProductPage(props: { view: View; product: Product; categoryName?: string; recommendations: Array<z.infer<typeof Recommendation>>; images: Map<string, string | undefined> }) {
  const { view, product } = props;
  return (
    <Layout view={view} title={product.name}>
      <article class="product">
        <ProductImage url={product.imageUrl} name={product.name} size="large" />
        <div class="product-info">
          <h1>{product.name}</h1>
          {props.categoryName && <p class="category">{props.categoryName}</p>}
          <p class="product-price"><Price cents={product.price} view={view} /></p>
          <p class="description">{product.description}</p>
          {product.active ? (
            <form action="/cart" method="post" class="add-to-cart">
              <Csrf view={view} />
              <input type="hidden" name="product_id" value={product.id} />
              <label for="quantity">Quantity</label>
              <select id="quantity" name="quantity">
                {[1, 2, 3, 4, 5, 10].map((n) => <option value={n}>{n}</option>)}
              </select>
              <button type="submit" class="primary">Add to cart</button>
            </form>
          ) : (
            <p class="unavailable">This product is no longer sold.</p>
          )}
          <ProductButton view={view} action="/wishlist" productId={product.id} label="Save to wishlist" kind="secondary" />
        </div>
      </article>
      {props.recommendations.length > 0 && (
        <section class="recommendations">
          <h2>You may also like</h2>
          <ProductGrid
            products={props.recommendations.map((r) => ({ id: r.productId, name: r.name, price: r.price, imageUrl: props.images.get(r.productId) }))}
            view={view}
            label="You may also like"
          />
        </section>
      )}
    </Layout>
  );
}

const SORTS: Array<[string, string]> = [['relevance', 'Best match'], ['price_asc', 'Price: low to high'], ['price_desc', 'Price: high to low'], ['newest', 'Newest']];

export function SearchPage(props: { view: View; q: string; category?: string; sort: string; result: SearchResult; products: CardProduct[]; page: number; pages: number }) {
  const { view, result } = props;
  const href = (changes: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    const all = { q: props.q, category: props.category, sort: props.sort === 'relevance' ? undefined : props.sort, ...changes };
    for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '') params.set(k, String(v));
    return `/search?${params}`;
  };
  return (
    <Layout view={view} title={props.q ? `Search: ${props.q}` : 'Search'}>
      <h1>{props.q ? <>Results for “{props.q}”</> : 'All products'}</h1>
      <div class="search-layout">
        <aside aria-label="Filter by category">
          <h2>Categories</h2>
          <ul class="facets">
            <li><a href={href({ category: undefined, page: undefined })} aria-current={props.category ? undefined : 'true'}>All</a></li>
            {result.facets.categories.map((f) => (
              <li>
                <a href={href({ category: f.slug ?? f.id, page: undefined })} aria-current={props.category === (f.slug ?? f.id) ? 'true' : undefined}>
                  {f.name ?? f.id} <span class="count">({f.count})</span>
                </a>
              </li>
            ))}
          </ul>
        </aside>
        <section>
          <form action="/search" method="get" class="sort">
            <input type="hidden" name="q" value={props.q} />
            {props.category && <input type="hidden" name="category" value={props.category} />}
            <label for="sort">Sort by</label>
            <select id="sort" name="sort" data-autosubmit>
              {SORTS.map(([value, label]) => <option value={value} selected={value === props.sort}>{label}</option>)}
            </select>
            <button type="submit" class="js-hide">Sort</button>
          </form>
          <p class="result-count">{result.total} {result.total === 1 ? 'product' : 'products'}</p>
          {props.products.length === 0 ? <p>No product matches. Try fewer or other words.</p> : <ProductGrid products={props.products} view={view} label="Search results" />}
          <Pager page={props.page} pages={props.pages} href={(p) => href({ page: p })} />
        </section>
      </div>
    </Layout>
  );
}
