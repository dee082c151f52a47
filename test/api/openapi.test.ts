import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startSandbox, type RunningSandbox } from '../../src-main/testing/index.js';
import { RESPONSES } from '../../src-main/wire/schemas.js';

type Document = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

let mb: RunningSandbox;
let doc: Document;

beforeAll(async () => {
  mb = await startSandbox();
  doc = (await (await fetch(`${mb.http}/api/v1/openapi.json`)).json()) as Document;
});
afterAll(() => mb?.stop());

/** The simulate route's schema is checked with the route itself (simulate.test.ts). */
const operations = Object.keys(RESPONSES).filter(
  (op) => !op.endsWith('/simulate'),
) as (keyof typeof RESPONSES)[];

describe('the served OpenAPI document', () => {
  it.each(operations)('describes %s with the schema the client is typed from', (operation) => {
    const [method, path] = operation.split(' ') as [string, string];
    const described = doc.paths[path]?.[method]?.responses['200']?.content?.['application/json']?.schema;
    expect(described, `${operation} is not in the document`).toBeDefined();
    expect(described).toEqual(z.toJSONSchema(RESPONSES[operation], { io: 'output' }));
  });

  it('leaves routes without a wire schema as a bare 200', () => {
    expect(doc.paths['/api/v1/webui']?.get?.responses['200']).toEqual({ description: 'OK' });
  });
});
