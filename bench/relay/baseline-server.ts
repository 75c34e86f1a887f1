// The baseline the relay is measured against: a bare `ws` server that only
// broadcasts to the same groups. No auth, no validation, no storage, no
// presence. It speaks just enough of the relay's dialect that the load
// generator treats both the same way and that the frames on the wire have the
// same shape and size:
//
//   client: {"t":"hello","user":"u7","convs":["g0"]}      → {"t":"synced"}
//   client: {"t":"send","cid","conv","body"}               → {"t":"ack","cid","msg"} to the sender,
//                                                            {"t":"msg","msg"} to the other members
//
// Usage: node bench/relay/baseline-server.ts [--host 127.0.0.1] [--port 0]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { type WebSocket, WebSocketServer } from 'ws';
import { SUBPROTOCOL, WS_PATH } from '../../src/shared/protocol/index.ts';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});

interface Member {
  socket: WebSocket;
  user: string;
}

interface Group {
  seq: number;
  members: Set<Member>;
}

const groups = new Map<string, Group>();

function groupOf(id: string): Group {
  let group = groups.get(id);
  if (!group) {
    group = { seq: 0, members: new Set() };
    groups.set(id, group);
  }
  return group;
}

const http = createServer((_request, response) => {
  response.writeHead(404).end();
});
// Same transport settings as the relay promises: no compression, 64 KiB frames.
const wss = new WebSocketServer({
  server: http,
  path: WS_PATH,
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
  handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});

wss.on('connection', (socket) => {
  let member: Member | undefined;
  const joined: Group[] = [];

  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { t: string; user?: string; convs?: string[]; cid?: string; conv?: string; body?: string };
    if (frame.t === 'hello') {
      member = { socket, user: String(frame.user) };
      for (const id of frame.convs ?? []) {
        const group = groupOf(id);
        group.members.add(member);
        joined.push(group);
      }
      socket.send('{"t":"synced"}');
      return;
    }
    if (frame.t === 'send' && member && frame.conv !== undefined) {
      const group = groups.get(frame.conv);
      if (!group) return;
      const msg = { conv: frame.conv, seq: ++group.seq, cid: frame.cid, from: member.user, body: frame.body, ts: Date.now() };
      // Serialise once per message, as any sensible broadcaster would.
      const ack = JSON.stringify({ t: 'ack', cid: frame.cid, msg });
      const delivery = JSON.stringify({ t: 'msg', msg });
      socket.send(ack);
      for (const other of group.members) if (other !== member) other.socket.send(delivery);
    }
  });

  socket.on('close', () => {
    if (member) for (const group of joined) group.members.delete(member);
  });
});

http.listen(Number(values.port), values.host, () => {
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected server address');
  console.log(`duplex baseline listening on http://${address.address}:${address.port}`);
});

// Stop with the benchmark: on a signal, or when the parent closes our stdin
// (which also covers a parent that died without cleaning up).
function shutdown(): void {
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown).resume();
