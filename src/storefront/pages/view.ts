import type { Category } from '../../modules/catalog/contract.ts';

/** What every page's frame needs: who is looking, in which currency, with how much in the cart. */
export interface View {
  currency: string;
  /** The CSRF token every form of the page carries. */
  csrf: string;
  /** Whether the visitor is signed in (else a guest). */
  signedIn: boolean;
  cartCount: number;
  categories: Category[];
  /** The current search text, echoed in the header's search box. */
  query?: string;
  /** A one-line message about what just happened (fixed texts only, never echoed input). */
  notice?: string;
  /** The page forms on this one come back to (see `returnPathOf`). */
  returnTo: string;
}
