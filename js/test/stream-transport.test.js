import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamTransport } from '../src/transports/stream.js';
import { FakeHttp, SESSION, fakeXhrClass, flush, harness, hello } from '../test-support/fakes.js';

const PADDING = `${' '.repeat(2048)}\n`;

test('GET /lasthop/stream, then frames from NDJSON lines split across chunks', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(StreamTransport, { fetch: http.fetch }, { session: SESSION, token: 'tok' });
  transport.open();
  const request = await http.next();
  assert.equal(request.method, 'GET');
  assert.equal(request.path, '/lasthop/stream');
  assert.deepEqual(request.query, { token: 'tok', session: SESSION });
  const body = request.stream();
  const h = hello();
  const text = `${PADDING}${JSON.stringify(h)}\n{"t":"msg","seq":1,"id":"a","enc":"text","body":"hé"}\n{"t":"ping"}\n`;
  const bytes = new TextEncoder().encode(text);
  const cut1 = PADDING.length + 10;
  const eByte = bytes.indexOf(0xc3); // the first of the two bytes of "é"
  body.write(bytes.subarray(0, cut1));
  body.write(bytes.subarray(cut1, eByte + 1)); // ends halfway through "é"
  body.write(bytes.subarray(eByte + 1));
  await flush();
  await flush();
  assert.deepEqual(record.frames.map((f) => f.t), ['hello', 'msg', 'ping']);
  assert.equal(record.frames[1].body, 'hé');
  assert.equal(transport.connection, h.connection);
});

test('client frames go by POST /lasthop/frames with token, session, connection and node', async () => {
  const http = new FakeHttp();
  const { transport } = harness(StreamTransport, { fetch: http.fetch }, { token: 'tok' });
  transport.open();
  const h = hello();
  (await http.next()).stream().frame(h);
  await flush();
  transport.send([{ t: 'ack', seq: 1 }, { t: 'pong' }]);
  const post = await http.next();
  assert.equal(post.path, '/lasthop/frames');
  assert.deepEqual(post.query, { token: 'tok', session: h.session, connection: h.connection, node: h.node });
  assert.deepEqual(JSON.parse(post.body), [{ t: 'ack', seq: 1 }, { t: 'pong' }]);
});

test('an HTTP refusal ends the transport with the JSON error and Retry-After', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(StreamTransport, { fetch: http.fetch });
  transport.open();
  (await http.next()).respond(503, { error: 'unavailable', message: 'broker' }, { 'Retry-After': '2' });
  await flush();
  assert.equal(record.closes.length, 1);
  const { error } = record.closes[0];
  assert.deepEqual([error.code, error.status, error.serverCode, error.retryAfterMs], ['unavailable', 503, 'unavailable', 2000]);
});

test('the end of the body ends the transport, after a last unterminated line', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(StreamTransport, { fetch: http.fetch });
  transport.open();
  const body = (await http.next()).stream();
  body.write(`${JSON.stringify(hello())}\n{"t":"close","code":4000,"reason":"going_away"}`);
  body.end();
  await flush();
  await flush();
  assert.deepEqual(record.frames.map((f) => f.t), ['hello', 'close']);
  assert.equal(record.closes.length, 1);
});

test('a malformed line ends the transport with a protocol error', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(StreamTransport, { fetch: http.fetch });
  transport.open();
  const request = await http.next();
  request.stream().write('{"t":"hello"\n');
  await flush();
  await flush();
  assert.equal(record.closes[0]?.error.code, 'protocol');
  assert.equal(request.aborted, true);
});

test('close() aborts the request and reports nothing', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(StreamTransport, { fetch: http.fetch });
  transport.open();
  const request = await http.next();
  request.stream().frame(hello());
  await flush();
  transport.close();
  await flush();
  assert.equal(request.aborted, true);
  assert.deepEqual(record.closes, []);
});

test('without fetch: XMLHttpRequest in readyState 3 reads responseText from the last offset', async () => {
  const XMLHttpRequest = fakeXhrClass();
  const { transport, record } = harness(StreamTransport, { XMLHttpRequest }, { token: 'tok' });
  transport.open();
  const xhr = XMLHttpRequest.instances[0];
  assert.equal(xhr.method, 'GET');
  assert.equal(xhr.url, 'https://app.example.com/lasthop/stream?token=tok');
  const h = JSON.stringify(hello());
  xhr.progress(PADDING + h.slice(0, 20));
  assert.deepEqual(record.frames, []);
  xhr.progress(`${h.slice(20)}\n{"t":"pi`);
  xhr.progress('ng"}\n');
  assert.deepEqual(record.frames.map((f) => f.t), ['hello', 'ping'], 'each frame once, though responseText keeps growing');
  xhr.finish(200, '{"t":"pong"}');
  assert.deepEqual(record.frames.map((f) => f.t), ['hello', 'ping', 'pong']);
  assert.equal(record.closes.length, 1);
});

test('without fetch: an XHR refusal is read from its JSON body', () => {
  const XMLHttpRequest = fakeXhrClass();
  const { transport, record } = harness(StreamTransport, { XMLHttpRequest });
  transport.open();
  XMLHttpRequest.instances[0].finish(401, '{"error":"token_expired","message":"Expired JWT"}');
  assert.equal(record.closes[0].error.serverCode, 'token_expired');
  assert.equal(record.closes[0].error.status, 401);
});

test('fetch that cannot stream a body falls back to XMLHttpRequest', async () => {
  const XMLHttpRequest = fakeXhrClass();
  const requests = [];
  const fetch = (url, init) => {
    requests.push({ url, init });
    return Promise.resolve({ status: 200, body: null, headers: new Headers(), text: async () => '' });
  };
  const { transport, record } = harness(StreamTransport, { fetch, XMLHttpRequest });
  transport.open();
  await flush();
  assert.equal(requests.length, 1);
  assert.equal(requests[0].init.signal.aborted, true, 'the fetch is abandoned');
  assert.equal(XMLHttpRequest.instances.length, 1);
  XMLHttpRequest.instances[0].progress(`${JSON.stringify(hello())}\n`);
  assert.deepEqual(record.frames.map((f) => f.t), ['hello']);
});
