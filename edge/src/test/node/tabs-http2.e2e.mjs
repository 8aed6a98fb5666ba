// Ten tabs of one browser, each with its own SSE session, against an HTTPS origin (HTTP/2 by ALPN)
// and against a plain HTTP/1.1 one. Over HTTP/2 every tab receives, over one TCP connection; over
// HTTP/1.1 the browser's limit of six connections per host holds the other tabs back.
// Run by Http2TabsIT, which starts both edges and passes their URLs, their management URLs (to
// count connections without opening one), the users and their tokens, and AMQP_URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { chromium } from 'playwright-core';

const TLS = process.env.EDGE_TLS_URL;
const PLAIN = process.env.EDGE_PLAIN_URL;
const TLS_METRICS = process.env.TLS_METRICS_URL;
const PLAIN_METRICS = process.env.PLAIN_METRICS_URL;
const USERS = JSON.parse(process.env.USERS); // [{user, token}], twenty of them
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TABS = 10;

let browser;
let amqpConn;
let ch;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
  });
  amqpConn = await amqp.connect(AMQP_URL);
  ch = await amqpConn.createConfirmChannel();
});

after(async () => {
  await browser?.close();
  await amqpConn?.close();
});

/** The edge's open client connections, from its management listener. */
async function connections(metricsUrl) {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('lasthop_client_connections '));
  return Number(line.split(' ')[1]);
}

/**
 * Opens TABS pages on the origin, then in each an EventSource for its own user; returns the pages.
 * Pages load first: over HTTP/1.1 a page load would itself wait for one of the six connections.
 */
async function openTabs(context, origin, users) {
  const pages = [];
  for (let i = 0; i < TABS; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/healthz`);
    pages.push(page);
  }
  for (let i = 0; i < TABS; i++) {
    await pages[i].evaluate((token) => {
      window.received = [];
      window.hello = false;
      const es = new EventSource(`/lasthop/sse?token=${encodeURIComponent(token)}`);
      es.onmessage = (e) => {
        const f = JSON.parse(e.data);
        if (f.t === 'hello') window.hello = true;
        if (f.t === 'msg') window.received.push(f.id);
      };
    }, users[i].token);
  }
  return pages;
}

async function publishToEach(users, tag) {
  for (const { user } of users) {
    ch.publish('lasthop.user', user, Buffer.from('{}'), { messageId: `${tag}-${user}`, contentType: 'application/json' });
  }
  await ch.waitForConfirms();
}

/** How many pages received their own message within ms. */
async function receivedWithin(pages, users, tag, ms) {
  const deadline = Date.now() + ms;
  let done = 0;
  while (Date.now() < deadline) {
    done = 0;
    for (let i = 0; i < pages.length; i++) {
      const got = await pages[i].evaluate(() => window.received);
      if (got.includes(`${tag}-${users[i].user}`)) done++;
    }
    if (done === pages.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return done;
}

test('ten SSE tabs over HTTP/2 all receive, over one connection', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true }); // trust is not the point here
  try {
    const users = USERS.slice(0, TABS);
    const pages = await openTabs(context, TLS, users);
    for (const p of pages) await p.waitForFunction(() => window.hello, null, { timeout: 15_000 });
    await publishToEach(users, 'h2');
    assert.equal(await receivedWithin(pages, users, 'h2', 15_000), TABS);
    const open = await connections(TLS_METRICS);
    console.log(`HTTP/2: ${TABS} tabs with SSE received over ${open} TCP connection(s) to the edge`);
    assert.equal(open, 1, 'the browser multiplexes every tab on one connection');
  } finally {
    await context.close();
  }
});

test('ten SSE tabs over HTTP/1.1 hit the browser per-host limit', async () => {
  const context = await browser.newContext();
  try {
    const users = USERS.slice(TABS, 2 * TABS);
    const pages = await openTabs(context, PLAIN, users);
    await new Promise((r) => setTimeout(r, 2_000));
    await publishToEach(users, 'h1');
    const received = await receivedWithin(pages, users, 'h1', 5_000);
    const open = await connections(PLAIN_METRICS);
    console.log(`HTTP/1.1: ${received} of ${TABS} tabs with SSE received; ${open} TCP connections to the edge`);
    assert.ok(received <= 6, `${received} tabs received: Chromium opens at most 6 connections per host`);
    assert.ok(received < TABS);
  } finally {
    await context.close();
  }
});
