// A service written in Node with a stock AMQP client (amqplib), talking to Lasthop through the
// AMQP contract of PROTOCOL.md §10 only. NodeServiceContractIT runs it; it also runs by hand:
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 LASTHOP_USER=alice REPLY_MODE=queue node service-contract.mjs
//
// Environment:
//   AMQP_URL        broker (default amqp://guest:guest@127.0.0.1:5672)
//   LASTHOP_USER    the browser user to ask (modes queue and direct)
//   REPLY_MODE      queue  : ask the user, replies come to an exclusive server-named queue
//                   direct : ask the user, replies come by direct reply-to (amq.rabbitmq.reply-to)
//                   inbound: consume what browsers send to lasthop.inbound, answer the sending session
//   CORRELATION_ID  correlation id of the request (default: a random UUID)
//   INBOUND_KEY     binding key on lasthop.inbound (mode inbound; default #)
//   TIMEOUT_MS      how long to wait for the reply or the browser's message (default 20000)
//
// Output: JSON lines on stdout, diagnostics on stderr.
//   queue, direct: one line {"mode","correlationId","body","messageId","headers":{user,session}}
//   inbound:       {"listening": queue, "key": key} once bound (send only after this line), then
//                  {"mode","key","body","messageId","replyTo","correlationId","headers":{user,session}}
// Exit status: 0 on success, 2 on timeout, 1 on any other failure.

import amqp from 'amqplib';
import crypto from 'node:crypto';

const USER_EXCHANGE = 'lasthop.user';
const INBOUND_EXCHANGE = 'lasthop.inbound';
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

const url = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const mode = process.env.REPLY_MODE || 'queue';
const timeoutMs = Number(process.env.TIMEOUT_MS || 20000);

/**
 * AmqpNames.userRoutingKey: the user id, or sha256:<hex> when its UTF-8 form exceeds 255 bytes or
 * it starts with sha256: itself, so that no literal id can spell another user's hashed key.
 */
const userRoutingKey = (id) =>
  Buffer.byteLength(id, 'utf8') <= 255 && !id.startsWith('sha256:')
    ? id
    : `sha256:${crypto.createHash('sha256').update(id, 'utf8').digest('hex')}`;

/** AMQP long strings arrive as Buffers in some clients and strings in others; print text. */
const text = (v) => (v === undefined || v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

const decode = (msg) => {
  const raw = msg.content.toString('utf8');
  return /json/i.test(msg.properties.contentType || '') ? JSON.parse(raw) : raw;
};

const lasthopHeaders = (msg) => {
  const h = msg.properties.headers || {};
  return { user: text(h['x-lasthop-user']), session: text(h['x-lasthop-session']) };
};

class Timeout extends Error {}

/** Resolves with the first value {@code start} hands to its callback, or rejects after timeoutMs. */
const within = (what, start) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    Promise.resolve(start((v) => { clearTimeout(timer); resolve(v); })).catch((e) => { clearTimeout(timer); reject(e); });
  });

const print = (obj) => new Promise((resolve) => process.stdout.write(`${JSON.stringify(obj)}\n`, resolve));

async function ask(conn) {
  const user = process.env.LASTHOP_USER;
  if (!user) throw new Error('LASTHOP_USER is required in modes queue and direct');
  const correlationId = process.env.CORRELATION_ID || crypto.randomUUID();
  const ch = await conn.createConfirmChannel();

  let replyTo;
  let onReply = () => {};
  const consume = (msg) => {
    if (msg && msg.properties.correlationId === correlationId) onReply(msg);
    else if (msg) console.error(`ignoring a reply with correlation id ${msg.properties.correlationId}`);
  };
  if (mode === 'direct') {
    // Direct reply-to: consume the pseudo-queue with noAck before publishing, on the same channel.
    await ch.consume(DIRECT_REPLY_TO, consume, { noAck: true });
    replyTo = DIRECT_REPLY_TO;
  } else {
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await ch.consume(queue, consume, { noAck: true });
    replyTo = queue;
  }

  const reply = within(`the reply with correlation id ${correlationId}`, (done) => { onReply = done; });
  const body = { question: 'ready?', mode };
  await new Promise((resolve, reject) => {
    ch.publish(USER_EXCHANGE, userRoutingKey(user), Buffer.from(JSON.stringify(body)), {
      messageId: crypto.randomUUID(), contentType: 'application/json', persistent: true,
      timestamp: Math.floor(Date.now() / 1000), replyTo, correlationId, type: 'contract.request',
    }, (err) => (err ? reject(new Error(`the broker nacked the request: ${err}`)) : resolve()));
  });
  console.error(`asked ${user} (reply_to ${replyTo}, correlation id ${correlationId})`);

  const msg = await reply;
  await print({
    mode, correlationId: msg.properties.correlationId, body: decode(msg),
    messageId: msg.properties.messageId ?? null, headers: lasthopHeaders(msg),
  });
}

async function inbound(conn) {
  const key = process.env.INBOUND_KEY || '#';
  const ch = await conn.createConfirmChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await ch.bindQueue(queue, INBOUND_EXCHANGE, key);

  let onMessage = () => {};
  await ch.consume(queue, (msg) => msg && onMessage(msg), { noAck: false });
  const first = within(`a message on ${INBOUND_EXCHANGE} matching ${key}`, (done) => { onMessage = done; });
  await print({ listening: queue, key });

  const msg = await first;
  const body = decode(msg);
  const headers = lasthopHeaders(msg);
  // Answer the sending session: the default exchange routes reply_to (the session queue) straight to it.
  // Mandatory, so a session whose queue expired comes back as a return rather than vanishing.
  let returned = false;
  ch.on('return', () => { returned = true; });
  await new Promise((resolve, reject) => {
    ch.publish('', msg.properties.replyTo, Buffer.from(JSON.stringify({ echo: body })), {
      messageId: crypto.randomUUID(), contentType: 'application/json', persistent: true, mandatory: true,
      timestamp: Math.floor(Date.now() / 1000), correlationId: msg.properties.messageId,
    }, (err) => (err ? reject(new Error(`the broker nacked the answer: ${err}`)) : resolve()));
  });
  // The broker sends basic.return before the confirm, so the flag is settled by now.
  if (returned) throw new Error(`the session queue ${msg.properties.replyTo} is gone; the answer was returned`);
  ch.ack(msg);
  await print({
    mode, key: msg.fields.routingKey, body, messageId: msg.properties.messageId ?? null,
    replyTo: msg.properties.replyTo ?? null, correlationId: msg.properties.correlationId ?? null, headers,
  });
}

let conn;
try {
  if (!['queue', 'direct', 'inbound'].includes(mode)) throw new Error(`REPLY_MODE must be queue, direct or inbound, not ${mode}`);
  conn = await amqp.connect(url);
  await (mode === 'inbound' ? inbound(conn) : ask(conn));
  await conn.close();
  process.exit(0);
} catch (e) {
  console.error(`service-contract (${mode}): ${e.message}`);
  if (conn) await conn.close().catch(() => {});
  process.exit(e instanceof Timeout ? 2 : 1);
}
