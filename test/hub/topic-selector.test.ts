import { describe, expect, it } from 'vitest';
import { TopicSelectorMatcher, compileTemplate } from '../../src-main/hub/topic-selector.js';

// RFC 6570 §3.2 examples (template → expansion), the vectors the reference hub's template library checks its
// matcher against: every expansion must be matched by its template.
const RFC6570_VECTORS: [string, string][] = [
  ['{count}', 'one,two,three'],
  ['{count*}', 'one,two,three'],
  ['{/count}', '/one,two,three'],
  ['{/count*}', '/one/two/three'],
  ['{;count}', ';count=one,two,three'],
  ['{;count*}', ';count=one;count=two;count=three'],
  ['{?count}', '?count=one,two,three'],
  ['{?count*}', '?count=one&count=two&count=three'],
  ['{&count*}', '&count=one&count=two&count=three'],
  ['{var}', 'value'],
  ['{hello}', 'Hello%20World%21'],
  ['{half}', '50%25'],
  ['O{empty}X', 'OX'],
  ['O{undef}X', 'OX'],
  ['{x,y}', '1024,768'],
  ['{x,hello,y}', '1024,Hello%20World%21,768'],
  ['?{x,empty}', '?1024,'],
  ['?{x,undef}', '?1024'],
  ['?{undef,y}', '?768'],
  ['{var:3}', 'val'],
  ['{var:30}', 'value'],
  ['{list}', 'red,green,blue'],
  ['{list*}', 'red,green,blue'],
  ['{keys}', 'semi,%3B,dot,.,comma,%2C'],
  ['{keys*}', 'semi=%3B,dot=.,comma=%2C'],
  ['{+var}', 'value'],
  ['{+hello}', 'Hello%20World!'],
  ['{+half}', '50%25'],
  ['{base}index', 'http%3A%2F%2Fexample.com%2Fhome%2Findex'],
  ['{+base}index', 'http://example.com/home/index'],
  ['O{+empty}X', 'OX'],
  ['O{+undef}X', 'OX'],
  ['{+path}/here', '/foo/bar/here'],
  ['here?ref={+path}', 'here?ref=/foo/bar'],
  ['up{+path}{var}/here', 'up/foo/barvalue/here'],
  ['{+x,hello,y}', '1024,Hello%20World!,768'],
  ['{+path,x}/here', '/foo/bar,1024/here'],
  ['{+path:6}/here', '/foo/b/here'],
  ['{+list}', 'red,green,blue'],
  ['{+list*}', 'red,green,blue'],
  ['{+keys}', 'semi,;,dot,.,comma,,'],
  ['{+keys*}', 'semi=;,dot=.,comma=,'],
  ['{#var}', '#value'],
  ['{#hello}', '#Hello%20World!'],
  ['{#half}', '#50%25'],
  ['foo{#empty}', 'foo#'],
  ['foo{#undef}', 'foo'],
  ['{#x,hello,y}', '#1024,Hello%20World!,768'],
  ['{#path,x}/here', '#/foo/bar,1024/here'],
  ['{#path:6}/here', '#/foo/b/here'],
  ['{#list}', '#red,green,blue'],
  ['{#list*}', '#red,green,blue'],
  ['{#keys}', '#semi,;,dot,.,comma,,'],
  ['{#keys*}', '#semi=;,dot=.,comma=,'],
  ['{.who}', '.fred'],
  ['{.who,who}', '.fred.fred'],
  ['{.half,who}', '.50%25.fred'],
  ['www{.dom*}', 'www.example.com'],
  ['X{.var}', 'X.value'],
  ['X{.empty}', 'X.'],
  ['X{.undef}', 'X'],
  ['X{.var:3}', 'X.val'],
  ['X{.list}', 'X.red,green,blue'],
  ['X{.list*}', 'X.red.green.blue'],
  ['X{.keys}', 'X.semi,%3B,dot,.,comma,%2C'],
  ['X{.keys*}', 'X.semi=%3B.dot=..comma=%2C'],
  ['X{.empty_keys}', 'X'],
  ['X{.empty_keys*}', 'X'],
  ['{/who}', '/fred'],
  ['{/who,who}', '/fred/fred'],
  ['{/half,who}', '/50%25/fred'],
  ['{/who,dub}', '/fred/me%2Ftoo'],
  ['{/var}', '/value'],
  ['{/var,empty}', '/value/'],
  ['{/var,undef}', '/value'],
  ['{/var,x}/here', '/value/1024/here'],
  ['{/var:1,var}', '/v/value'],
  ['{/list}', '/red,green,blue'],
  ['{/list*}', '/red/green/blue'],
  ['{/list*,path:4}', '/red/green/blue/%2Ffoo'],
  ['{/keys}', '/semi,%3B,dot,.,comma,%2C'],
  ['{/keys*}', '/semi=%3B/dot=./comma=%2C'],
  ['{;who}', ';who=fred'],
  ['{;half}', ';half=50%25'],
  ['{;empty}', ';empty'],
  ['{;v,empty,who}', ';v=6;empty;who=fred'],
  ['{;v,bar,who}', ';v=6;who=fred'],
  ['{;x,y}', ';x=1024;y=768'],
  ['{;x,y,empty}', ';x=1024;y=768;empty'],
  ['{;x,y,undef}', ';x=1024;y=768'],
  ['{;hello:5}', ';hello=Hello'],
  ['{;list}', ';list=red,green,blue'],
  ['{;list*}', ';list=red;list=green;list=blue'],
  ['{;keys}', ';keys=semi,%3B,dot,.,comma,%2C'],
  ['{;keys*}', ';semi=%3B;dot=.;comma=%2C'],
  ['{?who}', '?who=fred'],
  ['{?half}', '?half=50%25'],
  ['{?x,y}', '?x=1024&y=768'],
  ['{?x,y,empty}', '?x=1024&y=768&empty='],
  ['{?x,y,undef}', '?x=1024&y=768'],
  ['{?var:3}', '?var=val'],
  ['{?list}', '?list=red,green,blue'],
  ['{?list*}', '?list=red&list=green&list=blue'],
  ['{?keys}', '?keys=semi,%3B,dot,.,comma,%2C'],
  ['{?keys*}', '?semi=%3B&dot=.&comma=%2C'],
  ['{&who}', '&who=fred'],
  ['{&half}', '&half=50%25'],
  ['?fixed=yes{&x}', '?fixed=yes&x=1024'],
  ['{&x,y,empty}', '&x=1024&y=768&empty='],
  ['{&x,y,undef}', '&x=1024&y=768'],
  ['{&var:3}', '&var=val'],
  ['{&list}', '&list=red,green,blue'],
  ['{&list*}', '&list=red&list=green&list=blue'],
  ['{&keys}', '&keys=semi,%3B,dot,.,comma,%2C'],
  ['{&keys*}', '&semi=%3B&dot=.&comma=%2C'],
  ['{special_chars}', '2001%3Adb8%3A%3A35'],
];

