/*
 * report_dot.c - the report as a Graphviz digraph (docs/REPORTS.md,
 * format `dot`): one node per statement, an edge from each response to
 * the statement it answers, labelled with the stance.
 *
 * Claims are boxes filled by their status, responses are ellipses filled
 * by their stance. The graph runs right to left: a claim, then the
 * responses that answer it to its right, their arrows pointing back at it.
 * A response whose target is not in the report (the statements view) gets
 * a dashed placeholder node "#SEQ (not in this view)". The output depends
 * only on the report, so the same report gives the same bytes.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Characters (code points) of the statement's text in a node label, of
 * the actor's name, and per line. */
#define DOT_TEXT_MAX 96
#define DOT_NAME_MAX 80
#define DOT_LINE_MAX 34

/* Write s as the inside of a DOT double-quoted string: backslash and
 * double quote escaped, a line feed as \n, tab and other control bytes
 * as a space. UTF-8 passes through. */
static void dot_esc(FILE *out, const char *s)
{
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c < 0x20 || c == 0x7f) {
			fputc(' ', out);
		} else {
			fputc(c, out);
		}
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The code points of the word at s, and its length in bytes. */
static size_t word(const char *s, size_t *bytes)
{
	size_t n = 0, b = 0;
	for (; s[b] && !is_space(s[b]); b++)
		if (((unsigned char)s[b] & 0xc0) != 0x80)
			n++;
	*bytes = b;
	return n;
}

/* s in a label: white space folded, words wrapped to lines of `width`
 * characters (code points; the first line already holds `col`), at most
 * `max` characters, cut at a word with "…". A word longer than a line is
 * cut too. */
static void dot_wrap(FILE *out, const char *s, size_t max, size_t width,
		     size_t col)
{
	size_t chars = 0, line = col;

	if (s == NULL)
		return;
	for (;;) {
		size_t bytes, n;
		while (is_space(*s))
			s++;
		if (*s == '\0')
			return;
		n = word(s, &bytes);
		if (chars > 0 && chars + 1 + n > max) {
			fputs(" …", out);
			return;
		}
		if (line > 0 && line + 1 + n > width) {
			fputs("\\n", out);
			line = 0;
		} else if (line > 0) {
			fputc(' ', out);
			line++;
		}
		if (chars > 0)
			chars++;
		for (size_t i = 0, k = 0; i < bytes; i++) {
			unsigned char c = (unsigned char)s[i];
			if ((c & 0xc0) != 0x80 && ++k > max) {
				fputs("…", out);
				return;
			}
			if (c == '"' || c == '\\')
				fputc('\\', out);
			fputc(c, out);
		}
		chars += n;
		line += n;
		s += bytes;
	}
}

/* Colours: a fill and a line colour per claim status and per stance. */
typedef struct {
	const char *name, *fill, *line;
} colour;

static const colour statuses[] = {
	{"contested", "#f6d5d1", "#b03a2e"},
	{"supported", "#d5f0dc", "#1e8449"},
	{"answered", "#e5e8e8", "#616a6b"},
	{"retracted", "#ebdef0", "#6c3483"},
	{"unanswered", "#d6e6f5", "#2e6aa8"},
};

static const colour stances[] = {
	{"denies", "#f6d5d1", "#b03a2e"},
	{"disputes", "#fae1cf", "#c0561b"},
	{"supports", "#d5f0dc", "#1e8449"},
	{"clarifies", "#e5e8e8", "#616a6b"},
	{"declines-comment", "#eeeeee", "#808b96"},
	{"retracts", "#e5e8e8", "#424949"},
};

static const colour *find_colour(const colour *t, size_t n, const char *name)
{
	static const colour other = {"", "#ffffff", "#333333"};
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return &other;
}

/* Seqs: of the statements in the report (sorted), to tell which targets
 * are out of the view, and of the placeholders made. */
typedef struct {
	long long *v;
	size_t n, cap;
	int oom;
} seqs;

static void seqs_add(seqs *s, long long seq)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		long long *v = realloc(s->v, cap * sizeof *v);
		if (v == NULL) {
			s->oom = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = seq;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* Whether seq is in the sorted list s. */
static int seqs_sorted_has(const seqs *s, long long seq)
{
	return s->n > 0 &&
	       bsearch(&seq, s->v, s->n, sizeof *s->v, cmp_ll) != NULL;
}

static int seqs_has(const seqs *s, long long seq)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == seq)
			return 1;
	return 0;
}

static void collect(const cJSON *list, seqs *s)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		seqs_add(s, rj_num(st, "seq"));
		collect(cJSON_GetObjectItemCaseSensitive(st, "responses"), s);
	}
}

static void node(FILE *out, const cJSON *st)
{
	const cJSON *by = rj_obj(st, "by"), *said = rj_obj(st, "said_at");
	const char *type = rj_str(st, "type");
	int claim = type != NULL && strcmp(type, "claim") == 0;
	const colour *c;
	const char *name = by ? rj_str(by, "name") : NULL;
	int quote = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "quote"));

	if (claim)
		c = find_colour(statuses, sizeof statuses / sizeof *statuses,
				rj_str(rj_obj(st, "status"), "value"));
	else
		c = find_colour(stances, sizeof stances / sizeof *stances,
				rj_str(st, "stance"));
	fprintf(out, "\ts%lld [shape=%s, fillcolor=\"%s\", color=\"%s\", ",
		rj_num(st, "seq"), claim ? "box" : "ellipse", c->fill, c->line);
	if (!claim && rj_str(st, "stance") != NULL &&
	    strcmp(rj_str(st, "stance"), "retracts") == 0)
		fputs("style=\"filled,dashed\", ", out);
	fprintf(out, "label=\"#%lld", rj_num(st, "seq"));
	if (name == NULL)
		name = rj_str(by, "id") ? rj_str(by, "id") : "?";
	dot_wrap(out, name, DOT_NAME_MAX, DOT_LINE_MAX, 4);
	if (claim && rj_str(rj_obj(st, "status"), "value") != NULL) {
		fputs(" [", out);
		dot_esc(out, rj_str(rj_obj(st, "status"), "value"));
		fputc(']', out);
	}
	fputs("\\n", out);
	if (quote)
		fputs("“", out);
	dot_wrap(out, rj_str(st, "text"), DOT_TEXT_MAX, DOT_LINE_MAX, 0);
	if (quote)
		fputs("”", out);
	if (said != NULL && rj_str(said, "text") != NULL) {
		fputs("\\nsaid ", out);
		dot_esc(out, rj_str(said, "text"));
	}
	fputs("\", tooltip=\"", out);
	dot_esc(out, rj_str(st, "cite"));
	fputs("\"];\n", out);
}

