import { LasthopClient } from './client.js';

export { LasthopClient } from './client.js';
export { LasthopError } from './errors.js';
export { Message } from './message.js';
export { TRANSPORT_NAMES } from './negotiator.js';

/**
 * Connects to a Lasthop edge and keeps the connection up until `close()`.
 *
 * @example
 * const client = connect('https://app.example.com', { token: () => fetchToken() });
 * client.on('message', (message) => console.log(message.body));
 *
 * @param {string | readonly string[]} url the edge's base URL: the origin (or path prefix)
 *   serving `/lasthop/...`; or several edge nodes' URLs, tried in order
 * @param {import('./client.js').ClientOptions & import('./env.js').EnvironmentOptions & import('./share/tab-link.js').ShareEnvironment} options
 * @returns {LasthopClient}
 */
export function connect(url, options) {
  return new LasthopClient(url, options);
}