// Strings the templates must NOT match: a simple expression never crosses '/', a prefix is a length limit,
// literals must be equal, named operators need their names.
const NON_MATCHES: [string, string][] = [
  ['https://example.com/{foo}/bar', 'https://example.com/foo/bar/baz'],
  ['https://example.com/dictionary/{term:1}/{term}', 'https://example.com/dictionary/c/a/cat'],
  ['https://example.com/dictionary/{term:1}/{term}', 'https://example.com/dictionary/ca/cat'],
  ['{var}', 'Hello World'],
  ['{var}', 'a/b'],
  ['{var:3}', 'valu'],
  ['{?who}', '?whom=fred'],
  ['{;who}', ';what=fred'],
  ['X{.var}', 'Y.value'],
  ['{/var}', 'value'],
  ['urn:mailbeacon:messages/{id}', 'urn:mailbeacon:messages/abc/events'],
  ['urn:mailbeacon:messages/{id}', 'urn:mailbeacon:messages'],
];

describe('URI template compiler', () => {
  it.each(RFC6570_VECTORS)('%s matches its RFC 6570 expansion %s', (template, expansion) => {
    const re = compileTemplate(template);
    expect(re, template).not.toBeNull();
    expect(re!.test(expansion)).toBe(true);
  });

  it.each(NON_MATCHES)('%s does not match %s', (template, topic) => {
    expect(compileTemplate(template)!.test(topic)).toBe(false);
  });

  it('answers ambiguous templates on adversarial topics (a backtracking matcher would never return)', () => {
    // With a backtracking RegExp these take about 2^40 and 40^8 steps respectively.
    expect(compileTemplate('X{.list*}!')!.test(`X${'.'.repeat(40)}`)).toBe(false);
    expect(compileTemplate('{a}{b}{c}{d}{e}{f}{g}{h}!')!.test('a'.repeat(40))).toBe(false);
    expect(compileTemplate('{+a}{+b}!')!.test(','.repeat(10_000))).toBe(false);
    expect(compileTemplate('X{.list*}!')!.test(`X${'.'.repeat(40)}!`)).toBe(true);
  });

  it('honours prefix lengths with percent-encoded characters counting as one', () => {
    expect(compileTemplate('{var:3}')!.test('%41%42%43')).toBe(true);
    expect(compileTemplate('{var:3}')!.test('%41%42%43d')).toBe(false);
    expect(compileTemplate('{var:300}')!.test('a'.repeat(300))).toBe(true);
  });

  it('treats templates too large to compile as plain strings', () => {
    expect(compileTemplate('{a:200}'.repeat(100))).toBeNull();
    expect(compileTemplate(`x${'{a}'.repeat(2000)}`)).toBeNull();
    expect(new TopicSelectorMatcher().matches('{a:200}'.repeat(100), '{a:200}'.repeat(100))).toBe(true);
  });

  it('treats malformed templates as plain strings', () => {
    for (const bad of ['{', '}', 'a{b', 'a}b{c}', '{}', '{a{b}}', '{=x}', '{a:0}', '{a:12345}', '{a b}']) {
      expect(compileTemplate(bad), bad).toBeNull();
    }
  });
});

