import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeEvents } from '../../../src/lib/catalogue/merge.js';
import { EIGHT_PM, event, minutes, shuffled } from './dedupe/listings.js';

describe('mergeEvents', () => {
  it('lets a later cancellation win over scheduled, and explains it', () => {
    const scheduled = event('ticketmaster', 'a', { lastSeenAt: new Date('2026-04-10T00:00:00Z') });
    const cancelled = event('eventbrite', 'b', { status: 'cancelled', lastSeenAt: new Date('2026-04-12T00:00:00Z') });
    const postponed = event('yelp', 'c', { status: 'postponed', lastSeenAt: new Date('2026-04-11T00:00:00Z') });
    const { fields, reasons } = mergeEvents([scheduled, postponed, cancelled]);
    assert.equal(fields.status, 'cancelled');
    assert.ok(reasons.some((r) => r.startsWith('status cancelled from eventbrite (most recently seen')), reasons.join('; '));
    assert.equal(mergeEvents([scheduled]).fields.status, 'scheduled');
  });

  it('applies the field rules: timed start, coordinates, free, category, same-priority title tie', () => {
    const records = [
      event('ics', 'i', { allDay: true, startsAt: new Date('2026-05-01T07:00:00Z'), category: 'community', isFree: true, venue: { latitude: null, longitude: null } }),
      event('yelp', 'y', { startsAt: new Date(EIGHT_PM + minutes(15)), category: 'community', isFree: null, venue: { latitude: 37.1, longitude: -122.1 } }),
      event('jsonld', 'j', { title: 'Farmers Market', allDay: true, category: 'other', isFree: true, priceMin: 10, currency: 'EUR', venue: { latitude: null, longitude: null } }),
      event('jsonld', 'j2', { title: 'Farmers Market & Crafts', allDay: true, category: 'music', priceMin: 5, currency: 'USD', venue: { latitude: null, longitude: null } }),
    ];
    const { fields, reasons } = mergeEvents(shuffled(records, 3));
    assert.equal(fields.title, 'Farmers Market & Crafts');
    assert.equal(fields.allDay, false);
    assert.equal(fields.startsAt.getTime(), EIGHT_PM + minutes(15));
    assert.deepEqual([fields.venue.latitude, fields.venue.longitude], [37.1, -122.1]);
    assert.equal(fields.isFree, true);
    assert.equal(fields.category, 'community');
    assert.deepEqual([fields.priceMin, fields.priceMax, fields.currency], [10, 10, 'EUR']);
    assert.ok(reasons.some((r) => r.startsWith('price from jsonld ignored (USD, not EUR)')), reasons.join('; '));
    assert.deepEqual(mergeEvents(shuffled(records, 9)).fields, fields);
  });
});
