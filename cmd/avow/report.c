/*
 * report.c - build the report model (docs/REPORTS.md, avow-report/v1)
 * from audited records.
 *
 * Everything is computed from the model of accepted records (bodies as
 * recorded) and the amend records in it, so that --as-of N can replay the
 * log as it stood after record N: bodies with the amendments up to N,
 * actor names as declared up to N, statuses from the responses up to N.
 */
#include "report_build.h"

#include "json.h"
#include "map.h"
#include "state.h"
#include "syntax.h"

#include <stdlib.h>
#include <string.h>

/* A growable list of model indices. */
typedef struct {
	size_t *v;
	size_t n, cap;
} ilist;

static int ilist_add(ilist *l, size_t i)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		size_t *nv = realloc(l->v, cap * sizeof *nv);
		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = i;
	return 0;
}

struct rbuild {
	model *m;
	avow_audit *audit;
	const char *origin;
	uint64_t last;	  /* the last seq the report sees */
	ilist *children;  /* per model index: responses that target it */
	ilist *amends;	  /* per model index: amends that target it */
	ilist *warns;	  /* per model index: warning indices */
	cJSON *actors;	  /* id -> {} of actors named, filled as we go */
	avow_map decl_of; /* actor id -> index into decls */
	ilist *decls;	  /* per actor id: its declarations' model indices */
	size_t ndecls;
	int oom;
};

static const char *const precisions[] = {"", "year", "month", "day", "second"};

/* "July 2023", "18 September 2023", "2023", or the time itself. */
void report_human_date(const char *d, char *out, size_t n)
{
	static const char *const months[] = {"January", "February", "March",
					     "April",	"May",	    "June",
					     "July",	"August",   "September",
					     "October", "November", "December"};
	avow_span s;
	int y, m, day;

	if (d == NULL || !avow_parse_pdate(d, strlen(d), &s)) {
		snprintf(out, n, "%s", d ? d : "?");
		return;
	}
	y = atoi(d);
	m = strlen(d) >= 7 ? atoi(d + 5) : 1;
	day = strlen(d) >= 10 ? atoi(d + 8) : 1;
	switch (s.prec) {
	case AVOW_PREC_YEAR: snprintf(out, n, "%04d", y); break;
	case AVOW_PREC_MONTH:
		snprintf(out, n, "%s %04d", months[m - 1], y);
		break;
	case AVOW_PREC_DAY:
		snprintf(out, n, "%d %s %04d", day, months[m - 1], y);
		break;
	default: snprintf(out, n, "%s", d);
	}
}

static size_t index_of(const model *m, const mrec *r)
{
	return (size_t)(r - m->r);
}

/* Apply an amend's set to a body: members with null are removed. */
static void apply_set(cJSON *body, const cJSON *set)
{
	for (const cJSON *s = set ? set->child : NULL; s; s = s->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(body, s->string);
		if (!cJSON_IsNull(s))
			cJSON_AddItemToObject(body, s->string,
					      cJSON_Duplicate(s, 1));
	}
}

/* The body of r with its amendments up to seq `upto` applied (a copy). */
static cJSON *body_upto(rbuild *b, const mrec *r, uint64_t upto)
{
	cJSON *body = cJSON_Duplicate(r->body, 1);
	const ilist *am = &b->amends[index_of(b->m, r)];

	if (body == NULL) {
		b->oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < am->n; i++) {
		const mrec *a = &b->m->r[am->v[i]];
		if (a->seq > upto)
			break;
		apply_set(body,
			  cJSON_GetObjectItemCaseSensitive(a->body, "set"));
	}
	return body;
}

/* The declarations of actor id, in log order (NULL when none). */
static const ilist *decls_of(const rbuild *b, const char *id)
{
	const uint64_t *i = avow_map_get(&b->decl_of, id, strlen(id));
	return i ? &b->decls[*i] : NULL;
}

