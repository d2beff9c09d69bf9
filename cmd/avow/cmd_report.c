/*
 * cmd_report.c - provenance reports and the actor list, computed from
 * audited records (bodies as amended), as text or JSON.
 */
#include "model.h"

#include "json.h"
#include "state.h"
#include "store.h"
#include "syntax.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	audited *x;
	avow_state *st;
	const char *origin;
	int json;
} ctx;

static const char *precision_name(int p)
{
	switch (p) {
	case AVOW_PREC_YEAR: return "year";
	case AVOW_PREC_MONTH: return "month";
	case AVOW_PREC_DAY: return "day";
	default: return "second";
	}
}

/* "July 2023", "18 September 2023", "2023", or the time itself. */
static void human_date(const char *d, char *out, size_t n)
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
	m = strlen(d) >= 7 ? atoi(d + 5) : 0;
	day = strlen(d) >= 10 ? atoi(d + 8) : 0;
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

static cJSON *current(ctx *c, uint64_t seq)
{
	avow_error err;
	return avow_state_body(c->st, seq, &err);
}

/* The latest declared name of an actor. */
static char *actor_name(ctx *c, const char *id)
{
	uint64_t seq;
	cJSON *b;
	char *name = NULL;

	if (id == NULL || !avow_state_actor(c->st, id, &seq))
		return NULL;
	b = current(c, seq);
	if (b != NULL && json_str(b, "name") != NULL) {
		size_t n = strlen(json_str(b, "name")) + 1;
		name = malloc(n);
		if (name)
			memcpy(name, json_str(b, "name"), n);
	}
	cJSON_Delete(b);
	return name;
}

static const char *holder_of(ctx *c, const char *key_id)
{
	for (size_t i = 0; i < avow_audit_key_count(c->x->audit); i++) {
		avow_key_summary k;
		avow_audit_key(c->x->audit, i, &k);
		if (strcmp(k.id, key_id) == 0)
			return k.holder;
	}
	return "?";
}

/* The claim a statement belongs to (follow response targets). */
static uint64_t root_of(model *m, uint64_t seq)
{
	mrec *r = model_find(m, seq);
	while (r != NULL && r->type == AVOW_T_RESPONSE)
		r = model_find(m, r->target);
	return r ? r->seq : seq;
}

static int involves(const cJSON *b, const char *actor)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(b, "with");
	if (json_str(b, "by") && strcmp(json_str(b, "by"), actor) == 0)
		return 1;
	for (const cJSON *i = w ? w->child : NULL; i; i = i->next)
		if (strcmp(i->valuestring, actor) == 0)
			return 1;
	return 0;
}

static int has_topic(const cJSON *b, const char *topic)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "topics");
	for (const cJSON *i = t ? t->child : NULL; i; i = i->next)
		if (strcmp(i->valuestring, topic) == 0)
			return 1;
	return 0;
}

/* --------------------------------------------------------------------- */
/* Text                                                                  */

static void indent(int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", stdout);
}

static void text_lines(const char *label, const char *s, int depth)
{
	indent(depth);
	printf("  %s", label);
	for (; *s; s++) {
		putchar(*s);
		if (*s == '\n') {
			indent(depth);
			printf("  %*s", (int)strlen(label), "");
		}
	}
	putchar('\n');
}

static void list_line(ctx *c, const cJSON *b, const char *member,
		      const char *label, int depth, int names)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(b, member);
	if (a == NULL)
		return;
	indent(depth);
	printf("  %s: ", label);
	for (const cJSON *i = a->child; i; i = i->next) {
		char *n = names ? actor_name(c, i->valuestring) : NULL;
		printf("%s%s%s%s%s",
		       i == a->child ? ""
				     : (names && !strcmp(member, "via") ? " -> "
									: ", "),
		       i->valuestring, n ? " (" : "", n ? n : "", n ? ")" : "");
		free(n);
	}
	putchar('\n');
}

