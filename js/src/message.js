import { LasthopError } from './errors.js';

/**
 * A body as the client sends it. JSON values go as they are (`enc` json, the default); bytes
 * (Uint8Array, ArrayBuffer) go as base64; `{text: true}` sends a string as text/plain.
 * @typedef {{enc?: 'text' | 'base64'}} BodyFields
 * @typedef {{text?: boolean}} BodyOptions
 */

/**
 * The `enc` and `body` fields of a `send` or `reply` frame (PROTOCOL.md §3, ClientFrameDecoder).
 * @param {unknown} body
 * @param {BodyOptions} [options]
 * @returns {{enc?: 'text' | 'base64', body: unknown}}
 */
export function encodeBody(body, options = {}) {
  if (body instanceof ArrayBuffer) body = new Uint8Array(body);
  if (ArrayBuffer.isView(body)) {
    const view = /** @type {ArrayBufferView} */ (body);
    return { enc: 'base64', body: bytesToBase64(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) };
  }
  if (options.text) {
    if (typeof body !== 'string') throw new TypeError('a text body must be a string');
    return { enc: 'text', body };
  }
  if (body === undefined) throw new TypeError('a body is required (use null for an empty JSON body)');
  return { body };
}

/**
 * One delivery, as the app sees it. `body` is decoded by `enc`: a JSON value, a string, or a
 * Uint8Array for base64.
 */
export class Message {
  /**
   * @param {Record<string, any>} frame the `msg` frame
   * @param {(token: string, body: unknown, options?: BodyOptions) => Promise<void>} replier
   */
  constructor(frame, replier) {
    /** @type {string} stable across redeliveries; de-duplicate by it */
    this.id = frame.id;
    /** @type {number} this connection's delivery number */
    this.seq = frame.seq;
    /** @type {boolean} */
    this.redelivered = frame.redelivered === true;
    /** @type {string} */
    this.exchange = frame.exchange;
    /** @type {string} routing key */
    this.key = frame.key;
    /** @type {string | undefined} */
    this.contentType = frame.contentType;
    /** @type {string | undefined} AMQP `type` */
    this.type = frame.type;
    /** @type {number | undefined} epoch milliseconds */
    this.timestamp = frame.timestamp;
    /** @type {Record<string, string | number | boolean>} */
    this.headers = frame.headers || {};
    /** @type {unknown} */
    this.body = frame.enc === 'base64' ? base64ToBytes(frame.body) : frame.body;
    /** @type {string | undefined} present when the publisher set `reply_to` */
    this.replyToken = frame.replyToken;
    /** @private */
    this.replier = replier;
  }

  /**
   * Answers the publisher (its `reply_to`, with its `correlation_id`). Settles with the edge's
   * `ok` or `error`.
   * @param {unknown} body
   * @param {BodyOptions} [options]
   * @returns {Promise<void>}
   */
  reply(body, options) {
    if (!this.replyToken) {
      return Promise.reject(
        new LasthopError('no_reply_token', 'this message has no reply address (no reply_to)'),
      );
    }
    return this.replier(this.replyToken, body, options);
  }
}

/** @param {Uint8Array} bytes */
function bytesToBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, /** @type {any} */ (bytes.subarray(i, i + 0x8000)));
  }
  return btoa(binary);
}

/** @param {string} base64 */
function base64ToBytes(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
