// The browser client in real headless Chromium against a real edge and RabbitMQ: every transport
// forced in turn, automatic fallback behind hostile proxies, and bytes on the wire per transport.
// Run by BrowserEndToEndIT, which starts the edge (dev mode) and passes EDGE_URL and AMQP_URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import fs from 'node:fs';
import amqp from 'amqplib';
import { chromium } from 'playwright-core';

const EDGE = new URL(process.env.EDGE_URL);
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const BYTES_REPORT = process.env.BYTES_REPORT;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TRANSPORTS = ['websocket', 'sse', 'stream', 'poll'];
const WAIT = 15_000;

let browser;
let amqpConn;
let ch;
const bytes = {};

/**
 * A TCP proxy in front of the edge that a test controls: it can cut every connection (a network
 * drop), refuse WebSocket upgrades, or hold streamed responses back as a buffering proxy does.
 * Each HTTP request gets its own connection (Connection: close), so decisions are per request.
 */
function proxy(mode = {}) {
  const sockets = new Set();
  const counters = { up: 0, down: 0 };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const text = head.subarray(0, end).toString('latin1');
      const rest = head.subarray(end + 4);
      const [requestLine, ...lines] = text.split('\r\n');
      const path = requestLine.split(' ')[1] ?? '';
      const upgrade = lines.some((l) => /^upgrade:\s*websocket/i.test(l));
      if (upgrade && mode.refuseWebSocket) {
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      const kept = upgrade ? lines : lines.filter((l) => !/^connection:/i.test(l)).concat('Connection: close');
      const out = Buffer.concat([Buffer.from([requestLine, ...kept].join('\r\n') + '\r\n\r\n', 'latin1'), rest]);
      const upstream = net.connect(Number(EDGE.port), EDGE.hostname);
      sockets.add(upstream);
      upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.write(out);
      counters.up += out.length;
      client.on('data', (d) => { counters.up += d.length; upstream.write(d); });
      const buffered = mode.bufferStreams && /^\/lasthop\/(sse|stream)/.test(path);
      const held = [];
      upstream.on('data', (d) => {
        counters.down += d.length;
        if (buffered) held.push(d); else client.write(d);
      });
      upstream.on('end', () => { if (buffered) client.end(Buffer.concat(held)); else client.end(); });
    };
    client.on('data', onData);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    counters,
    cut() { for (const s of sockets) s.destroy(); },
    reset() { counters.up = 0; counters.down = 0; },
    close() { this.cut(); return new Promise((r) => server.close(r)); },
  })));
}

/** The session queue the edge derives (AmqpNames.sessionQueue). */
function sessionQueue(user, session) {
  const readable = [...user].slice(0, 32).map((c) => (/[A-Za-z0-9_-]/.test(c) ? c : '_')).join('');
  const hash = crypto.createHash('sha256').update(user, 'utf8').digest('base64url').slice(0, 22);
  return `lasthop.s.${readable}.${hash}.${session}`;
}

function publish(exchange, key, body, props = {}) {
  ch.publish(exchange, key, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), {
    messageId: props.messageId ?? crypto.randomUUID(), contentType: 'application/json', persistent: true, ...props,
  });
  return ch.waitForConfirms();
}

/** A page on the proxy's origin running one client; the page records what the app sees. */
async function openClient(base, user, options = {}) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${base}/healthz`);
  await page.addScriptTag({ url: '/demo/lasthop.iife.min.js' });
  await page.evaluate(({ user, options }) => {
    window.got = [];
    window.errors = [];
    window.states = [];
    window.tokenCalls = 0;
    const ttl = options.tokenTtl ?? 600;
    window.client = Lasthop.connect(location.origin, {
      token: async () => {
        window.tokenCalls++;
        return (await (await fetch(`/dev/token?sub=${encodeURIComponent(user)}&ttl=${ttl}`)).json()).token;
      },
      ackDelayMs: 20, backoffBaseMs: 100, backoffCapMs: 1000, helloTimeoutMs: options.helloTimeoutMs ?? 5000,
      tokenRefreshMarginMs: options.refreshMarginMs ?? 30000, localStorage: null,
      ...(options.transports ? { transports: options.transports } : {}),
    });
    client.on('message', (m) => {
      window.got.push({ id: m.id, key: m.key, body: m.body, redelivered: m.redelivered });
      if (m.replyToken && m.body && m.body.rpc) return m.reply({ answer: m.body.rpc.toUpperCase() });
      return undefined;
    });
    client.on('state', (s) => window.states.push(`${s.state}:${s.transport}`));
    client.on('error', (e) => window.errors.push(e.code));
  }, { user, options });
  return page;
}

async function openOn(page, transport) {
  await page.waitForFunction((t) => client.state === 'open' && client.transport === t, transport, { timeout: WAIT });
}

async function received(page, id) {
  await page.waitForFunction((id) => window.got.some((m) => m.id === id), id, { timeout: WAIT });
}

function consumeOne(queue) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing on ${queue}`)), WAIT);
    ch.consume(queue, (msg) => { clearTimeout(timer); resolve(msg); }, { noAck: true });
  });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  amqpConn = await amqp.connect(AMQP_URL);
  ch = await amqpConn.createConfirmChannel();
});

