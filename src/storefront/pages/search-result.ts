import type { z } from 'zod';
import type { SearchResult as Result } from '../../modules/search/contract.ts';

export type SearchResult = z.infer<typeof Result>;
