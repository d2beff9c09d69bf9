#!/usr/bin/env node
'use strict';
// Writes avow v1 bundles made independently of avow, from SPEC.md alone,
// for avow's own auditor to judge:
//
//   node make.js OUTDIR
//
// OUTDIR/<case>/log.bundle   the bundle
// OUTDIR/<case>/expect       pass | fail N | fail checkpoint
// OUTDIR/<case>/about        one line: what the case holds
// OUTDIR/<case>/checkpoint, OUTDIR/<case>/verifier-key   (some cases)
//
// Everything is deterministic: the keys come from fixed seeds, Ed25519
// signatures are deterministic, and every time is fixed.
//
// One story (a valid log, case "valid-story") is written as a list of named
// steps; the broken cases are that story with a step replaced, inserted or
// altered. The expected failing seq is the seq the builder gave the altered
// step, so it follows from the construction, not from any auditor.
//
// This file signs with Node's crypto (OpenSSL) and serialises with the
// `canonicalize` package; it shares no code with audit.js.

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const canonicalize = require('canonicalize');

const ORIGIN = 'xcheck.example.org/avow-node-oracle';
const BASE_TIME = Date.UTC(2024, 2, 1, 8, 0, 0) / 1000; // 2024-03-01T08:00:00Z

// --------------------------------------------------------------- keys
// A key from a fixed seed: SHA-256("avow-xcheck seed " || label).
function makeKey(name, label = name) {
  const seed = crypto.createHash('sha256').update(`avow-xcheck seed ${label}`).digest();
  const priv = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der', type: 'pkcs8',
  });
  const pk = crypto.createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(12);
  return keyFromPublic(name, pk, (msg) => crypto.sign(null, msg, priv));
}

// key hash = SHA-256(name || 0x0A || 0x01 || pk)[0:4]; key id and verifier key.
function keyFromPublic(name, pk, sign) {
  const hash = crypto.createHash('sha256').update(name).update(Buffer.from([0x0a, 0x01])).update(pk).digest().subarray(0, 4);
  const id = `${name}+${hash.toString('hex')}`;
  return { name, pk, hash, id, vk: `${id}+${Buffer.concat([Buffer.from([1]), pk]).toString('base64')}`, sign };
}

const KEYS = {
  root: makeKey('xcheck-root'),
  editor: makeKey('xcheck-editor'),
  rec1: makeKey('rec1'),
  rec2: makeKey('rec2'),
  rec3: makeKey('rec3.laptop'),
  outsider: makeKey('outsider'),
};
// The same public key as rec1 under another name (a key may not be added twice).
KEYS.rec1alias = keyFromPublic('rec1-alias', KEYS.rec1.pk, KEYS.rec1.sign);
// The identity point (small order): crypto_core_ed25519_is_valid_point
// rejects it. Its forged "signature" R = identity, S = 0 verifies in lax
// libraries for every message.
KEYS.identity = keyFromPublic('identity', Buffer.from('01' + '00'.repeat(31), 'hex'),
  () => Buffer.from('01' + '00'.repeat(63), 'hex'));

// A key with a small-order component: A' = a*B + T8 (T8 of order 8). It is
// not in the prime-order subgroup, so crypto_core_ed25519_is_valid_point
// rejects it, yet libsodium's verify accepts its signatures whenever
// h = SHA-512(R || A' || M) mod L is a multiple of 8 (then h*T8 = identity):
// we grind the nonce until it is. Uses the BigInt curve arithmetic of
// lib/ed25519.js (the only code shared with the auditor).
KEYS.torsion = (() => {
  const ed = require('./lib/ed25519');
  const h512 = (...parts) => ed.leToBig(parts.reduce((h, p) => h.update(p), crypto.createHash('sha512')).digest());
  const a = h512(Buffer.from('avow-xcheck torsion scalar')) % ed.L;
  const T8 = ed.decode(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex'));
  const pk = ed.encode(ed.add(ed.mul(a, ed.BASE), T8));
  return keyFromPublic('torsion', pk, (msg) => {
    for (let ctr = 0; ; ctr++) {
      const r = h512(Buffer.from(`avow-xcheck torsion nonce ${ctr}`), msg) % ed.L;
      const R = ed.encode(ed.mul(r, ed.BASE));
      const h = h512(R, pk, msg) % ed.L;
      if (h % 8n !== 0n) continue;
      let S = (r + h * a) % ed.L;
      const Sb = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) { Sb[i] = Number(S & 0xffn); S >>= 8n; }
      return Buffer.concat([R, Sb]);
    }
  });
})();

