import type { Api, EventEnvelope, PayloadOf } from '../../../kernel/contract.ts';
import type { EventHandler, HandlerContext } from '../../../kernel/events/handlers.ts';
import type { CatalogContract } from '../../catalog/contract.ts';
import type { UserContract } from '../../user/contract.ts';
import type { warehouseContract } from '../../warehouse/contract.ts';
import type { NoticeWriter } from './notice-writer.ts';

type LowStock = PayloadOf<typeof warehouseContract.events.low_stock>;

/** Alerts every admin that a product's available stock fell below its threshold. */
export class AlertAdminsOfLowStock implements EventHandler<LowStock> {
  constructor(
    private readonly notices: NoticeWriter,
    private readonly users: Api<UserContract>,
    private readonly catalog: Api<CatalogContract>,
  ) {}

  async handle(event: EventEnvelope<LowStock>, ctx: HandlerContext): Promise<void> {
    const { productId, available, threshold } = event.payload;
    const [{ items: admins }, { items: products }] = await Promise.all([
      this.users.listAdmins({}),
      this.catalog.getProducts({ productIds: [productId] }),
    ]);
    // The warehouse may know stock of a product the catalog never had: the id still names it.
    const productName = products[0]?.name ?? productId;
    const facts = { kind: 'low_stock', productName, available, threshold } as const;
    await this.notices.deliver(event, ctx, admins.map((admin) => ({ userId: admin.id, facts })));
  }
}
