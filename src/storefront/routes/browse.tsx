import type { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../kernel/errors.ts';
import { catalogContract } from '../../modules/catalog/contract.ts';
import { recommendationContract } from '../../modules/recommendation/contract.ts';
import { searchContract, SearchSort } from '../../modules/search/contract.ts';
import { isDisplayCurrency } from '../money/display-currency.ts';
import { ListingPage, ProductPage, SearchPage } from '../pages/catalog-pages.tsx';
import { safeReturnPath } from '../visit.ts';
import { imagesOf } from './forms.ts';
import { page } from './page-handler.ts';

const PAGE_SIZE = 24;
const Paging = z.object({ page: z.coerce.number().int().min(1).max(400).catch(1) });

/** Home, categories, search, product pages and the display currency. */
export function browseRoutes(router: Router): void {
  router.get('/', page(async (visit) => {
    const { page: n } = Paging.parse(visit.req.query);
    const { items, total } = await visit.use(catalogContract).listProducts({ limit: PAGE_SIZE, offset: (n - 1) * PAGE_SIZE });
    visit.render(200, <ListingPage view={await visit.view()} heading="All products" products={items} page={n} pages={Math.ceil(total / PAGE_SIZE)} baseHref="/" />);
  }));

  router.get('/category/:slug', page(async (visit) => {
    const { page: n } = Paging.parse(visit.req.query);
    const slug = String(visit.req.params.slug);
    const category = (await visit.shop.categories()).find((c) => c.slug === slug);
    if (!category) throw new AppError('not_found', 'There is no such category.');
    const { items, total } = await visit.use(catalogContract).listProducts({ categoryId: category.id, limit: PAGE_SIZE, offset: (n - 1) * PAGE_SIZE });
    visit.render(200, <ListingPage view={await visit.view()} heading={category.name} products={items} page={n} pages={Math.ceil(total / PAGE_SIZE)} baseHref={`/category/${encodeURIComponent(slug)}`} />);
  }));

  router.get('/product/:id', page(async (visit) => {
    const productId = String(visit.req.params.id);
    const catalog = visit.use(catalogContract);
    const [product, recommendations, categories] = await Promise.all([
      catalog.getProduct({ productId }),
      visit.use(recommendationContract).forProduct({ productId, limit: 4 }).then((r) => r.items, () => []),
      visit.shop.categories(),
    ]);
    const images = await imagesOf(visit, recommendations.map((r) => r.productId));
    visit.render(200, (
      <ProductPage
        view={await visit.view()}
        product={product}
        categoryName={categories.find((c) => c.id === product.categoryId)?.name}
        recommendations={recommendations}
        images={images}
      />
    ));
  }));

  const SearchForm = z.object({
    // A longer query is cut, not dropped: dropping it would list every product.
    q: z.string().catch('').transform((q) => q.slice(0, 200)),
    category: z.string().max(100).optional().catch(undefined),
    sort: SearchSort.catch('relevance'),
    page: z.coerce.number().int().min(1).max(400).catch(1),
  });
  router.get('/search', page(async (visit) => {
    const form = SearchForm.parse({ sort: 'relevance', ...visit.req.query });
    const result = await visit.use(searchContract).search({
      q: form.q || undefined,
      category: form.category || undefined,
      sort: form.sort,
      limit: PAGE_SIZE,
      offset: (form.page - 1) * PAGE_SIZE,
    });
    const images = await imagesOf(visit, result.items.map((h) => h.productId));
    const products = result.items.map((h) => ({ id: h.productId, name: h.name, price: h.price, imageUrl: images.get(h.productId) }));
    visit.render(200, (
      <SearchPage
        view={await visit.view({ query: form.q })}
        q={form.q}
        category={form.category}
        sort={form.sort}
        result={result}
        products={products}
        page={form.page}
        pages={Math.ceil(Math.min(result.total, 10_000) / PAGE_SIZE)}
      />
    ));
  }));

  // Online Boutique's form: {currency_code}; ours adds where to come back to.
  router.post('/setCurrency', page(async (visit) => {
    const code = String(visit.req.body?.currency_code ?? '').toUpperCase();
    if (!isDisplayCurrency(code)) throw new AppError('validation', 'That currency is not offered here.');
    visit.session.currency = code;
    visit.redirect(safeReturnPath(visit.req.body?.return_to));
  }));
}