describe('TopicSelectorMatcher', () => {
  it('compiles a subscription’s templates one per turn of the event loop, then matches with them', async () => {
    const matcher = new TopicSelectorMatcher();
    const templates = Array.from({ length: 4 }, (_, i) => `https://e.test/{+a${i}}{+b}{?q,r}`);
    let turns = 0;
    let ticking = true;
    const tick = () => {
      if (!ticking) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await matcher.prepare([...templates, '*', 'https://e.test/exact', templates[0]!]);
    ticking = false;
    // Other work (here a chain of immediates) ran between the compilations.
    expect(turns).toBeGreaterThanOrEqual(templates.length - 1);
    expect(matcher.matches('https://e.test/x/y?q=1', templates[0]!)).toBe(true);
    expect(matcher.cost(templates[3]!)).toBeGreaterThan(1);
  });

  it('stops compiling a subscription’s templates once they need more states than the client has room for', async () => {
    const matcher = new TopicSelectorMatcher();
    const templates = Array.from({ length: 6 }, (_, i) => `https://e.test/{+x${i}}{?q,r}`);
    let turns = 0;
    let ticking = true;
    const tick = () => {
      if (!ticking) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await matcher.prepare(templates, () => 0);
    ticking = false;
    // One template compiled (its states are over the room of 0), the other five left for acquire to refuse.
    expect(turns).toBeLessThanOrEqual(1);
  });

  const m = new TopicSelectorMatcher();

  it('follows the reference hub: *, exact, template, non-matching', () => {
    expect(m.matches('https://example.com/foo/bar', 'https://example.com/{foo}/bar')).toBe(true);
    expect(m.matches('https://example.com/foo/bar/baz', 'https://example.com/{foo}/bar')).toBe(false);
    expect(m.matches('https://example.com/kevin/dunglas', 'https://example.com/{fistname}/{lastname}')).toBe(
      true,
    );
    expect(m.matches('https://example.com/foo/bar', '*')).toBe(true);
    expect(m.matches('https://example.com/foo/bar', 'https://example.com/foo/bar')).toBe(true);
    expect(m.matches('foo', 'foo')).toBe(true);
    expect(m.matches('foo', 'bar')).toBe(false);
  });

  it('compares a template with itself as a string and matches private-update alternates', () => {
    expect(m.matches('https://example.com/{id}', 'https://example.com/{id}')).toBe(true);
    expect(m.matches('{broken', '{broken')).toBe(true);
    expect(m.matches('{broken', '{broken}')).toBe(false);
    const alternate = 'https://example.com/users/foo/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1';
    expect(m.matches(alternate, 'https://example.com/users/foo/{?topic}')).toBe(true);
    expect(
      m.matchesAny(['https://example.com/books/1', alternate], ['https://example.com/users/bar/{?topic}']),
    ).toBe(false);
  });
});
