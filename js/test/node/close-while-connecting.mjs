// Run by ws-node.test.js in a process of its own: a crash here must not take the test runner down.
// Connects with the `ws` package to a server that accepts TCP and never answers the handshake, and
// closes the client (or lets the hello timeout close the socket) while the socket is connecting.
import net from 'node:net';
import WebSocket from 'ws';
import { connect } from '../../src/index.js';

const how = process.argv[2]; // 'close' or 'hello-timeout'
const sockets = new Set();
const server = net.createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}`;

const client = connect(url, {
  token: 'x.eyJzdWIiOiJhbGljZSJ9.y', WebSocket, transports: ['websocket'], helloTimeoutMs: 100, backoffBaseMs: 50,
});
const errors = [];
client.on('error', (e) => errors.push(e.code));
await new Promise((resolve) => setTimeout(resolve, 50)); // the socket is connecting now
if (how === 'close') client.close();
await new Promise((resolve) => setTimeout(resolve, 400)); // long enough for ws to report the abort
client.close();
for (const socket of sockets) socket.destroy();
server.close();
console.log(`survived ${how}: ${errors.join(',')}`);