static void text_statement(ctx *c, mrec *r, int depth)
{
	cJSON *b = current(c, r->seq);
	const cJSON *src;
	char when[64], t[21], *name;
	avow_span s;

	if (b == NULL)
		return;
	src = cJSON_GetObjectItemCaseSensitive(b, "source");
	human_date(json_str(b, "said_at"), when, sizeof when);
	avow_parse_pdate(json_str(b, "said_at"), strlen(json_str(b, "said_at")),
			 &s);
	name = actor_name(c, json_str(b, "by"));
	indent(depth);
	if (r->type == AVOW_T_RESPONSE)
		printf("└─ %s: ", json_str(b, "stance"));
	else
		printf("■ CLAIM ");
	printf("#%llu %s (%s), said %s [precision: %s]\n",
	       (unsigned long long)r->seq, json_str(b, "by"), name ? name : "?",
	       when, precision_name(s.prec));
	free(name);
	list_line(c, b, "with", "jointly with", depth, 1);
	text_lines(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "quote"))
			   ? "quote: "
			   : "paraphrase: ",
		   json_str(b, "text"), depth);
	if (json_str(b, "lang") || json_str(b, "original")) {
		indent(depth);
		printf("  language: %s%s\n",
		       json_str(b, "lang") ? json_str(b, "lang") : "?",
		       json_str(b, "original") ? ", translated" : "");
		if (json_str(b, "original"))
			text_lines("original: ", json_str(b, "original"),
				   depth);
	}
	indent(depth);
	printf("  source: ");
	if (json_str(src, "title"))
		printf("\"%s\"", json_str(src, "title"));
	if (json_str(src, "url"))
		printf("%s%s", json_str(src, "title") ? " " : "",
		       json_str(src, "url"));
	if (json_str(src, "publisher"))
		printf(", %s", json_str(src, "publisher"));
	if (json_str(src, "published"))
		printf(", published %s", json_str(src, "published"));
	if (json_str(src, "retrieved"))
		printf(", retrieved %s", json_str(src, "retrieved"));
	putchar('\n');
	if (json_str(src, "sha256")) {
		indent(depth);
		printf("  archived copy sha256: %s\n", json_str(src, "sha256"));
	}
	list_line(c, b, "via", "via", depth, 1);
	list_line(c, b, "about", "about", depth, 1);
	list_line(c, b, "topics", "topics", depth, 0);
	avow_format_time(r->time, t);
	indent(depth);
	printf("  recorded by %s (%s) at %s as %s#%llu@%s\n", r->signer,
	       holder_of(c, r->signer), t, c->origin,
	       (unsigned long long)r->seq, r->leaf);
	/* Amendments of this statement. */
	for (size_t i = 0; i < c->x->m.n; i++) {
		mrec *a = &c->x->m.r[i];
		char *set;
		if (a->type != AVOW_T_AMEND || a->target != r->seq)
			continue;
		set = cJSON_PrintUnformatted(
			cJSON_GetObjectItemCaseSensitive(a->body, "set"));
		avow_format_time(a->time, t);
		indent(depth);
		printf("  amended by #%llu (%s, %s): %s; set %s\n",
		       (unsigned long long)a->seq, a->signer, t,
		       json_str(a->body, "reason"), set ? set : "?");
		cJSON_free(set);
	}
	cJSON_Delete(b);
	/* Responses to it, in log order. */
	for (size_t i = 0; i < c->x->m.n; i++) {
		mrec *q = &c->x->m.r[i];
		if (q->type == AVOW_T_RESPONSE && q->target == r->seq)
			text_statement(c, q, depth + 1);
	}
}

/* --------------------------------------------------------------------- */
/* JSON                                                                  */

