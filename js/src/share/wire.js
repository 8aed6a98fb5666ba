import { LasthopError } from '../errors.js';

/**
 * What tabs of a shared session post to each other (BroadcastChannel, structured clone). Errors
 * travel as plain data: a clone of an Error keeps its message but not `code` and the rest.
 *
 * Down, from the leader to every tab (`to` when meant for one):
 *   {k:'leader', from}                          a tab took the lead; followers join it
 *   {k:'welcome', from, to, state, transport, hello, epoch, tabs}
 *   {k:'state', from, state, transport, extra, always}
 *   {k:'open', from, hello, transport, epoch}   a new connection (a new `hello`)
 *   {k:'msg', from, frame, epoch}               a delivery, for every tab
 *   {k:'ans', from, to, ref, error?}            the answer to a tab's request
 *   {k:'error', from, error}  {k:'stopped', from, error}  {k:'tabs', from, count}
 * Up, from a tab to the leader:
 *   {k:'join', from}  {k:'leave', from}  {k:'req', from, frame}  {k:'handled', from, epoch, seq}
 */

/**
 * @param {LasthopError} error
 * @returns {Record<string, unknown>}
 */
export function errorToData(error) {
  const { code, message, serverCode, status, closeCode, retryAfterMs } = error;
  return { code, message, serverCode, status, closeCode, retryAfterMs };
}

/**
 * @param {any} data
 * @returns {LasthopError}
 */
export function errorFromData(data) {
  return new LasthopError(data.code, data.message, {
    serverCode: data.serverCode,
    status: data.status,
    closeCode: data.closeCode,
    retryAfterMs: data.retryAfterMs,
  });
}

/**
 * A state change's extra fields, with its error as data.
 * @param {Record<string, any>} extra
 */
export function extraToData(extra) {
  return extra.error ? { ...extra, error: errorToData(extra.error) } : { ...extra };
}

/** @param {Record<string, any>} data */
export function extraFromData(data) {
  return data.error ? { ...data, error: errorFromData(data.error) } : { ...data };
}

/** Lock and channel names of a group of tabs. */
export const names = {
  /** @param {string} key */
  leader: (key) => `lasthop:leader:${key}`,
  /** @param {string} key @param {string} tab */
  tab: (key, tab) => `lasthop:tab:${key}:${tab}`,
  /** @param {string} key */
  tabPrefix: (key) => `lasthop:tab:${key}:`,
  /** @param {string} key */
  down: (key) => `lasthop:down:${key}`,
  /** @param {string} key */
  up: (key) => `lasthop:up:${key}`,
};
