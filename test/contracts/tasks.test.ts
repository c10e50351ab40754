/** The task contract shared by the controller and the HTTP API. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWith } from '../../src/contracts/parse.js';
import { taskSchema, WORKER_TYPE_NAME } from '../../src/contracts/tasks.js';

describe('task', () => {
  it('fills in priority and parameters', () => {
    assert.deepEqual(parseWith(taskSchema, { id: 't-1', type: 'processing' }), { id: 't-1', type: 'processing', priority: 0, parameters: {} });
  });

  it('keeps singletonKey and queueWhileRunning', () => {
    const task = { id: 'p-1', type: 'processing', priority: 3, parameters: { cityId: 'berlin' }, singletonKey: 'processing:berlin', queueWhileRunning: true };
    assert.deepEqual(parseWith(taskSchema, task), task);
  });

  for (const [what, input, message] of [
    ['an empty id', { id: '', type: 'processing' }, /invalid task: id: must not be empty/],
    ['an id with spaces', { id: 'a b', type: 'processing' }, /id: may contain only/],
    ['an upper-case type', { id: 'x', type: 'Discovery' }, /type: must be a worker type name/],
    ['a path as type', { id: 'x', type: '../../etc' }, /type: must be a worker type name/],
    ['a fractional priority', { id: 'x', type: 'processing', priority: 1.5 }, /priority:/],
    ['array parameters', { id: 'x', type: 'processing', parameters: [] }, /parameters:/],
    ['an unknown field', { id: 'x', type: 'processing', colour: 'red' }, /colour: unknown field/],
  ] as const) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parseWith(taskSchema, input, 'task'), message);
    });
  }

  it('names worker types as the controller does: lower case, at most 41 characters', () => {
    assert.match('discovery', WORKER_TYPE_NAME);
    assert.match('e2e-failing_2', WORKER_TYPE_NAME);
    assert.match(`a${'b'.repeat(40)}`, WORKER_TYPE_NAME);
    assert.doesNotMatch(`a${'b'.repeat(41)}`, WORKER_TYPE_NAME);
    assert.doesNotMatch('Bad Name', WORKER_TYPE_NAME);
  });
});
