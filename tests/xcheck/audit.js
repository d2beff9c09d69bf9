#!/usr/bin/env node
'use strict';
// An independent auditor for avow v1 logs, written from SPEC.md alone.
//
//   node audit.js BUNDLE [--checkpoint FILE --verifier-key VK]
//
// prints one line on stdout:
//   pass                       exit 0
//   fail N <reason>            exit 1, N = the lowest failing seq
//   fail checkpoint <reason>   exit 1, every record passed, the checkpoint failed
// and warnings (SPEC section 7) on stderr. Usage errors exit 2.
// VK is the verifier key itself or the name of a file that holds it.
// Exit 3 means an internal error of this program (a bug), not a verdict.
//
// The audit walks the records in order (SPEC section 7, steps 1 to 5) and
// stops at the first failing one; then it checks the checkpoint, if any.
// Comments cite SPEC.md sections as "§n".

const fs = require('fs');
const crypto = require('crypto');
const canonicalize = require('canonicalize');
const { parse, decodeUtf8, JsonError, isObject } = require('./lib/strictjson');
const F = require('./lib/formats');
const ed = require('./lib/ed25519');

const MAX_RECORD = 1024 * 1024;     // §2: a record at most 1 MiB
const MAX_TEXT = 65536;             // §2: text (and original, §4) at most 65,536 bytes
const MAX_STRING = 4096;            // §2: every other string
const MAX_ARRAY = 64;               // §2: every array
const FREE_TEXT = new Set(['text', 'original', 'description', 'note', 'reason']);
const LONG_TEXT = new Set(['text', 'original']);

const ENTRY_TYPES = new Set(['genesis', 'key', 'actor', 'claim', 'response', 'amend']);
const ACTOR_KINDS = new Set(['government', 'agency', 'official', 'person', 'organization', 'media', 'group']);
const STANCES = new Set(['denies', 'disputes', 'supports', 'retracts', 'clarifies', 'declines-comment']);
const ROLES = new Set(['admin', 'recorder']);

// Member sets of the bodies (§4): [required, optional].
const ACTOR_MEMBERS = [['id', 'name', 'kind'], ['aliases', 'part_of', 'description']];
const CLAIM_MEMBERS = [['by', 'text', 'quote', 'said_at', 'source'],
  ['with', 'lang', 'translated', 'original', 'via', 'about', 'topics']];
const RESPONSE_MEMBERS = [[...CLAIM_MEMBERS[0], 'target', 'stance'], CLAIM_MEMBERS[1]];
const SOURCE_MEMBERS = [[], ['url', 'title', 'publisher', 'published', 'retrieved', 'sha256']];
const BODY_MEMBERS = { actor: ACTOR_MEMBERS, claim: CLAIM_MEMBERS, response: RESPONSE_MEMBERS };

const ENTRY_PREFIX = Buffer.from('avow/v1/entry\n');
const POSSESSION_PREFIX = 'avow/v1/possession\n';

class Fail extends Error {}
function fail(msg) { throw new Fail(msg); }
function need(cond, msg) { if (!cond) fail(msg); }

const sha256 = (...parts) => { const h = crypto.createHash('sha256'); parts.forEach((p) => h.update(p)); return h.digest(); };
const leafHash = (record) => sha256(Buffer.from([0x00]), record);   // §5, RFC 9162 2.1.1
const utf8Len = (s) => Buffer.byteLength(s, 'utf8');

// Exactly these members: every required one present, nothing unknown.
function members(obj, [required, optional], what) {
  need(isObject(obj), `${what} is not an object`);
  for (const k of Object.keys(obj)) {
    need(required.includes(k) || optional.includes(k), `${what} has an unknown member "${k}"`);
  }
  for (const k of required) need(k in obj, `${what} lacks "${k}"`);
}

function str(v, what) { need(typeof v === 'string', `${what} is not a string`); return v; }

// An optional array (§2): when present, not empty, no item twice; each item
// checked by `item`.
function optArray(v, what, item) {
  if (v === undefined) return [];
  need(Array.isArray(v), `${what} is not an array`);
  need(v.length > 0, `${what} is an empty optional array`);
  need(new Set(v).size === v.length, `${what} holds an item twice`);
  v.forEach((x) => item(x, `${what} item`));
  return v;
}

