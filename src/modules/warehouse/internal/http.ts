import { defineRoutes } from '../../../kernel/http/routes.ts';
import { listQuery, pathParams, queryBool } from '../../../kernel/http/query.ts';
import { warehouseContract } from '../contract.ts';

const product = pathParams('productId');
const { setStock, restock } = warehouseContract.methods;

export const warehouseRoutes = defineRoutes((r) => {
  r.get('/api/inventory', { access: 'admin', summary: 'Stock of every product; lowStock=true keeps those below their threshold', response: warehouseContract.methods.listStock.output, query: listQuery({ lowStock: queryBool().optional() }) },
    ({ query, use }) => use(warehouseContract).listStock(query));

  r.get('/api/inventory/:productId', { access: 'admin', summary: 'Stock of one product', response: warehouseContract.methods.getStock.output, params: product },
    ({ params, use }) => use(warehouseContract).getStock(params));

  r.put('/api/inventory/:productId', {
    access: 'admin',
    summary: 'Set on-hand units (not below what is reserved) and optionally the low-stock threshold',
    response: warehouseContract.methods.setStock.output,
    params: product,
    body: setStock.input.omit({ productId: true }),
  }, ({ params, body, use }) => use(warehouseContract).setStock({ ...params, ...body }));

  r.post('/api/inventory/:productId/restock', {
    access: 'admin',
    summary: 'Add received units to on-hand',
    response: warehouseContract.methods.restock.output,
    params: product,
    body: restock.input.omit({ productId: true }),
  }, ({ params, body, use }) => use(warehouseContract).restock({ ...params, ...body }));
});
