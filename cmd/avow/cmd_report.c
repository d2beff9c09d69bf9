/*
 * cmd_report.c - avow report and avow search: choose the statements of a
 * view from an audited log or bundle, build the report model
 * (report.c) and render it in the format asked for.
 */
#include "report_build.h"
#include "saved_model.h"

#include "audit.h"
#include "audit_print.h"
#include "json.h"
#include "store.h"
#include "syntax.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char usage_report[] =
	"usage: avow report [--claim SEQ | --actor ID [--include-parts]]\n"
	"                   [--topic T] [--since DATE] [--until DATE]\n"
	"                   [--as-of SEQ] [--offset N | --after SEQ]\n"
	"                   [--limit N]\n"
	"                   [--bundle FILE] [--checkpoint FILE --verifier-key "
	"KEY]...\n"
	"                   [--format text|md|json|html|dot|prov] [-o FILE]\n"
	"\n"
	"Who asserted what, when, on what source, who recorded it, and who\n"
	"contests it, computed from the audited records (a log that fails its\n"
	"audit is refused).\n"
	"\n"
	"Views (docs/REPORTS.md):\n"
	"  (none)            every claim, with its responses threaded under "
	"it\n"
	"  --claim SEQ       the thread of claim (or response) SEQ\n"
	"  --topic T         the threads with a statement on topic T\n"
	"  --actor ID        everything ID asserted, denied, supported or\n"
	"                    declined to comment on, in time order; with\n"
	"                    --include-parts also the actors part of ID\n"
	"  --since, --until  statements whose said_at overlaps the window\n"
	"                    (partial dates: 2023, 2023-07, 2023-07-18)\n"
	"  --as-of SEQ       the log as it stood after record SEQ\n"
	"  --offset, --limit a page of the statements\n"
	"  --after SEQ       with --actor: the page just after statement SEQ\n"
	"                    in the actor's time order, as fast at any depth\n"
	"                    as the first page (the text report ends with\n"
	"                    \"more: --after SEQ\" when more follow)\n"
	"\n"
	"Input and output:\n"
	"  --bundle FILE     report on a bundle instead of the log\n"
	"  --checkpoint FILE --verifier-key KEY\n"
	"                    audit against a checkpoint; the report says so\n"
	"  --format F        text (default; colour on a terminal unless\n"
	"                    NO_COLOR is set), md, json, html (one\n"
	"                    self-contained file with an SVG timeline), dot\n"
	"                    (Graphviz) or prov (W3C PROV-JSON)\n"
	"  -o, --output FILE write to FILE instead of standard output\n";

const char usage_search[] =
	"usage: avow search QUERY [--actor ID] [--topic T] [--publisher P]\n"
	"                   [--as-of SEQ] [--offset N] [--limit N]\n"
	"                   [--bundle FILE] [--checkpoint FILE --verifier-key "
	"KEY]...\n"
	"                   [--format text|md|json|html|dot|prov] [-o FILE]\n"
	"\n"
	"Find statements by their words: every word of QUERY must occur in "
	"the\n"
	"text, the original wording, the source's title or publisher, or the\n"
	"actor's names. Matching is by substring (SQLite FTS5 with the "
	"trigram\n"
	"tokenizer), so it finds words in languages written without spaces\n"
	"too: 外交部 finds 中华人民共和国外交部. Case is ignored. The index "
	"is\n"
	"built from the audited records on each run. --actor, --topic and\n"
	"--publisher (a substring of source.publisher) narrow the hits. Each\n"
	"hit is printed with its provenance, in the formats of avow report.\n";

typedef struct {
	const char *claim, *actor, *topic, *since, *until, *as_of, *after,
		*offset, *limit, *bundle, *format, *out, *publisher;
	int include_parts;
	cp_args cpa;
	int bad;
} rep_opts;

static int rep_opt(int k, const char *arg, void *p)
{
	rep_opts *o = p;

	switch (k) {
	case 'c': o->claim = arg; break;
	case 'a': o->actor = arg; break;
	case 'P': o->include_parts = 1; break;
	case 't': o->topic = arg; break;
	case 'S': o->since = arg; break;
	case 'U': o->until = arg; break;
	case 'A': o->as_of = arg; break;
	case 'N': o->after = arg; break;
	case 'O': o->offset = arg; break;
	case 'L': o->limit = arg; break;
	case 'b': o->bundle = arg; break;
	case 'f': o->format = arg; break;
	case 'o': o->out = arg; break;
	case 'p': o->publisher = arg; break;
	case 'C':
	case 'k':
		if (cp_args_add(&o->cpa, k == 'k', arg) < 0)
			return -1;
		break;
	default: return -1;
	}
	return 0;
}

static const struct option rep_longopts[] = {
	{"claim", required_argument, NULL, 'c'},
	{"actor", required_argument, NULL, 'a'},
	{"include-parts", no_argument, NULL, 'P'},
	{"topic", required_argument, NULL, 't'},
	{"since", required_argument, NULL, 'S'},
	{"until", required_argument, NULL, 'U'},
	{"as-of", required_argument, NULL, 'A'},
	{"after", required_argument, NULL, 'N'},
	{"offset", required_argument, NULL, 'O'},
	{"limit", required_argument, NULL, 'L'},
	{"bundle", required_argument, NULL, 'b'},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"publisher", required_argument, NULL, 'p'},
	{"checkpoint", required_argument, NULL, 'C'},
	{"verifier-key", required_argument, NULL, 'k'},
	{NULL, 0, NULL, 0},
};

