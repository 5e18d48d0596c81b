import { boutiqueCheckoutForm, orderIdOf, Visitor, type Answer } from './storefront-visitor.ts';

/**
 * Online Boutique's load generator (src/loadgenerator/locustfile.py of GoogleCloudPlatform/
 * microservices-demo), rewritten for Node so tests and the bench can run it without Python:
 * the same tasks with the same weights and the same requests, one cookie session per virtual
 * visitor, visitors running at once. Without a wait between tasks (locust waits 1-10 s): this
 * measures how much the shop can take, not how a crowd behaves.
 */
export const BOUTIQUE_PRODUCTS = ['0PUK6V6EV0', '1YMWWN1N4O', '2ZYFJ3GM2N', '66VCHSJNUP', '6E92ZMYYFZ', '9SIQT8TOJO', 'L9ECAV7KIM', 'LS4PSXUNUM', 'OLJCESPC7Z'];
export const BOUTIQUE_CURRENCIES = ['EUR', 'USD', 'JPY', 'CAD', 'GBP', 'TRY'];

/** The locustfile's task weights (`UserBehavior.tasks`). */
export const TASK_WEIGHTS = { index: 1, setCurrency: 2, browseProduct: 10, addToCart: 2, viewCart: 3, checkout: 1 } as const;
export type Task = keyof typeof TASK_WEIGHTS;

export interface LoadOptions {
  base: string;
  visitors: number;
  /** Tasks each visitor runs after its first page (locust's on_start). */
  tasksPerVisitor?: number;
  /** Or run until this many milliseconds have passed. */
  durationMs?: number;
  /** Deterministic runs: a seed for the task and data choices. */
  seed?: number;
  /** Called with every answer, e.g. to time it. */
  onAnswer?: (request: string, answer: Answer, ms: number) => void;
}

export interface LoadResult {
  tasks: Record<Task, number>;
  requests: number;
  /** Every answer with status 400 or more, as `METHOD path -> status`. */
  errors: string[];
  /** The orders the checkouts placed. */
  orderIds: string[];
  elapsedMs: number;
}

/** Runs the load; resolves when every visitor has finished its tasks (or the time is up). */
export async function runBoutiqueLoad(options: LoadOptions): Promise<LoadResult> {
  const random = mulberry32(options.seed ?? Date.now());
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const result: LoadResult = { tasks: { index: 0, setCurrency: 0, browseProduct: 0, addToCart: 0, viewCart: 0, checkout: 0 }, requests: 0, errors: [], orderIds: [], elapsedMs: 0 };
  const started = Date.now();
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;

  async function visit(request: string, send: () => Promise<Answer>): Promise<Answer> {
    const t0 = performance.now();
    const answer = await send();
    options.onAnswer?.(request, answer, performance.now() - t0);
    result.requests += 1;
    if (answer.status >= 400) result.errors.push(`${request} -> ${answer.status}`);
    return answer;
  }

  const tasks: Record<Task, (v: Visitor) => Promise<void>> = {
    index: async (v) => void (await visit('GET /', () => v.get('/'))),
    setCurrency: async (v) => void (await visit('POST /setCurrency', () => v.post('/setCurrency', { currency_code: pick(BOUTIQUE_CURRENCIES) }))),
    browseProduct: async (v) => void (await visit('GET /product/<id>', () => v.get(`/product/${pick(BOUTIQUE_PRODUCTS)}`))),
    viewCart: async (v) => void (await visit('GET /cart', () => v.get('/cart'))),
    addToCart: async (v) => {
      const product = pick(BOUTIQUE_PRODUCTS);
      await visit('GET /product/<id>', () => v.get(`/product/${product}`));
      await visit('POST /cart', () => v.post('/cart', { product_id: product, quantity: int(1, 10) }));
    },
    checkout: async (v) => {
      await tasks.addToCart(v);
      const year = new Date().getFullYear() + 1;
      const answer = await visit('POST /cart/checkout', () => v.post('/cart/checkout', boutiqueCheckoutForm({
        credit_card_expiration_month: int(1, 12),
        credit_card_expiration_year: int(year, year + 70),
        credit_card_cvv: String(int(100, 999)),
        country: pick(COUNTRIES),
        credit_card_number: visaNumber(random),
      })));
      if (answer.status < 400) result.orderIds.push(orderIdOf(answer));
    },
  };
  const weighted = Object.entries(TASK_WEIGHTS) as Array<[Task, number]>;
  const totalWeight = weighted.reduce((n, [, w]) => n + w, 0);
  const drawTask = (): Task => {
    let r = random() * totalWeight;
    for (const [task, weight] of weighted) if ((r -= weight) < 0) return task;
    return 'browseProduct';
  };

  await Promise.all(Array.from({ length: options.visitors }, async () => {
    const visitor = new Visitor(options.base);
    await tasks.index(visitor);
    for (let n = 0; n < (options.tasksPerVisitor ?? Infinity) && Date.now() < deadline; n++) {
      const task = drawTask();
      result.tasks[task] += 1;
      await tasks[task](visitor);
    }
  }));
  result.elapsedMs = Date.now() - started;
  return result;
}

/** Country names as Python Faker's `country()` gives them, the odd ones included. */
const COUNTRIES = ['Korea', 'Holy See (Vatican City State)', 'United States of America', 'Germany', 'Libyan Arab Jamahiriya', 'Netherlands Antilles', 'Brazil', 'Japan', "Cote d'Ivoire", 'Saint Barthelemy'];

/** A Luhn-valid 16-digit Visa number, as Faker's `credit_card_number(card_type="visa")`. */
export function visaNumber(random: () => number): string {
  const digits = [4, ...Array.from({ length: 14 }, () => Math.floor(random() * 10))];
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Doubling every second digit from the right, counting the check digit still to come.
    let d = digits[digits.length - 1 - i];
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return [...digits, (10 - (sum % 10)) % 10].join('');
}

/** A small seeded PRNG: the same seed, the same run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