// The possession proof of §4: the added key signs
// "avow/v1/possession" LF origin LF verifier-key.
function possession(key, origin = ORIGIN, vk = key.vk) {
  return key.sign(Buffer.from(`avow/v1/possession\n${origin}\n${vk}`)).toString('base64');
}

const leafHash = (rec) => crypto.createHash('sha256').update(Buffer.from([0])).update(rec).digest();

function iso(t) { return new Date(t * 1000).toISOString().replace('.000Z', 'Z'); }

// --------------------------------------------------------------- builder
// Builds the records of a list of steps. A step is
//   { id, type, signer: key, body: (ctx) => object,
//     time?: string,                       default BASE_TIME + 5 min * seq
//     entryText?: (canonical) => string,   stored entry text, signed as stored
//     recordText?: (canonical) => string,  stored record text, after signing
//     signWith?: key }                     sign with another key than signer
// ctx.t(id) gives the target {"seq", "hash"} of an earlier step.
function build(steps) {
  const records = [];
  const seqOf = new Map();
  const ctx = {
    t(id) {
      const seq = seqOf.get(id);
      if (seq === undefined) throw new Error(`no step ${id}`);
      return { hash: leafHash(records[seq]).toString('base64'), seq };
    },
  };
  for (const step of steps) {
    const seq = records.length;
    const entry = {
      v: 1,
      seq,
      prev: seq === 0 ? null : leafHash(records[seq - 1]).toString('base64'),
      time: step.time || iso(BASE_TIME + 300 * seq),
      type: step.type,
      signer: step.signer.id,
      body: step.body(ctx),
    };
    const canonical = canonicalize(entry);
    const entryText = step.entryText ? step.entryText(canonical) : canonical;
    const sig = (step.signWith || step.signer).sign(Buffer.from(`avow/v1/entry\n${entryText}`));
    const sigs = step.sigs ? step.sigs(entryText, sig) : [{ key: step.signer.id, sig: sig.toString('base64') }];
    // {"entry":E,"sigs":[...]} is already in canonical member order
    let record = `{"entry":${entryText},"sigs":${canonicalize(sigs)}}`;
    if (step.recordText) record = step.recordText(record);
    records.push(Buffer.from(record, 'utf8'));
    seqOf.set(step.id, seq);
  }
  return { records, seqOf };
}

function bundleOf(records) {
  return Buffer.concat(records.flatMap((r) => [r, Buffer.from('\n')]));
}

// RFC 9162 MTH over the leaf hashes.
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return crypto.createHash('sha256').update(Buffer.from([1]))
    .update(mth(leaves.slice(0, k))).update(mth(leaves.slice(k))).digest();
}

// A C2SP checkpoint as a signed note.
function checkpoint(records, size, key, { origin = ORIGIN, sizeText = String(size) } = {}) {
  const root = mth(records.slice(0, size).map(leafHash));
  const text = `${origin}\n${sizeText}\n${root.toString('base64')}\n`;
  const sig = Buffer.concat([key.hash, key.sign(Buffer.from(text))]);
  return `${text}\n\u2014 ${key.name} ${sig.toString('base64')}\n`;
}

// --------------------------------------------------------------- the story
const SOURCE_NEWS = {
  url: 'https://news.example.com/world/2024/03/01/moscow-beijing-statement?lang=en#para-3',
  title: 'Moscow and Beijing issue a joint statement',
  publisher: 'Example Wire',
  published: '2024-03-01',
  retrieved: '2024-03-01T07:45:00Z',
  sha256: crypto.createHash('sha256').update('archived copy of the Example Wire article').digest('base64'),
};

const { root, editor, rec1, rec2, rec3 } = KEYS;

function keyAdd(key, role, holder, extra = {}) {
  return () => ({ action: 'add', key: key.vk, role, holder, possession: possession(key), ...extra });
}