// ---------------------------------------------------------------------------
// §2 rules that hold for every string and array in a record, whatever its
// place: strings are never empty, have no control character except tab and
// LF in the free-text members, and respect the byte limits after
// unescaping; arrays hold at most 64 items. `member` is the name of the
// member holding the value (for an array item, the array's member name).
function walkStrings(v, member, path) {
  if (typeof v === 'string') {
    need(v.length > 0, `${path}: empty string`);
    const free = FREE_TEXT.has(member);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) {
        need(free && (c === 0x09 || c === 0x0a),
          `${path}: control character U+${c.toString(16).padStart(4, '0').toUpperCase()}`);
      }
    }
    const limit = LONG_TEXT.has(member) ? MAX_TEXT : MAX_STRING;
    need(utf8Len(v) <= limit, `${path}: string longer than ${limit} bytes`);
  } else if (Array.isArray(v)) {
    need(v.length <= MAX_ARRAY, `${path}: array of more than ${MAX_ARRAY} items`);
    v.forEach((x, i) => walkStrings(x, member, `${path}[${i}]`));
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) walkStrings(v[k], k, `${path}.${k}`);
  }
}

// ---------------------------------------------------------------------------
// The audit state: what the records so far have established.
class Log {
  constructor() {
    this.records = [];     // record bytes, by seq
    this.leaves = [];      // leaf hashes (Buffer)
    this.entries = [];     // parsed entries as recorded
    this.bodies = [];      // bodies as amended so far (actor, claim, response)
    this.origin = null;
    this.keys = new Map(); // key id -> {name, pk, role, added, revoked}
    this.publicKeys = new Set(); // hex of every public key ever added
    this.actors = new Map();     // actor id -> seq of its latest declaration
    this.retractsOf = new Map(); // seq -> set of response seqs that target it
  }

  // §3: the genesis key is authorised from entry 0 on; any other key for
  // entry n when an entry before n added it and no entry before n revoked it.
  authorised(id, n) {
    const k = this.keys.get(id);
    if (!k) return false;
    if (k.added > 0 && k.added >= n) return false;
    if (k.revoked !== null && k.revoked < n) return false;
    return true;
  }

  actorBody(id) { return this.bodies[this.actors.get(id)]; }
  declared(id) { return this.actors.has(id); }

  // Is record `seq` the target of a response whose stance, as amended so
  // far, is "retracts"?
  isRetracted(seq) {
    for (const r of this.retractsOf.get(seq) || []) {
      if (this.bodies[r].stance === 'retracts') return true;
    }
    return false;
  }

  // A target (§4): {"seq": n, "hash": leaf hash of record n}, n < own seq.
  target(t, ownSeq, what) {
    members(t, [['seq', 'hash'], []], what);
    need(Number.isInteger(t.seq), `${what}.seq is not an integer`);
    need(t.seq < ownSeq, `${what}.seq is not lower than the entry's own seq`);
    need(F.b64(t.hash, 32), `${what}.hash is not canonical base64 of 32 bytes`);
    need(t.hash === this.leaves[t.seq].toString('base64'), `${what}.hash is not the leaf hash of record ${t.seq}`);
    return t.seq;
  }

  declaredActor(id, what) {
    need(F.identifier(id), `${what} is not an identifier`);
    need(this.declared(id), `${what} "${id}" is not a declared actor`);
  }

  // ----- body validators: also used on bodies as amended (§4 amend) -----

  // An actor body, against the state at the entry being checked (for an
  // amend, the amended body against the state at the amend).
  validateActor(b) {
    members(b, ACTOR_MEMBERS, 'actor body');
    need(F.identifier(b.id), 'actor id is not an identifier');
    str(b.name, 'name');
    need(ACTOR_KINDS.has(b.kind), `actor kind "${b.kind}" is not one of the kinds`);
    optArray(b.aliases, 'aliases', (x, w) => str(x, w));
    if (b.description !== undefined) str(b.description, 'description');
    if (b.part_of !== undefined) {
      this.declaredActor(b.part_of, 'part_of');
      need(b.part_of !== b.id, 'part_of names the actor itself');
      // Following part_of must not come back to b.id. Every other actor's
      // chain was acyclic before, so only a cycle through b.id can appear.
      const seen = new Set([b.id]);
      for (let cur = b.part_of; cur !== undefined; cur = this.actorBody(cur).part_of) {
        need(!seen.has(cur), `part_of cycle through "${cur}"`);
        seen.add(cur);
      }
    }
  }

