/** Redaction of secrets in URLs and text (src/lib/redact.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayHoldSecret, redactedJson, redactText, redactUrl } from '../../src/lib/redact.js';

describe('redaction', () => {
  it('masks secret query parameters, userinfo, Bearer tokens and known values', () => {
    assert.equal(
      redactUrl('https://user:pw@app.ticketmaster.com/discovery/v2/events.json?apikey=abc123&size=5&token=t0k'),
      'https://REDACTED@app.ticketmaster.com/discovery/v2/events.json?apikey=REDACTED&size=5&token=REDACTED',
    );
    assert.equal(redactText('GET /x?api_key=zzz&a=1 with Authorization: Bearer eyJhbGci.x-y'), 'GET /x?api_key=REDACTED&a=1 with Authorization: Bearer REDACTED');
    assert.equal(redactText('echo: s3cr3t-value and s3cr3t%2Fvalue', ['s3cr3t-value', 's3cr3t/value']), 'echo: REDACTED and REDACTED');
  });

  // Answers skip the per-string pass when mayHoldSecret says the text holds nothing to mask.
  const secrets = [
    'https://user:pw@example.org/cal.ics',
    'https://only-user@example.org/cal.ics',
    'https://example.org/feed.ics?token=abc',
    'https://example.org/feed.ics?a=1&API-KEY=abc',
    'https://example.org/feed.ics?a=1;sig=abc',
    'https://example.org/feed.ics?%74oken=abc',
    'https://example.org/feed.ics?x=1&%41pi_key=abc',
    'fetch failed for /feed?client_secret=zz',
    'upstream said: bearer abc.def',
  ];
  const harmless = [
    'https://www.ticketmaster.com/event/Z7r9jZ1A7o8?utm_source=x&lang=en-us',
    'Jazz & Blues night? Yes: 10 euros; doors at 8',
    'mail us: hello@example.org',
    'https://example.org/tickets?keyword=jazz&tokens=3',
  ];

  it('mayHoldSecret is true for every string redaction changes, and false for ordinary event text', () => {
    for (const s of secrets) {
      assert.ok(redactUrl(s).includes('REDACTED') || redactText(s).includes('REDACTED'), `fixture masks something: ${s}`);
      assert.equal(mayHoldSecret(s), true, s);
      assert.equal(mayHoldSecret(JSON.stringify({ url: s })), true, s);
    }
    for (const s of harmless) assert.equal(mayHoldSecret(s), false, s);
  });

  it('answers redact secrets whether or not their text was looked at string by string', () => {
    for (const s of secrets) {
      const text = redactedJson({ events: [{ title: 'Late show', url: s }], nextCursor: null });
      assert.ok(!/abc|pw@|zz/.test(text), text);
      assert.match(text, /REDACTED/);
    }
    const plain = { events: harmless.map((url) => ({ url })) };
    assert.equal(redactedJson(plain), JSON.stringify(plain));
  });
});
