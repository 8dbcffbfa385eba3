// One browser for the figures of many notebook kernels. Each kernel that shows a figure would
// otherwise start Chromium and load plotly.js into it: ~2 s of wall time and ~1.7 CPU s per figure
// cell on a 2-core machine (measured: V8 compiling plotly.js's 4.6 MB is most of it, and a new
// browser context compiles it again), against ~0.1 s to draw the figure itself. The notebook
// runner starts this service, hands its address to the kernels through RENDERER_ENV, and ends it
// when the notebooks are done; a kernel without the variable (a researcher's own Jupyter) renders
// in its own browser as before. The PNG is the same drawing either way: the same plotly.js in the
// same Chromium, given the same spec.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openPlotlyPage, toImage, Spec } from './render.js';

/** The environment variable that carries the service's address (with its token) to the kernels. */
export const RENDERER_ENV = 'SHADOWBENCH_RENDERER';

export interface RenderService { url: string; close(): Promise<void> }

/** The largest request body the service reads (a figure's spec is kilobytes to a few MB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** PNGs (base64) of `specs` at `scale` from the service at `url`. */
export async function renderRemotely(url: string, specs: readonly Spec[], scale: number): Promise<string[]> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ specs, scale }) });
  if (!r.ok) throw new Error(`render service at ${new URL(url).host}: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  return (await r.json()) as string[];
}

/** A request's body as text, decoded once (a character may straddle two chunks); null if it is
 *  longer than `max` bytes. */
export async function bodyOf(req: AsyncIterable<Buffer>, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += chunk.length;
    if (bytes > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Start Chromium with plotly.js loaded and serve PNGs on 127.0.0.1 at a secret path; one
 *  request draws at a time (one page), in arrival order. A page that crashed is opened afresh
 *  for the next request, so one bad figure fails only its own cell. */
export async function startRenderService(maxBodyBytes = MAX_BODY_BYTES): Promise<RenderService> {
  let browser = await openPlotlyPage();
  const path = `/${randomBytes(16).toString('hex')}`;
  let queue: Promise<unknown> = Promise.resolve();
  const draw = async (specs: Spec[], scale: number): Promise<string[]> => {
    if (!Array.isArray(specs) || !(Number.isFinite(scale) && scale > 0 && scale <= 10)) throw new Error('expected {specs: [...], scale: a number in (0, 10]}');
    if (browser.page.isClosed()) { await browser.close().catch(() => undefined); browser = await openPlotlyPage(); }
    const out: string[] = [];
    for (const s of specs) out.push(await toImage(browser.page, s, 'png', scale));
    return out;
  };
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== path) { res.writeHead(404).end(); return; }
    const body = await bodyOf(req, maxBodyBytes);
    if (body === null) { res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end(`a request is at most ${maxBodyBytes} bytes`); return; }
    const job = queue.then(() => { const { specs, scale } = JSON.parse(body) as { specs: Spec[]; scale: number }; return draw(specs, scale); });
    queue = job.catch(() => undefined);
    try {
      const pngs = await job;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pngs));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String((e as Error).message ?? e));
    }
  };
  const server = createServer((req, res) => { serve(req, res).catch(() => res.destroy()); });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: async () => {
      await new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); });
      await browser.close().catch(() => undefined); // a browser that already died needs no closing
    },
  };
}