static void edge(FILE *out, const cJSON *st)
{
	const char *stance = rj_str(st, "stance");
	const colour *c =
		find_colour(stances, sizeof stances / sizeof *stances, stance);

	fprintf(out, "\ts%lld -> s%lld [label=\"", rj_num(st, "seq"),
		rj_num(rj_obj(st, "target"), "seq"));
	dot_esc(out, stance ? stance : "?");
	fprintf(out, "\", color=\"%s\", fontcolor=\"%s\"", c->line, c->line);
	if (stance != NULL && strcmp(stance, "retracts") == 0)
		fputs(", style=dashed", out);
	fputs("];\n", out);
}

/* Nodes, in report order (a claim, then its responses, depth first). */
static void nodes(FILE *out, const cJSON *list)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		node(out, st);
		nodes(out, cJSON_GetObjectItemCaseSensitive(st, "responses"));
	}
}

/* The claims, then the placeholders: the heads of edges only, drawn in
 * one rank, the leftmost column. */
static void sink_claims(FILE *out, const cJSON *list, int *any)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		const char *type = rj_str(st, "type");
		if (type != NULL && strcmp(type, "claim") == 0) {
			fprintf(out, "%s s%lld", *any ? ";" : "\t{rank=sink;",
				rj_num(st, "seq"));
			*any = 1;
		}
		sink_claims(out,
			    cJSON_GetObjectItemCaseSensitive(st, "responses"),
			    any);
	}
}

static void sinks(FILE *out, const cJSON *list, const seqs *placeholders)
{
	int any = 0;

	sink_claims(out, list, &any);
	for (size_t i = 0; i < placeholders->n; i++) {
		fprintf(out, "%s s%lld", any ? ";" : "\t{rank=sink;",
			placeholders->v[i]);
		any = 1;
	}
	if (any)
		fputs("}\n", out);
}

static void edges(FILE *out, const cJSON *list)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		if (rj_obj(st, "target") != NULL)
			edge(out, st);
		edges(out, cJSON_GetObjectItemCaseSensitive(st, "responses"));
	}
}

/* A placeholder node, once, for each target that is not in the report. */
static void placeholders(FILE *out, const cJSON *list, seqs *in, seqs *done)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		const cJSON *t = rj_obj(st, "target");
		long long seq = rj_num(t, "seq");
		if (t != NULL && !seqs_sorted_has(in, seq) &&
		    !seqs_has(done, seq)) {
			seqs_add(done, seq);
			fprintf(out,
				"\ts%lld [shape=box, style=\"dashed,rounded\", "
				"color=\"#808b96\", fontcolor=\"#616a6b\", "
				"label=\"#%lld (not in this view)\", "
				"tooltip=\"",
				seq, seq);
			dot_esc(out, rj_str(t, "cite"));
			fputs("\"];\n", out);
		}
		placeholders(out,
			     cJSON_GetObjectItemCaseSensitive(st, "responses"),
			     in, done);
	}
}

int render_dot(const cJSON *report, FILE *out)
{
	const cJSON *log = rj_obj(report, "log"),
		    *view = rj_obj(report, "view");
	const cJSON *list =
		cJSON_GetObjectItemCaseSensitive(report, "statements");
	const cJSON *as_of = rj_obj(report, "as_of");
	seqs in = {0}, done = {0};
	int oom;

	collect(list, &in);
	if (in.n > 0)
		qsort(in.v, in.n, sizeof *in.v, cmp_ll);
	fputs("digraph avow {\n", out);
	fputs("\tgraph [rankdir=RL, fontname=\"Helvetica\", fontsize=12, "
	      "labelloc=t, labeljust=l, label=\"",
	      out);
	dot_esc(out, rj_str(log, "origin"));
	fprintf(out, ": %lld records, tree hash ", rj_num(log, "size"));
	dot_esc(out, rj_str(log, "tree_hash"));
	if (as_of != NULL)
		fprintf(out, "\\nas of record %lld", rj_num(as_of, "seq"));
	fputs("\\nview: ", out);
	dot_esc(out, rj_str(view, "kind"));
	fprintf(out, ", %lld total\"];\n", rj_num(view, "total"));
	fputs("\tnode [fontname=\"Helvetica\", fontsize=10, style=filled, "
	      "margin=\"0.12,0.06\"];\n",
	      out);
	fputs("\tedge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n",
	      out);
	nodes(out, list);
	placeholders(out, list, &in, &done);
	sinks(out, list, &done);
	edges(out, list);
	fputs("}\n", out);
	oom = in.oom || done.oom;
	free(in.v);
	free(done.v);
	if (fflush(out) != 0 || ferror(out) || oom)
		return -1;
	return 0;
}
