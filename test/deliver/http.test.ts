// HttpClient against real servers on 127.0.0.1: answers, size limits with and
// without a declared length, timeouts, resets, refusals, aborts, and deadlines
// shared by many requests.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deadline, HttpClient, type HttpResult } from '../../src/deliver/index.js';

let server: Server;
let base = '';
const sockets = new Set<Socket>();

/** Requests the server has seen, by path. */
const seen = new Map<string, number>();

/** Routes by path: /json, /repeated, /big, /chunks/N (N bytes in 1 KiB chunks, no length), /hints (103 first), /hang, /reset. */
function answer(path: string, res: ServerResponse): void {
  seen.set(path, (seen.get(path) ?? 0) + 1);
  if (path === '/json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  } else if (path === '/repeated') {
    res.setHeader('x-tag', ['a', 'b']);
    res.end('two');
  } else if (path === '/big') {
    res.end('x'.repeat(4096));
  } else if (path.startsWith('/chunks/')) {
    let left = Number(path.slice('/chunks/'.length));
    res.writeHead(200, { 'content-type': 'text/plain' }); // no content-length: chunked
    const next = () => {
      if (left <= 0 || res.destroyed) return void res.end();
      const n = Math.min(1024, left);
      left -= n;
      res.write('y'.repeat(n), next);
    };
    next();
  } else if (path === '/hints') {
    res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    res.end('after hints');
  } else if (path === '/reset') {
    res.socket?.destroy();
  } else if (path !== '/hang') {
    res.writeHead(404);
    res.end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req.url ?? '/', res));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

async function withClient<T>(fn: (c: HttpClient) => Promise<T>): Promise<T> {
  const c = new HttpClient();
  try {
    return await fn(c);
  } finally {
    await c.destroy();
  }
}

const failure = (r: HttpResult) => (r.ok ? 'ok' : r.error);

describe('HttpClient', () => {
  it('reads an answer: status, body, and repeated headers joined', async () => {
    await withClient(async (c) => {
      const r = await c.request({ url: `${base}/json`, method: 'POST', body: '{}', timeoutMs: 2000 });
      expect(r.ok && r.status).toBe(200);
      expect(r.ok && r.body).toBe('{"ok":true}');
      expect(r.ok && r.headers['content-type']).toBe('application/json');
      const rep = await c.request({ url: `${base}/repeated`, method: 'GET', timeoutMs: 2000 });
      expect(rep.ok && rep.headers['x-tag']).toBe('a, b');
      expect(c.poolCount).toBe(1); // one keep-alive pool per origin
    });
  });

  it('refuses answers over the size limit, declared or streamed', async () => {
    await withClient(async (c) => {
      const declared = await c.request({ url: `${base}/big`, method: 'GET', timeoutMs: 2000, maxBytes: 1000 });
      expect(failure(declared)).toBe('too-large');
      expect(declared.status).toBe(200);
      const streamed = await c.request({ url: `${base}/chunks/8192`, method: 'GET', timeoutMs: 2000, maxBytes: 3000 });
      expect(failure(streamed)).toBe('too-large');
      const small = await c.request({ url: `${base}/chunks/2500`, method: 'GET', timeoutMs: 2000, maxBytes: 3000 });
      expect(small.ok && small.body.length).toBe(2500);
    });
  });

  it('classifies timeouts, resets, refusals, aborts and bad URLs', async () => {
    await withClient(async (c) => {
      expect(failure(await c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 100 }))).toBe('timeout');
      expect(failure(await c.request({ url: `${base}/reset`, method: 'GET', timeoutMs: 2000 }))).toBe('reset');
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      expect(failure(await c.request({ url: `http://127.0.0.1:${port}/`, method: 'GET', timeoutMs: 2000 }))).toBe('refused');
      const ac = new AbortController();
      const pending = c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 5000, signal: ac.signal });
      ac.abort();
      expect(failure(await pending)).toBe('aborted');
      expect(failure(await c.request({ url: 'ftp://127.0.0.1/x', method: 'GET', timeoutMs: 100 }))).toBe('bad-url');
      expect(failure(await c.request({ url: 'not a url', method: 'GET', timeoutMs: 100 }))).toBe('bad-url');
    });
  });

  it('reads the final answer after an informational 1xx one', async () => {
    await withClient(async (c) => {
      const r = await c.request({ url: `${base}/hints`, method: 'GET', timeoutMs: 2000 });
      expect(r.ok && r.status).toBe(200);
      expect(r.ok && r.body).toBe('after hints');
    });
  });

  it('a closed client sends nothing', async () => {
    const c = new HttpClient();
    await c.close();
    expect(failure(await c.request({ url: `${base}/json`, method: 'GET', timeoutMs: 100 }))).toBe('aborted');
  });
});