after(async () => {
  await browser?.close();
  await amqpConn?.close();
  if (BYTES_REPORT) {
    const rows = TRANSPORTS.filter((t) => bytes[t]).map((t) =>
      `| ${t} | ${bytes[t].down} | ${bytes[t].up} | ${bytes[t].down + bytes[t].up} | ${(bytes[t].total / bytes.websocket.total).toFixed(1)}× |`);
    fs.writeFileSync(BYTES_REPORT, [
      '# Bytes on the wire for one 15-byte message',
      '',
      `Measured ${new Date().toISOString()} by edge/src/test/node/browser.e2e.mjs: headless Chromium, the`,
      'JS client, a counting TCP proxy in front of one edge. One message published to a user with a',
      '15-byte JSON body, from publish until the client\'s ack reached the edge; HTTP headers included,',
      'TCP/IP overhead not. Long-polling counts the poll answer and the next poll that carries the ack;',
      'SSE and HTTP streaming count the stream chunk and the POSTed ack.',
      '',
      '| transport | down (bytes) | up (bytes) | total | against WebSocket |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'));
  }
});

for (const transport of TRANSPORTS) {
  test(`${transport}: receive, ack, send, reply, subscribe, drop and resume, token refresh`, async () => {
    const px = await proxy();
    const user = `e2e-${transport}-${crypto.randomUUID()}`;
    const page = await openClient(px.url, user, { transports: [transport], tokenTtl: 6, refreshMarginMs: 3000 });
    try {
      await openOn(page, transport);
      const session = await page.evaluate(() => client.session);

      // receive, and bytes on the wire for one 15-byte message
      // let the connection go quiet (handshake, subscriptions, first acks) before counting
      await new Promise((r) => setTimeout(r, 300));
      px.reset();
      await publish('lasthop.user', user, '{"n":"abcdefg"}', { messageId: 'r-1' });
      await received(page, 'r-1');
      await new Promise((r) => setTimeout(r, 400)); // the batched ack (ackDelayMs 20) reaches the edge
      bytes[transport] = { down: px.counters.down, up: px.counters.up, total: px.counters.down + px.counters.up };

      // send with confirm
      const inbound = (await ch.assertQueue('', { exclusive: true })).queue;
      await ch.bindQueue(inbound, 'lasthop.inbound', `chat.${transport}`);
      const sent = consumeOne(inbound);
      await page.evaluate((t) => client.send(`chat.${t}`, { text: 'from the browser' }), transport);
      const msg = await sent;
      assert.equal(msg.properties.headers['x-lasthop-user'], user);
      assert.equal(JSON.parse(msg.content.toString()).text, 'from the browser');

      // reply to an RPC request
      const replies = (await ch.assertQueue('', { exclusive: true })).queue;
      const answer = consumeOne(replies);
      await publish('lasthop.user', user, { rpc: 'ping' }, { messageId: 'rpc-1', replyTo: replies, correlationId: 'c-1' });
      const reply = await answer;
      assert.equal(reply.properties.correlationId, 'c-1');
      assert.deepEqual(JSON.parse(reply.content.toString()), { answer: 'PING' });

      // subscribe
      const topic = `prices.E2E${transport}`;
      await page.evaluate((t) => client.subscribe(t), topic);
      await publish('lasthop.topic', topic, { px: 1 }, { messageId: 'p-1' });
      await received(page, 'p-1');

      // drop the connection, publish while away, resume: no loss, nothing shown twice
      px.cut();
      for (let i = 1; i <= 5; i++) await publish('lasthop.user', user, { i }, { messageId: `away-${i}` });
      for (let i = 1; i <= 5; i++) await received(page, `away-${i}`);
      await openOn(page, transport);
      assert.equal(await page.evaluate(() => client.session), session, 'the session was resumed');

      // token refresh: the 6 s token is refreshed in-band; the connection outlives it (only the
      // passing of time can show that)
      await page.waitForFunction(() => window.tokenCalls >= 2, null, { timeout: WAIT });
      await new Promise((r) => setTimeout(r, 7000));
      await publish('lasthop.user', user, { late: true }, { messageId: 'after-expiry' });
      await received(page, 'after-expiry');
      assert.ok(await page.evaluate(() => window.tokenCalls) >= 2, 'the token function was called again');

      const got = await page.evaluate(() => window.got.map((m) => m.id));
      assert.equal(new Set(got).size, got.length, `no duplicate shown to the app: ${got}`);
      assert.deepEqual(got.filter((id) => id.startsWith('away-')), ['away-1', 'away-2', 'away-3', 'away-4', 'away-5']);
      const errors = await page.evaluate(() => window.errors);
      assert.ok(!errors.includes('token_expired') && !errors.includes('auth'), `errors: ${errors}`);

      // everything the app saw was acked: once the edge has closed the session's channel (no
      // consumer left), anything unacked would be back in the queue
      await page.evaluate(() => client.close());
      const queue = sessionQueue(user, session);
      let q = await ch.checkQueue(queue);
      for (let i = 0; i < 200 && q.consumerCount > 0; i++) { // long-polling lingers poll.linger (3 s here)
        await new Promise((r) => setTimeout(r, 50));
        q = await ch.checkQueue(queue);
      }
      assert.equal(q.consumerCount, 0, 'the session closed');
      assert.equal(q.messageCount, 0, 'every message was acked');
    } finally {
      await page.close();
      await px.close();
    }
  });
}

