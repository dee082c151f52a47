// Checks on hostile input, through the real listener: huge style sheets, unclosed angle-bracket URLs, deep
// nesting and oversize mails get a clear answer while the API keeps answering; the worker that runs them is killed
// when a check overruns; thumbnails refuse SVG and decompression bombs and keep what they made.
import { spawner } from '../../src-main/workers/index.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckRunner } from '../../src-main/checks/runner.js';
import { createLogger } from '../../src-main/logger.js';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startSandbox({ maxMessageSize: '40MB' });
});
afterAll(() => t.stop());

async function send(mail: Record<string, unknown>): Promise<string> {
  const transport = smtpTransport(t);
  try {
    const info = await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', ...mail });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

const get = async (path: string) => {
  const res = await fetch(`${t.http}${path}`, { signal: AbortSignal.timeout(120_000) });
  return { status: res.status, text: await res.text(), at: performance.now() };
};

/** A mail of 4,000 <style> blocks (340 KB), each using display:flex and border-radius. */
const sendStyleBlocks = () => {
  const blocks = Array.from(
    { length: 4000 },
    (_, i) => `<style>.c${i} { display: flex; border-radius: ${i}px; }</style>`,
  ).join('\n');
  return send({ subject: 'Styles', html: `<html><head>${blocks}</head><body><p>x</p></body></html>` });
};

/** Both checks of the mail's HTML refuse it with a 422 that says why. */
async function expectBothRefused(id: string, reason: RegExp): Promise<void> {
  for (const check of ['html-check', 'link-check']) {
    const { status, text } = await get(`/api/v1/message/${id}/${check}`);
    expect(status, check).toBe(422);
    expect(text, check).toMatch(reason);
  }
}

describe('checks off the main thread', () => {
  it('answers other requests while html-check reads 340 KB of style blocks', async () => {
    const id = await sendStyleBlocks();
    const check = get(`/api/v1/message/${id}/html-check`);
    const probe = await get('/api/v1/info');
    expect(probe.status).toBe(200);
    const done = await check;
    expect(done.at, 'the API answered before the check finished').toBeGreaterThan(probe.at);
    // Either the report, or the clear refusal of a check that overran its time.
    expect([200, 422]).toContain(done.status);
    if (done.status === 422) expect(done.text).toMatch(/too large to check/);
  }, 120_000);

  it('reports every one of 4,000 style blocks, each finding on its own line', async () => {
    const id = await sendStyleBlocks();
    const { status, text } = await get(`/api/v1/message/${id}/html-check`);
    expect(status, text.slice(0, 200)).toBe(200);
    const warnings = (
      JSON.parse(text) as { Warnings: { Title: string; Score: { Found: number }; Lines: number[] }[] }
    ).Warnings;
    for (const title of ['display:flex', 'display', '<style> element', 'border-radius', 'Class selector']) {
      const w = warnings.find((x) => x.Title === title);
      expect(w?.Score.Found, title).toBe(4000);
      expect(new Set(w?.Lines).size, title).toBe(4000);
    }
  }, 120_000);

  it('keeps a block’s findings when one of its declarations has no data for some client', async () => {
    // caniemail has no Thunderbird data for table-layout: checking the block fails as a whole.
    const html = `<html><head><style>\ntd { table-layout: fixed; }\np { display: flex; }\n</style></head><body><p>x</p></body></html>`;
    const id = await send({ subject: 'Table layout', html });
    const { status, text } = await get(`/api/v1/message/${id}/html-check`);
    expect(status, text.slice(0, 200)).toBe(200);
    const warnings = (JSON.parse(text) as { Warnings: { Title: string; Lines: number[] }[] }).Warnings;
    expect(warnings.find((w) => w.Title === 'display:flex')?.Lines).toEqual([expect.any(Number)]);
  }, 60_000);

  it('says "too large to check" for style blocks of too many distinct declarations', async () => {
    const letters = (n: number) => n.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!);
    const css = Array.from({ length: 21_000 }, (_, i) => `.a{x-${letters(i)}:y}`).join('\n');
    const id = await send({
      subject: 'Many',
      html: `<html><head><style>${css}</style></head><body>x</body></html>`,
    });
    const { status, text } = await get(`/api/v1/message/${id}/html-check`);
    expect(status).toBe(422);
    expect(text).toMatch(/too large to check: .*more than 20000 distinct declarations and selectors/);
  }, 120_000);

  it('extracts links from a 640 KB text part of unclosed <http:// in one pass', async () => {
    const text = `${'<http://a.test/x '.repeat(40_000)}\nsee http://b.test/end`;
    const id = await send({ subject: 'Brackets', text });
    const { status, text: body } = await get(`/api/v1/message/${id}/link-check`);
    expect(status).toBe(200);
    const links = (JSON.parse(body) as { Links: { URL: string }[] }).Links.map((l) => l.URL);
    expect(links).toContain('http://b.test/end');
  }, 120_000);

  it('says "too large to check" over the caps and answers deep nesting with a 4xx, not a crash', async () => {
    const deep = `<html><body>${'<div>'.repeat(30_000)}x${'</div>'.repeat(30_000)}</body></html>`;
    const id = await send({ subject: 'Deep', html: deep });
    await expectBothRefused(id, /too deeply nested to check/);
    const big = await send({ subject: 'Big', html: `<p>${'x'.repeat(3 * 1024 * 1024)}</p>` });
    await expectBothRefused(big, /too large to check: .* is 3\.0 MB, the limit is 2\.0 MB/);
    expect((await get('/api/v1/info')).status).toBe(200);
  }, 120_000);

  it('kills the worker of a check that overruns its time, and the next check gets a fresh one', async () => {
    const runner = new CheckRunner({
      spawn: spawner('checks-worker'),
      logger: createLogger('error'),
      timeLimitMs: { 'html-check': 200 },
    });
    try {
      const blocks = Array.from({ length: 3000 }, (_, i) => `<style>.c${i}{display:flex}</style>`).join('');
      const raw = Buffer.from(
        `Content-Type: text/html\r\n\r\n<html><head>${blocks}</head><body>x</body></html>`,
      );
      await expect(runner.run({ kind: 'html-check', raw })).rejects.toThrow(/took longer than 0.2 s/);
      const links = await runner.run<string[]>({
        kind: 'links',
        raw: Buffer.from('Content-Type: text/plain\r\n\r\nsee http://a.test/ok'),
      });
      expect(links).toEqual(['http://a.test/ok']);
    } finally {
      await runner.close();
    }
  }, 60_000);
});

describe('thumbnails', () => {
  it('gives a blank thumbnail for SVG (nested <use>) and for images over the pixel limit, and keeps what it made', async () => {
    const uses = Array.from(
      { length: 12 },
      (_, i) =>
        `<g id="l${i + 1}">${Array.from({ length: 10 }, (_, j) => `<use href="#l${i}" x="${j}"/>`).join('')}</g>`,
    ).join('');
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><defs><rect id="l0" width="600" height="400" fill="red"/>${uses}</defs><use href="#l12"/></svg>`,
    );
    const bomb = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#ff0000' } })
      .jpeg({ progressive: true, quality: 10 })
      .toBuffer();
    const id = await send({
      subject: 'Pictures',
      text: 'see attached',
      attachments: [
        { filename: 'nested.svg', content: svg, contentType: 'image/svg+xml' },
        { filename: 'svg-as-png.png', content: svg, contentType: 'image/png' },
        { filename: 'bomb.jpg', content: bomb, contentType: 'image/jpeg' },
      ],
    });
    const summary = (await (await fetch(`${t.http}/api/v1/message/${id}`)).json()) as {
      Attachments: { FileName: string; PartID: string }[];
    };
    for (const a of summary.Attachments) {
      const path = `${t.http}/api/v1/message/${id}/part/${a.PartID}/thumb`;
      const answers = await Promise.all(
        Array.from({ length: 8 }, async () => Buffer.from(await (await fetch(path)).arrayBuffer())),
      );
      const { data, info } = await sharp(answers[0]).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height], a.FileName).toEqual([180, 120]);
      const centre = [...data.subarray((60 * 180 + 90) * 3, (60 * 180 + 90) * 3 + 3)];
      expect(
        centre.every((v) => v > 230),
        `${a.FileName} is blank`,
      ).toBe(true);
      expect(answers.every((b) => b.equals(answers[0]!))).toBe(true);
    }
  }, 120_000);
});
