/*
 * report_prov.c - the report as W3C PROV-JSON (docs/REPORTS.md, format
 * `prov`; https://www.w3.org/submissions/prov-json/).
 *
 *   entity    log:seq-N     a statement (prov:type avow:Claim or
 *                           avow:Response), its words, date, source, cite
 *                           and leaf hash; log:log, the audited log
 *   agent     log:actor-ID  an actor (prov:Person or prov:Organization,
 *                           and avow:KIND)
 *             log:key-KEYID a recording key, labelled with its holder
 *   activity  log:record-N  the recording of record N (a statement or an
 *                           amendment), at the entry's time
 *
 *   wasAttributedTo    statement -> its `by` actor (avow:role "by") and
 *                      each joint `with` actor (avow:role "with")
 *   wasDerivedFrom     response -> the statement it answers (avow:stance)
 *   wasGeneratedBy     statement -> the activity that recorded it
 *   wasAssociatedWith  activity -> the agent of the key that signed it
 *   wasInfluencedBy    statement -> each amendment's activity
 *
 * Prefix `avow` is the vocabulary, prefix `log` names this log's records
 * (a URN made from the log's origin, ids percent-encoded), so documents
 * from two logs can be merged. Times of activities and relations are plain
 * xsd:dateTime strings, as PROV-JSON has them. Relations have blank-node
 * ids numbered in report order ("_:wAT1", ...). A target outside the report
 * (statements view) gets an entity with its cite only. The document is
 * built with cJSON and printed by cJSON_Print, members in the order they
 * were added: the same report gives the same bytes.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PROV_NS "http://www.w3.org/ns/prov#"
#define XSD_NS	"http://www.w3.org/2001/XMLSchema#"
#define AVOW_NS "urn:avow:vocab:v1#"

/* A list of seqs. */
typedef struct {
	long long *v;
	size_t n, cap;
} seqs;

typedef struct {
	cJSON *doc;
	cJSON *entity, *agent, *activity;
	cJSON *attributed, *derived, *generated, *associated, *influenced;
	unsigned n_at, n_df, n_gb, n_aw, n_inf;
	/* The seqs of the report's statements (sorted, and which of them
	 * have their entity), of the placeholders and of the amendments made,
	 * so that a large report needs no search of the big maps. */
	seqs in, placeholders, amends;
	unsigned char *done;
	int oom;
} prov;

static void seqs_add(prov *p, seqs *s, long long seq)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		long long *v = realloc(s->v, cap * sizeof *v);
		if (v == NULL) {
			p->oom = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = seq;
}

static int seqs_has(const seqs *s, long long seq)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == seq)
			return 1;
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* The index of seq in the sorted p->in (its first, if repeated), or -1. */
static long long find_in(const prov *p, long long seq)
{
	size_t lo = 0, hi = p->in.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->in.v[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->in.n && p->in.v[lo] == seq ? (long long)lo : -1;
}

static void collect(prov *p, const cJSON *list)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		seqs_add(p, &p->in, rj_num(st, "seq"));
		collect(p, cJSON_GetObjectItemCaseSensitive(st, "responses"));
	}
}

static int is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A qualified name `prefix:LOCAL`, every byte of `local` outside
 * [A-Za-z0-9_-] percent-encoded (PROV-N's PN_LOCAL allows %XX), so key ids
 * ("alice+7f099a5b") and any actor id make valid names. Returns a malloc'd
 * string or NULL. */
static char *qname(const char *prefix, const char *kind, const char *local)
{
	size_t n = strlen(prefix) + strlen(kind) + 2;
	char *q, *p;

	if (local == NULL)
		local = "";
	n += 3 * strlen(local) + 1;
	q = malloc(n);
	if (q == NULL)
		return NULL;
	p = q + snprintf(q, n, "%s:%s", prefix, kind);
	for (const unsigned char *s = (const unsigned char *)local; *s; s++) {
		if (is_plain(*s))
			*p++ = (char)*s;
		else
			p += snprintf(p, 4, "%%%02X", *s);
	}
	*p = '\0';
	return q;
}

static char *seq_name(long long seq)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", seq);
	return qname("log", "seq-", b);
}

static void add_str(prov *p, cJSON *o, const char *k, const char *v)
{
	if (v != NULL && cJSON_AddStringToObject(o, k, v) == NULL)
		p->oom = 1;
}

