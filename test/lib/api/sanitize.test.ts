import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanRecord, MAX_RECORD_DEPTH } from '../../../src/lib/api/sanitize.js';

describe('cleanRecord', () => {
  it('returns a clean record itself, untouched', () => {
    const record = { id: 'a', name: 'Jazz 🎷', nested: [{ x: 1 }, null, true] };
    const { value, notes } = cleanRecord(record);
    assert.equal(value, record);
    assert.deepEqual(notes, []);
  });

  it('removes NULs and replaces lone surrogates in values and keys, copying only what changed', () => {
    const untouched = { kept: 'yes' };
    const record = { id: 'a\u0000b', 'k\u0000ey': 'v', list: ['ok', 'half \ud83d', 'low \udc00 too'], untouched };
    const { value, notes } = cleanRecord(record);
    assert.deepEqual(value, { id: 'ab', key: 'v', list: ['ok', 'half \ufffd', 'low \ufffd too'], untouched });
    assert.equal((value as typeof record).untouched, untouched);
    assert.equal(record.id, 'a\u0000b', 'the input is not modified');
    assert.deepEqual(notes, ['removed 2 NUL character(s)', 'replaced lone UTF-16 surrogates in 2 string(s) with U+FFFD']);
  });

  it('replaces values nested deeper than the limit by null and names where', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const { value, notes } = cleanRecord({ id: 'x', description: deep });
    const out = value as { id: string; description: unknown };
    assert.equal(out.id, 'x');
    let depth = 1;
    for (let v = out.description; Array.isArray(v); v = v[0]) depth++;
    assert.equal(depth, MAX_RECORD_DEPTH);
    assert.doesNotThrow(() => JSON.stringify(value));
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^dropped values nested deeper than 64 levels at description(\[0\])+$/);
  });

  it('keeps a "__proto__" key as a key', () => {
    const record = JSON.parse('{"__proto__": {"polluted": "\\u0000"}, "a": 1}') as Record<string, unknown>;
    const { value } = cleanRecord(record);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { polluted: '' });
  });
});
