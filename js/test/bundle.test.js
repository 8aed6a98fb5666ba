import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { build } from 'esbuild';
import { builds } from '../build.config.mjs';
import { fakeWebSocketClass, hello } from '../test-support/fakes.js';

test('the script-tag bundle defines a global Lasthop that connects', async () => {
  const options = /** @type {any} */ (builds.find((b) => b.format === 'iife' && b.minify));
  const result = await build({ ...options, write: false, sourcemap: false });
  const code = result.outputFiles[0].text;
  const WebSocket = fakeWebSocketClass();
  const context = vm.createContext({ WebSocket, setTimeout, clearTimeout, URL, URLSearchParams, TextDecoder, atob, btoa });
  vm.runInContext(code, context);
  const { Lasthop } = context;
  assert.equal(typeof Lasthop.connect, 'function');
  assert.equal(typeof Lasthop.LasthopError, 'function');
  assert.deepEqual([...Lasthop.TRANSPORT_NAMES], ['websocket', 'sse', 'stream', 'poll']);
  const client = Lasthop.connect('https://app.example.com', { token: 'tok', localStorage: null, sessionStorage: null });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(WebSocket.instances[0].url, 'wss://app.example.com/lasthop/ws?token=tok');
  WebSocket.instances[0].receive(hello());
  assert.equal(client.state, 'open');
  client.close();
});

test('the ES module build exports the public API', async () => {
  const options = /** @type {any} */ (builds.find((b) => b.format === 'esm'));
  const result = await build({ ...options, write: false, sourcemap: false });
  const code = result.outputFiles[0].text;
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  const module = await import(url);
  assert.deepEqual(Object.keys(module).sort(), ['LasthopClient', 'LasthopError', 'Message', 'TRANSPORT_NAMES', 'connect']);
});
