// The event stream parser on its own: what a server or a proxy may legally
// send, cut into chunks at the worst places.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type ServerSentEvent, SseParser } from '../src/sse.js';

function parse(chunks: string[]): { events: ServerSentEvent[]; retries: number[] } {
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser({ onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms) });
  for (const chunk of chunks) parser.push(chunk);
  return { events, retries };
}

const CONFIG_EVENT = 'id: abc\nevent: config\ndata: {"config":{},"etag":"abc"}\n\n';

test('a config event with its id, in one chunk', () => {
  const { events } = parse([CONFIG_EVENT]);
  assert.deepEqual(events, [{ event: 'config', data: '{"config":{},"etag":"abc"}', id: 'abc' }]);
});

test('every split of an event into two chunks gives the same event', () => {
  for (const ending of ['\n', '\r\n', '\r']) {
    const text = CONFIG_EVENT.replaceAll('\n', ending);
    for (let cut = 0; cut <= text.length; cut++) {
      const { events } = parse([text.slice(0, cut), text.slice(cut)]);
      assert.equal(events.length, 1, `ending ${JSON.stringify(ending)} cut at ${cut}`);
      assert.equal(events[0]?.data, '{"config":{},"etag":"abc"}');
      assert.equal(events[0]?.event, 'config');
    }
  }
});

test('a \\r\\n split between chunks is one line end, not a blank line', () => {
  const { events } = parse(['data: a\r', '\ndata: b\r\n\r\n']);
  assert.deepEqual(
    events.map((e) => e.data),
    ['a\nb'],
  );
});

test('comments (the heartbeat) and unknown fields dispatch nothing', () => {
  const { events } = parse([': keep-alive\n\n', 'foo: bar\n\n', ': keep-alive\r\n\r\n']);
  assert.deepEqual(events, []);
});

test('retry hints are read; invalid ones are ignored', () => {
  const { retries, events } = parse(['retry: 2500\n', 'retry: soon\n', 'retry:300\n\n']);
  assert.deepEqual(retries, [2500, 300]);
  assert.deepEqual(events, []);
});

test('an event without a name is a message; the id carries over; a BOM is dropped', () => {
  const { events } = parse(['\ufeffid: 1\ndata: x\n\n', 'data:y\n\n', 'event: end\ndata: {}\n\n']);
  assert.deepEqual(events, [
    { event: 'message', data: 'x', id: '1' },
    { event: 'message', data: 'y', id: '1' },
    { event: 'end', data: '{}', id: '1' },
  ]);
});

test('an unfinished event is not dispatched', () => {
  const { events } = parse(['event: config\ndata: {"config":{}']);
  assert.deepEqual(events, []);
});
