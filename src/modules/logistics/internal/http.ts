import { defineRoutes } from '../../../kernel/http/routes.ts';
import { pathParams } from '../../../kernel/http/query.ts';
import { logisticsContract } from '../contract.ts';

/** The signature header is at most 200 characters in the contract; a longer one cannot be right anyway. */
const MAX_SIGNATURE = 200;

export const logisticsRoutes = defineRoutes((r) => {
  r.post('/api/shipping/quotes', {
    access: 'public',
    summary: 'Standard and express prices for items to a destination',
    body: logisticsContract.methods.quote.input,
  }, ({ body, use }) => use(logisticsContract).quote(body));

  r.get('/api/shipments/:trackingNumber', { access: 'user', summary: 'Track a shipment of one of your orders', params: pathParams('trackingNumber') },
    ({ params, user, use }) => use(logisticsContract).getShipment({ trackingNumber: params.trackingNumber, viewer: { userId: user.id, role: user.role } }));

  // The carrier authenticates with an HMAC of the exact bytes it sent, so the route hands those on
  // untouched (`raw`) and the body is parsed only once the signature holds.
  r.post('/api/logistics/carrier-events', { access: 'public', summary: 'Carrier webhook (X-Carrier-Signature: HMAC-SHA256 of the raw body, hex)', raw: true, status: 204 },
    async ({ rawBody, headers, use }) => {
      const signature = headers['x-carrier-signature'];
      await use(logisticsContract).recordCarrierEvent({
        rawBody: rawBody?.toString('utf8') ?? '',
        signature: typeof signature === 'string' ? signature.slice(0, MAX_SIGNATURE) : '',
      });
    });
});