/* The declaration of actor id in force at seq `at` (or NULL). */
static const mrec *actor_decl(rbuild *b, const char *id, uint64_t at)
{
	const ilist *l = decls_of(b, id);
	const mrec *found = NULL;

	for (size_t i = 0; l != NULL && i < l->n; i++) {
		const mrec *r = &b->m->r[l->v[i]];
		if (r->seq > at)
			break;
		found = r;
	}
	return found;
}

/* The name of actor id as it stood at seq `at` (malloc'ed), or NULL. */
static char *name_at(rbuild *b, const char *id, uint64_t at)
{
	const mrec *d = actor_decl(b, id, at);
	cJSON *body = d ? body_upto(b, d, at) : NULL;
	char *name = body ? avow_strdup(json_str(body, "name")) : NULL;

	cJSON_Delete(body);
	return name;
}

/* Append {"seq", "name"} for record r to names, unless the name is absent,
 * r is beyond the report, or the name is the one before. */
static void add_name(rbuild *b, cJSON *names, const mrec *r, const char *n)
{
	const cJSON *last;
	cJSON *e;

	if (n == NULL || r->seq > b->last)
		return;
	last = cJSON_GetArrayItem(names, cJSON_GetArraySize(names) - 1);
	if (last != NULL && strcmp(json_str_or(last, "name", ""), n) == 0)
		return;
	e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "seq", (double)r->seq);
	cJSON_AddStringToObject(e, "name", n);
	cJSON_AddItemToArray(names, e);
}

static int cmp_index(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, c = *(const size_t *)y;
	return (a > c) - (a < c);
}

/* Add to names, in log order, the name of each declaration in decls and
 * of each amend of one. -1 when out of memory. */
static int add_names(rbuild *b, cJSON *names, const ilist *decls)
{
	size_t n = 0, k = 0, *all;

	for (size_t i = 0; decls != NULL && i < decls->n; i++)
		n += 1 + b->amends[decls->v[i]].n;
	if (n == 0)
		return 0;
	if ((all = malloc(n * sizeof *all)) == NULL)
		return -1;
	for (size_t i = 0; i < decls->n; i++) {
		const ilist *am = &b->amends[decls->v[i]];
		all[k++] = decls->v[i];
		for (size_t j = 0; j < am->n; j++)
			all[k++] = am->v[j];
	}
	qsort(all, n, sizeof *all, cmp_index);
	for (size_t i = 0; i < n; i++) {
		const mrec *r = &b->m->r[all[i]];
		const cJSON *from = r->type == AVOW_T_AMEND
					    ? cJSON_GetObjectItemCaseSensitive(
						      r->body, "set")
					    : r->body;
		add_name(b, names, r, json_str(from, "name"));
	}
	free(all);
	return 0;
}

/* Note actor id as named by the report. */
static void note_actor(rbuild *b, const char *id)
{
	const mrec *d;
	cJSON *body, *a, *names, *aliases;

	if (id == NULL ||
	    cJSON_GetObjectItemCaseSensitive(b->actors, id) != NULL)
		return;
	d = actor_decl(b, id, b->last);
	if (d == NULL)
		return;
	body = body_upto(b, d, b->last);
	a = cJSON_CreateObject();
	if (body == NULL || a == NULL) {
		cJSON_Delete(body);
		cJSON_Delete(a);
		b->oom = 1;
		return;
	}
	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "name", json_str_or(body, "name", ""));
	cJSON_AddStringToObject(a, "kind", json_str_or(body, "kind", ""));
	aliases = cJSON_GetObjectItemCaseSensitive(body, "aliases");
	cJSON_AddItemToObject(a, "aliases",
			      aliases ? cJSON_Duplicate(aliases, 1)
				      : cJSON_CreateArray());
	if (json_str(body, "part_of"))
		cJSON_AddStringToObject(a, "part_of",
					json_str(body, "part_of"));
	else
		cJSON_AddNullToObject(a, "part_of");
	if (json_str(body, "description"))
		cJSON_AddStringToObject(a, "description",
					json_str(body, "description"));
	else
		cJSON_AddNullToObject(a, "description");
	cJSON_AddNumberToObject(a, "declared_at", (double)d->seq);
	/* Every name it was declared or amended with, in log order. */
	names = cJSON_AddArrayToObject(a, "names");
	if (add_names(b, names, decls_of(b, id)) < 0)
		b->oom = 1;
	cJSON_AddItemToObject(b->actors, id, a);
	cJSON_Delete(body);
}