test('falls back to SSE when a proxy refuses WebSocket upgrades', async () => {
  const px = await proxy({ refuseWebSocket: true });
  const page = await openClient(px.url, `e2e-fallback-${crypto.randomUUID()}`);
  try {
    await page.waitForFunction(() => client.state === 'open', null, { timeout: WAIT });
    assert.equal(await page.evaluate(() => client.transport), 'sse');
  } finally {
    await page.close();
    await px.close();
  }
});

test('goes on to long-polling when a proxy buffers streamed responses', async () => {
  const px = await proxy({ refuseWebSocket: true, bufferStreams: true });
  const user = `e2e-buffered-${crypto.randomUUID()}`;
  const page = await openClient(px.url, user, { helloTimeoutMs: 2000 });
  try {
    await page.waitForFunction(() => client.state === 'open', null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => client.transport), 'poll');
    await publish('lasthop.user', user, { ok: true }, { messageId: 'through-buffering-proxy' });
    await received(page, 'through-buffering-proxy');
  } finally {
    await page.close();
    await px.close();
  }
});

test('a session whose queue goes away: the app gets a gap event and goes on in a new session', async () => {
  const user = `e2e-gap-${crypto.randomUUID()}`;
  const page = await openClient(EDGE.origin, user, { transports: ['websocket'] });
  try {
    await openOn(page, 'websocket');
    await page.evaluate(() => {
      window.gaps = [];
      client.on('gap', (g) => window.gaps.push(g));
    });
    const before = await page.evaluate(() => client.session);
    // The browser's own send names its session's queue (x-lasthop-session): delete that queue.
    const inbound = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(inbound, 'lasthop.inbound', 'chat.gapprobe');
    const sent = consumeOne(inbound);
    await page.evaluate(() => client.send('chat.gapprobe', {}).catch(() => {}));
    const queue = (await sent).properties.headers['x-lasthop-session'];
    await ch.deleteQueue(queue);
    await page.waitForFunction(() => window.gaps.length === 1, null, { timeout: WAIT });
    const gap = (await page.evaluate(() => window.gaps))[0];
    assert.equal(gap.previousSession, before);
    assert.equal(gap.reason, 'session_expired');
    assert.notEqual(gap.session, before);
    await publish('lasthop.user', user, '{}', { messageId: 'after-gap' });
    await received(page, 'after-gap');
  } finally {
    await page.close();
  }
});
