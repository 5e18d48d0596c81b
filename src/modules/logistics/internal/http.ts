import { unauthorized, validationError } from '../../../kernel/errors.ts';
import { defineRoutes } from '../../../kernel/http/routes.ts';
import { pathParams } from '../../../kernel/http/query.ts';
import { logisticsContract, MAX_CARRIER_BODY, MAX_CARRIER_SIGNATURE } from '../contract.ts';
import { looksLikeCarrierSignature } from './carrier-signature.ts';

export const logisticsRoutes = defineRoutes((r) => {
  r.post('/api/shipping/quotes', {
    access: 'public',
    summary: 'Standard and express prices for items to a destination; 422 when a price would pass the money limit',
    response: logisticsContract.methods.quote.output,
    body: logisticsContract.methods.quote.input,
  }, ({ body, use }) => use(logisticsContract).quote(body));

  r.get('/api/shipments/:trackingNumber', { access: 'user', summary: 'Track a shipment of one of your orders', response: logisticsContract.methods.getShipment.output, params: pathParams('trackingNumber') },
    ({ params, user, use }) => use(logisticsContract).getShipment({ trackingNumber: params.trackingNumber, viewer: { userId: user.id, role: user.role } }));

  // The carrier authenticates with an HMAC of the exact bytes it sent, so the route hands those on
  // untouched (`raw`) and the body is parsed only once the signature holds.
  r.post('/api/logistics/carrier-events', { access: 'public', summary: 'Carrier webhook (X-Carrier-Signature: HMAC-SHA256 of the raw body, hex)', raw: true, status: 204,
    headers: [{ name: 'X-Carrier-Signature', required: true, description: 'HMAC-SHA256 of the exact body bytes with CARRIER_WEBHOOK_SECRET, hex' }] },
    async ({ rawBody, headers, use }) => {
      const header = headers['x-carrier-signature'];
      const signature = typeof header === 'string' ? header.slice(0, MAX_CARRIER_SIGNATURE) : '';
      const body = rawBody?.toString('utf8') ?? '';
      // Only when HTTP_BODY_LIMIT was raised past what the call carries: the secret is logistics'
      // alone, so here an unsigned sender still gets 401 and only a signature-shaped one hears the size.
      if (body.length > MAX_CARRIER_BODY) {
        if (!looksLikeCarrierSignature(signature)) throw unauthorized('Missing or wrong X-Carrier-Signature');
        throw validationError([{ path: '(root)', message: `at most ${MAX_CARRIER_BODY} characters` }], 'Carrier event too large');
      }
      await use(logisticsContract).recordCarrierEvent({ rawBody: body, signature });
    });
});