/* What the options select. */
typedef struct {
	uint64_t claim, as_of, after, offset, limit;
	avow_span since, until;
	int has_since, has_until, threads;
	/* From the saved report index: the page of statements already
	 * chosen, sorted and paged (use_page, with the total before paging),
	 * or the statements that a search found (use_found). */
	int use_page, use_found;
	actor_page ap;
	seqs found;
} selection;

static int parse_selection(const rep_opts *o, selection *s, int search)
{
	memset(s, 0, sizeof *s);
	s->claim = s->as_of = s->after = s->limit = UINT64_MAX;
	if (o->claim && (search || o->actor || o->since || o->until)) {
		errorf("--claim shows one thread: it takes no --actor, --since "
		       "or --until");
		return -1;
	}
	if (o->include_parts && o->actor == NULL) {
		errorf("--include-parts needs --actor");
		return -1;
	}
	if (o->publisher && !search) {
		errorf("--publisher is an option of avow search");
		return -1;
	}
	if (o->after && (search || o->actor == NULL)) {
		errorf("--after pages the statements of one actor: it is an "
		       "option of avow report --actor");
		return -1;
	}
	if (o->after && o->offset) {
		errorf("--after and --offset both say where the page starts: "
		       "give one");
		return -1;
	}
	/* UINT64_MAX is "no --after", and no record's seq. */
	if (o->after &&
	    (parse_u64(o->after, &s->after) || s->after == UINT64_MAX)) {
		errorf("--after %s: not a record number", o->after);
		return -1;
	}
	if ((o->claim && parse_u64(o->claim, &s->claim)) ||
	    (o->as_of && parse_u64(o->as_of, &s->as_of)) ||
	    (o->offset && parse_u64(o->offset, &s->offset)) ||
	    (o->limit && parse_u64(o->limit, &s->limit))) {
		errorf("--claim, --as-of, --offset and --limit take a "
		       "non-negative number");
		return -1;
	}
	if (o->since &&
	    !avow_parse_pdate(o->since, strlen(o->since), &s->since)) {
		errorf("--since %s: not a date (YYYY, YYYY-MM, YYYY-MM-DD or "
		       "YYYY-MM-DDTHH:MM:SSZ)",
		       o->since);
		return -1;
	}
	if (o->until &&
	    !avow_parse_pdate(o->until, strlen(o->until), &s->until)) {
		errorf("--until %s: not a date (YYYY, YYYY-MM, YYYY-MM-DD or "
		       "YYYY-MM-DDTHH:MM:SSZ)",
		       o->until);
		return -1;
	}
	s->has_since = o->since != NULL;
	s->has_until = o->until != NULL;
	if (s->has_since && s->has_until && s->since.lo > s->until.hi) {
		errorf("--since %s is after --until %s", o->since, o->until);
		return -1;
	}
	s->threads = !search && !o->actor && !o->since && !o->until;
	return 0;
}

/* The words of a query, split at white space. Words of three
 * characters or more match through the trigram index, shorter ones by
 * substring. */
typedef struct {
	char *buf;
	char **w;
	size_t n;
} qwords;

static int qwords_split(const char *query, qwords *q)
{
	char *save = NULL;

	memset(q, 0, sizeof *q);
	q->buf = avow_strdup(query);
	q->w = calloc(strlen(query) / 2 + 2, sizeof *q->w);
	if (q->buf == NULL || q->w == NULL)
		return -1;
	for (char *w = strtok_r(q->buf, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save))
		q->w[q->n++] = w;
	return 0;
}

static void qwords_free(qwords *q)
{
	free(q->buf);
	free(q->w);
}

static int trigram_word(const char *w)
{
	size_t chars = 0;

	for (const char *p = w; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	return chars >= 3;
}

/* The FTS5 phrase of one word: quoted, inner quotes doubled. */
static char *phrase_of(const char *w)
{
	avow_buf ph;

	avow_buf_init(&ph);
	avow_buf_addc(&ph, '"');
	for (const char *p = w; *p; p++) {
		if (*p == '"')
			avow_buf_addc(&ph, '"');
		avow_buf_addc(&ph, (uint8_t)*p);
	}
	avow_buf_addc(&ph, '"');
	if (ph.oom) {
		avow_buf_free(&ph);
		return NULL;
	}
	return avow_buf_cstr(&ph);
}

/* Texts to bind, kept until the query has run. */
typedef struct {
	char **v;
	size_t n, cap;
} binds;

static int binds_add(binds *b, char *s)
{
	if (s == NULL)
		return -1;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		char **nv = realloc(b->v, cap * sizeof *nv);
		if (nv == NULL) {
			free(s);
			return -1;
		}
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n++] = s;
	return 0;
}

static void binds_free(binds *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i]);
	free(b->v);
}

/* Append to sql the condition that word w puts on FTS5 table `table`
 * (column body): a phrase through the trigram index for three
 * characters or more, a substring test for fewer; its text goes to bv.
 * -1 when out of memory. */
static int add_word_test(avow_buf *sql, const char *table, const char *w,
			 binds *bv)
{
	if (trigram_word(w)) {
		avow_buf_addf(sql, "%s MATCH ?", table);
		return binds_add(bv, phrase_of(w));
	}
	avow_buf_adds(sql, "instr(lower(body), lower(?)) > 0");
	return binds_add(bv, avow_strdup(w));
}

