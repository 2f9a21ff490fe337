// Reading buyers' answers by format (src/deliver/answers.ts): JSON strict and
// almost-JSON, XML (attributes, entities, no DOCTYPE expansion), form, text,
// and the one value test the bid reader and the post judge share.

import { describe, expect, it } from 'vitest';
import { decodeXmlEntities, parseAnswer, passes, priceOf, redirectOf, rejectionWordIn, textOf } from '../../src/deliver/answers.js';
import { getPath } from '../../src/deliver/paths.js';

const read = (body: string, format?: 'xml' | 'form' | 'text') => {
  const r = parseAnswer(body, format);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('json', () => {
  it('reads strict JSON', () => {
    expect(read('{"a": {"b": [1, {"c": "x"}]}}')).toEqual({ a: { b: [1, { c: 'x' }] } });
  });
  it('reads almost JSON: a BOM, a JSONP wrapper, trailing commas, single quotes, unquoted keys', () => {
    expect(read('\uFEFF{"status": "ok"}')).toEqual({ status: 'ok' });
    expect(read('callback({"status": "ok"});')).toEqual({ status: 'ok' });
    expect(read(' jQuery123.cb ( {status: \'ok\', price: 12.5,} ) ')).toEqual({ status: 'ok', price: 12.5 });
    expect(read("{status: 'ok', list: [1, 2,],}")).toEqual({ status: 'ok', list: [1, 2] });
  });
  it('refuses what is not JSON at all', () => {
    expect(parseAnswer('<ok/>', undefined)).toEqual({ ok: false, reason: 'answer is not JSON' });
    expect(parseAnswer('status=ok', undefined)).toEqual({ ok: false, reason: 'answer is not JSON' });
  });
  it('keeps a `__proto__` key an own key in lenient reading', () => {
    const v = read("{'__proto__': {'polluted': 1}, a: 1,}") as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(getPath(v, '__proto__.polluted')).toBe(1);
  });
});

describe('xml', () => {
  const body = '<?xml version="1.0"?><response status="Accepted"><lead id="7">A &amp; B &#65;</lead><price>12.50</price><bid><id>1</id></bid><bid><id>2</id></bid></response>';
  it('reads the root as the first segment, attributes as @name, text as strings', () => {
    const v = read(body, 'xml');
    expect(getPath(v, 'response.@status')).toBe('Accepted');
    expect(getPath(v, 'response.price')).toBe('12.50');
    expect(getPath(v, 'response.lead.@id')).toBe('7');
    expect(getPath(v, 'response.lead.#text')).toBe('A & B A');
    expect(getPath(v, 'response.bid.1.id')).toBe('2');
  });
  it('refuses what is not well-formed XML', () => {
    for (const bad of ['', 'hello', '<a><b></a>', '{"status": "ok"}', '<a>'])
      expect(parseAnswer(bad, 'xml')).toEqual({ ok: false, reason: 'answer is not XML' });
  });
  it('never expands a DOCTYPE entity (billion laughs)', () => {
    let doc = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">';
    let prev = 'lol';
    for (let i = 1; i <= 9; i++) {
      doc += `<!ENTITY lol${i} "${`&${prev};`.repeat(10)}">`;
      prev = `lol${i}`;
    }
    doc += ']><lolz><status>&lol9;</status></lolz>';
    const v = read(doc, 'xml');
    expect(getPath(v, 'lolz.status')).toBe('&lol9;');
  });
  it('decodes the five entities and character references in one pass', () => {
    expect(decodeXmlEntities('&amp;lt; &lt;&gt;&quot;&apos; &#x41;&#66; &nope; &#0;')).toBe('&lt; <>"\' AB &nope; &#0;');
  });
  it('refuses a name that would reach a prototype', () => {
    expect(parseAnswer('<r><__proto__>x</__proto__></r>', 'xml')).toEqual({ ok: false, reason: 'answer is not XML' });
  });
});

describe('form and text', () => {
  it('form: a repeated key is a list', () => {
    const v = read('status=accepted&id=1&id=2&msg=a%20b+c', 'form');
    expect(getPath(v, 'status')).toBe('accepted');
    expect(getPath(v, 'id')).toEqual(['1', '2']);
    expect(getPath(v, 'id.1')).toBe('2');
    expect(getPath(v, 'msg')).toBe('a b c');
  });
  it('text: the whole trimmed body, and key=value or key: value lines', () => {
    const v = read('  ACCEPTED\nlead_id=77\nreason: no coverage here \n', 'text');
    expect(getPath(v, 'text')).toBe('ACCEPTED\nlead_id=77\nreason: no coverage here');
    expect(getPath(v, 'lead_id')).toBe('77');
    expect(getPath(v, 'reason')).toBe('no coverage here');
    expect(getPath(read('OK', 'text'), 'text')).toBe('OK');
  });
});

describe('the value test', () => {
  it('== compares numbers given as text as numbers, booleans given as text as booleans', () => {
    expect(passes('1', { path: 'p', equals: 1 })).toBe(true);
    expect(passes(' 2.50 ', { path: 'p', equals: 2.5 })).toBe(true);
    expect(passes('false', { path: 'p', equals: false })).toBe(true);
    expect(passes(false, { path: 'p', equals: false })).toBe(true);
    expect(passes('ok', { path: 'p', equals: 'ok' })).toBe(true);
    expect(passes('OK', { path: 'p', equals: 'ok' })).toBe(false);
    expect(passes(1, { path: 'p', equals: '1' })).toBe(false);
    expect(passes(undefined, { path: 'p', equals: true })).toBe(false);
  });
  it('in [..] holds for any value, ignoring case when asked', () => {
    const test = { path: 'p', in: ['Accepted', 'ok'], ignoreCase: true };
    expect(['accepted', 'ACCEPTED', 'Ok'].map((v) => passes(v, test))).toEqual([true, true, true]);
    expect(passes('rejected', test)).toBe(false);
    expect(passes('ACCEPTED', { ...test, ignoreCase: false })).toBe(false);
  });
  it('rejection words are found anywhere, ignoring case', () => {
    expect(rejectionWordIn('{"status":"REJECTED"}', ['Rejected', 'Error'])).toBe('Rejected');
    expect(rejectionWordIn('{"status":"ok"}', ['Rejected'])).toBeUndefined();
    expect(rejectionWordIn('anything', undefined)).toBeUndefined();
  });
  it('prices, texts and redirects read from an answer', () => {
    expect([priceOf('12.345'), priceOf(7), priceOf('-1'), priceOf('$5'), priceOf(Infinity), priceOf(undefined)]).toEqual([12.35, 7, null, null, null, null]);
    expect([textOf(' a '), textOf(12), textOf(''), textOf({}), textOf('x'.repeat(600))?.length]).toEqual(['a', '12', null, null, 500]);
    expect(redirectOf('https://buyer.example/thanks?id=1')).toEqual({ url: 'https://buyer.example/thanks?id=1', note: null });
    expect(redirectOf('javascript:alert(1)').url).toBeNull();
    expect(redirectOf('javascript:alert(1)').note).toMatch(/only http and https/);
    expect(redirectOf('/relative').url).toBeNull();
    expect(redirectOf(undefined)).toEqual({ url: null, note: null });
  });
});