  // claim and response bodies; `ownSeq` is the seq of the claim/response.
  validateStatement(b, type, ownSeq) {
    members(b, BODY_MEMBERS[type], `${type} body`);
    this.declaredActor(b.by, 'by');
    const withs = optArray(b.with, 'with', (x, w) => this.declaredActor(x, w));
    need(!withs.includes(b.by), 'with contains by');
    str(b.text, 'text');
    need(typeof b.quote === 'boolean', 'quote is not a boolean');
    if (b.lang !== undefined) need(F.languageTag(b.lang), 'lang is not a language tag');
    if (b.translated !== undefined) need(b.translated === true, 'translated is present but not true');
    if (b.original !== undefined) {
      str(b.original, 'original');
      need(b.translated === true, 'original is present but translated is not true');
    }
    need(F.partialDate(b.said_at), 'said_at is not a partial date');
    this.validateSource(b.source);
    const via = optArray(b.via, 'via', (x, w) => this.declaredActor(x, w));
    need(!via.includes(b.by), 'via contains by');
    need(!via.some((x) => withs.includes(x)), 'via contains a with actor');
    optArray(b.about, 'about', (x, w) => this.declaredActor(x, w));
    optArray(b.topics, 'topics', (x, w) => need(F.identifier(x), `${w} is not an identifier`));
    if (type === 'response') {
      const t = this.target(b.target, ownSeq, 'target');
      const ttype = this.entries[t].type;
      need(ttype === 'claim' || ttype === 'response', `target ${t} is a ${ttype}, not a claim or response`);
      need(STANCES.has(b.stance), `stance "${b.stance}" is not one of the stances`);
      if (b.stance === 'retracts') {
        // §4: by must be the target's by, or one of its with, as they
        // stand at this entry (after earlier amends).
        const tb = this.bodies[t];
        need(b.by === tb.by || (tb.with || []).includes(b.by),
          `retracts by "${b.by}" of a statement by "${tb.by}"${tb.with ? ' with ' + tb.with.join(',') : ''}`);
      }
    }
  }

  validateSource(s) {
    members(s, SOURCE_MEMBERS, 'source');
    need(s.url !== undefined || s.title !== undefined, 'source has neither url nor title');
    if (s.url !== undefined) need(F.url(s.url), 'source.url is not an RFC 3986 URI');
    if (s.title !== undefined) str(s.title, 'source.title');
    if (s.publisher !== undefined) str(s.publisher, 'source.publisher');
    if (s.published !== undefined) need(F.partialDate(s.published), 'source.published is not a partial date');
    if (s.retrieved !== undefined) need(F.time(s.retrieved) !== null, 'source.retrieved is not a time');
    if (s.sha256 !== undefined) need(F.b64(s.sha256, 32), 'source.sha256 is not canonical base64 of 32 bytes');
  }

  // ----- one record -----

