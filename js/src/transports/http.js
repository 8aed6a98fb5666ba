import { LasthopError } from '../errors.js';

/**
 * @typedef {object} HttpResponse
 * @property {number} status
 * @property {string} text
 * @property {(name: string) => string | null} header
 */

/**
 * Whether the environment can make HTTP requests at all (fetch, or XMLHttpRequest before it).
 * @param {import('../env.js').Environment} env
 */
export function canRequest(env) {
  return typeof env.fetch === 'function' || typeof env.XMLHttpRequest === 'function';
}

/**
 * One short HTTP request with a text body, by fetch when there is one, else XMLHttpRequest.
 * Rejects with `network` when no response arrived, never for an HTTP status.
 * @param {import('../env.js').Environment} env
 * @param {{method: string, url: string, body?: string, signal?: any}} request
 * @returns {Promise<HttpResponse>}
 */
export async function httpRequest(env, { method, url, body, signal }) {
  // text/plain keeps a cross-origin POST a "simple" request, with no CORS preflight; the edge
  // does not look at the Content-Type.
  const headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
  if (typeof env.fetch === 'function') {
    try {
      const response = await env.fetch(url, { method, body, headers, signal, cache: 'no-store' });
      const text = await response.text();
      return { status: response.status, text, header: (name) => response.headers.get(name) };
    } catch (cause) {
      throw new LasthopError('network', `${method} ${stripQuery(url)} failed`, { cause });
    }
  }
  const Xhr = /** @type {new () => any} */ (env.XMLHttpRequest);
  return new Promise((resolve, reject) => {
    const xhr = new Xhr();
    xhr.open(method, url, true);
    if (body !== undefined) xhr.setRequestHeader('Content-Type', headers['Content-Type']);
    xhr.onload = () =>
      resolve({ status: xhr.status, text: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    xhr.onerror = xhr.onabort = () =>
      reject(new LasthopError('network', `${method} ${stripQuery(url)} failed`));
    signal?.addEventListener?.('abort', () => xhr.abort());
    xhr.send(body === undefined ? null : body);
  });
}

/**
 * The URL without its query, which holds the token: safe for error messages.
 * @param {string} url
 */
export function stripQuery(url) {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}
