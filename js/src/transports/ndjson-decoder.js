import { LasthopError } from '../errors.js';
import { parseFrame } from './transport.js';

/**
 * Splits an HTTP streaming body into frames: one JSON object per line, lines ended by "\n"
 * (a "\r" before it is tolerated). Blank and whitespace-only lines, such as the 2 KiB padding
 * line that makes buffering proxies start forwarding, are skipped. Text arrives in arbitrary
 * pieces, so a line may span any number of `push` calls.
 */
export class NdjsonDecoder {
  constructor() {
    this.partial = '';
  }

  /**
   * @param {string} text the next piece of the body, already decoded from UTF-8
   * @returns {Record<string, any>[]} the frames completed by this piece
   * @throws {LasthopError} `protocol` for a line that is not a frame
   */
  push(text) {
    const lines = (this.partial + text).split('\n');
    this.partial = /** @type {string} */ (lines.pop());
    /** @type {Record<string, any>[]} */
    const frames = [];
    for (const line of lines) {
      const frame = decodeLine(line);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /**
   * The body ended: a last line without "\n" still counts.
   * @returns {Record<string, any>[]}
   */
  end() {
    const frame = decodeLine(this.partial);
    this.partial = '';
    return frame ? [frame] : [];
  }
}

/** @param {string} line */
function decodeLine(line) {
  if (line.trim() === '') return null;
  const frame = parseFrame(line);
  if (!frame) throw new LasthopError('protocol', `malformed line in the stream: ${line.slice(0, 80)}`);
  return frame;
}
