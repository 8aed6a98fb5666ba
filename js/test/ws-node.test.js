// The client under Node with the `ws` package as its WebSocket (README: "Node").
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./node/close-while-connecting.mjs', import.meta.url));

/** @param {string} how */
function run(how) {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, how], { timeout: 10000 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
}

test('with ws, closing the client while its socket is still connecting does not crash the process', async () => {
  const { code, stdout, stderr } = await run('close');
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^survived close/);
});

test('with ws, a hello timeout that closes a connecting socket does not crash the process', async () => {
  const { code, stdout, stderr } = await run('hello-timeout');
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^survived hello-timeout: /);
});
