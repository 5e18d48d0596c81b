import { defineRoutes } from '../../../kernel/http/routes.ts';
import { listQuery, pathParams } from '../../../kernel/http/query.ts';
import { catalogContract, CategoryRef, NewProduct, ProductChanges } from '../contract.ts';

const productPath = pathParams('id');

export const catalogRoutes = defineRoutes((r) => {
  r.get('/api/categories', { access: 'public', summary: 'Every category, by name (a plain array)', response: catalogContract.methods.listCategories.output.shape.items },
    async ({ use }) => (await use(catalogContract).listCategories({})).items);

  r.post('/api/categories', {
    access: 'admin',
    summary: 'Add a category; 409 if the slug is taken',
    response: catalogContract.methods.createCategory.output,
    body: catalogContract.methods.createCategory.input,
    status: 201,
  }, ({ body, use }) => use(catalogContract).createCategory(body));

  r.get('/api/products', {
    access: 'public',
    summary: 'Active products, newest first; `category` is a category id or slug',
    response: catalogContract.methods.listProducts.output,
    query: listQuery({ category: CategoryRef.optional() }),
  }, ({ query, use }) => use(catalogContract).listProducts({ categoryId: query.category, limit: query.limit, offset: query.offset }));

  r.get('/api/products/:id', { access: 'public', summary: 'One product; archived ones answer with active: false', response: catalogContract.methods.getProduct.output, params: productPath },
    ({ params, use }) => use(catalogContract).getProduct({ productId: params.id }));

  r.post('/api/products', { access: 'admin', summary: 'Add a product; 409 if the SKU is taken, 422 for an unknown category', response: catalogContract.methods.createProduct.output, body: NewProduct, status: 201 },
    ({ body, use }) => use(catalogContract).createProduct(body));

  r.patch('/api/products/:id', { access: 'admin', summary: 'Change a product; a new price is announced to the shop', response: catalogContract.methods.updateProduct.output, body: ProductChanges, params: productPath },
    ({ body, params, use }) => use(catalogContract).updateProduct({ productId: params.id, changes: body }));

  r.delete('/api/products/:id', { access: 'admin', summary: 'Archive a product: it leaves lists, search and carts', params: productPath },
    async ({ params, use }) => {
      await use(catalogContract).archiveProduct({ productId: params.id });
    });
});
