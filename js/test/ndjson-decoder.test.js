import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LasthopError } from '../src/errors.js';
import { NdjsonDecoder } from '../src/transports/ndjson-decoder.js';

const PADDING = `${' '.repeat(2048)}\n`;

test('skips the padding line and yields one frame per line', () => {
  const decoder = new NdjsonDecoder();
  const frames = decoder.push(`${PADDING}{"t":"hello","session":"s"}\n{"t":"ping"}\n`);
  assert.deepEqual(frames, [{ t: 'hello', session: 's' }, { t: 'ping' }]);
});

test('a frame split at every possible point comes out whole, once', () => {
  const text = `${PADDING}{"t":"msg","seq":1,"id":"a","body":{"text":"hi"}}\n{"t":"ping"}\n`;
  for (let cut = 0; cut <= text.length; cut++) {
    const decoder = new NdjsonDecoder();
    const frames = [...decoder.push(text.slice(0, cut)), ...decoder.push(text.slice(cut))];
    assert.deepEqual(frames.map((f) => f.t), ['msg', 'ping'], `cut at ${cut}`);
  }
});

test('a frame delivered one character at a time', () => {
  const decoder = new NdjsonDecoder();
  const frames = [];
  for (const ch of '{"t":"ping"}\n\n   \n{"t":"pong"}\n') frames.push(...decoder.push(ch));
  assert.deepEqual(frames, [{ t: 'ping' }, { t: 'pong' }]);
});

test('CRLF line ends and whitespace-only lines are tolerated', () => {
  const decoder = new NdjsonDecoder();
  assert.deepEqual(decoder.push('{"t":"ping"}\r\n \t\r\n{"t":"pong"}\r\n'), [{ t: 'ping' }, { t: 'pong' }]);
});

test('multi-byte UTF-8 split across network chunks decodes with a streaming TextDecoder', () => {
  const bytes = new TextEncoder().encode('{"t":"msg","body":"héllo ✓ 🐇"}\n');
  const emoji = bytes.indexOf(0xf0);
  const text = new TextDecoder();
  const decoder = new NdjsonDecoder();
  const frames = [
    ...decoder.push(text.decode(bytes.subarray(0, emoji + 2), { stream: true })),
    ...decoder.push(text.decode(bytes.subarray(emoji + 2), { stream: true })),
  ];
  assert.deepEqual(frames, [{ t: 'msg', body: 'héllo ✓ 🐇' }]);
});

test('end() yields a last line that had no newline', () => {
  const decoder = new NdjsonDecoder();
  assert.deepEqual(decoder.push('{"t":"ping"}\n{"t":"clo'), [{ t: 'ping' }]);
  assert.deepEqual(decoder.push('se","code":4000}'), []);
  assert.deepEqual(decoder.end(), [{ t: 'close', code: 4000 }]);
  assert.deepEqual(decoder.end(), []);
});

test('a line that is not a frame is a protocol error', () => {
  const decoder = new NdjsonDecoder();
  assert.throws(() => decoder.push('{"t":"ping"\n'), (e) => e instanceof LasthopError && e.code === 'protocol');
  assert.throws(() => new NdjsonDecoder().push('[1,2]\n'), LasthopError);
  assert.throws(() => new NdjsonDecoder().push('{"no":"type"}\n'), LasthopError);
});
