// probe.js - run inside a COPY of an HTML report by tests/report/render.sh
// (the report itself has no script): reads what the browser built from
// the page and appends it as JSON in <pre id="avow-test-result">, which
// `chromium --dump-dom` prints and check.js compares with the report.
(function () {
  'use strict';
  const q = (s, root) => Array.from((root || document).querySelectorAll(s));
  const one = (root, s) => root.querySelector(s);
  const text = (root, s) => { const e = one(root, s); return e ? e.textContent : ''; };
  const allowed = new Set(('html head meta title style body header h1 h2 h3 span dl dt dd code p strong ' +
    'section svg defs marker path g rect a text line circle ul li article blockquote time cite br q i ' +
    'small div table thead tbody tr th td footer pre script').split(' '));
  const bandOf = {};
  for (const g of q('svg.timeline g.lane')) bandOf[g.getAttribute('data-actor')] = one(g, 'rect.band').getBBox();
  const d = {
    svg: q('svg.timeline').length,
    lanes: q('svg.timeline g.lane').map((g) => g.getAttribute('data-actor')),
    laneLabels: q('svg.timeline g.lane').map((g) => g.textContent),
    marks: q('svg.timeline a.mark').map((a) => {
      const b = one(a, '.dot').getBBox(), band = bandOf[a.getAttribute('data-actor')];
      const cy = b.y + b.height / 2;
      return {
        seq: +a.getAttribute('data-seq'), href: a.getAttribute('href'), title: text(a, 'title'),
        lane: a.getAttribute('data-actor'), inLane: !!band && cy > band.y && cy < band.y + band.height,
      };
    }),
    links: q('svg.timeline path.link').map((p) => ({
      from: +p.getAttribute('data-from'), to: +p.getAttribute('data-to'),
      marker: p.getAttribute('marker-end'), length: p.getTotalLength(),
      dash: getComputedStyle(p).strokeDasharray,
      stance: (Array.from(p.classList).find((c) => c.startsWith('stance-')) || '').slice(7),
    })),
    articles: q('article.stmt').map((a) => {
      const parent = a.parentElement.closest('article.stmt');
      const words = one(a, ':scope > .words, :scope > p > .words');
      const time = one(a, ':scope > .when time');
      const url = one(a, ':scope > dl.fields a.url');
      return {
        id: a.id, seq: +a.getAttribute('data-seq'), parent: parent ? +parent.getAttribute('data-seq') : null,
        words: words ? words.textContent : null, quote: !!words && words.localName === 'blockquote',
        lang: words ? words.getAttribute('lang') || '' : '', actor: text(a, ':scope > h3 a.actor'),
        badge: text(a, ':scope > h3 .badge'), cite: text(a, ':scope > .prov .cite'),
        time: time ? time.getAttribute('datetime') : null, when: time ? time.textContent : null,
        source: text(a, ':scope > dl.fields cite'), url: url ? url.getAttribute('href') : '',
        original: text(a, ':scope > dl.fields .original'),
        topics: q(':scope > dl.fields .topic', a).map((t) => t.textContent),
        warnings: q(':scope > ul.warnings > li', a).map((t) => t.textContent),
        amendments: q(':scope > ul.amendments > li', a).length,
      };
    }),
    head: text(document, 'header.head'),
    warn: text(document, 'header.head .warn .msg'),
    actors: q('#actors tbody tr').map((tr) => tr.id),
    scripts: q('script').length - 1,
    external: q('[src], link, iframe, object, embed, img, image, use, [style*="url("]').length,
    foreign: q('*').filter((e) => !allowed.has(e.localName)).map((e) => e.localName).length,
    deadLinks: q('[href^="#"]').map((a) => a.getAttribute('href'))
      .concat(q('[marker-end]').map((p) => p.getAttribute('marker-end').replace(/^url\((.*)\)$/, '$1')))
      .filter((h) => !document.getElementById(decodeURIComponent(h.slice(1)))),
  };
  const pre = document.createElement('pre');
  pre.id = 'avow-test-result';
  pre.textContent = JSON.stringify(d);
  document.body.appendChild(pre);
})();
