#!/usr/bin/env node
// check.js - checks of the html, dot and prov renderings of a report
// against the report itself (docs/REPORTS.md), for tests/report/render.sh.
//
//   node check.js dom  REPORT.json DUMPED.html  the DOM Chromium built
//                                               from the HTML report with
//                                               probe.js's result in it
//   node check.js dot  REPORT.json GRAPH.svg    `dot -Tsvg` of the digraph
//   node check.js prov REPORT.json PROV.json    the PROV-JSON document
//
// Prints "ok - ..." or "FAIL - ..." per check; exits 1 on any failure.
'use strict';
const fs = require('fs');

const [mode, reportPath, renderedPath] = process.argv.slice(2);
if (!mode || !reportPath || !renderedPath) {
  console.error('usage: check.js dom|dot|prov REPORT.json RENDERED');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const rendered = fs.readFileSync(renderedPath, 'utf8');
let failed = 0;
function check(name, cond, detail) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`FAIL - ${name}`);
    if (detail !== undefined) console.log(`    ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Every statement of the report, depth first, with its parent in the
// threads view.
const all = [];
(function walk(list, parent) {
  for (const s of list || []) {
    all.push({ s, parent });
    walk(s.responses, s.seq);
  }
})(report.statements, null);
const inReport = new Set(all.map((x) => x.s.seq));
const responses = all.filter((x) => x.s.type === 'response');
const threads = report.view.kind === 'threads';
const tag = `${report.view.kind}, ${all.length} statements`;

function dom() {
  // The last one: the probe's own source is in the page too.
  const open = '<pre id="avow-test-result">', at = rendered.lastIndexOf(open);
  const m = at < 0 ? null : /^([\s\S]*?)<\/pre>/.exec(rendered.slice(at + open.length));
  check(`${tag}: the probe ran in the page`, m);
  if (!m) return;
  const text = m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&');
  const d = JSON.parse(text);

  // The timeline.
  const lanes = [...new Set(all.map((x) => x.s.by.id))].sort();
  check(`${tag}: one SVG timeline`, d.svg === (all.length ? 1 : 0), d.svg);
  check(`${tag}: one lane per actor that asserted a statement, in id order`, same(d.lanes, lanes), { got: d.lanes, want: lanes });
  check(`${tag}: every lane has its label`, d.laneLabels.every((l, i) => l.includes(lanes[i])), d.laneLabels);
  const marks = d.marks.map((m) => m.seq).sort((a, b) => a - b);
  check(`${tag}: one mark per statement`, same(marks, [...inReport].sort((a, b) => a - b)), marks);
  check(`${tag}: each mark links to its statement and has a tooltip`,
    d.marks.every((m) => m.href === `#s-${m.seq}` && m.title.startsWith(`#${m.seq} `) && m.lane === all.find((x) => x.s.seq === m.seq).s.by.id),
    d.marks.filter((m) => m.href !== `#s-${m.seq}`));
  check(`${tag}: marks sit in their actor's lane`, d.marks.every((m) => m.inLane), d.marks.filter((m) => !m.inLane));
  const want = responses.filter((x) => inReport.has(x.s.target.seq))
    .map((x) => [x.s.seq, x.s.target.seq, `url(#arrow-${x.s.stance})`]);
  const got = d.links.map((l) => [l.from, l.to, l.marker]);
  const key = (a) => JSON.stringify(a.slice().sort((p, q) => p[0] - q[0] || p[1] - q[1]));
  check(`${tag}: one link per response whose target is in the report (${want.length}), arrowhead by stance`, key(got) === key(want), { got, want });
  check(`${tag}: links are drawn (non-empty paths)`, d.links.every((l) => l.length > 0), d.links);
  check(`${tag}: retractions are dashed`, d.links.every((l) => (l.dash !== 'none' && l.dash !== '') === (l.stance === 'retracts')), d.links);

  // The statements.
  check(`${tag}: one article per statement, id s-SEQ`, same(d.articles.map((a) => a.id).sort(), all.map((x) => `s-${x.s.seq}`).sort()), d.articles.map((a) => a.id));
  const nesting = all.map((x) => [x.s.seq, threads ? x.parent : null]);
  check(`${tag}: ${threads ? 'responses nested in the statement they answer' : 'a flat list'}`,
    same(d.articles.map((a) => [a.seq, a.parent]), nesting), { got: d.articles.map((a) => [a.seq, a.parent]), want: nesting });
  const bad = [];
  for (const a of d.articles) {
    const s = all.find((x) => x.s.seq === a.seq).s;
    if (a.words !== s.text) bad.push([a.seq, 'text', a.words, s.text]);
    if (a.quote !== s.quote) bad.push([a.seq, 'quote']);
    if (a.lang !== (s.lang || '')) bad.push([a.seq, 'lang', a.lang]);
    if (a.actor !== s.by.name) bad.push([a.seq, 'actor', a.actor, s.by.name]);
    if (a.cite !== s.cite) bad.push([a.seq, 'cite', a.cite]);
    if (a.time !== s.said_at.value || a.when !== s.said_at.text) bad.push([a.seq, 'said_at', a.time, a.when]);
    if (a.source !== (s.source.title || '')) bad.push([a.seq, 'source', a.source]);
    if (a.original !== (s.translated ? s.original : '')) bad.push([a.seq, 'original', a.original]);
    if (!same(a.topics, s.topics)) bad.push([a.seq, 'topics', a.topics]);
    if (!same(a.warnings, s.warnings.map((w) => `warning: ${w}`))) bad.push([a.seq, 'warnings', a.warnings]);
    if (a.amendments !== s.amendments.length) bad.push([a.seq, 'amendments', a.amendments]);
    if (s.type === 'claim' && a.badge !== s.status.value) bad.push([a.seq, 'status', a.badge]);
    if (s.type === 'response' && a.badge !== s.stance) bad.push([a.seq, 'stance', a.badge]);
    const url = s.source.url;
    if (url && /^https?:\/\//i.test(url) && a.url !== url) bad.push([a.seq, 'url', a.url]);
  }
  check(`${tag}: each article shows its statement's words, actor, date, source, topics, warnings, status and cite exactly (escaping)`, bad.length === 0, bad);
  check(`${tag}: the report head (origin, tree hash, checkpoint or warning)`,
    d.head.includes(report.log.origin) && d.head.includes(report.log.tree_hash) &&
    (report.log.checkpoint ? d.head.includes(report.log.checkpoint.key_id) : d.warn === report.log.no_checkpoint_warning), d.head);
  check(`${tag}: one actor row per actor`, same(d.actors, report.actors.map((a) => `a-${a.id}`)), d.actors);
  check(`${tag}: no script, no external resource, no element made from the text`, d.scripts === 0 && d.external === 0 && d.foreign === 0, d);
  check(`${tag}: every in-page link has its anchor`, d.deadLinks.length === 0, d.deadLinks);
}

