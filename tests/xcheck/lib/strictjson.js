'use strict';
// A small, strict JSON parser for avow records (SPEC.md section 2).
//
// Input is a Buffer. It is first decoded as UTF-8 with TextDecoder in fatal
// mode, which rejects invalid bytes, overlong forms, encoded surrogates
// (ED A0 80 ...) and code points above U+10FFFF. A byte order mark is kept
// (ignoreBOM) so that the parser rejects it as an unexpected character.
//
// Beyond RFC 8259 it rejects:
//   - duplicate object keys, compared after unescaping;
//   - numbers other than 0 | [1-9][0-9]* (no sign, fraction or exponent),
//     and numbers above 2^53-1;
//   - \u escapes of lone surrogates (a pair \uD83D\uDE00 is fine);
//   - nesting deeper than MAX_DEPTH (no valid record comes close).
//
// Objects are returned as null-prototype objects so that a member called
// "__proto__" or "constructor" is an ordinary member.
//
// Whitespace between tokens is accepted here, as JSON allows; a record that
// holds any is rejected later by the canonical-form comparison.

const MAX_DEPTH = 64;

class JsonError extends Error {}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(buf) {
  try {
    return decoder.decode(buf);
  } catch (e) {
    throw new JsonError('invalid UTF-8');
  }
}

function parse(buf) {
  const s = decodeUtf8(buf);
  let i = 0;

  function fail(msg) { throw new JsonError(`${msg} at character ${i}`); }

  function ws() {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  }

  function value(depth) {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    if (i >= s.length) fail('unexpected end of input');
    const c = s[i];
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') return string();
    if (c >= '0' && c <= '9') return number();
    if (s.startsWith('true', i)) { i += 4; return true; }
    if (s.startsWith('false', i)) { i += 5; return false; }
    if (s.startsWith('null', i)) { i += 4; return null; }
    if (c === '-') fail('negative number');
    fail(`unexpected character U+${s.codePointAt(i).toString(16).toUpperCase().padStart(4, '0')}`);
  }

  function object(depth) {
    i++; // {
    const obj = Object.create(null);
    const seen = new Set();
    ws();
    if (s[i] === '}') { i++; return obj; }
    for (;;) {
      ws();
      if (s[i] !== '"') fail('expected a member name');
      const key = string();
      if (seen.has(key)) fail(`duplicate member "${key}"`);
      seen.add(key);
      ws();
      if (s[i] !== ':') fail('expected ":"');
      i++;
      obj[key] = value(depth + 1);
      ws();
      if (s[i] === ',') { i++; continue; }
      if (s[i] === '}') { i++; return obj; }
      fail('expected "," or "}"');
    }
  }

  function array(depth) {
    i++; // [
    const arr = [];
    ws();
    if (s[i] === ']') { i++; return arr; }
    for (;;) {
      arr.push(value(depth + 1));
      ws();
      if (s[i] === ',') { i++; continue; }
      if (s[i] === ']') { i++; return arr; }
      fail('expected "," or "]"');
    }
  }

  function number() {
    const start = i;
    if (s[i] === '0') i++;
    else while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    const c = s[i];
    if (c === '.' || c === 'e' || c === 'E') fail('number with a fraction or exponent');
    if (c >= '0' && c <= '9') fail('number with a leading zero');
    const text = s.slice(start, i);
    const n = BigInt(text);
    if (n > 9007199254740991n) fail('number above 2^53-1');
    return Number(n);
  }

  function hex4() {
    const h = s.slice(i, i + 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail('bad \\u escape');
    i += 4;
    return parseInt(h, 16);
  }

  function string() {
    i++; // opening quote
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= s.length) fail('unterminated string');
      const c = s.charCodeAt(i);
      if (c === 0x22) { out += s.slice(runStart, i); i++; return out; }
      if (c < 0x20) fail('raw control character in a string');
      if (c !== 0x5c) { i++; continue; }
      out += s.slice(runStart, i);
      i++; // backslash
      const e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const u = hex4();
          if (u >= 0xd800 && u <= 0xdbff) {
            // a high surrogate must be followed by an escaped low surrogate
            if (s[i] !== '\\' || s[i + 1] !== 'u') fail('lone surrogate escape');
            i += 2;
            const lo = hex4();
            if (lo < 0xdc00 || lo > 0xdfff) fail('lone surrogate escape');
            out += String.fromCharCode(u, lo);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            fail('lone surrogate escape');
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default: fail('bad escape');
      }
      runStart = i;
    }
  }

  const v = value(0);
  ws();
  if (i !== s.length) fail('trailing characters after the JSON value');
  return v;
}

function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

module.exports = { parse, decodeUtf8, JsonError, isObject };