  // Check record n (its bytes without the line feed) and, if it passes,
  // add what it establishes to the state. Throws Fail.
  addRecord(n, bytes) {
    // §7.1: UTF-8, strict JSON, canonical, exactly the members.
    need(bytes.length <= MAX_RECORD, 'record larger than 1 MiB');
    let rec;
    try { rec = parse(bytes); } catch (e) {
      if (e instanceof JsonError) fail(`not valid JSON under section 2: ${e.message}`);
      throw e;
    }
    need(Buffer.from(canonicalize(rec), 'utf8').equals(bytes), 'record bytes are not in canonical form (RFC 8785)');
    members(rec, [['entry', 'sigs'], []], 'record');
    const e = rec.entry;
    members(e, [['v', 'seq', 'prev', 'time', 'type', 'signer', 'body'], []], 'entry');
    need(Array.isArray(rec.sigs) && rec.sigs.length === 1, 'sigs does not hold exactly one signature');
    members(rec.sigs[0], [['key', 'sig'], []], 'signature');
    walkStrings(rec, '', 'record');

    need(e.v === 1, 'v is not 1');
    // §7.2: seq and prev.
    need(e.seq === n, `seq is ${JSON.stringify(e.seq)}, not ${n}`);
    if (n === 0) need(e.prev === null, 'prev is not null at seq 0');
    else {
      need(typeof e.prev === 'string' && F.b64(e.prev, 32), 'prev is not canonical base64 of 32 bytes');
      need(e.prev === this.leaves[n - 1].toString('base64'), 'prev is not the leaf hash of the previous record');
    }
    // §7.3: time.
    need(F.time(e.time) !== null, 'time is not a valid time');
    if (n > 0) need(e.time >= this.entries[n - 1].time, 'time is earlier than the previous entry\'s');
    need(ENTRY_TYPES.has(e.type), `type "${e.type}" is not one of the six`);
    need((e.type === 'genesis') === (n === 0), n === 0 ? 'record 0 is not a genesis' : 'genesis after seq 0');
    need(F.keyId(e.signer), 'signer is not a key id');
    need(isObject(e.body), 'body is not an object');

    // §7.4: the body, and what it would change.
    const effect = this.checkBody(n, e);

    // §7.5: the signature, the key's authorisation and its role.
    const sig = rec.sigs[0];
    need(sig.key === e.signer, 'the signature is not by the entry\'s signer');
    const sigBytes = F.b64(sig.sig, 64);
    need(sigBytes, 'sig is not canonical base64 of 64 bytes');
    let key;
    if (e.type === 'genesis') key = effect.genesisKey;
    else {
      need(this.keys.has(e.signer), `signer ${e.signer} is not a key of this log`);
      need(this.authorised(e.signer, n), `signer ${e.signer} is not authorised for entry ${n}`);
      key = this.keys.get(e.signer);
      if (e.type === 'key') {
        const selfRevoke = e.body.action === 'revoke' && e.body.key_id === e.signer;
        need(key.role === 'admin' || selfRevoke, `signer ${e.signer} is a ${key.role} key, not an admin`);
      }
    }
    const msg = Buffer.concat([ENTRY_PREFIX, Buffer.from(canonicalize(e), 'utf8')]);
    need(ed.verify(sigBytes, msg, key.pk), 'the signature does not verify');

    // The record passes: apply it.
    this.records.push(bytes);
    this.leaves.push(leafHash(bytes));
    this.entries.push(e);
    this.bodies.push(e.body);
    effect.apply();
  }

