import { describe, expect, it } from 'vitest';
import { uiAuthResponder } from '../../src-main/app/ui-auth.js';
import { StandInEvent } from './stand-ins.js';

const APP = 'http://127.0.0.1:8025';
const credentials = { user: 'dev', pass: 's3cret' };

function ask(responder: ReturnType<typeof uiAuthResponder>, url: string, isProxy = false) {
  const event = new StandInEvent();
  const answers: [string | undefined, string | undefined][] = [];
  responder(event, null, { url }, { isProxy }, (user, pass) => answers.push([user, pass]));
  return { prevented: event.defaultPrevented, answers };
}

describe('UI basic auth', () => {
  it("answers the app's own origin with the configured credentials", () => {
    expect(ask(uiAuthResponder(credentials, [APP]), `${APP}/api/v1/info`)).toEqual({
      prevented: true,
      answers: [['dev', 's3cret']],
    });
  });

  it('never hands the credentials to another origin or a proxy', () => {
    const responder = uiAuthResponder(credentials, [APP]);
    expect(ask(responder, 'https://evil.test/')).toEqual({ prevented: false, answers: [] });
    expect(ask(responder, 'http://127.0.0.1:8026/o?t=x')).toEqual({ prevented: false, answers: [] });
    expect(ask(responder, `${APP}/`, true)).toEqual({ prevented: false, answers: [] });
  });

  it('leaves the challenge alone when no UI auth is configured', () => {
    expect(ask(uiAuthResponder(undefined, [APP]), `${APP}/`)).toEqual({ prevented: false, answers: [] });
  });
});
