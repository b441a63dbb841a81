// A counting TCP proxy in front of PostgreSQL, used once per benchmark run to
// learn how many round-trips an endpoint makes (the floor must do as many).
// It counts frontend Sync ('S') and simple Query ('Q') messages: postgres.js
// ends every extended-protocol query with one Sync.
import type { Socket } from "bun";

export interface CountingProxy {
  port: number;
  count(): number;
  stop(): void;
}

export function startCountingProxy(targetHost: string, targetPort: number): CountingProxy {
  let queries = 0;
  type State = { upstream: Socket<unknown> | null; pending: Uint8Array[]; buf: Uint8Array; started: boolean };
  const server = Bun.listen<State>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        client.data = { upstream: null, pending: [], buf: new Uint8Array(0), started: false };
        client.data.upstream = await Bun.connect({
          hostname: targetHost,
          port: targetPort,
          socket: {
            data(_up, chunk) {
              client.write(chunk);
            },
            close() {
              client.end();
            },
            error() {
              client.end();
            },
          },
        });
        for (const p of client.data.pending) client.data.upstream.write(p);
        client.data.pending = [];
      },
      data(client, chunk) {
        const st = client.data;
        // Parse frontend framing: the first message (startup / SSL request) has no type byte.
        let buf = new Uint8Array(st.buf.length + chunk.length);
        buf.set(st.buf);
        buf.set(chunk, st.buf.length);
        let off = 0;
        for (;;) {
          if (!st.started) {
            if (buf.length - off < 4) break;
            const len = new DataView(buf.buffer, buf.byteOffset + off).getInt32(0);
            if (buf.length - off < len) break;
            const code = new DataView(buf.buffer, buf.byteOffset + off).getInt32(4);
            off += len;
            if (code !== 80877103) st.started = true; // not an SSLRequest: startup done
            continue;
          }
          if (buf.length - off < 5) break;
          const type = buf[off];
          const len = new DataView(buf.buffer, buf.byteOffset + off + 1).getInt32(0);
          if (buf.length - off < len + 1) break;
          if (type === 0x53 || type === 0x51) queries++;
          off += len + 1;
        }
        st.buf = buf.slice(off);
        if (st.upstream) st.upstream.write(chunk);
        else st.pending.push(chunk);
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return { port: server.port, count: () => queries, stop: () => server.stop(true) };
}