/* A copy of a non-empty array of strings. */
static void add_list(prov *p, cJSON *o, const char *k, const cJSON *list)
{
	cJSON *c;

	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return;
	c = cJSON_Duplicate(list, 1);
	if (c == NULL || !cJSON_AddItemToObject(o, k, c)) {
		cJSON_Delete(c);
		p->oom = 1;
	}
}

/* {"$": value, "type": type}: a typed literal or a qualified name. */
static void add_typed(prov *p, cJSON *o, const char *k, const char *v,
		      const char *type)
{
	cJSON *t;

	if (v == NULL)
		return;
	t = cJSON_AddObjectToObject(o, k);
	if (t == NULL || cJSON_AddStringToObject(t, "$", v) == NULL ||
	    cJSON_AddStringToObject(t, "type", type) == NULL)
		p->oom = 1;
}

static cJSON *typed(const char *v, const char *type)
{
	cJSON *t = cJSON_CreateObject();
	if (t != NULL && (cJSON_AddStringToObject(t, "$", v) == NULL ||
			  cJSON_AddStringToObject(t, "type", type) == NULL)) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

/* prov:type as one or two qualified names. */
static void add_types(prov *p, cJSON *o, const char *t1, const char *t2)
{
	cJSON *a;

	if (t2 == NULL) {
		add_typed(p, o, "prov:type", t1, "prov:QUALIFIED_NAME");
		return;
	}
	a = cJSON_AddArrayToObject(o, "prov:type");
	if (a == NULL ||
	    !cJSON_AddItemToArray(a, typed(t1, "prov:QUALIFIED_NAME")) ||
	    !cJSON_AddItemToArray(a, typed(t2, "prov:QUALIFIED_NAME")))
		p->oom = 1;
}

/* A new member `id` of one of the top-level maps, unless it is there. */
static cJSON *add_node(prov *p, cJSON *map, const char *id, int *is_new)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(map, id);

	*is_new = o == NULL;
	if (o == NULL && (o = cJSON_AddObjectToObject(map, id)) == NULL)
		p->oom = 1;
	return o;
}

/* A relation `_:PREFIXn` with two members naming nodes. */
static cJSON *relation(prov *p, cJSON *map, const char *prefix, unsigned *n,
		       const char *k1, const char *v1, const char *k2,
		       const char *v2)
{
	char id[48];
	cJSON *r;

	if (v1 == NULL || v2 == NULL) {
		p->oom = 1;
		return NULL;
	}
	snprintf(id, sizeof id, "_:%s%u", prefix, ++*n);
	r = cJSON_AddObjectToObject(map, id);
	if (r == NULL || cJSON_AddStringToObject(r, k1, v1) == NULL ||
	    cJSON_AddStringToObject(r, k2, v2) == NULL) {
		p->oom = 1;
		return NULL;
	}
	return r;
}

static const char *prov_class(const char *kind)
{
	if (kind != NULL &&
	    (strcmp(kind, "person") == 0 || strcmp(kind, "official") == 0))
		return "prov:Person";
	return "prov:Organization";
}

static void actor_agent(prov *p, const cJSON *a)
{
	const char *id = rj_str(a, "id"), *kind = rj_str(a, "kind");
	char *q = qname("log", "actor-", id), *t = qname("avow", "", kind);
	const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(a, "aliases");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(a, "names");
	cJSON *o;
	int is_new;

	if (q == NULL || t == NULL || id == NULL) {
		p->oom = p->oom || q == NULL || t == NULL;
		goto done;
	}
	o = add_node(p, p->agent, q, &is_new);
	if (o == NULL || !is_new)
		goto done;
	add_types(p, o, prov_class(kind), kind ? t : NULL);
	add_str(p, o, "prov:label", rj_str(a, "name"));
	add_str(p, o, "avow:id", id);
	add_list(p, o, "avow:aliases", aliases);
	if (rj_str(a, "part_of") != NULL) {
		char *po = qname("log", "actor-", rj_str(a, "part_of"));
		if (po == NULL)
			p->oom = 1;
		add_typed(p, o, "avow:part_of", po, "prov:QUALIFIED_NAME");
		free(po);
	}
	add_str(p, o, "avow:description", rj_str(a, "description"));
	if (cJSON_GetArraySize(names) > 1) {
		/* Earlier names, for reading old sources. */
		cJSON *arr = cJSON_AddArrayToObject(o, "avow:names");
		const cJSON *n;
		if (arr == NULL)
			p->oom = 1;
		cJSON_ArrayForEach(n, names)
		{
			if (rj_str(n, "name") != NULL &&
			    !cJSON_AddItemToArray(
				    arr, cJSON_CreateString(rj_str(n, "name"))))
				p->oom = 1;
		}
	}
	if (rj_num(a, "declared_at") >= 0 &&
	    cJSON_AddNumberToObject(o, "avow:declared_at",
				    (double)rj_num(a, "declared_at")) == NULL)
		p->oom = 1;
done:
	free(q);
	free(t);
}