  // Validate the body of entry n; return {apply(), genesisKey?} describing
  // the state change, applied only once the whole record has passed.
  checkBody(n, e) {
    const b = e.body;
    switch (e.type) {
      case 'genesis': {
        members(b, [['origin', 'key', 'holder'], ['description']], 'genesis body');
        need(F.origin(b.origin), 'origin is not 1 to 255 printable ASCII characters without space, or starts with avow/');
        const vk = F.verifierKey(b.key);
        need(typeof vk !== 'string', `genesis key: ${vk}`);
        need(vk.id === e.signer, 'signer is not the genesis key\'s key id');
        str(b.holder, 'holder');
        if (b.description !== undefined) str(b.description, 'description');
        const key = { name: vk.name, pk: vk.pk, role: 'admin', added: 0, revoked: null };
        return {
          genesisKey: key,
          apply: () => {
            this.origin = b.origin;
            this.keys.set(vk.id, key);
            this.publicKeys.add(vk.pk.toString('hex'));
          },
        };
      }

      case 'key':
        if (b.action === 'add') {
          members(b, [['action', 'key', 'role', 'holder', 'possession'], ['note']], 'key add body');
          const vk = F.verifierKey(b.key);
          need(typeof vk !== 'string', `added key: ${vk}`);
          need(ROLES.has(b.role), `role "${b.role}" is not admin or recorder`);
          str(b.holder, 'holder');
          if (b.note !== undefined) str(b.note, 'note');
          need(!this.keys.has(vk.id), `key id ${vk.id} was added before`);
          need(!this.publicKeys.has(vk.pk.toString('hex')), 'this public key was added before');
          const proof = F.b64(b.possession, 64);
          need(proof, 'possession is not canonical base64 of 64 bytes');
          const pmsg = Buffer.from(`${POSSESSION_PREFIX}${this.origin}\n${b.key}`, 'utf8');
          need(ed.verify(proof, pmsg, vk.pk), 'the possession proof does not verify with the added key');
          return {
            apply: () => {
              this.keys.set(vk.id, { name: vk.name, pk: vk.pk, role: b.role, added: n, revoked: null });
              this.publicKeys.add(vk.pk.toString('hex'));
            },
          };
        } else if (b.action === 'revoke') {
          members(b, [['action', 'key_id', 'reason'], []], 'key revoke body');
          need(F.keyId(b.key_id), 'key_id is not a key id');
          str(b.reason, 'reason');
          need(this.keys.has(b.key_id), `revoked key ${b.key_id} was never added`);
          need(this.authorised(b.key_id, n), `revoked key ${b.key_id} is not authorised for this entry`);
          // No authorised admin key may be left after it takes effect (n+1).
          const adminsLeft = [...this.keys].filter(([id, k]) =>
            id !== b.key_id && k.role === 'admin' && this.authorised(id, n + 1));
          need(adminsLeft.length > 0, 'the revocation would leave no authorised admin key');
          return { apply: () => { this.keys.get(b.key_id).revoked = n; } };
        }
        fail(`key action ${JSON.stringify(b.action)} is neither add nor revoke`);
        break;

      case 'actor':
        this.validateActor(b);
        return { apply: () => this.actors.set(b.id, n) };

      case 'claim':
      case 'response':
        this.validateStatement(b, e.type, n);
        return {
          apply: () => {
            if (e.type !== 'response') return;
            const t = b.target.seq;
            if (!this.retractsOf.has(t)) this.retractsOf.set(t, new Set());
            this.retractsOf.get(t).add(n);
          },
        };

      case 'amend': {
        members(b, [['target', 'reason', 'set'], []], 'amend body');
        const t = this.target(b.target, n, 'target');
        const ttype = this.entries[t].type;
        need(ttype in BODY_MEMBERS, `an amend of a ${ttype} entry`);
        str(b.reason, 'reason');
        need(isObject(b.set), 'set is not an object');
        const keys = Object.keys(b.set);
        need(keys.length > 0, 'set is empty');
        const [required, optional] = BODY_MEMBERS[ttype];
        const old = this.bodies[t];
        for (const k of keys) {
          need(required.includes(k) || optional.includes(k), `set names "${k}", not a member of a ${ttype} body`);
          need(!(ttype === 'actor' && k === 'id'), 'set names an actor\'s id');
          need(!(ttype === 'response' && k === 'target'), 'set names a response\'s target');
          need(b.set[k] !== null || optional.includes(k), `set removes the required member "${k}"`);
        }
        if (ttype === 'actor') {
          need(this.actors.get(old.id) === t, `target ${t} is not the latest declaration of actor "${old.id}"`);
        } else if (this.isRetracted(t)) {
          // by and with of a retracted statement must not change.
          const same = (k) => !(k in b.set) ||
            canonicalize(b.set[k] === null ? undefined : b.set[k]) === canonicalize(old[k]);
          need(same('by'), 'set changes the by of a statement that a retracts response targets');
          need(same('with'), 'set changes the with of a statement that a retracts response targets');
        }
        const amended = Object.assign(Object.create(null), old);
        for (const k of keys) {
          if (b.set[k] === null) delete amended[k];
          else amended[k] = b.set[k];
        }
        // The body with every amend so far applied must be valid at this entry.
        try {
          if (ttype === 'actor') this.validateActor(amended);
          else this.validateStatement(amended, ttype, t);
        } catch (err) {
          if (err instanceof Fail) fail(`the amended ${ttype} ${t} is invalid: ${err.message}`);
          throw err;
        }
        return { apply: () => { this.bodies[t] = amended; } };
      }
    }
    throw new Error('unreachable');
  }

