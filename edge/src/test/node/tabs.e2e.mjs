// Tabs sharing one session (the client's `share`), in real headless Chromium against a real edge
// and RabbitMQ: one browser context, several pages of one origin. Run by TabSharingIT, which
// starts the edge (dev mode) and passes EDGE_URL and AMQP_URL; or by hand against any dev edge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { chromium } from 'playwright-core';

const EDGE = process.env.EDGE_URL;
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE = process.env.BUNDLE ?? path.resolve(HERE, '../../../../js/dist/lasthop.iife.min.js');
const REPORT = process.env.TABS_REPORT;
const WAIT = 20_000;

let browser;
let amqpConn;
let ch;
const figures = [];

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
  console.log(figures.map((f) => `figure: ${f}`).join('\n'));
  if (REPORT && figures.length) fs.writeFileSync(REPORT, `${figures.join('\n')}\n`);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it returns a truthy value, for `ms` at most. */
async function until(check, what, ms = WAIT) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Open client connections at the edge, summed over transports (`lasthop_connections`). */
/** Sessions the edge holds: each one an AMQP channel and a queue on the broker. */
async function sessions() {
  const m = (await (await fetch(`${EDGE}/metrics`)).text()).match(/^lasthop_sessions ([0-9.]+)$/m);
  return m ? Number(m[1]) : NaN;
}

