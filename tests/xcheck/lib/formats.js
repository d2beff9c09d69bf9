'use strict';
// Syntax checks for the small formats of SPEC.md sections 2 and 3: base64,
// times and partial dates, identifiers, language tags, URLs, key names, key
// ids and verifier keys. Each check returns a value (or true) when the input
// is well formed, and null (or false) when it is not.

const crypto = require('crypto');
const ed = require('./ed25519');

// ---------------------------------------------------------------- base64
// RFC 4648 section 4 with padding, and the canonical spelling: decoding and
// re-encoding gives the same string (so unused padding bits are zero).
// Returns the bytes, or null. `len` (optional) is the required byte length.
function b64(s, len) {
  if (typeof s !== 'string' || s.length === 0 || s.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s)) return null;
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64') !== s) return null;
  if (len !== undefined && buf.length !== len) return null;
  return buf;
}

// ---------------------------------------------------------------- times
function isLeap(y) { return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0; }
function daysInMonth(y, m) {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil). Works for every year 1..9999, unlike Date.UTC, which
// maps years 0..99 to 1900..1999.
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const TIME_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;

// A time: YYYY-MM-DDTHH:MM:SSZ, real date, year 0001..9999, second 00..59.
// Returns seconds since the epoch, or null.
function time(s) {
  if (typeof s !== 'string') return null;
  const m = TIME_RE.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  if (h > 23 || mi > 59 || se > 59) return null;
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

// A partial date: YYYY, YYYY-MM, YYYY-MM-DD or a time. Returns the closed
// interval [first, last] of seconds it may denote (a date without a time is
// that whole UTC calendar day), or null.
function partialDate(s) {
  if (typeof s !== 'string') return null;
  let m;
  if ((m = /^([0-9]{4})$/.exec(s))) {
    const y = Number(m[1]);
    if (y < 1) return null;
    return [daysFromCivil(y, 1, 1) * 86400, daysFromCivil(y + 1, 1, 1) * 86400 - 1];
  }
  if ((m = /^([0-9]{4})-([0-9]{2})$/.exec(s))) {
    const y = Number(m[1]), mo = Number(m[2]);
    if (y < 1 || mo < 1 || mo > 12) return null;
    const first = daysFromCivil(y, mo, 1);
    return [first * 86400, (first + daysInMonth(y, mo)) * 86400 - 1];
  }
  if ((m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s))) {
    const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
    const day = daysFromCivil(y, mo, d);
    return [day * 86400, day * 86400 + 86399];
  }
  const t = time(s);
  return t === null ? null : [t, t];
}

// ---------------------------------------------------------------- names
const identifier = (s) => typeof s === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(s);
const languageTag = (s) => typeof s === 'string' && /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(s);