/* [{"id", "name"}] for an array member of ids. */
static cJSON *actor_refs(rbuild *b, const cJSON *ids)
{
	cJSON *out = cJSON_CreateArray();

	for (const cJSON *i = ids ? ids->child : NULL; i && out; i = i->next) {
		cJSON *e = cJSON_CreateObject();
		char *n = name_at(b, i->valuestring, b->last);
		cJSON_AddStringToObject(e, "id", i->valuestring);
		cJSON_AddStringToObject(e, "name", n ? n : "");
		cJSON_AddItemToArray(out, e);
		note_actor(b, i->valuestring);
		free(n);
	}
	return out;
}

static void cite(char *out, size_t n, const char *origin, const mrec *r)
{
	snprintf(out, n, "%s#%llu@%s", origin, (unsigned long long)r->seq,
		 r->leaf);
}

static cJSON *recorded(rbuild *b, const mrec *r)
{
	cJSON *o = cJSON_CreateObject();
	char t[21];

	cJSON_AddStringToObject(o, "key_id", r->signer);
	cJSON_AddStringToObject(o, "holder", report_holder(b, r->signer));
	if (avow_format_time(r->time, t) != 0)
		strcpy(t, "?");
	cJSON_AddStringToObject(o, "time", t);
	return o;
}

const char *report_holder(rbuild *b, const char *key_id)
{
	for (size_t i = 0; i < avow_audit_key_count(b->audit); i++) {
		avow_key_summary k;
		avow_audit_key(b->audit, i, &k);
		if (strcmp(k.id, key_id) == 0)
			return k.holder;
	}
	return "?";
}

static void add_str_or_null(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *said_at(const char *v)
{
	cJSON *o = cJSON_CreateObject();
	avow_span s;
	char text[64], t[21];

	memset(&s, 0, sizeof s);
	if (v == NULL || !avow_parse_pdate(v, strlen(v), &s)) {
		add_str_or_null(o, "value", v);
		return o;
	}
	report_human_date(v, text, sizeof text);
	cJSON_AddStringToObject(o, "value", v);
	cJSON_AddStringToObject(o, "precision", precisions[s.prec]);
	cJSON_AddStringToObject(o, "text", text);
	avow_format_time(s.lo, t);
	cJSON_AddStringToObject(o, "start", t);
	avow_format_time(s.hi, t);
	cJSON_AddStringToObject(o, "end", t);
	return o;
}

/* The status of claim r from its direct responses up to b->last. */
static cJSON *status_of(rbuild *b, const mrec *r, const cJSON *body)
{
	static const char *const names[] = {"unanswered", "answered",
					    "supported", "contested",
					    "retracted"};
	const ilist *ch = &b->children[index_of(b->m, r)];
	cJSON *o = cJSON_CreateObject();
	int best = 0;

	for (size_t i = 0; i < ch->n; i++) {
		const mrec *q = &b->m->r[ch->v[i]];
		cJSON *qb;
		const char *stance;
		int rank = 0, withdrawn = 0;
		if (q->seq > b->last)
			break;
		qb = body_upto(b, q, b->last);
		stance = json_str_or(qb, "stance", "");
		if (strcmp(stance, "retracts") == 0)
			rank = 4;
		else if (!strcmp(stance, "denies") ||
			 !strcmp(stance, "disputes"))
			rank = 3;
		else if (!strcmp(stance, "supports"))
			rank = 2;
		else if (!strcmp(stance, "clarifies") ||
			 !strcmp(stance, "declines-comment"))
			rank = 1;
		/* A denial or support its own actor retracted no longer
		 * counts. */
		if (rank == 3 || rank == 2) {
			const ilist *qc = &b->children[ch->v[i]];
			for (size_t j = 0; j < qc->n && !withdrawn; j++) {
				const mrec *w = &b->m->r[qc->v[j]];
				cJSON *wb;
				if (w->seq > b->last)
					break;
				wb = body_upto(b, w, b->last);
				withdrawn =
					!strcmp(json_str_or(wb, "stance", ""),
						"retracts");
				cJSON_Delete(wb);
			}
		}
		if (!withdrawn && rank > best)
			best = rank;
		cJSON_Delete(qb);
	}
	(void)body;
	cJSON_AddStringToObject(o, "value", names[best]);
	cJSON_AddNumberToObject(o, "as_of_size", (double)(b->last + 1));
	return o;
}

static cJSON *amendments(rbuild *b, const mrec *r)
{
	const ilist *am = &b->amends[index_of(b->m, r)];
	cJSON *arr = cJSON_CreateArray();
	cJSON *cur = cJSON_Duplicate(r->body, 1);
	char c[400];

	for (size_t i = 0; i < am->n; i++) {
		const mrec *a = &b->m->r[am->v[i]];
		const cJSON *set =
			cJSON_GetObjectItemCaseSensitive(a->body, "set");
		cJSON *e, *changes;
		if (a->seq > b->last)
			break;
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "seq", (double)a->seq);
		cite(c, sizeof c, b->origin, a);
		cJSON_AddStringToObject(e, "cite", c);
		cJSON_AddStringToObject(e, "reason",
					json_str_or(a->body, "reason", ""));
		cJSON_AddItemToObject(e, "recorded", recorded(b, a));
		changes = cJSON_AddArrayToObject(e, "changes");
		for (const cJSON *s = set ? set->child : NULL; s; s = s->next) {
			cJSON *ch = cJSON_CreateObject();
			const cJSON *old = cJSON_GetObjectItemCaseSensitive(
				cur, s->string);
			cJSON_AddStringToObject(ch, "member", s->string);
			cJSON_AddItemToObject(ch, "old",
					      old ? cJSON_Duplicate(old, 1)
						  : cJSON_CreateNull());
			cJSON_AddItemToObject(ch, "new", cJSON_Duplicate(s, 1));
			cJSON_AddItemToArray(changes, ch);
		}
		apply_set(cur, set);
		cJSON_AddItemToArray(arr, e);
	}
	cJSON_Delete(cur);
	return arr;
}

