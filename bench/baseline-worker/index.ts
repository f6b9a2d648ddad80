// The soak's baseline: a Worker of our Worker's shape (a new Durable Object per new generation, which writes its
// storage, sets an alarm and calls NavTalk, and whose alarm polls once and keeps the finished video in R2, as ours
// copies it) with none of our logic, so that the soak can tell workerd's own growth from ours. Run on workerd alone by
// bench/figures/soak.ts.
import { DurableObject } from 'cloudflare:workers';

interface BaselineEnv {
  OBJECTS: DurableObjectNamespace<BaselineObject>;
  RESULTS: R2Bucket;
  NAVTALK_BASE_URL: string;
  NAVTALK_API_KEY: string;
}

/** When the alarm polls: the soak's mock finishes a task 3 s after it starts. */
const POLL_AFTER_MS = 3000;

export class BaselineObject extends DurableObject<BaselineEnv> {
  /** Stores the script, starts the task on the mock, stores its answer and sets the alarm that polls it. */
  async start(script: unknown): Promise<unknown> {
    const storage = this.ctx.storage;
    await storage.put('script', script);
    const started = await (await fetch(`${this.env.NAVTALK_BASE_URL}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(script as object), license: this.env.NAVTALK_API_KEY }),
    })).json();
    await storage.put('task', started);
    await storage.setAlarm(Date.now() + POLL_AFTER_MS);
    return started;
  }

  state(): Promise<unknown> {
    return this.ctx.storage.get('task');
  }

  override async alarm(): Promise<void> {
    const task = await this.state() as { task_id?: string } | undefined;
    const query = new URLSearchParams({ task_id: task?.task_id ?? '', license: this.env.NAVTALK_API_KEY });
    const answer = await (await fetch(`${this.env.NAVTALK_BASE_URL}/query_status?${query}`)).json() as { video_url?: string };
    await this.ctx.storage.put('task', answer);
    if (answer.video_url) await this.env.RESULTS.put(this.ctx.id.toString(), (await fetch(answer.video_url)).body);
  }
}

export default {
  // POST /: a new object (a new unique id) for the script in the body; GET /?id=: that object's stored task.
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    if (pathname === '/health') return Response.json({ ok: true });
    if (request.method === 'POST') {
      const id = env.OBJECTS.newUniqueId();
      const task = await env.OBJECTS.get(id).start(await request.json());
      return Response.json({ id: id.toString(), task });
    }
    const id = searchParams.get('id');
    if (!id) return Response.json({ error: 'id is required' }, { status: 400 });
    return Response.json(await env.OBJECTS.get(env.OBJECTS.idFromString(id)).state());
  },
} satisfies ExportedHandler<BaselineEnv>;
