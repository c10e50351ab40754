/**
 * A real service (`createService()` on in-memory PGlite, no worker threads) with a small
 * catalogue: two cities, events from Ticketmaster and iCalendar-like records ingested by the
 * real ingestion code, and a completed discovery attempt. For the HTTP tests that need real
 * answers (caching, the OpenAPI walk) and the dashboard's catalogue views.
 */
import { randomUUID } from 'node:crypto';
import { ingestRawEvents } from '../../src/lib/catalogue/ingest.js';
import { createService, type RunningService } from '../../src/service.js';
import { CONCERT, ticketmaster } from '../fixtures/catalogue/concert.js';
import { pgliteBackend } from '../helpers/db.js';
import { insertCity, insertRaw } from '../lib/catalogue/helpers.js';

export const SF = { id: 'sf', name: 'San Francisco', latitude: 37.7749, longitude: -122.4194, timezone: 'America/Los_Angeles' };
export const OAKLAND = { id: 'oakland', name: 'Oakland', latitude: 37.8044, longitude: -122.2712, timezone: 'America/Los_Angeles' };

/** Titles of the seeded events, `count` in San Francisco (one a day from 2030-06-01) and two in Oakland. */
export function seededTitles(count: number): { sf: string[]; oakland: string[] } {
  return {
    sf: Array.from({ length: count }, (_, i) => `Fillmore Residency Night ${i + 1}`),
    oakland: ['Oakland Jazz Evening', 'Lake Merritt Night Market'],
  };
}

function listing(id: string, title: string, utc: string, venue: { name: string; lat: number; lng: number }, segment = 'Music'): Record<string, unknown> {
  const data = ticketmaster({ ...CONCERT, id, title, utc, local: '2030-01-01T00:00:00' }) as Record<string, any>;
  data.dates.start = { dateTime: utc };
  data._embedded.venues[0] = { ...data._embedded.venues[0], name: venue.name, location: { latitude: String(venue.lat), longitude: String(venue.lng) } };
  data.classifications = [{ primary: true, segment: { name: segment }, genre: { name: 'Rock' } }];
  return data;
}

/** Starts the service and seeds it; the caller stops it. */
export async function startCatalogueService(options: { sfEvents?: number } = {}): Promise<RunningService> {
  const service = await createService({
    citiesFile: false,
    config: {
      ...(await pgliteBackend.config()),
      autoscale: false,
      schedules: { enabled: false },
      workerTypes: {
        discovery: { initialWorkers: 0 },
        ingestion: { initialWorkers: 0 },
        processing: { initialWorkers: 0 },
      },
    },
  });
  await service.start();
  const db = service.controller.db;
  await insertCity(db, SF);
  await insertCity(db, OAKLAND);
  const titles = seededTitles(options.sfEvents ?? 12);
  const fillmore = { name: 'The Fillmore', lat: 37.784, lng: -122.433 };
  const ids = await insertRaw(db, [
    ...titles.sf.map((title, i) => ({
      source: 'ticketmaster',
      externalId: `sf-${i}`,
      cityId: SF.id,
      data: listing(`sf-${i}`, title, new Date(Date.UTC(2030, 5, 1 + i, 3)).toISOString(), fillmore),
    })),
    { source: 'ticketmaster', externalId: 'oak-0', cityId: OAKLAND.id, data: listing('oak-0', titles.oakland[0]!, '2030-06-15T03:00:00Z', { name: "Yoshi's Oakland", lat: 37.7956, lng: -122.2789 }) },
    { source: 'ticketmaster', externalId: 'oak-1', cityId: OAKLAND.id, data: listing('oak-1', titles.oakland[1]!, '2030-06-16T02:00:00Z', { name: 'Lake Merritt', lat: 37.8025, lng: -122.2583 }, 'Miscellaneous') },
  ]);
  await ingestRawEvents(db, { ids });
  // A completed discovery attempt of Oakland's Ticketmaster source, as the controller records it.
  await db.query(
    `INSERT INTO task_assignments (task_id, job_id, worker_id, task_type, parameters, status, assigned_at, completed_at)
     VALUES ($1, $2, 'discovery-1', 'discovery', $3::jsonb, 'completed', $4, $4)`,
    ['discovery-oakland-ticketmaster-1', randomUUID(), JSON.stringify({ cityId: OAKLAND.id, source: 'ticketmaster' }), new Date(Date.now() - 2 * 3_600_000)],
  );
  return service;
}