async function connections() {
  const text = await (await fetch(`${EDGE}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^lasthop_connections\{transport="(\w+)"\} ([0-9.]+)$/gm)) sum += Number(m[2]);
  return sum;
}

function publish(exchange, key, body, props = {}) {
  ch.publish(exchange, key, Buffer.from(JSON.stringify(body)), {
    messageId: props.messageId ?? crypto.randomUUID(), contentType: 'application/json', persistent: true, ...props,
  });
  return ch.waitForConfirms();
}

/**
 * A tab on the edge's origin running one client; the page records what its app is shown, in
 * order. `freezeFirstMs`: the handler of the first message takes that long (a frozen tab);
 * `delayMs`: every handler takes that long (a slow tab).
 */
async function openTab(context, user, name, options = {}) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`${name} page error:`, e.message));
  await page.goto(`${EDGE}/healthz`);
  // The bundle as built in js/, else the copy the edge serves.
  await page.addScriptTag(fs.existsSync(BUNDLE) ? { path: BUNDLE } : { url: '/demo/lasthop.iife.min.js' });
  await page.evaluate(({ user, name, options }) => {
    const { delayMs = 0, freezeFirstMs = 0, ...clientOptions } = options;
    window.tabName = name;
    window.got = [];
    window.errors = [];
    window.states = [];
    window.client = Lasthop.connect(location.origin, {
      token: async () => (await (await fetch(`/dev/token?sub=${encodeURIComponent(user)}&ttl=600`)).json()).token,
      ackDelayMs: 20, backoffBaseMs: 100, backoffCapMs: 1000, ...clientOptions,
    });
    client.on('message', async (m) => {
      if (freezeFirstMs && window.got.length === 0) await new Promise((r) => setTimeout(r, freezeFirstMs));
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      window.got.push(m.id);
      if (window.replyTo && m.replyToken) await m.reply({ from: name });
    });
    client.on('state', (s) => window.states.push({ state: s.state, at: Date.now() }));
    client.on('error', (e) => window.errors.push(e.code));
  }, { user, name, options });
  return page;
}

async function openTabs(context, user, n, options = {}) {
  const pages = [];
  for (let i = 0; i < n; i++) pages.push(await openTab(context, user, `tab${i}`, options[i] ?? {}));
  await until(async () => {
    const views = await Promise.all(pages.map((p) => p.evaluate(() => [client.state, client.tabs])));
    return views.every(([state, tabs]) => state === 'open' && tabs === n);
  }, `${n} tabs open and sharing`);
  return pages;
}

const got = (page) => page.evaluate(() => window.got);
const role = (page) => page.evaluate(() => client.role);

async function leaderOf(pages) {
  const roles = await Promise.all(pages.map(role));
  assert.equal(roles.filter((r) => r === 'leader').length, 1, `one leader: ${roles}`);
  return pages[roles.indexOf('leader')];
}

test('5 tabs of one user: 1 connection at the edge, and each tab sees each message once, in order', async () => {
  const user = `tabs-five-${crypto.randomUUID()}`;
  await until(async () => (await connections()) === 0, 'an idle edge');
  const context = await browser.newContext();
  try {
    const pages = await openTabs(context, user, 5);
    await leaderOf(pages);
    assert.equal(await connections(), 1, 'one connection for five tabs');
    const ids = Array.from({ length: 50 }, (_, i) => `five-${i}`);
    for (const id of ids) await publish('lasthop.user', user, { id }, { messageId: id });
    for (const page of pages) await until(async () => (await got(page)).length >= ids.length, 'every message in every tab');
    await sleep(300);
    for (const page of pages) assert.deepEqual(await got(page), ids);
    figures.push(`5 tabs of one user: ${await connections()} connection(s) at the edge`);
  } finally {
    await context.close();
  }
});

/**
 * Four tabs under a steady publish (about 40 messages a second); the leader goes mid-stream, by
 * `end(page)`. Acks are held back 3 s, so that the leader goes (at about 0.8 s) with every
 * delivery handled and none acked: the edge delivers them again to the next leader, and each tab
 * must drop them.
 */
async function leaderGoesMidStream(name, limitMs, end) {
  const user = `tabs-${name}-${crypto.randomUUID()}`;
  const context = await browser.newContext();
  try {
    const options = { ackDelayMs: 3000, ackBatchSize: 1000 };
    const pages = await openTabs(context, user, 4, { 0: options, 1: options, 2: options, 3: options });
    const leader = await leaderOf(pages);
    const survivors = pages.filter((p) => p !== leader);
    const ids = Array.from({ length: 150 }, (_, i) => `steady-${i}`);
    let endedAt = 0;
    for (const [i, id] of ids.entries()) {
      await publish('lasthop.user', user, { i }, { messageId: id });
      await sleep(20);
      if (i === 30) {
        endedAt = Date.now();
        await end(context, leader); // the tab that holds the connection goes, mid-stream
      }
    }
    for (const page of survivors) await until(async () => (await got(page)).length >= ids.length, 'every message in every surviving tab');
    await sleep(500);
    for (const page of survivors) {
      const seen = await got(page);
      assert.equal(new Set(seen).size, seen.length, 'no duplicate shown');
      assert.deepEqual(seen, ids, 'nothing lost, in order');
    }
    const next = await leaderOf(survivors);
    const reopened = await next.evaluate((t) => window.states.find((s) => s.state === 'open' && s.at > t)?.at, endedAt);
    assert.ok(reopened, 'the new leader opened a connection');
    assert.ok(reopened - endedAt < limitMs, `taken over within ${limitMs} ms (${reopened - endedAt} ms)`);
    await until(async () => (await connections()) === 1, 'one connection again');
    const dropped = await Promise.all(survivors.map((p) => p.evaluate(() => client.inbox.duplicates)));
    assert.ok(dropped.every((n) => n > 0), `the edge delivered again what the old leader had not acked (${dropped})`);
    figures.push(`leader ${name} mid-stream: the next tab was open again ${reopened - endedAt} ms later; `
      + `${survivors.length} surviving tabs saw ${ids.length}/${ids.length} once each, in order, `
      + `having dropped ${dropped.join('/')} redeliveries`);
  } finally {
    await context.close();
  }
}

test('the leader tab closes mid-stream under a steady publish: 0 lost, 0 duplicates in every surviving tab', () =>
  leaderGoesMidStream('closed', 2000, (context, page) => page.close()));

test('the leader tab crashes mid-stream (renderer killed): 0 lost, 0 duplicates in every surviving tab', () =>
  leaderGoesMidStream('crashed', 3000, async (context, page) => { // the browser notices the dead renderer first
    const cdp = await context.newCDPSession(page);
    cdp.send('Page.crash').catch(() => {}); // never answered: the page is gone
    await sleep(50);
  }));

test('a slow tab and a frozen tab: the others are not held to their pace, and both still see everything in order', async () => {
  const user = `tabs-slow-${crypto.randomUUID()}`;
  const context = await browser.newContext();
  const shareAckTimeoutMs = 1000;
  try {
    const pages = await openTabs(context, user, 4, {
      0: { shareAckTimeoutMs },
      1: { shareAckTimeoutMs },
      2: { shareAckTimeoutMs, delayMs: 30 },
      3: { shareAckTimeoutMs, freezeFirstMs: 6000 },
    });
    const [fast, , slow, frozen] = pages;
    const ids = Array.from({ length: 150 }, (_, i) => `slow-${i}`); // more than the edge's prefetch (64)
    const start = Date.now();
    for (const id of ids) await publish('lasthop.user', user, {}, { messageId: id });
    await until(async () => (await got(fast)).length >= ids.length, 'the fast tab done');
    const fastDone = Date.now() - start;
    assert.equal((await got(frozen)).length, 0, 'the frozen tab is still in its first handler');
    await until(async () => (await got(slow)).length >= ids.length, 'the slow tab done');
    const slowDone = Date.now() - start;
    await until(async () => (await got(frozen)).length >= ids.length, 'the frozen tab done');
    for (const page of pages) assert.deepEqual(await got(page), ids);
    assert.ok(fastDone < slowDone, `the fast tab (${fastDone} ms) finished before the slow one (${slowDone} ms)`);
    assert.ok(fastDone < 6000, `and before the frozen one thawed (${fastDone} ms)`);
    figures.push(`150 messages, a tab frozen 6 s and a tab at 30 ms a message: the other tabs had all in ${fastDone} ms, `
      + `the slow tab in ${slowDone} ms`);
  } finally {
    await context.close();
  }
});

test('a tab that subscribes to a topic the others do not is the only one shown it', async () => {
  const user = `tabs-topic-${crypto.randomUUID()}`;
  const topic = `prices.T${crypto.randomUUID().replace(/-/g, '')}`;
  const context = await browser.newContext();
  try {
    const pages = await openTabs(context, user, 3);
    const [subscriber] = (await Promise.all(pages.map(async (p) => [p, await role(p)]))).filter(([, r]) => r === 'follower')[0];
    await subscriber.evaluate((t) => client.subscribe(t), topic);
    for (let i = 0; i < 5; i++) await publish('lasthop.topic', topic, { i }, { messageId: `tick-${i}` });
    await publish('lasthop.user', user, {}, { messageId: 'to-all' });
    for (const page of pages) await until(async () => (await got(page)).includes('to-all'), 'the user message everywhere');
    await sleep(300);
    for (const page of pages) {
      const expected = page === subscriber ? ['tick-0', 'tick-1', 'tick-2', 'tick-3', 'tick-4', 'to-all'] : ['to-all'];
      assert.deepEqual(await got(page), expected);
    }
    // The last tab to leave the topic unbinds the session: nothing more arrives.
    await subscriber.evaluate((t) => client.unsubscribe(t), topic);
    await publish('lasthop.topic', topic, {}, { messageId: 'after-unsub' });
    await publish('lasthop.user', user, {}, { messageId: 'marker' });
    await until(async () => (await got(subscriber)).includes('marker'), 'the marker');
    assert.ok(!(await got(subscriber)).includes('after-unsub'));
  } finally {
    await context.close();
  }
});

test('send and reply from a follower tab settle with the edge answer', async () => {
  const user = `tabs-send-${crypto.randomUUID()}`;
  const context = await browser.newContext();
  try {
    const pages = await openTabs(context, user, 3);
    const roles = await Promise.all(pages.map(role));
    const follower = pages[roles.indexOf('follower')];
    const inbound = (await ch.assertQueue('', { exclusive: true })).queue;
    const key = `chat.tabs${crypto.randomUUID().slice(0, 8)}`;
    await ch.bindQueue(inbound, 'lasthop.inbound', key);
    const received = new Promise((resolve) => ch.consume(inbound, resolve, { noAck: true }));
    assert.equal(await follower.evaluate((k) => client.send(k, { text: 'from a follower' }).then(() => 'ok'), key), 'ok');
    const message = await received;
    assert.equal(message.properties.headers['x-lasthop-user'], user);
    assert.deepEqual(JSON.parse(message.content.toString()), { text: 'from a follower' });
    const refused = await follower.evaluate(() => client.send('admin.x', {}).then(() => 'ok', (e) => e.code));
    assert.equal(refused, 'forbidden');

    // RPC: only the follower answers; its reply travels through the leader.
    await follower.evaluate(() => { window.replyTo = true; });
    const replies = (await ch.assertQueue('', { exclusive: true })).queue;
    const answer = new Promise((resolve) => ch.consume(replies, resolve, { noAck: true }));
    await publish('lasthop.user', user, { q: 'ok?' }, { messageId: 'rpc-tabs', replyTo: replies, correlationId: 'c-tabs' });
    const reply = await answer;
    assert.equal(reply.properties.correlationId, 'c-tabs');
    assert.equal(JSON.parse(reply.content.toString()).from, await follower.evaluate(() => window.tabName));
  } finally {
    await context.close();
  }
});

test('tabs of different users in one browser never share', async () => {
  const context = await browser.newContext();
  try {
    await until(async () => (await connections()) === 0, 'an idle edge');
    const alice = `tabs-alice-${crypto.randomUUID()}`;
    const bob = `tabs-bob-${crypto.randomUUID()}`;
    await openTabs(context, alice, 2);
    const bobPage = await openTab(context, bob, 'bob');
    await until(async () => (await bobPage.evaluate(() => client.state)) === 'open', 'bob open');
    assert.equal(await bobPage.evaluate(() => [client.role, client.tabs].join()), 'leader,1');
    assert.equal(await connections(), 2);
    await publish('lasthop.user', bob, {}, { messageId: 'for-bob' });
    await until(async () => (await got(bobPage)).includes('for-bob'), "bob's message");
  } finally {
    await context.close();
  }
});

/** A TCP pipe in front of the edge that counts the bytes each way (HTTP and WebSocket alike). */
function countingProxy() {
  const edge = new URL(EDGE);
  const counters = { down: 0, up: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(edge.port), edge.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.on('data', (d) => { counters.up += d.length; upstream.write(d); });
    upstream.on('data', (d) => { counters.down += d.length; client.write(d); });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    counters,
    reset() { counters.down = 0; counters.up = 0; },
    close() { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); },
  })));
}

test('figures: connections and bytes on the wire for 1, 5 and 10 tabs, shared and not', async () => {
  const rows = [];
  for (const n of [1, 5, 10]) {
    for (const share of [true, false]) {
      await until(async () => (await connections()) === 0, 'an idle edge');
      const px = await countingProxy();
      const context = await browser.newContext();
      const user = `tabs-figures-${n}-${share}-${crypto.randomUUID()}`;
      try {
        const pages = [];
        for (let i = 0; i < n; i++) {
          const page = await context.newPage();
          await page.goto(`${px.url}/healthz`);
          await page.addScriptTag(fs.existsSync(BUNDLE) ? { path: BUNDLE } : { url: '/demo/lasthop.iife.min.js' });
          await page.evaluate(({ user, share }) => {
            window.got = [];
            window.client = Lasthop.connect(location.origin, {
              token: async () => (await (await fetch(`/dev/token?sub=${encodeURIComponent(user)}&ttl=600`)).json()).token,
              ackDelayMs: 20, share,
            });
            client.on('message', (m) => { window.got.push(m.id); });
          }, { user, share });
          pages.push(page);
        }
        await until(async () => (await Promise.all(pages.map((p) => p.evaluate(() => client.state)))).every((s) => s === 'open'), 'all open');
        if (share) await until(async () => (await Promise.all(pages.map((p) => p.evaluate(() => client.tabs)))).every((t) => t === n), 'all sharing');
        await sleep(500); // the connection goes quiet (subscriptions, first acks) before counting
        px.reset();
        for (let i = 0; i < 20; i++) await publish('lasthop.user', user, { n: 'abcdefg' }, { messageId: `fig-${i}` });
        for (const page of pages) await until(async () => (await got(page)).length >= 20, 'all 20 in every tab');
        await sleep(500); // the batched acks reach the edge
        const open = await connections();
        const held = await sessions();
        if (share) assert.equal(open, 1);
        else assert.equal(open, n);
        assert.equal(held, open, 'a session per connection');
        rows.push(`| ${n} | ${share ? 'shared' : 'not shared'} | ${open} | ${held} | ${px.counters.down} | ${px.counters.up} |`);
      } finally {
        await context.close();
        await px.close();
      }
    }
  }
  figures.push(['20 messages of 15 bytes to a user with N tabs open in one browser (headless Chromium, WebSocket):',
    '| tabs | | edge connections | edge sessions (AMQP channels, broker queues) | bytes down | bytes up |',
    '|---|---|---|---|---|---|', ...rows].join('\n'));
});
