/**
 * AMQP topic matching, as `lasthop.topic` routes (PROTOCOL.md §8): words separated by `.`, `*`
 * matches exactly one word, `#` zero or more. A shared session holds the topics of every tab, and
 * each tab shows only what its own topics match.
 * @param {string} pattern
 * @param {string} key a literal routing key
 * @returns {boolean}
 */
export function topicMatches(pattern, key) {
  const p = pattern.split('.');
  const k = key.split('.');
  // reach[j]: the first i pattern words can match the first j key words.
  let reach = new Array(k.length + 1).fill(false);
  reach[0] = true;
  for (const word of p) {
    const next = new Array(k.length + 1).fill(false);
    if (word === '#') {
      let any = false;
      for (let j = 0; j <= k.length; j++) next[j] = any = any || reach[j];
    } else {
      for (let j = 1; j <= k.length; j++) next[j] = reach[j - 1] && (word === '*' || word === k[j - 1]);
    }
    reach = next;
  }
  return reach[k.length];
}

/**
 * @param {Iterable<string>} patterns
 * @param {string} key
 */
export function matchesAny(patterns, key) {
  for (const pattern of patterns) if (topicMatches(pattern, key)) return true;
  return false;
}