/* An actor named by a statement but missing from `actors`. */
static void ensure_actor(prov *p, const cJSON *ref)
{
	char *q = qname("log", "actor-", rj_str(ref, "id"));
	cJSON *o;
	int is_new;

	if (q == NULL) {
		p->oom = 1;
		return;
	}
	o = add_node(p, p->agent, q, &is_new);
	if (o != NULL && is_new) {
		add_str(p, o, "prov:label", rj_str(ref, "name"));
		add_str(p, o, "avow:id", rj_str(ref, "id"));
	}
	free(q);
}

/* The agent of a recording key; returns its qualified name (malloc'd). */
static char *key_agent(prov *p, const cJSON *rec)
{
	char *q = qname("log", "key-", rj_str(rec, "key_id"));
	cJSON *o;
	int is_new;

	if (q == NULL) {
		p->oom = 1;
		return NULL;
	}
	o = add_node(p, p->agent, q, &is_new);
	if (o != NULL && is_new) {
		add_types(p, o, "avow:KeyHolder", NULL);
		add_str(p, o, "prov:label", rj_str(rec, "holder"));
		add_str(p, o, "avow:key_id", rj_str(rec, "key_id"));
	}
	return q;
}

/* The activity of recording record `seq`, associated with its key; its
 * name (malloc'd). *made is the new activity, or NULL when `made` is
 * NULL: the caller knows it is not there yet. */
static char *record_activity(prov *p, long long seq, const cJSON *rec,
			     const char *type, cJSON **made)
{
	char b[32];
	char *q, *key;
	cJSON *o;

	snprintf(b, sizeof b, "%lld", seq);
	q = qname("log", "record-", b);
	if (q == NULL) {
		p->oom = 1;
		return NULL;
	}
	o = cJSON_AddObjectToObject(p->activity, q);
	if (made != NULL)
		*made = o;
	if (o == NULL) {
		p->oom = 1;
		return q;
	}
	add_types(p, o, type, NULL);
	add_str(p, o, "prov:startTime", rj_str(rec, "time"));
	add_str(p, o, "prov:endTime", rj_str(rec, "time"));
	if (rec != NULL && rj_str(rec, "key_id") != NULL) {
		key = key_agent(p, rec);
		relation(p, p->associated, "wAW", &p->n_aw, "prov:activity", q,
			 "prov:agent", key);
		free(key);
	}
	return q;
}

static void add_refs(prov *p, cJSON *o, const char *k, const cJSON *list)
{
	const cJSON *r;
	cJSON *arr;

	if (cJSON_GetArraySize(list) == 0)
		return;
	arr = cJSON_AddArrayToObject(o, k);
	if (arr == NULL) {
		p->oom = 1;
		return;
	}
	cJSON_ArrayForEach(r, list)
	{
		char *q = qname("log", "actor-", rj_str(r, "id"));
		if (q == NULL ||
		    !cJSON_AddItemToArray(arr, typed(q, "prov:QUALIFIED_NAME")))
			p->oom = 1;
		free(q);
		ensure_actor(p, r);
	}
}

static void attribute(prov *p, const char *ent, const cJSON *ref,
		      const char *role)
{
	char *q = qname("log", "actor-", rj_str(ref, "id"));
	cJSON *r;

	ensure_actor(p, ref);
	r = relation(p, p->attributed, "wAT", &p->n_at, "prov:entity", ent,
		     "prov:agent", q);
	if (r != NULL)
		add_str(p, r, "avow:role", role);
	free(q);
}

/* An amendment's changes as JSON text (PROV attribute values are
 * literals): [{"member", "old", "new"}], values with sorted members. */