describe('HttpClient.send (the callback form)', () => {
  it('hands the answer to its callback exactly once, and a bad URL at once', async () => {
    const http = new HttpClient();
    try {
      const results: HttpResult[] = [];
      const got = new Promise<void>((resolve) =>
        http.send({ url: `${base}/json`, method: 'GET', timeoutMs: 2000 }, (r) => {
          results.push(r);
          resolve();
        }),
      );
      await got;
      await new Promise((r) => setTimeout(r, 20));
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ ok: true, status: 200, body: '{"ok":true}' });

      let bad: HttpResult | null = null;
      http.send({ url: 'ftp://x/', method: 'GET', timeoutMs: 100 }, (r) => (bad = r));
      expect(bad).toMatchObject({ ok: false, error: 'bad-url' }); // no turn of the event loop
    } finally {
      await http.close();
    }
  });

  it('a hanging answer reaches the callback once, as a timeout, when its shared deadline ends', async () => {
    const http = new HttpClient();
    try {
      const deadline = new Deadline(80);
      const results: HttpResult[] = [];
      await new Promise<void>((resolve) =>
        http.send({ url: `${base}/hang`, method: 'GET', timeoutMs: 80, deadline }, (r) => {
          results.push(r);
          resolve();
        }),
      );
      await new Promise((r) => setTimeout(r, 50)); // room for a second call, which must not come
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ ok: false, error: 'timeout' });
    } finally {
      await http.destroy();
    }
  });
});

describe('Deadline', () => {
  it('times out every request sharing it, and only those still waiting', async () => {
    await withClient(async (c) => {
      const d = new Deadline(150);
      const results = await Promise.all([
        c.request({ url: `${base}/json`, method: 'GET', timeoutMs: 150, deadline: d }),
        c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 150, deadline: d }),
        c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 150, deadline: d }),
      ]);
      expect(results.map(failure)).toEqual(['ok', 'timeout', 'timeout']);
      expect(d.expired).toBe(true);
    });
  });

  it('abort() and an outer signal end the waiting requests as aborted', async () => {
    await withClient(async (c) => {
      const d = new Deadline(5000);
      const pending = c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 5000, deadline: d });
      d.abort();
      expect(failure(await pending)).toBe('aborted');
      expect(d.expired).toBe(false);

      const outer = new AbortController();
      const linked = new Deadline(5000, outer.signal);
      const p2 = c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 5000, deadline: linked });
      outer.abort();
      expect(failure(await p2)).toBe('aborted');

      const early = new AbortController();
      early.abort();
      const born = new Deadline(5000, early.signal);
      expect(born.ended).toBe(true);
    });
  });

  it('a request on a deadline that has already ended fails at once and is never sent', async () => {
    await withClient(async (c) => {
      const d = new Deadline(5000);
      d.abort();
      const before = seen.get('/json') ?? 0;
      expect(failure(await c.request({ url: `${base}/json`, method: 'GET', timeoutMs: 5000, deadline: d }))).toBe('aborted');
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.get('/json') ?? 0).toBe(before);
    });
  });

  it('a request still queued for a connection when its deadline ends times out and is never sent', async () => {
    const c = new HttpClient({ connections: 1 });
    try {
      const first = c.request({ url: `${base}/hang`, method: 'GET', timeoutMs: 300 });
      let firstEnded = false;
      void first.then(() => (firstEnded = true));
      const d = new Deadline(60);
      const queued = await c.request({ url: `${base}/json?queued`, method: 'GET', timeoutMs: 60, deadline: d });
      expect(failure(queued)).toBe('timeout');
      expect(firstEnded).toBe(false); // ended by its deadline, not once the request ahead of it let go of the connection
      expect(failure(await first)).toBe('timeout');
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.get('/json?queued') ?? 0).toBe(0);
    } finally {
      await c.destroy();
    }
  });

  it('cancel() stops the timer: it never expires afterwards', async () => {
    const d = new Deadline(20);
    d.cancel();
    await new Promise((r) => setTimeout(r, 60));
    expect(d.expired).toBe(false);
    expect(d.ended).toBe(false);
  });
});
