import { WebSocket } from 'undici';

/**
 * A DevTools session on one isolate of a workerd process, through workerd's own inspector (Miniflare's
 * `inspectorPort`). It only sends commands (no domain is enabled), so workerd keeps no events for it. Node 20
 * has no global WebSocket: undici's (a dependency of miniflare) is the client.
 */
export class IsolateSession {
  private next = 0;
  private readonly pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message);
    });
    socket.addEventListener('close', () => {
      for (const done of this.pending.values()) done({ error: 'closed' });
    });
  }

  /** Opens a session on the isolate whose inspector id matches (workerd names them after services, e.g. `core:entry`). */
  static async open(inspector: URL, id: RegExp): Promise<IsolateSession> {
    const targets = await (await fetch(`http://${inspector.host}/json/list`)).json() as { id: string; webSocketDebuggerUrl: string }[];
    const target = targets.find((t) => id.test(t.id));
    if (!target) throw new Error(`no isolate ${id} on workerd's inspector (found ${targets.map((t) => t.id).join(', ')})`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`could not open ${target.webSocketDebuggerUrl}`)), { once: true });
    });
    return new IsolateSession(socket);
  }

  /** A command's result, or undefined when it failed or had no answer within `timeoutMs`. */
  async send<T>(method: string, params: object = {}, timeoutMs = 10_000): Promise<T | undefined> {
    const id = ++this.next;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const message = await new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
        this.pending.set(id, resolve);
        timer = setTimeout(() => resolve({ error: 'timeout' }), timeoutMs);
        this.socket.send(JSON.stringify({ id, method, params }));
      });
      return message.error === undefined ? (message.result as T) : undefined;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  close(): void {
    this.socket.close();
  }
}