static cJSON *json_statement(ctx *c, mrec *r)
{
	cJSON *b = current(c, r->seq), *o, *rec, *resp, *am;
	avow_span s;
	char t[21], ref[400];
	char *name;

	if (b == NULL)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)r->seq);
	cJSON_AddStringToObject(o, "type", avow_type_name(r->type));
	name = actor_name(c, json_str(b, "by"));
	if (name)
		cJSON_AddStringToObject(o, "by_name", name);
	free(name);
	avow_parse_pdate(json_str(b, "said_at"), strlen(json_str(b, "said_at")),
			 &s);
	cJSON_AddStringToObject(o, "said_at_precision", precision_name(s.prec));
	cJSON_AddItemToObject(o, "body", b);
	rec = cJSON_AddObjectToObject(o, "recorded");
	cJSON_AddStringToObject(rec, "key_id", r->signer);
	cJSON_AddStringToObject(rec, "holder", holder_of(c, r->signer));
	avow_format_time(r->time, t);
	cJSON_AddStringToObject(rec, "time", t);
	cJSON_AddStringToObject(rec, "leaf_hash_prefix", r->leaf);
	snprintf(ref, sizeof ref, "%s#%llu@%s", c->origin,
		 (unsigned long long)r->seq, r->leaf);
	cJSON_AddStringToObject(rec, "ref", ref);
	am = cJSON_AddArrayToObject(o, "amendments");
	resp = cJSON_AddArrayToObject(o, "responses");
	for (size_t i = 0; i < c->x->m.n; i++) {
		mrec *q = &c->x->m.r[i];
		if (q->type == AVOW_T_AMEND && q->target == r->seq) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddNumberToObject(a, "seq", (double)q->seq);
			cJSON_AddStringToObject(a, "key_id", q->signer);
			avow_format_time(q->time, t);
			cJSON_AddStringToObject(a, "time", t);
			cJSON_AddStringToObject(a, "reason",
						json_str(q->body, "reason"));
			cJSON_AddItemToObject(
				a, "set",
				cJSON_Duplicate(
					cJSON_GetObjectItemCaseSensitive(
						q->body, "set"),
					1));
			cJSON_AddItemToArray(am, a);
		}
		if (q->type == AVOW_T_RESPONSE && q->target == r->seq) {
			cJSON *x = json_statement(c, q);
			if (x)
				cJSON_AddItemToArray(resp, x);
		}
	}
	return o;
}

/* --------------------------------------------------------------------- */

typedef struct {
	const char *claim, *actor, *topic, *format;
} rep_opts;