static void add_changes(prov *p, cJSON *a, const cJSON *changes)
{
	cJSON *list = cJSON_CreateArray(), *c, *o;
	const cJSON *i;
	char *text = NULL;

	if (list == NULL) {
		p->oom = 1;
		return;
	}
	cJSON_ArrayForEach(i, changes)
	{
		const cJSON *old = cJSON_GetObjectItemCaseSensitive(i, "old");
		const cJSON *new = cJSON_GetObjectItemCaseSensitive(i, "new");
		o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			goto oom;
		}
		if (cJSON_AddStringToObject(o, "member",
					    rj_str(i, "member")
						    ? rj_str(i, "member")
						    : "") == NULL)
			goto oom;
		c = old ? rj_sorted(old) : cJSON_CreateNull();
		if (c == NULL || !cJSON_AddItemToObject(o, "old", c)) {
			cJSON_Delete(c);
			goto oom;
		}
		c = new ? rj_sorted(new) : cJSON_CreateNull();
		if (c == NULL || !cJSON_AddItemToObject(o, "new", c)) {
			cJSON_Delete(c);
			goto oom;
		}
	}
	text = cJSON_PrintUnformatted(list);
	if (text == NULL)
		goto oom;
	add_str(p, a, "avow:changes", text);
	free(text);
	cJSON_Delete(list);
	return;
oom:
	p->oom = 1;
	cJSON_Delete(list);
}

static void statement(prov *p, const cJSON *st)
{
	const cJSON *said = rj_obj(st, "said_at"), *src = rj_obj(st, "source");
	const cJSON *target = rj_obj(st, "target"),
		    *rec = rj_obj(st, "recorded");
	const cJSON *with = cJSON_GetObjectItemCaseSensitive(st, "with");
	const cJSON *amends =
		cJSON_GetObjectItemCaseSensitive(st, "amendments");
	const char *type = rj_str(st, "type");
	int claim = type != NULL && strcmp(type, "claim") == 0;
	long long seq = rj_num(st, "seq");
	long long at = find_in(p, seq);
	char *ent, *act;
	cJSON *o, *r;
	const cJSON *i;

	if (at < 0 || p->done[at])
		return; /* a statement repeated in the report: once is enough */
	p->done[at] = 1;
	ent = seq_name(seq);
	if (ent == NULL) {
		p->oom = 1;
		return;
	}
	o = cJSON_AddObjectToObject(p->entity, ent);
	if (o == NULL) {
		p->oom = 1;
		free(ent);
		return;
	}
	add_types(p, o, claim ? "avow:Claim" : "avow:Response", NULL);
	add_str(p, o, "avow:cite", rj_str(st, "cite"));
	add_str(p, o, "avow:leaf_hash", rj_str(st, "leaf_hash"));
	add_str(p, o, "avow:text", rj_str(st, "text"));
	if (cJSON_AddBoolToObject(o, "avow:quote",
				  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
					  st, "quote"))) == NULL)
		p->oom = 1;
	add_str(p, o, "avow:lang", rj_str(st, "lang"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "translated"))) {
		if (cJSON_AddTrueToObject(o, "avow:translated") == NULL)
			p->oom = 1;
		add_str(p, o, "avow:original", rj_str(st, "original"));
	}
	add_str(p, o, "avow:said_at", rj_str(said, "value"));
	add_str(p, o, "avow:said_at_precision", rj_str(said, "precision"));
	add_typed(p, o, "avow:said_at_start", rj_str(said, "start"),
		  "xsd:dateTime");
	add_typed(p, o, "avow:said_at_end", rj_str(said, "end"),
		  "xsd:dateTime");
	if (!claim)
		add_str(p, o, "avow:stance", rj_str(st, "stance"));
	if (claim)
		add_str(p, o, "avow:status",
			rj_str(rj_obj(st, "status"), "value"));
	add_str(p, o, "avow:source_title", rj_str(src, "title"));
	add_typed(p, o, "avow:source_url", rj_str(src, "url"), "xsd:anyURI");
	add_str(p, o, "avow:source_publisher", rj_str(src, "publisher"));
	add_str(p, o, "avow:source_published", rj_str(src, "published"));
	add_typed(p, o, "avow:source_retrieved", rj_str(src, "retrieved"),
		  "xsd:dateTime");
	add_str(p, o, "avow:source_sha256", rj_str(src, "sha256"));
	add_refs(p, o, "avow:via", cJSON_GetObjectItemCaseSensitive(st, "via"));
	add_refs(p, o, "avow:about",
		 cJSON_GetObjectItemCaseSensitive(st, "about"));
	add_list(p, o, "avow:topics",
		 cJSON_GetObjectItemCaseSensitive(st, "topics"));
	add_list(p, o, "avow:warnings",
		 cJSON_GetObjectItemCaseSensitive(st, "warnings"));
	if (rj_obj(st, "by") != NULL &&
	    rj_str(rj_obj(st, "by"), "name_when_recorded") != NULL)
		add_str(p, o, "avow:by_name_when_recorded",
			rj_str(rj_obj(st, "by"), "name_when_recorded"));

	/* Who said it. */
	if (rj_obj(st, "by") != NULL)
		attribute(p, ent, rj_obj(st, "by"), "by");
	cJSON_ArrayForEach(i, with)
	{
		attribute(p, ent, i, "with");
	}

	/* What it answers. */
	if (target != NULL) {
		long long ts = rj_num(target, "seq");
		char *t = seq_name(ts);
		cJSON *te;
		if (t == NULL) {
			p->oom = 1;
		} else if (find_in(p, ts) < 0 &&
			   !seqs_has(&p->placeholders, ts)) {
			/* Not in the report: a placeholder with its cite. */
			seqs_add(p, &p->placeholders, ts);
			te = cJSON_AddObjectToObject(p->entity, t);
			if (te == NULL) {
				p->oom = 1;
			} else {
				add_types(p, te, "avow:Statement", NULL);
				add_str(p, te, "avow:cite",
					rj_str(target, "cite"));
				add_str(p, te, "prov:label",
					"not in this report");
			}
		}
		r = relation(p, p->derived, "wDF", &p->n_df,
			     "prov:generatedEntity", ent, "prov:usedEntity", t);
		if (r != NULL)
			add_str(p, r, "avow:stance", rj_str(st, "stance"));
		free(t);
	}

	/* Who recorded it, and when. */
	act = record_activity(p, seq, rec, "avow:Recording", NULL);
	r = relation(p, p->generated, "wGB", &p->n_gb, "prov:entity", ent,
		     "prov:activity", act);
	if (r != NULL)
		add_str(p, r, "prov:time", rj_str(rec, "time"));
	free(act);

	/* Amendments: each its own recording, which influenced the body. */
	cJSON_ArrayForEach(i, amends)
	{
		long long as = rj_num(i, "seq");
		cJSON *a = NULL;
		char b[32];
		if (seqs_has(&p->amends, as)) { /* cannot happen: one target */
			snprintf(b, sizeof b, "%lld", as);
			act = qname("log", "record-", b);
		} else {
			seqs_add(p, &p->amends, as);
			act = record_activity(p, as, rj_obj(i, "recorded"),
					      "avow:Amendment", &a);
		}
		if (a != NULL) {
			const cJSON *changes =
				cJSON_GetObjectItemCaseSensitive(i, "changes");
			add_str(p, a, "avow:cite", rj_str(i, "cite"));
			add_str(p, a, "avow:reason", rj_str(i, "reason"));
			if (changes != NULL)
				add_changes(p, a, changes);
		}
		relation(p, p->influenced, "wINF", &p->n_inf, "prov:influencee",
			 ent, "prov:influencer", act);
		free(act);
	}
	free(ent);
}