function dot() {
  const edges = (rendered.match(/<g id="edge\d+" class="edge">/g) || []).length;
  const nodes = (rendered.match(/<g id="node\d+" class="node">/g) || []).length;
  const missing = new Set(responses.filter((x) => !inReport.has(x.s.target.seq)).map((x) => x.s.target.seq));
  check(`${tag}: dot: one edge per response (${responses.length})`, edges === responses.length, edges);
  check(`${tag}: dot: one node per statement, one placeholder per target not in the report (${all.length}+${missing.size})`, nodes === all.length + missing.size, nodes);
  for (const seq of missing) check(`${tag}: dot: placeholder #${seq}`, rendered.includes(`#${seq} (not in this view)`));
  const titles = [...rendered.matchAll(/<title>(s\d+)&#45;&gt;(s\d+)<\/title>/g)].map((m) => [m[1], m[2]]);
  const want = responses.map((x) => [`s${x.s.seq}`, `s${x.s.target.seq}`]);
  check(`${tag}: dot: each edge goes from the response to its target`, same(titles.sort(), want.sort()), { titles, want });
}

function prov() {
  const doc = JSON.parse(rendered);
  const ent = doc.entity || {}, agent = doc.agent || {}, act = doc.activity || {};
  const rel = (k) => Object.values(doc[k] || {});
  const qn = (s) => typeof s === 'string' && /^[A-Za-z_][\w.-]*:/.test(s) && Object.prototype.hasOwnProperty.call(doc.prefix, s.split(':')[0]);
  check(`${tag}: prov: prefixes prov, xsd, avow, log`, ['prov', 'xsd', 'avow', 'log'].every((p) => typeof doc.prefix[p] === 'string'), doc.prefix);
  const ids = [];
  for (const k of Object.keys(doc)) if (k !== 'prefix') ids.push(...Object.keys(doc[k]));
  check(`${tag}: prov: every id is unique and a declared qualified name or _:blank`, new Set(ids).size === ids.length && ids.every((i) => i.startsWith('_:') || qn(i)), ids.filter((i) => !i.startsWith('_:') && !qn(i)));
  const raw = (rendered.match(/"_:[A-Za-z]+\d+"\s*:/g) || []).length;
  check(`${tag}: prov: no relation id repeated in the text`, raw === ids.filter((i) => i.startsWith('_:')).length, raw);
  const eid = (seq) => Object.keys(ent).find((k) => ent[k]['avow:cite'] === all.find((x) => x.s.seq === seq)?.s.cite);
  const aid = (id) => Object.keys(agent).find((k) => agent[k]['avow:id'] === id);
  const bad = [];
  for (const { s } of all) {
    const e = eid(s.seq);
    if (!e) { bad.push([s.seq, 'no entity']); continue; }
    const E = ent[e];
    if (E['avow:text'] !== s.text || E['avow:leaf_hash'] !== s.leaf_hash) bad.push([s.seq, 'attributes']);
    if ((E['prov:type'] || {}).$ !== (s.type === 'claim' ? 'avow:Claim' : 'avow:Response')) bad.push([s.seq, 'prov:type']);
    if (s.said_at && E['avow:said_at'] !== s.said_at.value) bad.push([s.seq, 'said_at']);
    for (const [who, role] of [[s.by, 'by'], ...s.with.map((w) => [w, 'with'])]) {
      if (!rel('wasAttributedTo').some((r) => r['prov:entity'] === e && r['prov:agent'] === aid(who.id) && r['avow:role'] === role))
        bad.push([s.seq, `not attributed to ${who.id} (${role})`]);
    }
    const g = rel('wasGeneratedBy').filter((r) => r['prov:entity'] === e);
    if (g.length !== 1 || !act[g[0]['prov:activity']]) { bad.push([s.seq, 'wasGeneratedBy']); continue; }
    const A = act[g[0]['prov:activity']];
    if (A['prov:startTime'] !== s.recorded.time) bad.push([s.seq, 'startTime']);
    const w = rel('wasAssociatedWith').filter((r) => r['prov:activity'] === g[0]['prov:activity']);
    if (w.length !== 1 || !agent[w[0]['prov:agent']] || agent[w[0]['prov:agent']]['avow:key_id'] !== s.recorded.key_id ||
        agent[w[0]['prov:agent']]['prov:label'] !== s.recorded.holder) bad.push([s.seq, 'wasAssociatedWith']);
    if (s.type === 'response') {
      const d = rel('wasDerivedFrom').filter((r) => r['prov:generatedEntity'] === e);
      const t = d.length === 1 ? ent[d[0]['prov:usedEntity']] : null;
      if (!t || t['avow:cite'] !== s.target.cite || d[0]['avow:stance'] !== s.stance) bad.push([s.seq, 'wasDerivedFrom']);
    }
    const inf = rel('wasInfluencedBy').filter((r) => r['prov:influencee'] === e);
    if (inf.length !== s.amendments.length) bad.push([s.seq, 'amendments']);
  }
  check(`${tag}: prov: every statement is an entity, wasAttributedTo its actors, wasGeneratedBy a recording at its time associated with its key, and every response wasDerivedFrom its target`, bad.length === 0, bad);
  check(`${tag}: prov: one wasDerivedFrom per response`, rel('wasDerivedFrom').length === responses.length);
  check(`${tag}: prov: every actor is an agent with prov:type`, report.actors.every((a) => aid(a.id) && agent[aid(a.id)]['prov:type']), Object.keys(agent));
  const refs = [];
  for (const k of ['wasAttributedTo', 'wasDerivedFrom', 'wasGeneratedBy', 'wasAssociatedWith', 'wasInfluencedBy'])
    for (const r of rel(k)) for (const [m, v] of Object.entries(r)) if (m.startsWith('prov:') && m !== 'prov:time' && typeof v === 'string' && !(ent[v] || agent[v] || act[v])) refs.push([k, m, v]);
  check(`${tag}: prov: every relation names declared nodes`, refs.length === 0, refs);
}

({ dom, dot, prov })[mode]();
process.exit(failed ? 1 : 0);