// ---------------------------------------------------------------- URL
// RFC 3986 section 3, the URI rule, as one anchored regular expression built
// from the ABNF (appendix A). Quoted ABNF strings are case-insensitive, so
// IPvFuture's "v" is [vV].
const URL_RE = (() => {
  const hex = '[0-9A-Fa-f]';
  const unreserved = "[A-Za-z0-9._~-]";
  const pct = `%${hex}${hex}`;
  const subDelims = "[!$&'()*+,;=]";
  const pchar = `(?:${unreserved}|${pct}|${subDelims}|[:@])`;
  const segment = `${pchar}*`;
  const segmentNz = `${pchar}+`;
  const decOctet = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])';
  const ipv4 = `${decOctet}\\.${decOctet}\\.${decOctet}\\.${decOctet}`;
  const h16 = `${hex}{1,4}`;
  const ls32 = `(?:${h16}:${h16}|${ipv4})`;
  const pre = (n) => `(?:(?:${h16}:){0,${n}}${h16})?`; // [ *n( h16 ":" ) h16 ]
  const ipv6 = '(?:' + [
    `(?:${h16}:){6}${ls32}`,
    `::(?:${h16}:){5}${ls32}`,
    `(?:${h16})?::(?:${h16}:){4}${ls32}`,
    `${pre(1)}::(?:${h16}:){3}${ls32}`,
    `${pre(2)}::(?:${h16}:){2}${ls32}`,
    `${pre(3)}::${h16}:${ls32}`,
    `${pre(4)}::${ls32}`,
    `${pre(5)}::${h16}`,
    `${pre(6)}::`,
  ].join('|') + ')';
  const ipvFuture = `[vV]${hex}+\\.(?:${unreserved}|${subDelims}|:)+`;
  const ipLiteral = `\\[(?:${ipv6}|${ipvFuture})\\]`;
  const regName = `(?:${unreserved}|${pct}|${subDelims})*`;
  const host = `(?:${ipLiteral}|${ipv4}|${regName})`;
  const userinfo = `(?:${unreserved}|${pct}|${subDelims}|:)*`;
  const authority = `(?:${userinfo}@)?${host}(?::[0-9]*)?`;
  const pathAbempty = `(?:/${segment})*`;
  const pathAbsolute = `/(?:${segmentNz}(?:/${segment})*)?`;
  const pathRootless = `${segmentNz}(?:/${segment})*`;
  const hierPart = `(?://${authority}${pathAbempty}|${pathAbsolute}|${pathRootless}|)`;
  const scheme = '[A-Za-z][A-Za-z0-9+.-]*';
  const query = `(?:${pchar}|[/?])*`;
  return new RegExp(`^${scheme}:${hierPart}(?:\\?${query})?(?:#${query})?$`);
})();

const url = (s) => typeof s === 'string' && URL_RE.test(s);

// ---------------------------------------------------------------- keys
// A key name: 1 to 128 printable ASCII characters, no space and no "+".
const keyName = (s) => typeof s === 'string' && /^[\x21-\x2a\x2c-\x7e]{1,128}$/.test(s);

// Key hash: first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
function keyHash(name, pk) {
  return crypto.createHash('sha256')
    .update(Buffer.from(name, 'latin1')).update(Buffer.from([0x0a, 0x01])).update(pk)
    .digest().subarray(0, 4);
}

// A key id: name+hhhhhhhh. Returns {name, hash} or null.
function keyId(s) {
  if (typeof s !== 'string') return null;
  const parts = s.split('+');
  if (parts.length !== 2 || !keyName(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1])) return null;
  return { name: parts[0], hash: parts[1] };
}

// A verifier key: name+hhhhhhhh+base64(0x01 || public key). The hash is
// recomputed, the algorithm byte must be 0x01 and the public key must pass
// crypto_core_ed25519_is_valid_point. Returns {name, id, pk} or an error string.
function verifierKey(s) {
  if (typeof s !== 'string') return 'verifier key is not a string';
  // the name and hash hold no "+"; the base64 after the second one may
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(s);
  if (!m) return 'verifier key is not name+hash+key';
  const [, name, hash, key] = m;
  if (!keyName(name)) return 'bad key name';
  if (!/^[0-9a-f]{8}$/.test(hash)) return 'bad key hash spelling';
  const raw = b64(key, 33);
  if (!raw) return 'verifier key material is not canonical base64 of 33 bytes';
  if (raw[0] !== 0x01) return 'verifier key algorithm byte is not 0x01';
  const pk = raw.subarray(1);
  if (keyHash(name, pk).toString('hex') !== hash) return 'key hash does not match the key';
  if (!ed.isValidPoint(pk)) return 'public key is not a valid prime-order point';
  return { name, id: `${name}+${hash}`, pk: Buffer.from(pk) };
}

// A log origin: 1 to 255 printable ASCII characters, no space, not "avow/...".
const origin = (s) => typeof s === 'string' && /^[\x21-\x7e]{1,255}$/.test(s) && !s.startsWith('avow/');

module.exports = { b64, time, partialDate, identifier, languageTag, url, keyName, keyHash, keyId, verifierKey, origin, daysFromCivil };