/* Search through the saved report index: the statements (below size)
 * of which every word of the query is in the words or in the names of an
 * actor who made them (the model holds the actors), into out; or, with
 * pg, only pg's page of them, in time order. */
static int search_saved(audited *x, sqlite3 *db, const char *query,
			uint64_t size, seqs *out, actor_page *pg)
{
	rbuild *rb = report_begin(&x->m, x->audit, size - 1);
	sqlite3 *mem = NULL;
	sqlite3_stmt *ins = NULL, *aq = NULL;
	avow_buf sql;
	binds bv = {0};
	qwords qw;
	int rc = -1;

	avow_buf_init(&sql);
	if (qwords_split(query, &qw) < 0 || rb == NULL) {
		errorf("out of memory");
		goto out;
	}
	if (qw.n == 0) {
		errorf("search: the query has no words");
		goto out;
	}
	/* The actors' names and aliases, so that "Kremlin" or 外交部 finds
	 * what they said. */
	if (sqlite3_open_v2(":memory:", &mem,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(mem,
			 "CREATE VIRTUAL TABLE a USING fts5(id UNINDEXED, "
			 "body, tokenize='trigram case_sensitive 0')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "INSERT INTO a VALUES(?, ?)", -1, &ins,
			       NULL) != SQLITE_OK)
		goto dberr;
	for (size_t i = 0; i < x->m.n; i++) {
		const char *id = json_str(x->m.r[i].body, "id");
		avow_buf t;
		if (x->m.r[i].type != AVOW_T_ACTOR || id == NULL)
			continue;
		avow_buf_init(&t);
		report_actor_words(rb, id, &t);
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, avow_buf_cstr(&t), (int)t.len,
				  SQLITE_TRANSIENT);
		rc = t.oom ? SQLITE_NOMEM : sqlite3_step(ins);
		avow_buf_free(&t);
		if (rc != SQLITE_DONE) {
			rc = -1;
			goto dberr;
		}
	}
	rc = -1;
	/* Every word: (its statements) UNION (those of its actors),
	 * INTERSECT across the words. */
	for (size_t k = 0; k < qw.n; k++) {
		binds ab = {0};
		size_t nids = 0;
		avow_buf aql;
		if (k > 0)
			avow_buf_adds(&sql, " INTERSECT ");
		avow_buf_adds(
			&sql,
			"SELECT * FROM (SELECT rowid FROM rx_text WHERE ");
		avow_buf_init(&aql);
		avow_buf_adds(&aql, "SELECT DISTINCT id FROM a WHERE ");
		if (add_word_test(&sql, "rx_text", qw.w[k], &bv) < 0 ||
		    add_word_test(&aql, "a", qw.w[k], &ab) < 0 || aql.oom) {
			avow_buf_free(&aql);
			binds_free(&ab);
			goto oom;
		}
		sqlite3_finalize(aq);
		aq = NULL;
		if (sqlite3_prepare_v2(mem, avow_buf_cstr(&aql), -1, &aq,
				       NULL) != SQLITE_OK) {
			avow_buf_free(&aql);
			binds_free(&ab);
			goto dberr;
		}
		avow_buf_free(&aql);
		sqlite3_bind_text(aq, 1, ab.v[0], -1, SQLITE_TRANSIENT);
		binds_free(&ab);
		while (sqlite3_step(aq) == SQLITE_ROW) {
			avow_buf_adds(&sql, nids++ ? ", ?"
						   : " UNION SELECT seq FROM "
						     "rx_actor WHERE actor IN "
						     "(?");
			if (binds_add(&bv,
				      avow_strdup(
					      (const char *)sqlite3_column_text(
						      aq, 0))) < 0)
				goto oom;
		}
		avow_buf_adds(&sql, nids ? "))" : ")");
	}
	if (sql.oom)
		goto oom;
	if ((pg != NULL ? saved_found_page(db, avow_buf_cstr(&sql),
					   (const char *const *)bv.v, bv.n, pg)
			: saved_words(db, avow_buf_cstr(&sql),
				      (const char *const *)bv.v, bv.n, size,
				      out)) < 0) {
		errorf("search: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
	goto out;
dberr:
	errorf("search: %s", mem ? sqlite3_errmsg(mem) : "out of memory");
	goto out;
oom:
	errorf("out of memory");
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(aq);
	sqlite3_close(mem);
	binds_free(&bv);
	avow_buf_free(&sql);
	qwords_free(&qw);
	report_end(rb);
	return rc;
}

/* Fill x's model from the saved report index, with only the records the
 * view needs when the index can choose them (a thread, a page of an
 * actor's statements, what a search finds), else with every record. */
static int model_for_view(const rep_opts *o, selection *s, audited *x,
			  const char *query)
{
	uint64_t size = avow_audit_size(x->audit);
	uint64_t last = s->as_of < size ? s->as_of : size - 1;
	sqlite3 *db = saved_index_open(x);
	seqs want = {0}, of = {0};
	int rc = -1, all = 0, stale = 0;

	if (db == NULL) {
		errorf("%s: cannot read the report index of the saved state "
		       "(try --no-saved-state)",
		       x->log->saved_path);
		return EXIT_FAIL;
	}
	if (saved_frame(db, size, &want) < 0)
		goto dberr;
	/* The index holds each statement as last amended: as of an earlier
	 * record, a later amend may have moved it in time or to another
	 * actor, and only the whole model can tell. */
	if (s->as_of < size - 1 &&
	    (stale = saved_amended_after(db, last, size)) < 0)
		goto dberr;
	if (s->claim != UINT64_MAX) {
		if (seqs_add(&of, s->claim) < 0 ||
		    saved_threads(db, &of, size, &want) < 0)
			goto dberr;
	} else if (o->actor && !o->include_parts && !o->topic &&
		   !s->has_since && !s->has_until && query == NULL && !stale) {
		s->ap.actor = o->actor;
		s->ap.last = last;
		s->ap.after = s->after;
		s->ap.offset = s->offset;
		s->ap.limit = s->limit;
		if (saved_actor_page(db, size, &s->ap) < 0 ||
		    saved_threads(db, &s->ap.page, size, &want) < 0)
			goto dberr;
		s->use_page = 1;
	} else if (query != NULL && s->as_of == UINT64_MAX) {
		/* With no filter on the statements' bodies, the index sorts
		 * and pages what the words find. */
		int paged = !o->actor && !o->topic && !o->publisher &&
			    !s->has_since && !s->has_until;
		seqs_sort(&want);
		s->ap.last = last;
		s->ap.after = UINT64_MAX;
		s->ap.offset = s->offset;
		s->ap.limit = s->limit;
		if (model_from_saved(x, db, &want) < 0 ||
		    search_saved(x, db, query, size, &s->found,
				 paged ? &s->ap : NULL) < 0)
			goto out;
		model_reset(&x->m);
		seqs_sort(&s->found);
		if (saved_threads(db, paged ? &s->ap.page : &s->found, size,
				  &want) < 0)
			goto dberr;
		s->use_page = paged;
		s->use_found = !paged;
	} else {
		all = 1;
	}
	seqs_sort(&want);
	if (model_from_saved(x, db, all ? NULL : &want) < 0)
		goto out;
	rc = 0;
	goto out;
dberr:
	errorf("%s: the report index: %s", x->log->saved_path,
	       sqlite3_errmsg(db));
out:
	seqs_free(&want);
	seqs_free(&of);
	saved_index_close(db);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

/* Audit the log or bundle with the checkpoints given, filling x's model.
 * Prints the failure and returns non-zero when it does not pass. */
static int audit_source(rep_opts *o, audited *x, cp_set *cs, selection *s,
			const char *query)
{
	avow_audit_options ao;
	avow_error err;
	avow_status st;

	memset(x, 0, sizeof *x);
	memset(&ao, 0, sizeof ao);
	if (cp_args_load(&o->cpa, cs) < 0)
		return EXIT_USAGE;
	ao.checkpoints = cs->in;
	ao.ncheckpoints = cs->n;
	if (o->bundle != NULL) {
		avow_source *src;
		st = avow_bundle_source_open(&src, o->bundle, &err);
		if (st == AVOW_OK) {
			st = avow_audit_run(src, &ao, model_observe, &x->m,
					    &x->audit, &err);
			if (x->audit != NULL)
				avow_state_set_fetch(avow_audit_state(x->audit),
						     NULL, NULL);
			avow_bundle_source_close(src);
		}
	} else {
		x->log = open_log(1);
		if (x->log == NULL)
			return EXIT_USAGE;
		st = avow_audit_log_observe(
			x->log, &ao, x->log->saved_path ? NULL : model_observe,
			&x->m, &x->audit, &err);
	}
	if (st != AVOW_OK)
		return report_error(&err);
	if (x->m.oom) {
		errorf("out of memory");
		return EXIT_FAIL;
	}
	if (!avow_audit_passed(x->audit)) {
		const avow_failure *f = avow_audit_failure(x->audit, 0);
		const char *what = o->bundle ? o->bundle : default_log(g.log);
		if (f->seq == UINT64_MAX)
			errorf("%s fails its audit (%s: %s); no report", what,
			       f->check, f->detail);
		else
			errorf("%s fails its audit at record %llu (%s: %s); "
			       "no report (avow-verify --all lists every "
			       "failure)",
			       what, (unsigned long long)f->seq, f->check,
			       f->detail);
		return EXIT_FAIL;
	}
	if (x->log != NULL && x->log->saved_path != NULL)
		return model_for_view(o, s, x, query);
	return EXIT_OK;
}

/* The report's head: log, as_of, view. */
static cJSON *report_head(const rep_opts *o, const selection *s,
			  const audited *x, const cp_set *cs, const char *query)
{
	cJSON *r = cJSON_CreateObject(), *l, *v;
	uint8_t root[32];
	char r64[45];
	size_t best = SIZE_MAX;
	avow_checkpoint cp, bestcp;

	cJSON_AddStringToObject(r, "report", "avow-report/v1");
	l = cJSON_AddObjectToObject(r, "log");
	cJSON_AddStringToObject(l, "source", o->bundle ? "bundle" : "log");
	cJSON_AddStringToObject(l, "path",
				o->bundle ? o->bundle : default_log(g.log));
	cJSON_AddStringToObject(l, "origin", avow_audit_origin(x->audit));
	cJSON_AddNumberToObject(l, "size", (double)avow_audit_size(x->audit));
	avow_audit_root(x->audit, root);
	b64(r64, root, 32);
	cJSON_AddStringToObject(l, "tree_hash", r64);
	cJSON_AddStringToObject(l, "audit", "pass");
	memset(&bestcp, 0, sizeof bestcp);
	for (size_t i = 0; i < cs->n; i++)
		if (avow_audit_checkpoint(x->audit, i, &cp) == AVOW_CP_OK &&
		    (best == SIZE_MAX || cp.size > bestcp.size)) {
			best = i;
			bestcp = cp;
		}
	if (best != SIZE_MAX) {
		cJSON *c = cJSON_AddObjectToObject(l, "checkpoint");
		char id[AVOW_KEY_ID_MAX + 1];
		const char *vk = cs->in[best].vkey, *p = strchr(vk, '+');
		p = p ? strchr(p + 1, '+') : NULL;
		snprintf(id, sizeof id, "%.*s",
			 (int)(p ? (size_t)(p - vk) : strlen(vk)), vk);
		cJSON_AddStringToObject(c, "file", cs->in[best].label);
		cJSON_AddNumberToObject(c, "size", (double)bestcp.size);
		cJSON_AddStringToObject(c, "key_id", id);
		cJSON_AddNullToObject(l, "no_checkpoint_warning");
	} else {
		cJSON_AddNullToObject(l, "checkpoint");
		cJSON_AddStringToObject(l, "no_checkpoint_warning",
					no_checkpoint_warning);
	}
	if (s->as_of != UINT64_MAX) {
		cJSON *a = cJSON_AddObjectToObject(r, "as_of");
		cJSON_AddNumberToObject(a, "seq", (double)s->as_of);
		cJSON_AddNumberToObject(a, "size", (double)s->as_of + 1);
	} else {
		cJSON_AddNullToObject(r, "as_of");
	}
	v = cJSON_AddObjectToObject(r, "view");
	cJSON_AddStringToObject(v, "kind",
				query	     ? "search"
				: s->threads ? "threads"
					     : "statements");
	if (query)
		cJSON_AddStringToObject(v, "query", query);
	if (s->claim != UINT64_MAX)
		cJSON_AddNumberToObject(v, "claim", (double)s->claim);
	else
		cJSON_AddNullToObject(v, "claim");
#define STR_OR_NULL(name, val)                                                 \
	do {                                                                   \
		if (val)                                                       \
			cJSON_AddStringToObject(v, name, val);                 \
		else                                                           \
			cJSON_AddNullToObject(v, name);                        \
	} while (0)
	STR_OR_NULL("actor", o->actor);
	cJSON_AddBoolToObject(v, "include_parts", o->include_parts);
	STR_OR_NULL("topic", o->topic);
	STR_OR_NULL("since", o->since);
	STR_OR_NULL("until", o->until);
	if (query)
		STR_OR_NULL("publisher", o->publisher);
#undef STR_OR_NULL
	cJSON_AddNumberToObject(v, "offset", (double)s->offset);
	if (s->after != UINT64_MAX)
		cJSON_AddNumberToObject(v, "after", (double)s->after);
	else
		cJSON_AddNullToObject(v, "after");
	if (s->limit != UINT64_MAX)
		cJSON_AddNumberToObject(v, "limit", (double)s->limit);
	else
		cJSON_AddNullToObject(v, "limit");
	return r;
}

/* The claim at the root of statement seq's thread. */
static const mrec *thread_root(model *m, uint64_t seq)
{
	const mrec *r = model_find(m, seq);
	int guard = 0;

	while (r != NULL && r->type == AVOW_T_RESPONSE && guard++ < 1 << 20)
		r = model_find(m, r->target);
	return r;
}

static int has_topic(const cJSON *b, const char *topic)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "topics");
	for (const cJSON *i = t ? t->child : NULL; i; i = i->next)
		if (cJSON_IsString(i) && strcmp(i->valuestring, topic) == 0)
			return 1;
	return 0;
}

/* Does statement body b pass the actor, topic and window filters? */
static int statement_matches(rbuild *rb, const rep_opts *o, const selection *s,
			     const cJSON *b)
{
	avow_span sp;
	const char *said = json_str(b, "said_at");

	if (o->topic && !has_topic(b, o->topic))
		return 0;
	if (o->actor) {
		int hit = 0;
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(b, "with");
		const char *by = json_str(b, "by");
		if (by != NULL)
			hit = o->include_parts
				      ? report_part_of(rb, by, o->actor)
				      : strcmp(by, o->actor) == 0;
		for (const cJSON *i = w ? w->child : NULL; i && !hit;
		     i = i->next)
			hit = o->include_parts
				      ? report_part_of(rb, i->valuestring,
						       o->actor)
				      : strcmp(i->valuestring, o->actor) == 0;
		if (!hit)
			return 0;
	}
	if (s->has_since || s->has_until) {
		if (said == NULL || !avow_parse_pdate(said, strlen(said), &sp))
			return 0;
		if (s->has_since && sp.hi < s->since.lo)
			return 0;
		if (s->has_until && sp.lo > s->until.hi)
			return 0;
	}
	return 1;
}

typedef struct {
	const mrec *r;
	int64_t lo;
	int prec;
} hit;

/* The time order of statements: said_at's start, then its precision
 * (coarser first), then seq. It must be the order of the report index's
 * rx_actor(actor, lo, prec, seq) (lib/saved.c), which pages an actor's
 * statements through the saved state: else an --offset or --after page
 * would differ with and without it. */
static int hit_cmp(const void *a, const void *b)
{
	const hit *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->prec != y->prec)
		return x->prec < y->prec ? -1 : 1;
	return x->r->seq < y->r->seq ? -1 : x->r->seq > y->r->seq;
}