const STORY = [
  { id: 'genesis', type: 'genesis', signer: root, body: () => ({
    origin: ORIGIN, key: root.vk, holder: 'Cross-check desk (Node oracle)',
    description: 'An independent test log written by make.js from SPEC.md alone.\n\tIt is not about real events.' }) },
  { id: 'add-editor', type: 'key', signer: root, body: keyAdd(editor, 'admin', 'Duty editor', { note: 'second admin key' }) },
  { id: 'add-rec1', type: 'key', signer: editor, body: keyAdd(rec1, 'recorder', 'Recorder One — Zhāng Wěi 张伟') },
  { id: 'add-rec2', type: 'key', signer: root, body: keyAdd(rec2, 'recorder', 'Recorder Two, Ольга', { note: 'the laptop marked "B"' }) },
  { id: 'actor-ru-gov', type: 'actor', signer: rec1, body: () => ({
    id: 'ru-gov', kind: 'government', name: 'Government of the Russian Federation', aliases: ['Правительство России', 'Moscow'] }) },
  { id: 'actor-kremlin', type: 'actor', signer: rec1, body: () => ({
    id: 'kremlin', kind: 'government', name: 'Presidential Executive Office of Russia', aliases: ['Кремль', 'the Kremlin'], part_of: 'ru-gov' }) },
  { id: 'actor-ru-mfa', type: 'actor', signer: rec1, body: () => ({
    id: 'ru-mfa', kind: 'agency', name: 'Ministry of Foreign Affairs of Russia', aliases: ['МИД России'], part_of: 'ru-gov' }) },
  { id: 'actor-lavrov', type: 'actor', signer: rec2, body: () => ({
    id: 'lavrov', kind: 'official', name: 'Sergei Lavrov', aliases: ['Сергей Лавров'], part_of: 'ru-mfa' }) },
  { id: 'actor-cn-gov', type: 'actor', signer: rec2, body: () => ({
    id: 'cn-gov', kind: 'government', name: "Government of the People's Republic of China", aliases: ['中华人民共和国政府', 'Beijing'] }) },
  { id: 'actor-cn-mfa', type: 'actor', signer: rec2, body: () => ({
    id: 'cn-mfa', kind: 'agency', name: 'Ministry of Foreign Affairs of China', aliases: ['外交部'], part_of: 'cn-gov' }) },
  { id: 'actor-tass', type: 'actor', signer: rec1, body: () => ({ id: 'tass', kind: 'media', name: 'TASS', aliases: ['ТАСС'] }) },
  { id: 'actor-xinhua', type: 'actor', signer: rec1, body: () => ({ id: 'xinhua', kind: 'media', name: 'Xinhua News Agency', aliases: ['新华社'] }) },
  { id: 'actor-watch', type: 'actor', signer: editor, body: () => ({
    id: 'emoji-watch', kind: 'group', name: 'Emoji Watch 🦊', description: 'A made-up monitoring group whose name holds an emoji.' }) },
  { id: 'claim-joint', type: 'claim', signer: rec1, body: () => ({
    by: 'ru-mfa', with: ['cn-mfa'], quote: true, lang: 'en', translated: true,
    text: 'Russia and China oppose unilateral sanctions.',
    original: 'Россия и Китай выступают против односторонних санкций.',
    said_at: '2024-02', about: ['kremlin', 'cn-gov'], topics: ['sanctions', 'joint-statement'], source: SOURCE_NEWS }) },
  { id: 'claim-peskov', type: 'claim', signer: rec2, body: () => ({
    by: 'kremlin', via: ['tass'], quote: false, lang: 'en',
    text: 'The spokesman said: "a date for the visit is agreed" (file C:\\visits\\2024).\n\tDetails were not given.',
    said_at: '2024-02-29', topics: ['state-visit'], source: { title: 'TASS wire, 29 February 2024', publisher: 'TASS' } }) },
  { id: 'claim-cn', type: 'claim', signer: rec1, body: () => ({
    by: 'cn-mfa', quote: true, lang: 'zh-Hans', text: '中方对此不予置评。', said_at: '2024-03-01T06:30:00Z',
    about: ['ru-gov'], topics: ['press-briefing'],
    source: { url: 'https://www.example.cn/fyrbt/2024/03/01/%E4%BE%8B%E8%A1%8C.html', title: 'Regular press conference 例行记者会', published: '2024-03-01' } }) },
  { id: 'resp-disputes', type: 'response', signer: rec2, body: (c) => ({
    by: 'cn-mfa', quote: false, text: 'No visit has been scheduled, the ministry said.', said_at: '2024-03',
    source: { url: 'https://www.example.cn/fyrbt/2024/03/01/', title: 'Briefing' }, target: c.t('claim-peskov'), stance: 'disputes' }) },
  { id: 'resp-retracts', type: 'response', signer: rec2, body: (c) => ({
    by: 'kremlin', via: ['tass'], quote: false, text: 'No date for the visit has been set yet.', said_at: '2024-03-01',
    source: { title: 'TASS wire, 1 March 2024', publisher: 'TASS' }, target: c.t('claim-peskov'), stance: 'retracts' }) },
  { id: 'resp-supports', type: 'response', signer: editor, body: (c) => ({
    by: 'emoji-watch', quote: false, text: 'We agree 👍 with the ministry.', said_at: '2024-03-01',
    source: { url: 'https://watch.example.net/posts/42', title: 'Emoji Watch post' }, target: c.t('claim-cn'), stance: 'supports' }) },
  { id: 'resp-clarifies', type: 'response', signer: rec1, body: (c) => ({
    by: 'xinhua', quote: false, text: 'Xinhua adds that the talks were held in Beijing.', said_at: '2024-03-01',
    source: { url: 'http://[2001:db8::1]:8080/en/2024-03/01/c_1.htm', title: 'Xinhua English' }, target: c.t('resp-disputes'), stance: 'clarifies' }) },
  { id: 'resp-declines', type: 'response', signer: rec1, body: (c) => ({
    by: 'lavrov', quote: true, lang: 'ru', text: 'Без комментариев.', said_at: '2024-03-01',
    source: { title: 'Press approach, 1 March 2024' }, target: c.t('claim-joint'), stance: 'declines-comment' }) },
  { id: 'resp-joint-retracts', type: 'response', signer: rec2, body: (c) => ({
    by: 'cn-mfa', quote: false, text: 'China no longer stands by the joint wording on sanctions.', said_at: '2024-03-01',
    source: { url: 'https://www.example.cn/statement', title: 'Statement' }, target: c.t('claim-joint'), stance: 'retracts' }) },
  { id: 'amend-claim-cn', type: 'amend', signer: rec2, body: (c) => ({
    target: c.t('claim-cn'), reason: "'about' was recorded by mistake;\nthe source gives only the day.",
    set: { about: null, said_at: '2024-03-01' } }) },
  { id: 'amend-clarifies', type: 'amend', signer: rec1, body: (c) => ({
    target: c.t('resp-clarifies'), reason: 'typo', set: { text: 'Xinhua adds that the talks were held in Beijing on Friday.' } }) },
  { id: 'actor-lavrov-2', type: 'actor', signer: rec1, body: () => ({
    id: 'lavrov', kind: 'official', name: 'Sergey Lavrov', aliases: ['Сергей Лавров', 'S. Lavrov'], part_of: 'ru-mfa',
    description: 'Minister of Foreign Affairs of Russia' }) },
  { id: 'amend-watch', type: 'amend', signer: rec2, body: (c) => ({
    target: c.t('actor-watch'), reason: 'the description was too vague', set: { description: 'A made-up monitoring group; its name holds U+1F98A 🦊.' } }) },
  { id: 'amend-lavrov-2', type: 'amend', signer: rec2, body: (c) => ({
    target: c.t('actor-lavrov-2'), reason: 'alias not in the source', set: { aliases: ['Сергей Лавров'] } }) },
  { id: 'add-rec3', type: 'key', signer: editor, body: keyAdd(rec3, 'recorder', 'Recorder Three') },
  { id: 'revoke-rec1', type: 'key', signer: editor, body: () => ({ action: 'revoke', key_id: rec1.id, reason: 'laptop lost' }) },
  { id: 'claim-xinhua', type: 'claim', signer: rec3, body: () => ({
    by: 'xinhua', quote: false, text: 'Xinhua reports "friendly and candid" talks.', said_at: '2024-03',
    about: ['cn-gov', 'ru-gov'], source: { url: 'urn:example:xinhua:2024-03-01:7', publisher: 'Xinhua', retrieved: '2024-03-01T10:00:00Z' } }) },
  { id: 'revoke-rec2-self', type: 'key', signer: rec2, body: () => ({ action: 'revoke', key_id: rec2.id, reason: 'retiring my own key' }) },
  { id: 'claim-last', type: 'claim', signer: root, body: () => ({
    by: 'emoji-watch', quote: false, text: 'Last entry, recorded by the genesis key.', said_at: '2024', source: { title: 'Emoji Watch newsletter' } }) },
];