static void statements(prov *p, const cJSON *list)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		statement(p, st);
		statements(p,
			   cJSON_GetObjectItemCaseSensitive(st, "responses"));
	}
}

static void log_entity(prov *p, const cJSON *report)
{
	const cJSON *log = rj_obj(report, "log"),
		    *cp = rj_obj(log, "checkpoint");
	const cJSON *as_of = rj_obj(report, "as_of"),
		    *view = rj_obj(report, "view");
	cJSON *o;
	int is_new;

	o = add_node(p, p->entity, "log:log", &is_new);
	if (o == NULL)
		return;
	add_types(p, o, "avow:Log", NULL);
	add_str(p, o, "avow:origin", rj_str(log, "origin"));
	if (cJSON_AddNumberToObject(o, "avow:size",
				    (double)rj_num(log, "size")) == NULL)
		p->oom = 1;
	add_str(p, o, "avow:tree_hash", rj_str(log, "tree_hash"));
	add_str(p, o, "avow:audit", rj_str(log, "audit"));
	if (cp != NULL) {
		add_str(p, o, "avow:checkpoint_key_id", rj_str(cp, "key_id"));
		if (cJSON_AddNumberToObject(o, "avow:checkpoint_size",
					    (double)rj_num(cp, "size")) == NULL)
			p->oom = 1;
	}
	add_str(p, o, "avow:no_checkpoint_warning",
		rj_str(log, "no_checkpoint_warning"));
	if (as_of != NULL &&
	    cJSON_AddNumberToObject(o, "avow:as_of_seq",
				    (double)rj_num(as_of, "seq")) == NULL)
		p->oom = 1;
	add_str(p, o, "avow:view", rj_str(view, "kind"));
}