/* Search: the model indices of statements matching every word of query,
 * through an in-memory FTS5 trigram index of the audited statements. */
static int search_index(rbuild *rb, model *m, uint64_t last, const char *query,
			unsigned char *keep)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL, *q = NULL;
	avow_buf sql;
	binds bv = {0};
	qwords qw = {0};
	int rc, ok = -1;

	avow_buf_init(&sql);
	if (sqlite3_open_v2(":memory:", &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "CREATE VIRTUAL TABLE s USING fts5(body, "
			 "tokenize='trigram case_sensitive 0')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO s(rowid, body) VALUES(?, ?)",
			       -1, &ins, NULL) != SQLITE_OK) {
		errorf("search: cannot build the index (%s)",
		       db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < m->n && m->r[i].seq <= last; i++) {
		const mrec *r = &m->r[i];
		cJSON *b;
		const cJSON *src;
		avow_buf t;
		if (r->type != AVOW_T_CLAIM && r->type != AVOW_T_RESPONSE)
			continue;
		b = report_body(rb, r);
		src = cJSON_GetObjectItemCaseSensitive(b, "source");
		avow_buf_init(&t);
		avow_buf_addf(&t, "%s\n%s\n%s\n%s\n",
			      json_str_or(b, "text", ""),
			      json_str_or(b, "original", ""),
			      json_str_or(src, "title", ""),
			      json_str_or(src, "publisher", ""));
		/* The actors' names and aliases, so that "Kremlin" or
		 * 外交部 finds what they said. */
		report_actor_words(rb, json_str(b, "by"), &t);
		{
			const cJSON *w =
				cJSON_GetObjectItemCaseSensitive(b, "with");
			for (const cJSON *a = w ? w->child : NULL; a;
			     a = a->next)
				report_actor_words(rb, a->valuestring, &t);
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
		sqlite3_bind_text(ins, 2, (const char *)avow_buf_cstr(&t),
				  (int)t.len, SQLITE_TRANSIENT);
		rc = sqlite3_step(ins);
		avow_buf_free(&t);
		cJSON_Delete(b);
		if (rc != SQLITE_DONE) {
			errorf("search: cannot build the index (%s)",
			       sqlite3_errmsg(db));
			goto out;
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	/* Every word, as add_word_test says. */
	avow_buf_adds(&sql, "SELECT rowid FROM s WHERE 1");
	if (qwords_split(query, &qw) < 0) {
		errorf("out of memory");
		goto out;
	}
	if (qw.n == 0) {
		errorf("search: the query has no words");
		goto out;
	}
	for (size_t k = 0; k < qw.n; k++) {
		avow_buf_adds(&sql, " AND ");
		if (add_word_test(&sql, "s", qw.w[k], &bv) < 0) {
			errorf("out of memory");
			goto out;
		}
	}
	if (sqlite3_prepare_v2(db, avow_buf_cstr(&sql), -1, &q, NULL) !=
	    SQLITE_OK) {
		errorf("search: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (size_t k = 0; k < bv.n; k++)
		sqlite3_bind_text(q, (int)k + 1, bv.v[k], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		keep[sqlite3_column_int64(q, 0)] = 1;
	if (rc != SQLITE_DONE) {
		errorf("search: %s", sqlite3_errmsg(db));
		goto out;
	}
	ok = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(q);
	sqlite3_close(db);
	avow_buf_free(&sql);
	binds_free(&bv);
	qwords_free(&qw);
	return ok;
}

/* --after names no statement of the view: say why, in one line. */
static void after_error(const rep_opts *o, const selection *s, uint64_t last)
{
	unsigned long long a = s->after;

	if (s->after > last && s->as_of != UINT64_MAX)
		errorf("--after %llu: record %llu is after --as-of %llu", a, a,
		       (unsigned long long)s->as_of);
	else if (s->after > last)
		errorf("--after %llu: the log holds records 0 to %llu", a,
		       (unsigned long long)last);
	else
		errorf("--after %llu: record %llu is not a statement of actor "
		       "%s%s%s",
		       a, a, o->actor, o->include_parts ? " or its parts" : "",
		       o->topic || s->has_since || s->has_until
			       ? " that this view shows"
			       : "");
}

static int seq_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Select the statements, build the report object. */
static cJSON *build(const rep_opts *o, const selection *s, audited *x,
		    const cp_set *cs, const char *query)
{
	uint64_t last = s->as_of != UINT64_MAX ? s->as_of
					       : avow_audit_size(x->audit) - 1;
	rbuild *rb = report_begin(&x->m, x->audit, last);
	cJSON *r, *v, *arr;
	hit *hits = NULL;
	unsigned char *keep = NULL;
	size_t nh = 0, start = 0, end;
	int more;

	if (rb == NULL) {
		errorf("out of memory");
		return NULL;
	}
	hits = calloc(x->m.n + 1, sizeof *hits);
	keep = calloc(x->m.n + 1, 1);
	if (hits == NULL || keep == NULL) {
		errorf("out of memory");
		goto fail;
	}
	if (s->use_found) {
		for (size_t i = 0; s->found.n > 0 && i < x->m.n; i++)
			keep[i] =
				bsearch(&x->m.r[i].seq, s->found.v, s->found.n,
					sizeof *s->found.v, seq_cmp) != NULL;
	} else if (query != NULL &&
		   search_index(rb, &x->m, last, query, keep) < 0) {
		goto fail;
	}
	if (s->use_page) {
		/* Chosen, sorted and paged by the index already. */
		for (size_t i = 0; i < s->ap.page.n; i++) {
			const mrec *m = model_find(&x->m, s->ap.page.v[i]);
			if (m != NULL)
				hits[nh++].r = m;
		}
	}
	if (s->claim != UINT64_MAX) {
		const mrec *root = thread_root(&x->m, s->claim);
		if (root == NULL || root->seq > last ||
		    root->type != AVOW_T_CLAIM) {
			errorf("--claim %llu: record %llu is not a claim or "
			       "response%s",
			       (unsigned long long)s->claim,
			       (unsigned long long)s->claim,
			       s->as_of != UINT64_MAX ? " as of --as-of" : "");
			goto fail;
		}
		hits[nh++].r = root;
	}
	for (size_t i = 0; s->claim == UINT64_MAX && !s->use_page && i < x->m.n;
	     i++) {
		const mrec *m = &x->m.r[i];
		cJSON *b;
		int ok;
		if (m->seq > last)
			break;
		if (m->type != AVOW_T_CLAIM &&
		    (s->threads || m->type != AVOW_T_RESPONSE))
			continue;
		if (query != NULL && !keep[i])
			continue;
		if (s->threads && o->topic) {
			/* A thread with a statement on the topic. */
			ok = 0;
			for (size_t j = i; j < x->m.n && !ok; j++) {
				const mrec *q = &x->m.r[j];
				if (q->seq > last)
					break;
				if ((q->type == AVOW_T_CLAIM ||
				     q->type == AVOW_T_RESPONSE) &&
				    thread_root(&x->m, q->seq) == m) {
					b = report_body(rb, q);
					ok = has_topic(b, o->topic);
					cJSON_Delete(b);
				}
			}
		} else {
			b = report_body(rb, m);
			ok = s->threads || statement_matches(rb, o, s, b);
			if (ok && query != NULL && o->publisher) {
				const char *pub = json_str(
					cJSON_GetObjectItemCaseSensitive(
						b, "source"),
					"publisher");
				ok = pub && strstr(pub, o->publisher);
			}
			if (ok && !s->threads) {
				avow_span sp;
				const char *said = json_str(b, "said_at");
				memset(&sp, 0, sizeof sp);
				if (said)
					avow_parse_pdate(said, strlen(said),
							 &sp);
				hits[nh].lo = sp.lo;
				hits[nh].prec = sp.prec;
			}
			cJSON_Delete(b);
		}
		if (ok)
			hits[nh++].r = m;
	}
	if (!s->threads && !s->use_page)
		qsort(hits, nh, sizeof *hits, hit_cmp);
	/* The page: hits[start, end). The index paged it already. */
	if (s->use_page) {
		if (s->ap.missing) {
			after_error(o, s, last);
			goto fail;
		}
		start = 0;
		end = nh;
		more = s->ap.more;
	} else {
		if (s->after != UINT64_MAX) {
			while (start < nh && hits[start].r->seq != s->after)
				start++;
			if (start == nh) {
				after_error(o, s, last);
				goto fail;
			}
			start++;
		} else {
			start = s->offset < nh ? (size_t)s->offset : nh;
		}
		end = s->limit < nh - start ? start + (size_t)s->limit : nh;
		more = end < nh;
	}
	r = report_head(o, s, x, cs, query);
	v = cJSON_GetObjectItemCaseSensitive(r, "view");
	cJSON_AddNumberToObject(v, "total",
				(double)(s->use_page ? s->ap.total : nh));
	/* Where --after takes up the next page: the last statement of this
	 * one. Only an actor's view pages by --after. */
	if (o->actor == NULL || query != NULL || !more ||
	    (end == start && s->after == UINT64_MAX))
		cJSON_AddNullToObject(v, "next_after");
	else
		cJSON_AddNumberToObject(v, "next_after",
					(double)(end > start
							 ? hits[end - 1].r->seq
							 : s->after));
	arr = cJSON_CreateArray();
	for (size_t i = start; i < end; i++) {
		cJSON *st = report_statement(rb, hits[i].r, s->threads);
		if (st != NULL)
			cJSON_AddItemToArray(arr, st);
	}
	cJSON_AddItemToObject(r, "actors", report_actors(rb));
	cJSON_AddItemToObject(r, "statements", arr);
	if (report_oom(rb)) {
		cJSON_Delete(r);
		errorf("out of memory");
		goto fail;
	}
	free(hits);
	free(keep);
	report_end(rb);
	return r;
fail:
	free(hits);
	free(keep);
	report_end(rb);
	return NULL;
}

static int render(const rep_opts *o, const cJSON *r)
{
	const char *f = o->format ? o->format : "text";
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc, colour = 0;

	if (mem == NULL) {
		errorf("out of memory");
		return EXIT_FAIL;
	}
	if (strcmp(f, "text") == 0) {
		const char *nc = getenv("NO_COLOR");
		colour = o->out == NULL && isatty(STDOUT_FILENO) &&
			 (nc == NULL || nc[0] == 0);
		rc = render_text(r, mem, colour);
	} else if (strcmp(f, "md") == 0) {
		rc = render_md(r, mem);
	} else if (strcmp(f, "json") == 0) {
		print_json(mem, r);
		rc = 0;
	} else if (strcmp(f, "html") == 0) {
		rc = render_html(r, mem);
	} else if (strcmp(f, "dot") == 0) {
		rc = render_dot(r, mem);
	} else {
		rc = render_prov(r, mem);
	}
	if (fclose(mem) != 0 || rc != 0) {
		free(buf);
		errorf("cannot render the report as %s (out of memory)", f);
		return EXIT_FAIL;
	}
	rc = write_out(o->out, buf, len);
	free(buf);
	return rc;
}

static int report_with(int argc, char **argv, const char *usage, int search,
		       rep_opts *o)
{
	static const char *const formats[] = {"text", "md",  "json",
					      "html", "dot", "prov"};
	selection s;
	audited x;
	cp_set cs;
	cJSON *r;
	const char *query = NULL;
	int rc, fmt_ok = 0;

	memset(&cs, 0, sizeof cs);
	if (parse_opts(argc, argv, "o:", rep_longopts, rep_opt, o, usage, &rc))
		return rc;
	if (search) {
		if (argc - optind != 1) {
			errorf("search: give one QUERY (quote it when it has "
			       "several words)");
			return EXIT_USAGE;
		}
		query = argv[optind];
	} else if (optind != argc) {
		errorf("report: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->claim && search) {
		errorf("search: --claim is an option of avow report");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
		fmt_ok |=
			o->format == NULL || strcmp(o->format, formats[i]) == 0;
	if (!fmt_ok) {
		errorf("--format %s: not text, md, json, html, dot or prov",
		       o->format);
		return EXIT_USAGE;
	}
	if (parse_selection(o, &s, search) < 0)
		return EXIT_USAGE;
	rc = audit_source(o, &x, &cs, &s, query);
	if (rc == EXIT_OK && s.as_of != UINT64_MAX &&
	    s.as_of >= avow_audit_size(x.audit)) {
		errorf("--as-of %llu: the log holds records 0 to %llu",
		       (unsigned long long)s.as_of,
		       (unsigned long long)avow_audit_size(x.audit) - 1);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK && o->actor) {
		uint64_t last = s.as_of != UINT64_MAX ? s.as_of : UINT64_MAX;
		int found = 0;
		for (size_t i = 0; i < x.m.n && x.m.r[i].seq <= last; i++)
			found |= x.m.r[i].type == AVOW_T_ACTOR &&
				 strcmp(json_str_or(x.m.r[i].body, "id", ""),
					o->actor) == 0;
		if (!found) {
			errorf("--actor %s: no such actor in the log",
			       o->actor);
			rc = EXIT_USAGE;
		}
	}
	if (rc == EXIT_OK) {
		r = build(o, &s, &x, &cs, query);
		rc = r == NULL ? EXIT_USAGE : render(o, r);
		cJSON_Delete(r);
	}
	if (rc == EXIT_OK && cs.n == 0)
		warnf("%s", no_checkpoint_warning);
	seqs_free(&s.ap.page);
	seqs_free(&s.found);
	cp_set_free(&cs);
	audited_free(&x);
	return rc;
}

static int report_main(int argc, char **argv, const char *usage, int search)
{
	rep_opts o;
	int rc;

	memset(&o, 0, sizeof o);
	if (cp_args_init(&o.cpa, argc) < 0)
		return EXIT_FAIL;
	rc = report_with(argc, argv, usage, search, &o);
	cp_args_free(&o.cpa);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	return report_main(argc, argv, usage_report, 0);
}

int cmd_search(int argc, char **argv)
{
	return report_main(argc, argv, usage_search, 1);
}

/* avow actor list: the latest declaration of every actor. */
int cmd_report_actors(int json)
{
	audited x;
	rbuild *rb;
	cJSON *arr = NULL;
	int rc = audit_for_reading(&x, 1);

	if (rc != EXIT_OK) {
		audited_free(&x);
		return rc;
	}
	rb = report_begin(&x.m, x.audit, avow_audit_size(x.audit) - 1);
	if (rb == NULL) {
		errorf("out of memory");
		audited_free(&x);
		return EXIT_FAIL;
	}
	if (json)
		arr = cJSON_CreateArray();
	for (size_t i = 0; i < x.m.n; i++) {
		mrec *r = &x.m.r[i];
		uint64_t latest;
		cJSON *b;
		if (r->type != AVOW_T_ACTOR)
			continue;
		if (!avow_state_actor(avow_audit_state(x.audit),
				      json_str(r->body, "id"), &latest) ||
		    latest != r->seq)
			continue;
		b = report_body(rb, r);
		if (b == NULL)
			continue;
		if (json) {
			cJSON_AddNumberToObject(b, "declared_at_seq",
						(double)r->seq);
			cJSON_AddItemToArray(arr, b);
			continue;
		}
		printf("%s\t%s\t%s\t%s\n", json_str(b, "id"),
		       json_str(b, "kind"), json_str(b, "name"),
		       json_str(b, "part_of") ? json_str(b, "part_of") : "-");
		cJSON_Delete(b);
	}
	if (json) {
		print_json(stdout, arr);
		cJSON_Delete(arr);
	}
	report_end(rb);
	audited_free(&x);
	return EXIT_OK;
}
