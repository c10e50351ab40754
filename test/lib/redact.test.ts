/** Redaction of secrets in URLs and text (src/lib/redact.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText, redactUrl } from '../../src/lib/redact.js';

describe('redaction', () => {
  it('masks secret query parameters, userinfo, Bearer tokens and known values', () => {
    assert.equal(
      redactUrl('https://user:pw@app.ticketmaster.com/discovery/v2/events.json?apikey=abc123&size=5&token=t0k'),
      'https://REDACTED@app.ticketmaster.com/discovery/v2/events.json?apikey=REDACTED&size=5&token=REDACTED',
    );
    assert.equal(redactText('GET /x?api_key=zzz&a=1 with Authorization: Bearer eyJhbGci.x-y'), 'GET /x?api_key=REDACTED&a=1 with Authorization: Bearer REDACTED');
    assert.equal(redactText('echo: s3cr3t-value and s3cr3t%2Fvalue', ['s3cr3t-value', 's3cr3t/value']), 'echo: REDACTED and REDACTED');
  });
});