static int rep_opt(int k, const char *arg, void *p)
{
	rep_opts *o = p;
	switch (k) {
	case 'c': o->claim = arg; break;
	case 'a': o->actor = arg; break;
	case 't': o->topic = arg; break;
	case 'f': o->format = arg; break;
	default: return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"claim", required_argument, NULL, 'c'},
		{"actor", required_argument, NULL, 'a'},
		{"topic", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	rep_opts o = {0};
	audited x;
	ctx c;
	uint64_t only = UINT64_MAX;
	uint8_t root[32];
	char r64[45];
	cJSON *out = NULL, *claims = NULL;
	size_t shown = 0;
	int rc, nfilters;

	if (parse_opts(argc, argv, "", opts, rep_opt, &o, usage_report, &rc))
		return rc;
	if (optind != argc) {
		errorf("report: unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	nfilters = !!o.claim + !!o.actor + !!o.topic;
	if (nfilters > 1) {
		errorf("report: give at most one of --claim, --actor, --topic");
		return EXIT_USAGE;
	}
	if (o.format == NULL)
		o.format = "text";
	if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0) {
		errorf("report: --format %s: not text or json", o.format);
		return EXIT_USAGE;
	}
	if (o.claim && parse_u64(o.claim, &only)) {
		errorf("report: --claim %s: not a seq", o.claim);
		return EXIT_USAGE;
	}
	rc = audit_for_reading(&x, 1);
	if (rc != EXIT_OK) {
		audited_free(&x);
		return rc;
	}
	c.x = &x;
	c.st = avow_audit_state(x.audit);
	c.origin = avow_audit_origin(x.audit);
	c.json = strcmp(o.format, "json") == 0;
	if (only != UINT64_MAX) {
		int t = avow_state_type_of(c.st, only);
		if (t != AVOW_T_CLAIM && t != AVOW_T_RESPONSE) {
			errorf("report: --claim %llu: record %llu is not a "
			       "claim "
			       "or response",
			       (unsigned long long)only,
			       (unsigned long long)only);
			audited_free(&x);
			return EXIT_USAGE;
		}
		only = root_of(&x.m, only);
	}
	if (o.actor && !avow_state_actor(c.st, o.actor, NULL)) {
		errorf("report: --actor %s: no such actor in the log", o.actor);
		audited_free(&x);
		return EXIT_USAGE;
	}
	avow_audit_root(x.audit, root);
	b64(r64, root, 32);
	if (c.json) {
		out = cJSON_CreateObject();
		cJSON *a = cJSON_AddObjectToObject(out, "audit");
		cJSON_AddStringToObject(a, "verdict", "pass");
		cJSON_AddStringToObject(a, "origin", c.origin);
		cJSON_AddNumberToObject(a, "size",
					(double)avow_audit_size(x.audit));
		cJSON_AddStringToObject(a, "tree_hash", r64);
		cJSON_AddNullToObject(a, "checkpoint");
		cJSON_AddStringToObject(a, "no_checkpoint_warning",
					no_checkpoint_warning);
		claims = cJSON_AddArrayToObject(out, "claims");
	} else {
		printf("avow report: %s, %llu records, audit PASS without a "
		       "trusted checkpoint, tree hash %s\n\n",
		       c.origin, (unsigned long long)avow_audit_size(x.audit),
		       r64);
	}
	for (size_t i = 0; i < x.m.n; i++) {
		mrec *r = &x.m.r[i];
		int keep = 1;
		if (r->type != AVOW_T_CLAIM)
			continue;
		if (only != UINT64_MAX)
			keep = r->seq == only;
		if (o.actor || o.topic) {
			keep = 0;
			for (size_t j = 0; j < x.m.n && !keep; j++) {
				mrec *q = &x.m.r[j];
				cJSON *b;
				if ((q->type != AVOW_T_CLAIM &&
				     q->type != AVOW_T_RESPONSE) ||
				    root_of(&x.m, q->seq) != r->seq)
					continue;
				b = current(&c, q->seq);
				keep = b && (o.actor ? involves(b, o.actor)
						     : has_topic(b, o.topic));
				cJSON_Delete(b);
			}
		}
		if (!keep)
			continue;
		shown++;
		if (c.json) {
			cJSON *s = json_statement(&c, r);
			if (s)
				cJSON_AddItemToArray(claims, s);
		} else {
			text_statement(&c, r, 0);
			putchar('\n');
		}
	}
	if (c.json) {
		print_json(stdout, out);
		cJSON_Delete(out);
	} else if (shown == 0) {
		printf("(no claims match)\n");
	}
	warnf("%s", no_checkpoint_warning);
	audited_free(&x);
	return EXIT_OK;
}

int cmd_report_actors(int json)
{
	audited x;
	ctx c;
	cJSON *arr = NULL;
	int rc = audit_for_reading(&x, 1);

	if (rc != EXIT_OK) {
		audited_free(&x);
		return rc;
	}
	c.x = &x;
	c.st = avow_audit_state(x.audit);
	if (json)
		arr = cJSON_CreateArray();
	for (size_t i = 0; i < x.m.n; i++) {
		mrec *r = &x.m.r[i];
		uint64_t latest;
		cJSON *b;
		if (r->type != AVOW_T_ACTOR)
			continue;
		if (!avow_state_actor(c.st, json_str(r->body, "id"), &latest) ||
		    latest != r->seq)
			continue;
		b = current(&c, r->seq);
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
	audited_free(&x);
	return EXIT_OK;
}
