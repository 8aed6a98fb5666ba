/**
 * The edge's URLs (PROTOCOL.md §2). `baseUrl` is where `/lasthop/...` lives: the page's origin,
 * or a path prefix behind a reverse proxy (`https://example.com/edge` serves
 * `https://example.com/edge/lasthop/ws`). `ws:`/`wss:` and `http:`/`https:` are interchangeable.
 */
export class Endpoints {
  /**
   * @param {string} baseUrl absolute, or relative to `pageUrl`
   * @param {string} [pageUrl] the page's location, for relative `baseUrl`s
   */
  constructor(baseUrl, pageUrl) {
    const url = new URL(baseUrl, pageUrl);
    if (url.protocol === 'ws:') url.protocol = 'http:';
    if (url.protocol === 'wss:') url.protocol = 'https:';
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`the edge URL must be http(s) or ws(s), not ${url.protocol}`);
    }
    url.search = '';
    url.hash = '';
    url.pathname = url.pathname.replace(/\/+$/, '');
    /** @type {string} */
    this.base = url.href.replace(/\/+$/, '');
    /** @type {string} */
    this.origin = url.origin;
  }

  /**
   * @param {string} path below `/lasthop/`
   * @param {Record<string, string | null | undefined>} params left out when null or undefined
   */
  url(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined) query.set(key, value);
    }
    const search = query.toString();
    return `${this.base}/lasthop/${path}${search ? `?${search}` : ''}`;
  }

  /** @param {Record<string, string | null | undefined>} params */
  webSocket(params) {
    return this.url('ws', params).replace(/^http/, 'ws');
  }
}