cJSON *report_statement(rbuild *b, const mrec *r, int nested)
{
	cJSON *body = body_upto(b, r, b->last), *o, *by, *src, *so;
	const char *by_id;
	char c[400], *now, *then;
	size_t ix = index_of(b->m, r);

	if (body == NULL)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)r->seq);
	cJSON_AddStringToObject(o, "type", avow_type_name(r->type));
	cite(c, sizeof c, b->origin, r);
	cJSON_AddStringToObject(o, "cite", c);
	cJSON_AddStringToObject(o, "leaf_hash", r->leaf64);
	by_id = json_str_or(body, "by", "");
	by = cJSON_AddObjectToObject(o, "by");
	now = name_at(b, by_id, b->last);
	then = name_at(b, by_id, r->seq);
	cJSON_AddStringToObject(by, "id", by_id);
	cJSON_AddStringToObject(by, "name", now ? now : "");
	add_str_or_null(by, "name_when_recorded",
			then && now && strcmp(then, now) != 0 ? then : NULL);
	free(now);
	free(then);
	note_actor(b, by_id);
	cJSON_AddItemToObject(
		o, "with",
		actor_refs(b, cJSON_GetObjectItemCaseSensitive(body, "with")));
	cJSON_AddItemToObject(o, "said_at", said_at(json_str(body, "said_at")));
	cJSON_AddStringToObject(o, "text", json_str_or(body, "text", ""));
	cJSON_AddBoolToObject(
		o, "quote",
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "quote")));
	add_str_or_null(o, "lang", json_str(body, "lang"));
	cJSON_AddBoolToObject(o, "translated",
			      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				      body, "translated")));
	add_str_or_null(o, "original", json_str(body, "original"));
	src = cJSON_GetObjectItemCaseSensitive(body, "source");
	so = cJSON_AddObjectToObject(o, "source");
	{
		static const char *const m[] = {"url",	     "title",
						"publisher", "published",
						"retrieved", "sha256"};
		for (size_t i = 0; i < 6; i++)
			add_str_or_null(so, m[i], json_str(src, m[i]));
	}
	cJSON_AddItemToObject(
		o, "via",
		actor_refs(b, cJSON_GetObjectItemCaseSensitive(body, "via")));
	cJSON_AddItemToObject(
		o, "about",
		actor_refs(b, cJSON_GetObjectItemCaseSensitive(body, "about")));
	{
		const cJSON *t =
			cJSON_GetObjectItemCaseSensitive(body, "topics");
		cJSON_AddItemToObject(o, "topics",
				      t ? cJSON_Duplicate(t, 1)
					: cJSON_CreateArray());
	}
	if (r->type == AVOW_T_RESPONSE) {
		const mrec *t = model_find(b->m, r->target);
		cJSON *to = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "stance",
					json_str_or(body, "stance", ""));
		cJSON_AddNumberToObject(to, "seq", (double)r->target);
		if (t != NULL) {
			cite(c, sizeof c, b->origin, t);
			cJSON_AddStringToObject(to, "cite", c);
		}
		cJSON_AddItemToObject(o, "target", to);
	}
	cJSON_AddItemToObject(o, "recorded", recorded(b, r));
	cJSON_AddItemToObject(o, "amendments", amendments(b, r));
	{
		cJSON *w = cJSON_AddArrayToObject(o, "warnings");
		const ilist *wl = &b->warns[ix];
		for (size_t i = 0; i < wl->n; i++)
			cJSON_AddItemToArray(
				w, cJSON_CreateString(avow_audit_warning(
					   b->audit, wl->v[i], NULL)));
	}
	if (r->type == AVOW_T_CLAIM)
		cJSON_AddItemToObject(o, "status", status_of(b, r, body));
	if (nested) {
		cJSON *resp = cJSON_AddArrayToObject(o, "responses");
		const ilist *ch = &b->children[ix];
		for (size_t i = 0; i < ch->n; i++) {
			const mrec *q = &b->m->r[ch->v[i]];
			cJSON *s;
			if (q->seq > b->last)
				break;
			s = report_statement(b, q, 1);
			if (s != NULL)
				cJSON_AddItemToArray(resp, s);
		}
	}
	cJSON_Delete(body);
	return o;
}