  // ----- §7 warnings: well formed but implausible -----
  warnings() {
    const out = [];
    for (let n = 0; n < this.entries.length; n++) {
      const e = this.entries[n];
      if (e.type !== 'claim' && e.type !== 'response') continue;
      const b = this.bodies[n];          // as amended
      const at = F.time(e.time);         // the entry that recorded it
      const said = F.partialDate(b.said_at);
      if (said[0] > at) out.push(`record ${n}: said_at ${b.said_at} is certainly later than the entry time ${e.time}`);
      if (b.source.published !== undefined && F.partialDate(b.source.published)[0] > at) {
        out.push(`record ${n}: source.published ${b.source.published} is certainly later than the entry time ${e.time}`);
      }
      if (b.source.retrieved !== undefined && F.time(b.source.retrieved) > at) {
        out.push(`record ${n}: source.retrieved ${b.source.retrieved} is later than the entry time ${e.time}`);
      }
      if (e.type === 'response') {
        const tb = this.bodies[b.target.seq];
        if (said[1] < F.partialDate(tb.said_at)[0]) {
          out.push(`record ${n}: said_at ${b.said_at} is certainly earlier than its target's (${tb.said_at}, record ${b.target.seq})`);
        }
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// RFC 9162 section 2.1.1: MTH over leaf hashes.
function treeHash(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([0x01]), treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

// §6 checkpoint, checked against a log whose every record passed.
// Returns null when it holds, else the reason.
function checkCheckpoint(log, noteBytes, trusted) {
  try {
    const vk = F.verifierKey(trusted);
    need(typeof vk !== 'string', `the trusted verifier key is malformed: ${vk}`);

    // C2SP signed note: valid UTF-8, no control character but LF (as Go's
    // note.Open), the text, a blank line, then signature lines.
    let note;
    try { note = decodeUtf8(noteBytes); } catch (err) { fail('the note is not valid UTF-8'); }
    need(!/[\x00-\x09\x0b-\x1f]/.test(note), 'the note holds a control character');
    const split = note.lastIndexOf('\n\n');
    need(split >= 0, 'the note has no blank line before its signatures');
    const text = note.slice(0, split + 1);
    const sigBlock = note.slice(split + 2);
    need(sigBlock.length > 0 && sigBlock.endsWith('\n'), 'the signature block is empty or lacks its final newline');

    let good = 0;
    for (const line of sigBlock.slice(0, -1).split('\n')) {
      const m = /^\u2014 ([^ ]*) (.*)$/.exec(line);
      need(m, 'a signature line is not "\u2014 name base64"');
      const [, name, sigB64] = m;
      need(name.length > 0 && !/[\s+]/u.test(name), 'a signature line has a bad key name');
      need(/^[A-Za-z0-9+/]*={0,2}$/.test(sigB64) && sigB64.length % 4 === 0 && sigB64.length > 0,
        'a signature line\'s signature is not base64');
      const raw = Buffer.from(sigB64, 'base64');
      need(raw.length >= 5, 'a signature line\'s signature is too short');
      if (name !== vk.name || raw.subarray(0, 4).toString('hex') !== vk.id.split('+')[1]) continue; // another key's
      const canon = F.b64(sigB64, 68);
      need(canon, 'the signature by the trusted key is not canonical base64 of key hash and 64 bytes');
      need(ed.verify(canon.subarray(4), Buffer.from(text, 'utf8'), vk.pk), 'the signature by the trusted key does not verify');
      good++;
    }
    need(good > 0, 'the note carries no signature by the trusted key');

    // C2SP tlog-checkpoint body: origin, size, hash, then extension lines.
    const lines = text.slice(0, -1).split('\n');
    need(lines.length >= 3, 'the checkpoint text has fewer than three lines');
    need(lines.every((l) => l.length > 0), 'the checkpoint text has an empty line');
    const [origin, sizeLine, hashLine] = lines;
    need(origin === log.origin, `origin "${origin}" is not the log's "${log.origin}"`);
    need(/^[1-9][0-9]*$/.test(sizeLine), `size "${sizeLine}" is not a decimal of at least 1 without leading zeros`);
    const size = BigInt(sizeLine);
    need(size <= BigInt(log.records.length), `size ${sizeLine} is more than the ${log.records.length} records of the log (records removed?)`);
    const rootHash = F.b64(hashLine, 32);
    need(rootHash, 'the tree hash is not canonical base64 of 32 bytes');

    // The key is an admin key of this log authorised at seq size-1.
    const k = log.keys.get(vk.id);
    need(k && k.pk.equals(vk.pk), 'the trusted key is not a key of this log');
    need(k.role === 'admin', 'the trusted key is not an admin key');
    need(log.authorised(vk.id, Number(size) - 1), `the trusted key is not authorised at seq ${size - 1n}`);

    need(treeHash(log.leaves.slice(0, Number(size))).equals(rootHash), `the tree hash of the first ${size} records differs`);
    return null;
  } catch (err) {
    if (err instanceof Fail) return err.message;
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Audit a bundle (§6: records each followed by LF, the last one too).
// Returns {verdict: 'pass' | 'fail', seq: number | 'checkpoint', reason, warnings}.
function audit(bundle, checkpoint) {
  const log = new Log();
  const warnings = [];
  let failure = null;

  let pos = 0;
  for (let n = 0; ; n++) {
    if (pos === bundle.length) {
      if (n === 0) failure = { seq: 0, reason: 'empty bundle: no genesis record' };
      break;
    }
    const lf = bundle.indexOf(0x0a, pos);
    const end = lf < 0 ? bundle.length : lf;
    try {
      need(end > pos, 'an empty line where a record was due');
      log.addRecord(n, bundle.subarray(pos, end));
      need(lf >= 0, 'the last record is not followed by a line feed');
    } catch (err) {
      if (!(err instanceof Fail)) throw err;
      failure = { seq: n, reason: err.message };
      break;
    }
    pos = end + 1;
  }

  warnings.push(...log.warnings());
  if (failure) return { verdict: 'fail', seq: failure.seq, reason: failure.reason, warnings };

  if (checkpoint) {
    const reason = checkCheckpoint(log, checkpoint.note, checkpoint.verifierKey);
    if (reason) return { verdict: 'fail', seq: 'checkpoint', reason, warnings };
  } else {
    warnings.push('no trusted checkpoint given: this audit cannot tell the log from a copy whose newest records were cut off, or from one rewritten by the holders of every admin key');
  }
  return { verdict: 'pass', warnings };
}

// ---------------------------------------------------------------------------
function main(argv) {
  const usage = 'usage: node audit.js BUNDLE [--checkpoint FILE --verifier-key VK]';
  let bundlePath = null, cpPath = null, vkArg = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--checkpoint' && i + 1 < argv.length) cpPath = argv[++i];
    else if (a === '--verifier-key' && i + 1 < argv.length) vkArg = argv[++i];
    else if (!a.startsWith('--') && bundlePath === null) bundlePath = a;
    else { console.error(usage); return 2; }
  }
  if (bundlePath === null || (cpPath === null) !== (vkArg === null)) { console.error(usage); return 2; }

  let bundle, checkpoint = null;
  try {
    bundle = fs.readFileSync(bundlePath);
    if (cpPath !== null) {
      let vk = vkArg;
      if (fs.existsSync(vkArg) && fs.statSync(vkArg).isFile()) vk = fs.readFileSync(vkArg, 'utf8');
      checkpoint = { note: fs.readFileSync(cpPath), verifierKey: vk.replace(/\r?\n$/, '') };
    }
  } catch (err) {
    console.error(`audit.js: ${err.message}`);
    return 2;
  }

  let r;
  try {
    r = audit(bundle, checkpoint);
  } catch (err) {
    // a bug in this auditor, never a verdict
    console.error(`audit.js: internal error: ${err.stack}`);
    return 3;
  }
  for (const w of r.warnings) console.error(`warning: ${oneLine(w)}`);
  if (r.verdict === 'pass') { console.log('pass'); return 0; }
  console.log(`fail ${r.seq} ${oneLine(r.reason)}`);
  return 1;
}

// Reasons may quote record content; keep the verdict on one line.
function oneLine(s) {
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { audit, treeHash, leafHash };
