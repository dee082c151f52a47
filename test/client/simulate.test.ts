import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { startSandbox, type RunningSandbox } from '../../src-main/testing/index.js';
import { MailbeaconError } from '../../src-main/client/index.js';
import { RESPONSES, simulationResult } from '../../src-main/wire/schemas.js';

let mb: RunningSandbox;

beforeAll(async () => {
  mb = await startSandbox();
});
afterAll(() => mb?.stop());

describe('client.simulate', () => {
  it('plays a recipient profile whose answer matches the wire schema, and its hits are recorded', async () => {
    const transport = nodemailer.createTransport({ host: mb.smtp.host, port: mb.smtp.port });
    await transport.sendMail({
      from: 'app@example.com',
      to: 'sim@example.com',
      subject: 'Simulated',
      html: '<html><body><a href="https://example.com/a">A</a></body></html>',
    });
    transport.close();
    const { ID } = await mb.client.waitForMail({ to: 'sim@example.com' });
    const result = simulationResult.parse(await mb.client.simulate(ID, 'human-click', { link: 1 }));
    expect(result.profile).toBe('human-click');
    expect(result.steps.map((s) => s.kind)).toContain('click');
    const click = await mb.client.waitForEvent({ message: ID, kind: 'click' });
    expect(click.url).toBe('https://example.com/a');
  });

  it('answers 400 for an unknown profile and 404 for an unknown mail', async () => {
    const { ID } = await mb.client.waitForMail({ to: 'sim@example.com' });
    const unknownProfile = await mb.client
      // @ts-expect-error: a profile the server does not know
      .simulate(ID, 'carrier-pigeon')
      .catch((e: unknown) => e);
    expect((unknownProfile as MailbeaconError).status).toBe(400);
    const unknownMail = await mb.client.simulate('no-such-mail', 'human-open').catch((e: unknown) => e);
    expect((unknownMail as MailbeaconError).status).toBe(404);
  });

  it('is described in the OpenAPI document with the same schema', async () => {
    const doc = (await (await fetch(`${mb.http}/api/v1/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >;
    };
    const described =
      doc.paths['/api/v1/message/{id}/simulate']?.post?.responses['200']?.content?.['application/json']
        ?.schema;
    expect(described).toEqual(
      z.toJSONSchema(RESPONSES['post /api/v1/message/{id}/simulate'], { io: 'output' }),
    );
  });
});