rbuild *report_begin(model *m, avow_audit *audit, uint64_t last)
{
	rbuild *b = calloc(1, sizeof *b);

	if (b == NULL)
		return NULL;
	b->m = m;
	b->audit = audit;
	b->origin = avow_audit_origin(audit);
	b->last = last;
	b->children = calloc(m->n + 1, sizeof *b->children);
	b->amends = calloc(m->n + 1, sizeof *b->amends);
	b->warns = calloc(m->n + 1, sizeof *b->warns);
	b->actors = cJSON_CreateObject();
	avow_map_init(&b->decl_of);
	if (b->children == NULL || b->amends == NULL || b->warns == NULL ||
	    b->actors == NULL) {
		report_end(b);
		return NULL;
	}
	for (size_t i = 0; i < m->n; i++) {
		const mrec *r = &m->r[i];
		const mrec *t = r->target != UINT64_MAX
					? model_find(m, r->target)
					: NULL;
		if (t == NULL)
			continue;
		if ((r->type == AVOW_T_RESPONSE &&
		     ilist_add(&b->children[index_of(m, t)], i) < 0) ||
		    (r->type == AVOW_T_AMEND &&
		     ilist_add(&b->amends[index_of(m, t)], i) < 0))
			b->oom = 1;
	}
	for (size_t i = 0; !b->oom && i < m->n; i++) {
		const char *id = json_str(m->r[i].body, "id");
		uint64_t *k;
		if (m->r[i].type != AVOW_T_ACTOR || id == NULL)
			continue;
		k = avow_map_get(&b->decl_of, id, strlen(id));
		if (k == NULL) {
			ilist *d = realloc(b->decls,
					   (b->ndecls + 1) * sizeof *b->decls);
			if (d == NULL ||
			    avow_map_put(&b->decl_of, id, strlen(id),
					 b->ndecls) < 0) {
				if (d != NULL)
					b->decls = d;
				b->oom = 1;
				break;
			}
			b->decls = d;
			memset(&b->decls[b->ndecls], 0, sizeof *b->decls);
			k = avow_map_get(&b->decl_of, id, strlen(id));
			b->ndecls++;
		}
		if (ilist_add(&b->decls[*k], i) < 0)
			b->oom = 1;
	}
	for (size_t i = 0; i < avow_audit_warning_count(audit); i++) {
		uint64_t seq;
		const mrec *r;
		avow_audit_warning(audit, i, &seq);
		r = model_find(m, seq);
		if (r != NULL && ilist_add(&b->warns[index_of(m, r)], i) < 0)
			b->oom = 1;
	}
	if (b->oom) {
		report_end(b);
		return NULL;
	}
	return b;
}

