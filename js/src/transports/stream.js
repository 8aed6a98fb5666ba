import { LasthopError, fromHttpResponse } from '../errors.js';
import { DRAIN_MS, FramePoster } from './frame-poster.js';
import { canRequest, stripQuery } from './http.js';
import { NdjsonDecoder } from './ndjson-decoder.js';
import { Transport } from './transport.js';

/** XHR keeps the whole body in `responseText`; past this many characters, start a new stream. */
const XHR_RECYCLE_CHARS = 8 * 1024 * 1024;

/**
 * `GET /lasthop/stream`: a long chunked response of newline-delimited JSON frames
 * (`application/x-ndjson`), for networks that pass plain HTTP but mangle WebSocket and SSE.
 * Read with fetch and a stream reader; where fetch cannot stream, XMLHttpRequest in
 * `readyState` 3 (LOADING) reads `responseText` from where it left off. Client frames go by POST.
 */
export class StreamTransport extends Transport {
  static transportName = /** @type {const} */ ('stream');

  /** @param {import('../env.js').Environment} env */
  static available(env) {
    return canRequest(env);
  }

  /** @protected */
  doOpen() {
    this.decoder = new NdjsonDecoder();
    this.poster = new FramePoster({
      env: this.env,
      url: () => this.framesUrl(),
      onError: (error) => this.handlers.onError(error),
    });
    const url = this.endpoints.url('stream', this.openParams());
    if (typeof this.env.fetch === 'function') this.openFetch(url);
    else this.openXhr(url);
  }

  /**
   * @private
   * @param {string} url
   */
  async openFetch(url) {
    const fetch = /** @type {NonNullable<import('../env.js').Environment['fetch']>} */ (this.env.fetch);
    const Abort = this.env.AbortController;
    this.abort = Abort ? new Abort() : null;
    let response;
    try {
      response = await fetch(url, {
        headers: { Accept: 'application/x-ndjson' },
        cache: 'no-store',
        signal: this.abort?.signal,
      });
    } catch (cause) {
      this.ended({ error: new LasthopError('network', `GET ${stripQuery(url)} failed`, { cause }) });
      return;
    }
    if (this.closed) return;
    if (response.status !== 200) {
      const text = await response.text().catch(() => '');
      this.ended({ error: fromHttpResponse(response.status, text, response.headers.get('Retry-After')) });
      return;
    }
    if (!response.body || typeof response.body.getReader !== 'function') {
      // fetch without readable streams (older browsers): the body would only come at the end.
      this.abort?.abort();
      if (typeof this.env.XMLHttpRequest === 'function') this.openXhr(url);
      else this.ended({ error: new LasthopError('network', 'this browser cannot stream a fetch body') });
      return;
    }
    const reader = response.body.getReader();
    const text = new this.env.TextDecoder('utf-8');
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.closed) return;
        if (done) break;
        this.consume(text.decode(value, { stream: true }));
      }
      this.consume(text.decode(), true);
    } catch (cause) {
      if (this.closed) return;
      this.ended({ error: cause instanceof LasthopError ? cause : new LasthopError('network', 'the stream failed', { cause }) });
      return;
    }
    this.ended({ error: new LasthopError('network', 'the stream ended') });
  }

  /**
   * @private
   * @param {string} url
   */
  openXhr(url) {
    const Xhr = /** @type {new () => any} */ (this.env.XMLHttpRequest);
    const xhr = new Xhr();
    let offset = 0;
    const read = (/** @type {boolean} */ last) => {
      if (xhr.status !== 200) return;
      const body = /** @type {string} */ (xhr.responseText);
      const piece = body.slice(offset);
      offset = body.length;
      try {
        this.consume(piece, last);
      } catch (error) {
        this.ended({ error: /** @type {LasthopError} */ (error) });
        return;
      }
      if (!last && offset > XHR_RECYCLE_CHARS) {
        this.ended({ error: new LasthopError('network', 'recycling a long XHR stream') });
      }
    };
    xhr.onprogress = () => read(false);
    xhr.onreadystatechange = () => {
      if (this.closed) return;
      if (xhr.readyState === 3) read(false);
      else if (xhr.readyState === 4) {
        if (xhr.status === 0) return; // onerror reports it
        if (xhr.status !== 200) {
          this.ended({ error: fromHttpResponse(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')) });
          return;
        }
        read(true);
        this.ended({ error: new LasthopError('network', 'the stream ended') });
      }
    };
    xhr.onerror = () => this.ended({ error: new LasthopError('network', `GET ${stripQuery(url)} failed`) });
    xhr.open('GET', url, true);
    xhr.setRequestHeader('Accept', 'application/x-ndjson');
    xhr.send(null);
    this.xhr = xhr;
  }

  /**
   * @private
   * @param {string} text
   * @param {boolean} [last]
   */
  consume(text, last = false) {
    if (text) this.activity();
    const decoder = /** @type {NdjsonDecoder} */ (this.decoder);
    const frames = decoder.push(text);
    if (last) frames.push(...decoder.end());
    for (const frame of frames) {
      if (this.closed) return;
      this.receive(frame);
    }
  }

  /**
   * @protected
   * @param {Record<string, unknown>[]} frames
   */
  write(frames) {
    this.poster?.post(frames);
  }

  /** @protected */
  doClose() {
    const abort = this.abort;
    const xhr = this.xhr;
    if (xhr) {
      xhr.onprogress = xhr.onreadystatechange = xhr.onerror = null;
    }
    const closeStream = () => {
      abort?.abort();
      xhr?.abort();
    };
    if (this.poster) {
      this.poster.drain(DRAIN_MS).then(closeStream);
    } else {
      closeStream();
    }
  }
}
