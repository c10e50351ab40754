/** GET /metrics and createMetrics: names, values read on scrape, controller events. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/server/metrics.js';
import { FakeSpawnService } from './fake-service.js';
import { makeApp } from './helpers.js';

describe('metrics', () => {
  it('GET /metrics serves Prometheus text with every metric family', async () => {
    const service = new FakeSpawnService();
    await service.spawnWorker('discovery');
    await service.spawnWorker('processing');
    const { app } = makeApp({ service, metrics: createMetrics(service) });
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    for (const name of [
      'scenescout_workers',
      'scenescout_tasks',
      'scenescout_task_duration_seconds',
      'scenescout_tasks_finished_total',
      'scenescout_events_discovered_total',
      'scenescout_events_ingested_total',
      'scenescout_event_discovery_rate_per_hour',
      'scenescout_ingestion_rate_per_hour',
      'scenescout_provider_calls_total',
      'scenescout_provider_errors_total',
      'scenescout_provider_budget_remaining',
      'scenescout_http_requests_total',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `missing ${name}`);
    }
    assert.match(text, /^scenescout_workers\{type="discovery",status="idle"\} 1$/m);
    assert.match(text, /^scenescout_tasks\{state="queued"\} 0$/m);
    assert.match(text, /^scenescout_provider_budget_remaining\{source="eventbrite"\} 100$/m);
    assert.match(text, /^scenescout_status_scrape_ok 1$/m);
  });

  it('reads the status once per scrape', async () => {
    const service = new FakeSpawnService();
    const metrics = createMetrics(service, { defaultMetrics: false });
    await metrics.render();
    assert.equal(service.calls.filter((c) => c.method === 'getSystemStatus').length, 1);
  });

  it('still answers when the status cannot be read', async () => {
    const service = new FakeSpawnService();
    service.failWith = new Error('database down');
    const metrics = createMetrics(service, { defaultMetrics: false });
    const text = await metrics.render();
    assert.match(text, /^scenescout_status_scrape_ok 0$/m);
  });

  it('counts task outcomes and durations from controller events', async () => {
    const service = new FakeSpawnService();
    const metrics = createMetrics(service, { defaultMetrics: false });
    const controller = new EventEmitter();
    const unbind = metrics.bindController(controller);
    controller.emit('task:completed', { taskId: 'a', type: 'discovery', durationMs: 1500 });
    controller.emit('task:completed', { taskId: 'b', type: 'discovery', durationMs: 200 });
    controller.emit('task:failed', { taskId: 'c', type: 'ingestion', durationMs: 50, error: 'boom' });
    controller.emit('events:discovered', { source: 'ics', count: 12 });
    controller.emit('events:ingested', { count: 7 });
    controller.emit('provider:call', { source: 'yelp', outcome: 'rate_limited' });
    const text = await metrics.render();
    assert.match(text, /^scenescout_task_duration_seconds_count\{type="discovery",outcome="completed"\} 2$/m);
    assert.match(text, /^scenescout_task_duration_seconds_sum\{type="discovery",outcome="completed"\} 1\.7$/m);
    assert.match(text, /^scenescout_tasks_finished_total\{type="ingestion",outcome="failed"\} 1$/m);
    assert.match(text, /^scenescout_events_discovered_total\{source="ics"\} 12$/m);
    assert.match(text, /^scenescout_events_ingested_total 7$/m);
    assert.match(text, /^scenescout_provider_errors_total\{source="yelp"\} 1$/m);

    unbind();
    assert.equal(controller.listenerCount('task:completed'), 0);
    assert.equal(controller.listenerCount('events:discovered'), 0);
  });
});