int report_oom(const rbuild *b)
{
	return b->oom;
}

/* The actors named so far, as an array in id order. */
cJSON *report_actors(rbuild *b)
{
	cJSON *arr = cJSON_CreateArray();
	size_t n = (size_t)cJSON_GetArraySize(b->actors);
	/* An array of pointers. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	cJSON **v = n ? calloc(n, sizeof *v) : NULL;
	size_t k = 0;

	if (arr == NULL || v == NULL) {
		if (arr != NULL && n == 0)
			return arr;
		free(v);
		cJSON_Delete(arr);
		return NULL;
	}
	for (cJSON *a = b->actors->child; a && k < n; a = a->next)
		v[k++] = a;
	/* insertion sort: actor counts are small */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i;
		     j > 0 && strcmp(v[j - 1]->string, v[j]->string) > 0; j--) {
			cJSON *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < k; i++)
		cJSON_AddItemToArray(arr, cJSON_Duplicate(v[i], 1));
	free(v);
	return arr;
}

/* The current (as of b->last) body of r: a copy. */
cJSON *report_body(rbuild *b, const mrec *r)
{
	return body_upto(b, r, b->last);
}

/* Whether actor id is `root` or part of it (as of b->last). */
int report_part_of(rbuild *b, const char *id, const char *root)
{
	char cur[128];
	int depth = 0;

	snprintf(cur, sizeof cur, "%s", id);
	while (depth++ < 64) {
		const mrec *d;
		cJSON *body;
		const char *p;
		if (strcmp(cur, root) == 0)
			return 1;
		d = actor_decl(b, cur, b->last);
		body = d ? body_upto(b, d, b->last) : NULL;
		p = json_str(body, "part_of");
		if (p == NULL) {
			cJSON_Delete(body);
			return 0;
		}
		snprintf(cur, sizeof cur, "%s", p);
		cJSON_Delete(body);
	}
	return 0;
}

void report_end(rbuild *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; b->children && b->amends && b->warns && i <= b->m->n;
	     i++) {
		free(b->children[i].v);
		free(b->amends[i].v);
		free(b->warns[i].v);
	}
	free(b->children);
	free(b->amends);
	free(b->warns);
	for (size_t i = 0; b->decls && i < b->ndecls; i++)
		free(b->decls[i].v);
	free(b->decls);
	avow_map_free(&b->decl_of);
	cJSON_Delete(b->actors);
	free(b);
}

void report_actor_words(rbuild *b, const char *id, avow_buf *out)
{
	const mrec *d = id ? actor_decl(b, id, b->last) : NULL;
	cJSON *body = d ? body_upto(b, d, b->last) : NULL;
	const cJSON *al = cJSON_GetObjectItemCaseSensitive(body, "aliases");

	if (body == NULL)
		return;
	avow_buf_addf(out, "%s\n%s\n", id, json_str_or(body, "name", ""));
	for (const cJSON *a = al ? al->child : NULL; a; a = a->next)
		if (cJSON_IsString(a))
			avow_buf_addf(out, "%s\n", a->valuestring);
	cJSON_Delete(body);
}