// --------------------------------------------------------------- variants
function replace(steps, id, fn) {
  const i = steps.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`no step ${id}`);
  const out = steps.slice();
  out[i] = fn(steps[i]);
  return out;
}
function insertAfter(steps, id, ...news) {
  const i = steps.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`no step ${id}`);
  return [...steps.slice(0, i + 1), ...news, ...steps.slice(i + 1)];
}
const withBody = (patch) => (s) => ({ ...s, body: (c) => ({ ...s.body(c), ...patch(c) }) });

// Each case: {name, about, steps, bad?: step id (expect fail at its seq),
// expect?: explicit, post?: (built) => {bundle?, checkpoint?, verifierKey?}}
const CASES = [
  { name: 'valid-story', about: 'The whole story, valid: genesis, key adds with possession proofs (admin and recorders), actors with part_of and aliases (Chinese, Russian, an emoji), claims with with/via/about/topics/lang/translated/original and sources (url incl. IPv6 and urn, title, publisher, published, retrieved, sha256), responses of all six stances incl. retracts by the original actor and by the with actor of a joint statement, amends (one removes about with null; an actor amend of the latest declaration), an actor update, a revoke by an admin and a self-revoke, texts with quote, backslash, tab and newline; checkpoint of all records by the genesis key.',
    steps: STORY, expect: 'pass', post: (b) => ({ checkpoint: checkpoint(b.records, b.records.length, root), verifierKey: root.vk }) },
  { name: 'valid-older-checkpoint', about: 'The valid story against a checkpoint of its first 20 records signed by the second admin key (authorised at seq 19).',
    steps: STORY, expect: 'pass', post: (b) => ({ checkpoint: checkpoint(b.records, 20, editor), verifierKey: editor.vk }) },
  { name: 'valid-no-checkpoint', about: 'The valid story without a checkpoint: passes, with the no-checkpoint warning.',
    steps: STORY, expect: 'pass' },
  { name: 'valid-implausible', about: 'Well formed but implausible, so only warnings: a said_at and a published later than the entry time, a retrieved later than the entry time, a response said_at certainly earlier than its target\'s.',
    steps: insertAfter(STORY, 'claim-last',
      { id: 'claim-future', type: 'claim', signer: root, body: () => ({ by: 'tass', quote: false, text: 'From the future.', said_at: '2025',
        source: { title: 'Future', published: '2025-01', retrieved: '2030-01-01T00:00:00Z' } }) },
      { id: 'resp-early', type: 'response', signer: root, body: (c) => ({ by: 'xinhua', quote: false, text: 'Before it was said.', said_at: '2024-02-28',
        source: { title: 'Earlier' }, target: c.t('claim-future'), stance: 'denies' }) }),
    expect: 'pass' },
  { name: 'limits', about: 'Strings at their limits in UTF-8 bytes after unescaping: a text of 65,536 bytes of 4-byte emoji, a title of 4,096 bytes of "\\" pairs (escaped, so twice as long in JSON), 64 topics, a 64-character identifier.',
    steps: insertAfter(STORY, 'claim-last',
      { id: 'actor-long', type: 'actor', signer: root, body: () => ({ id: 'a' + 'b'.repeat(62) + '9', kind: 'person', name: 'Long Id' }) },
      { id: 'claim-long', type: 'claim', signer: root, body: () => ({ by: 'a' + 'b'.repeat(62) + '9', quote: true, text: '🦊'.repeat(16384),
        said_at: '2024-03-01', topics: Array.from({ length: 64 }, (_, i) => `topic-${i}`), source: { title: '"\\'.repeat(2048) } }) }),
    expect: 'pass' },

  // ---- broken records
  { name: 'noncanonical-member-order', about: 'A claim whose stored record lists the entry members in a non-sorted order; the signature is over the canonical entry, so only the canonical check fails.',
    steps: replace(STORY, 'claim-cn', (s) => ({ ...s, recordText: (r) => r.replace('{"entry":{"body":', '{"entry":{"v":1,"body":').replace(',"type":"claim","v":1}', ',"type":"claim"}') })), bad: 'claim-cn' },
  { name: 'noncanonical-escaped-slash', about: 'A source url with "/" written as "\\/" in the stored record (JCS does not escape "/"), validly signed over the canonical entry.',
    steps: replace(STORY, 'resp-supports', (s) => ({ ...s, recordText: (r) => r.replace('https://watch.example.net/posts/42', 'https:\\/\\/watch.example.net\\/posts\\/42') })), bad: 'resp-supports' },
  { name: 'noncanonical-unicode-escape', about: 'A Chinese alias written with \\u escapes, signed as stored.',
    steps: replace(STORY, 'actor-cn-mfa', (s) => ({ ...s, entryText: (t) => t.replace('外交部', '\\u5916\\u4ea4\\u90e8') })), bad: 'actor-cn-mfa' },
  { name: 'lone-surrogate-escape', about: 'A text holding the escape \\ud83e without its low surrogate, signed as stored.',
    steps: replace(STORY, 'resp-supports', (s) => ({ ...s, entryText: (t) => t.replace('👍', '\\ud83e') })), bad: 'resp-supports' },
  { name: 'duplicate-member', about: 'An actor body with "name" twice (different values), signed as stored.',
    steps: replace(STORY, 'actor-tass', (s) => ({ ...s, entryText: (t) => t.replace('"name":"TASS"', '"name":"TASS","name":"TASS2"') })), bad: 'actor-tass' },
  { name: 'number-leading-zero', about: 'A response target seq written with a leading zero, signed as stored.',
    steps: replace(STORY, 'resp-disputes', (s) => ({ ...s, entryText: (t) => t.replace(/("target":\{"hash":"[^"]*","seq":)([0-9]+)\}/, '$10$2}') })), bad: 'resp-disputes' },
  { name: 'number-fraction', about: 'v written as 1.0, signed as stored.',
    steps: replace(STORY, 'actor-xinhua', (s) => ({ ...s, entryText: (t) => t.replace(/"v":1}$/, '"v":1.0}') })), bad: 'actor-xinhua' },
  { name: 'time-backwards', about: 'An actor entry whose time is one second earlier than the previous entry\'s.',
    steps: replace(STORY, 'actor-tass', (s) => ({ ...s, time: iso(BASE_TIME + 300 * 9 - 1) })), bad: 'actor-tass' },
  { name: 'retracts-other-actor', about: 'A response by tass with stance retracts targeting a claim by kremlin (tass only relayed it).',
    steps: insertAfter(STORY, 'resp-retracts', { id: 'bad', type: 'response', signer: rec2, body: (c) => ({
      by: 'tass', quote: false, text: 'TASS withdraws the report.', said_at: '2024-03-01', source: { title: 'TASS' }, target: c.t('claim-peskov'), stance: 'retracts' }) }), bad: 'bad' },
  { name: 'retracts-not-by-with-actor', about: 'A retracts of the joint claim (by ru-mfa with cn-mfa) by cn-gov, which is neither.',
    steps: insertAfter(STORY, 'resp-joint-retracts', { id: 'bad', type: 'response', signer: rec2, body: (c) => ({
      by: 'cn-gov', quote: false, text: 'Beijing retracts.', said_at: '2024-03-01', source: { title: 'x' }, target: c.t('claim-joint'), stance: 'retracts' }) }), bad: 'bad' },
  { name: 'key-added-twice', about: 'rec1 added a second time (same key id), with a valid possession proof.',
    steps: insertAfter(STORY, 'add-rec2', { id: 'bad', type: 'key', signer: root, body: keyAdd(rec1, 'recorder', 'again') }), bad: 'bad' },
  { name: 'public-key-twice', about: 'rec1\'s public key added again under the name rec1-alias (a new key id), with a valid possession proof.',
    steps: insertAfter(STORY, 'actor-watch', { id: 'bad', type: 'key', signer: editor, body: keyAdd(KEYS.rec1alias, 'recorder', 'same key, new name') }), bad: 'bad' },
  { name: 'identity-key', about: 'A key add of the identity point (small order) whose possession proof is R = identity, S = 0, which lax verifiers accept for any message.',
    steps: insertAfter(STORY, 'add-rec2', { id: 'bad', type: 'key', signer: root, body: keyAdd(KEYS.identity, 'recorder', 'nobody') }), bad: 'bad' },
  { name: 'torsion-key', about: 'A key add of a point with an order-8 component (not in the prime-order subgroup) whose possession proof libsodium 1.0.18\'s verify accepts (h is a multiple of 8); only crypto_core_ed25519_is_valid_point rejects the key.',
    steps: insertAfter(STORY, 'add-rec2', { id: 'bad', type: 'key', signer: root, body: keyAdd(KEYS.torsion, 'recorder', 'torsion') }), bad: 'bad' },
  { name: 'possession-wrong-origin', about: 'A key add whose possession proof signs another origin.',
    steps: replace(STORY, 'add-rec3', (s) => ({ ...s, body: () => ({ ...s.body(), possession: possession(rec3, 'claims.example.org/other') }) })), bad: 'add-rec3' },
  { name: 'signature-malleated', about: 'An entry signature with S replaced by S + L (OpenSSL and libsodium reject S >= L).',
    steps: replace(STORY, 'actor-xinhua', (s) => ({ ...s, sigs: (t, sig) => {
      const L = (1n << 252n) + 27742317777372353535851937790883648493n;
      let S = 0n; for (let i = 63; i >= 32; i--) S = (S << 8n) | BigInt(sig[i]);
      S += L; const out = Buffer.from(sig);
      for (let i = 32; i < 64; i++) { out[i] = Number(S & 0xffn); S >>= 8n; }
      return [{ key: s.signer.id, sig: out.toString('base64') }];
    } })), bad: 'actor-xinhua' },
  { name: 'signed-by-other-key', about: 'A claim whose signer is rec2 but whose signature is by rec1.',
    steps: replace(STORY, 'claim-cn', (s) => ({ ...s, signer: rec2, signWith: rec1 })), bad: 'claim-cn' },
  { name: 'revoked-key-signs', about: 'rec1 signs a claim after its revocation.',
    steps: insertAfter(STORY, 'claim-xinhua', { id: 'bad', type: 'claim', signer: rec1, body: () => ({
      by: 'tass', quote: false, text: 'Too late.', said_at: '2024-03', source: { title: 't' } }) }), bad: 'bad' },
  { name: 'recorder-revokes-other', about: 'The recorder rec2 revokes rec3 (only an admin or rec3 itself may).',
    steps: insertAfter(STORY, 'claim-xinhua', { id: 'bad', type: 'key', signer: rec2, body: () => ({ action: 'revoke', key_id: rec3.id, reason: 'no right' }) }), bad: 'bad' },
  { name: 'revoke-last-admin', about: 'The genesis key revokes the editor, then itself: no authorised admin would be left.',
    steps: insertAfter(STORY, 'claim-last',
      { id: 'revoke-editor', type: 'key', signer: root, body: () => ({ action: 'revoke', key_id: editor.id, reason: 'rotation' }) },
      { id: 'bad', type: 'key', signer: root, body: () => ({ action: 'revoke', key_id: root.id, reason: 'closing' }) }), bad: 'bad' },
  { name: 'amend-retracted-by', about: 'An amend changing the by of a claim that a retracts response targets.',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'amend', signer: root, body: (c) => ({
      target: c.t('claim-peskov'), reason: 'wrong actor', set: { by: 'ru-gov' } }) }), bad: 'bad' },
  { name: 'amend-retracted-with-removed', about: 'An amend removing (null) the with of a joint claim that its with actor retracted.',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'amend', signer: root, body: (c) => ({
      target: c.t('claim-joint'), reason: 'not joint', set: { with: null } }) }), bad: 'bad' },
  { name: 'amend-stale-actor', about: 'An amend of lavrov\'s first declaration, which an actor update replaced.',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'amend', signer: root, body: (c) => ({
      target: c.t('actor-lavrov'), reason: 'old', set: { name: 'S. V. Lavrov' } }) }), bad: 'bad' },
  { name: 'amend-breaks-translation', about: 'An amend removing translated (null) from a claim that keeps its original.',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'amend', signer: root, body: (c) => ({
      target: c.t('claim-joint'), reason: 'not translated', set: { translated: null } }) }), bad: 'bad' },
  { name: 'part-of-cycle', about: 'An actor update of ru-gov with part_of lavrov (lavrov -> ru-mfa -> ru-gov).',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'actor', signer: root, body: () => ({
      id: 'ru-gov', kind: 'government', name: 'Government of the Russian Federation', part_of: 'lavrov' }) }), bad: 'bad' },
  { name: 'with-contains-by', about: 'A claim whose with contains its by.',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'claim', signer: root, body: () => ({
      by: 'tass', with: ['xinhua', 'tass'], quote: false, text: 'x', said_at: '2024', source: { title: 't' } }) }), bad: 'bad' },
  { name: 'via-contains-with', about: 'A claim whose via contains one of its with actors.',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'claim', signer: root, body: () => ({
      by: 'tass', with: ['xinhua'], via: ['xinhua'], quote: false, text: 'x', said_at: '2024', source: { title: 't' } }) }), bad: 'bad' },
  { name: 'text-too-long', about: 'A claim text of 65,537 bytes (one emoji and ASCII).',
    steps: insertAfter(STORY, 'claim-last', { id: 'bad', type: 'claim', signer: root, body: () => ({
      by: 'tass', quote: false, text: '🦊' + 'x'.repeat(65533), said_at: '2024', source: { title: 't' } }) }), bad: 'bad' },
  { name: 'url-bad-percent', about: 'A source url with "%zz".',
    steps: replace(STORY, 'resp-supports', withBody(() => ({ source: { url: 'https://watch.example.net/posts/%zz', title: 'x' } }))), bad: 'resp-supports' },
  { name: 'partial-date-feb-29', about: 'A said_at of 2023-02-29 (not a leap year).',
    steps: replace(STORY, 'claim-peskov', withBody(() => ({ said_at: '2023-02-29' }))), bad: 'claim-peskov' },
  { name: 'tab-in-name', about: 'A tab in an actor name (one-line member).',
    steps: replace(STORY, 'actor-xinhua', withBody(() => ({ name: 'Xinhua\tNews Agency' }))), bad: 'actor-xinhua' },
  { name: 'empty-line', about: 'An empty line in the bundle where record 20 was due.', steps: STORY,
    post: (b) => ({ bundle: bundleOf([...b.records.slice(0, 20), Buffer.alloc(0), ...b.records.slice(20)]) }), expect: 'fail 20' },
  { name: 'missing-final-lf', about: 'The last record without its line feed.', steps: STORY,
    post: (b) => ({ bundle: bundleOf(b.records).subarray(0, -1) }), expect: `fail ${STORY.length - 1}` },

  // ---- checkpoints
  { name: 'truncated-vs-checkpoint', about: 'The story with its last 3 records cut off, against the checkpoint of the whole story.',
    steps: STORY, expect: 'fail checkpoint', post: (b) => ({ bundle: bundleOf(b.records.slice(0, -3)), checkpoint: checkpoint(b.records, b.records.length, root), verifierKey: root.vk }) },
  { name: 'checkpoint-by-recorder', about: 'A checkpoint signed by the recorder rec3.',
    steps: STORY, expect: 'fail checkpoint', post: (b) => ({ checkpoint: checkpoint(b.records, b.records.length, rec3), verifierKey: rec3.vk }) },
  { name: 'checkpoint-key-not-yet-added', about: 'A checkpoint of the first 2 records by the editor key, added at seq 1, so not authorised at seq 1.',
    steps: STORY, expect: 'fail checkpoint', post: (b) => ({ checkpoint: checkpoint(b.records, 2, editor), verifierKey: editor.vk }) },
  { name: 'checkpoint-wrong-origin', about: 'A checkpoint with another origin, signed by the genesis key.',
    steps: STORY, expect: 'fail checkpoint', post: (b) => ({ checkpoint: checkpoint(b.records, b.records.length, root, { origin: 'xcheck.example.org/other' }), verifierKey: root.vk }) },
  { name: 'checkpoint-wrong-hash', about: 'A checkpoint of a log that differs in one record (a different claim text at seq 14), against the valid story.',
    steps: STORY, expect: 'fail checkpoint', post: (b) => {
      const other = build(replace(STORY, 'claim-peskov', withBody(() => ({ text: 'Another text.' }))));
      return { checkpoint: checkpoint(other.records, other.records.length, root), verifierKey: root.vk };
    } },
  { name: 'checkpoint-extra-signature', about: 'A valid checkpoint with a second, well-formed signature line by a key the auditor was not given (ignored).',
    steps: STORY, expect: 'pass', post: (b) => {
      const note = checkpoint(b.records, b.records.length, root);
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      const other = KEYS.outsider;
      return { checkpoint: `${note}\u2014 ${other.name} ${Buffer.concat([other.hash, other.sign(Buffer.from(text))]).toString('base64')}\n`, verifierKey: root.vk };
    } },
];

// --------------------------------------------------------------- main
function main(argv) {
  if (argv.length !== 1) { console.error('usage: node make.js OUTDIR'); return 2; }
  const out = argv[0];
  fs.mkdirSync(out, { recursive: true });
  for (const c of CASES) {
    const built = build(c.steps);
    const extra = c.post ? c.post(built) : {};
    const expect = c.expect || `fail ${built.seqOf.get(c.bad)}`;
    const dir = path.join(out, c.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'log.bundle'), extra.bundle || bundleOf(built.records));
    fs.writeFileSync(path.join(dir, 'expect'), `${expect}\n`);
    fs.writeFileSync(path.join(dir, 'about'), `${c.about}\n`);
    if (extra.checkpoint) {
      fs.writeFileSync(path.join(dir, 'checkpoint'), extra.checkpoint);
      fs.writeFileSync(path.join(dir, 'verifier-key'), `${extra.verifierKey}\n`);
    }
  }
  console.log(`wrote ${CASES.length} cases to ${out}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