/* The namespace of this log's records: urn:avow:log:ORIGIN#, the bytes of
 * the origin outside [A-Za-z0-9_./:-] percent-encoded. malloc'd, or NULL. */
static char *log_ns(const char *origin)
{
	static const char head[] = "urn:avow:log:";
	size_t n = sizeof head + 3 * strlen(origin) + 1;
	char *ns = malloc(n), *q;

	if (ns == NULL)
		return NULL;
	memcpy(ns, head, sizeof head - 1);
	q = ns + sizeof head - 1;
	for (const unsigned char *s = (const unsigned char *)origin; *s; s++) {
		if (is_plain(*s) || *s == '.' || *s == '/' || *s == ':')
			*q++ = (char)*s;
		else
			q += snprintf(q, 4, "%%%02X", *s);
	}
	*q++ = '#';
	*q = '\0';
	return ns;
}

int render_prov(const cJSON *report, FILE *out)
{
	prov p = {0};
	const cJSON *a, *log = rj_obj(report, "log");
	cJSON *prefix;
	char *ns = NULL, *text = NULL;
	const char *origin = rj_str(log, "origin");
	int rc = -1;

	p.doc = cJSON_CreateObject();
	if (p.doc == NULL)
		return -1;
	prefix = cJSON_AddObjectToObject(p.doc, "prefix");
	ns = log_ns(origin ? origin : "");
	if (prefix == NULL || ns == NULL ||
	    cJSON_AddStringToObject(prefix, "prov", PROV_NS) == NULL ||
	    cJSON_AddStringToObject(prefix, "xsd", XSD_NS) == NULL ||
	    cJSON_AddStringToObject(prefix, "avow", AVOW_NS) == NULL ||
	    cJSON_AddStringToObject(prefix, "log", ns) == NULL)
		goto done;
	p.entity = cJSON_AddObjectToObject(p.doc, "entity");
	p.agent = cJSON_AddObjectToObject(p.doc, "agent");
	p.activity = cJSON_AddObjectToObject(p.doc, "activity");
	p.generated = cJSON_AddObjectToObject(p.doc, "wasGeneratedBy");
	p.associated = cJSON_AddObjectToObject(p.doc, "wasAssociatedWith");
	p.attributed = cJSON_AddObjectToObject(p.doc, "wasAttributedTo");
	p.derived = cJSON_AddObjectToObject(p.doc, "wasDerivedFrom");
	p.influenced = cJSON_AddObjectToObject(p.doc, "wasInfluencedBy");
	if (p.entity == NULL || p.agent == NULL || p.activity == NULL ||
	    p.generated == NULL || p.associated == NULL ||
	    p.attributed == NULL || p.derived == NULL || p.influenced == NULL)
		goto done;

	log_entity(&p, report);
	cJSON_ArrayForEach(a,
			   cJSON_GetObjectItemCaseSensitive(report, "actors"))
	{
		actor_agent(&p, a);
	}
	collect(&p, cJSON_GetObjectItemCaseSensitive(report, "statements"));
	if (p.in.n > 0)
		qsort(p.in.v, p.in.n, sizeof *p.in.v, cmp_ll);
	p.done = calloc(p.in.n + 1, 1);
	if (p.oom || p.done == NULL)
		goto done;
	statements(&p, cJSON_GetObjectItemCaseSensitive(report, "statements"));
	if (p.oom)
		goto done;
	/* Leave out empty maps. */
	for (cJSON *m = p.doc->child, *next; m != NULL; m = next) {
		next = m->next;
		if (m->child == NULL)
			cJSON_Delete(cJSON_DetachItemViaPointer(p.doc, m));
	}
	text = cJSON_Print(p.doc);
	if (text == NULL)
		goto done;
	fputs(text, out);
	fputc('\n', out);
	rc = fflush(out) != 0 || ferror(out) ? -1 : 0;
done:
	free(text);
	free(ns);
	free(p.in.v);
	free(p.placeholders.v);
	free(p.amends.v);
	free(p.done);
	cJSON_Delete(p.doc);
	return rc;
}
