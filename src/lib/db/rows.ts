/**
 * The stored shapes of the catalogue's tables that more than one query module (and the
 * catalogue above them) share: the content columns of `events` as written, and as read back.
 */
import type { Category } from '../../contracts/categories.js';

/**
 * The content columns of `events`, by column name, as a write gives them: a canonical event's
 * content, built from one source record or from the merge of a cluster (src/lib/catalogue/records.ts).
 */
export interface CanonicalRow {
  title: string;
  description: string | null;
  starts_at: Date;
  ends_at: Date | null;
  timezone: string;
  all_day: boolean;
  status: string;
  venue_name: string | null;
  address: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  category: Category;
  price_min: number | null;
  price_max: number | null;
  currency: string | null;
  is_free: boolean | null;
  url: string | null;
  image_url: string | null;
  /** what the `q` filter matches: title, venue and city, lower-cased */
  search_text: string;
}

/**
 * The content columns as a query reads them back, from `events` or from a source's own fields
 * in `event_sources` (the same columns but the derived search_text): a numeric column may
 * arrive as text, depending on the driver's type parsers, and category as any text.
 */
export interface StoredContent
  extends Omit<CanonicalRow, 'search_text' | 'category' | 'price_min' | 'price_max' | 'latitude' | 'longitude'> {
  category: string;
  price_min: number | string | null;
  price_max: number | string | null;
  latitude: number | string | null;
  longitude: number | string | null;
}
