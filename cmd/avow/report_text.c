/*
 * report_text.c - the text (terminal) and Markdown renderings of a report
 * (docs/REPORTS.md).
 */
#include "report.h"

#include "common.h"

#include <string.h>

/* ANSI styles, used only when colour is on. */
typedef struct {
	FILE *f;
	int colour;
} out;

static double nv(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *ov(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void style(out *o, const char *code)
{
	if (o->colour)
		fprintf(o->f, "\033[%sm", code);
}

static void indent(out *o, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", o->f);
}

static const char *status_colour(const char *s)
{
	if (s == NULL)
		return "0";
	if (!strcmp(s, "contested") || !strcmp(s, "retracted"))
		return "1;31";
	if (!strcmp(s, "supported"))
		return "1;32";
	if (!strcmp(s, "answered"))
		return "1;33";
	return "2";
}

/* "id (Name)" for each {"id","name"} of an array, joined by sep. */
static void refs(FILE *f, const cJSON *arr, const char *sep)
{
	int first = 1;

	for (const cJSON *a = arr ? arr->child : NULL; a; a = a->next) {
		fprintf(f, "%s%s (%s)", first ? "" : sep, rj_str(a, "id"),
			rj_str(a, "name") ? rj_str(a, "name") : "?");
		first = 0;
	}
}

/* A multi-line value, continuation lines indented under the first. */
static void lines(out *o, int depth, const char *label, const char *s)
{
	indent(o, depth);
	fprintf(o->f, "  %s", label);
	for (; *s; s++) {
		fputc(*s, o->f);
		if (*s == '\n') {
			indent(o, depth);
			fprintf(o->f, "  %*s", (int)strlen(label), "");
		}
	}
	fputc('\n', o->f);
}

static void text_head(out *o, const cJSON *r)
{
	const cJSON *l = ov(r, "log"), *cp = ov(l, "checkpoint"),
		    *as = ov(r, "as_of"), *v = ov(r, "view");

	style(o, "1");
	fprintf(o->f, "avow report: %s", rj_str(l, "origin"));
	style(o, "0");
	fprintf(o->f, "\n%s %s, %.0f records, tree hash %s\n",
		rj_str(l, "source"), rj_str(l, "path"), nv(l, "size"),
		rj_str(l, "tree_hash"));
	if (cJSON_IsObject(cp))
		fprintf(o->f,
			"audit: PASS, against checkpoint %s (%.0f records, "
			"signed by %s)\n",
			rj_str(cp, "file"), nv(cp, "size"),
			rj_str(cp, "key_id"));
	else
		fprintf(o->f, "audit: PASS, without a trusted checkpoint (it "
			      "cannot tell this log from a copy whose newest "
			      "records were cut off)\n");
	if (cJSON_IsObject(as))
		fprintf(o->f, "as of: record %.0f (the first %.0f records)\n",
			nv(as, "seq"), nv(as, "size"));
	fprintf(o->f, "view: %s", rj_str(v, "kind"));
	if (rj_str(v, "query"))
		fprintf(o->f, ", query \"%s\"", rj_str(v, "query"));
	if (nv(v, "claim") >= 0)
		fprintf(o->f, ", claim #%.0f", nv(v, "claim"));
	if (rj_str(v, "actor"))
		fprintf(o->f, ", actor %s%s", rj_str(v, "actor"),
			cJSON_IsTrue(ov(v, "include_parts")) ? " and its parts"
							     : "");
	if (rj_str(v, "topic"))
		fprintf(o->f, ", topic %s", rj_str(v, "topic"));
	if (rj_str(v, "since"))
		fprintf(o->f, ", since %s", rj_str(v, "since"));
	if (rj_str(v, "until"))
		fprintf(o->f, ", until %s", rj_str(v, "until"));
	fprintf(o->f, "; %.0f %s%s", nv(v, "total"),
		!strcmp(rj_str(v, "kind"), "threads") ? "thread" : "statement",
		nv(v, "total") == 1 ? "" : "s");
	if (nv(v, "after") >= 0)
		fprintf(o->f, ", showing %d after #%.0f",
			cJSON_GetArraySize(ov(r, "statements")),
			nv(v, "after"));
	else if (nv(v, "offset") > 0 || nv(v, "limit") >= 0)
		fprintf(o->f, ", showing %d from %.0f",
			cJSON_GetArraySize(ov(r, "statements")),
			nv(v, "offset") + 1);
	fputs("\n\n", o->f);
}

static void text_statement(out *o, const cJSON *s, int depth)
{
	const cJSON *by = ov(s, "by"), *said = ov(s, "said_at"),
		    *src = ov(s, "source"), *rec = ov(s, "recorded"),
		    *st = ov(s, "status");
	int claim = !strcmp(rj_str(s, "type"), "claim");

	indent(o, depth);
	if (claim) {
		style(o, "1");
		fputs("■ CLAIM ", o->f);
	} else {
		style(o, "1");
		fprintf(o->f, "└─ %s: ", rj_str(s, "stance"));
	}
	fprintf(o->f, "#%.0f %s (%s)", nv(s, "seq"), rj_str(by, "id"),
		rj_str(by, "name"));
	style(o, "0");
	fprintf(o->f, ", said %s [precision: %s]",
		rj_str(said, "text") ? rj_str(said, "text")
				     : rj_str(said, "value"),
		rj_str(said, "precision") ? rj_str(said, "precision") : "?");
	if (st != NULL) {
		fputs(" ", o->f);
		style(o, status_colour(rj_str(st, "value")));
		fprintf(o->f, "[%s]", rj_str(st, "value"));
		style(o, "0");
	}
	fputc('\n', o->f);
	if (rj_str(by, "name_when_recorded")) {
		indent(o, depth);
		fprintf(o->f, "  (recorded under the name \"%s\")\n",
			rj_str(by, "name_when_recorded"));
	}
	if (!claim && depth == 0) {
		indent(o, depth);
		fprintf(o->f, "  answers: %s\n",
			rj_str(ov(s, "target"), "cite"));
	}
	if (cJSON_GetArraySize(ov(s, "with")) > 0) {
		indent(o, depth);
		fputs("  jointly with: ", o->f);
		refs(o->f, ov(s, "with"), ", ");
		fputc('\n', o->f);
	}
	lines(o, depth,
	      cJSON_IsTrue(ov(s, "quote")) ? "quote: " : "paraphrase: ",
	      rj_str(s, "text"));
	if (rj_str(s, "lang") || cJSON_IsTrue(ov(s, "translated"))) {
		indent(o, depth);
		fprintf(o->f, "  language: %s%s\n",
			rj_str(s, "lang") ? rj_str(s, "lang") : "?",
			cJSON_IsTrue(ov(s, "translated")) ? ", translated"
							  : "");
		if (rj_str(s, "original"))
			lines(o, depth, "original: ", rj_str(s, "original"));
	}
	indent(o, depth);
	fputs("  source: ", o->f);
	if (rj_str(src, "title"))
		fprintf(o->f, "\"%s\"", rj_str(src, "title"));
	if (rj_str(src, "url"))
		fprintf(o->f, "%s%s", rj_str(src, "title") ? " " : "",
			rj_str(src, "url"));
	if (rj_str(src, "publisher"))
		fprintf(o->f, ", %s", rj_str(src, "publisher"));
	if (rj_str(src, "published"))
		fprintf(o->f, ", published %s", rj_str(src, "published"));
	if (rj_str(src, "retrieved"))
		fprintf(o->f, ", retrieved %s", rj_str(src, "retrieved"));
	fputc('\n', o->f);
	if (rj_str(src, "sha256")) {
		indent(o, depth);
		fprintf(o->f, "  archived copy sha256: %s\n",
			rj_str(src, "sha256"));
	}
	if (cJSON_GetArraySize(ov(s, "via")) > 0) {
		indent(o, depth);
		fputs("  via: ", o->f);
		refs(o->f, ov(s, "via"), " -> ");
		fputc('\n', o->f);
	}
	if (cJSON_GetArraySize(ov(s, "about")) > 0) {
		indent(o, depth);
		fputs("  about: ", o->f);
		refs(o->f, ov(s, "about"), ", ");
		fputc('\n', o->f);
	}
	if (cJSON_GetArraySize(ov(s, "topics")) > 0) {
		int first = 1;
		indent(o, depth);
		fputs("  topics: ", o->f);
		for (const cJSON *t = ov(s, "topics")->child; t; t = t->next) {
			fprintf(o->f, "%s%s", first ? "" : ", ",
				t->valuestring);
			first = 0;
		}
		fputc('\n', o->f);
	}
	for (const cJSON *w = ov(s, "warnings") ? ov(s, "warnings")->child
						: NULL;
	     w; w = w->next) {
		indent(o, depth);
		style(o, "33");
		fprintf(o->f, "  warning: %s\n", w->valuestring);
		style(o, "0");
	}
	indent(o, depth);
	style(o, "2");
	fprintf(o->f, "  recorded by %s (%s) at %s as %s\n",
		rj_str(rec, "key_id"), rj_str(rec, "holder"),
		rj_str(rec, "time"), rj_str(s, "cite"));
	style(o, "0");
	for (const cJSON *a = ov(s, "amendments") ? ov(s, "amendments")->child
						  : NULL;
	     a; a = a->next) {
		const cJSON *ar = ov(a, "recorded");
		indent(o, depth);
		fprintf(o->f, "  amended by #%.0f (%s, %s): %s\n", nv(a, "seq"),
			rj_str(ar, "key_id"), rj_str(ar, "time"),
			rj_str(a, "reason"));
		for (const cJSON *c = ov(a, "changes")->child; c; c = c->next) {
			char *old = cJSON_PrintUnformatted(ov(c, "old"));
			char *new = cJSON_PrintUnformatted(ov(c, "new"));
			indent(o, depth);
			fprintf(o->f, "    %s: %s -> %s\n", rj_str(c, "member"),
				old ? old : "?", new ? new : "?");
			cJSON_free(old);
			cJSON_free(new);
		}
	}
	for (const cJSON *q = ov(s, "responses") ? ov(s, "responses")->child
						 : NULL;
	     q; q = q->next)
		text_statement(o, q, depth + 1);
}

int render_text(const cJSON *report, FILE *f, int colour)
{
	out o = {f, colour};
	const cJSON *st = ov(report, "statements");

	text_head(&o, report);
	for (const cJSON *s = st ? st->child : NULL; s; s = s->next) {
		text_statement(&o, s, 0);
		fputc('\n', f);
	}
	if (cJSON_GetArraySize(st) == 0)
		fputs("(no statements match)\n", f);
	/* The option that shows the next page: the same command with it. */
	if (nv(ov(report, "view"), "next_after") >= 0)
		fprintf(f, "more: --after %.0f\n",
			nv(ov(report, "view"), "next_after"));
	return ferror(f) ? -1 : 0;
}

/* --------------------------------------------------------------------- */
/* Markdown                                                              */

/* Markdown-escape inline text. */
static void md(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_{}[]<>#|", *s))
			fputc('\\', f);
		if (*s == '\n') {
			fputs("  \n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void md_refs(FILE *f, const cJSON *arr, const char *sep)
{
	int first = 1;

	for (const cJSON *a = arr ? arr->child : NULL; a; a = a->next) {
		fputs(first ? "" : sep, f);
		md(f, rj_str(a, "name"));
		fputs(" (`", f);
		fputs(rj_str(a, "id"), f);
		fputs("`)", f);
		first = 0;
	}
}

static void md_statement(FILE *f, const cJSON *s, int depth)
{
	const cJSON *by = ov(s, "by"), *said = ov(s, "said_at"),
		    *src = ov(s, "source"), *rec = ov(s, "recorded"),
		    *st = ov(s, "status");
	int claim = !strcmp(rj_str(s, "type"), "claim");
	char pre[64];

	/* Indent two spaces a level, and two more under a response's
	 * heading; deep threads stop indenting at 60 columns. */
	snprintf(pre, sizeof pre, "%*s", depth > 29 ? 58 : depth * 2, "");
	if (depth == 0) {
		fprintf(f, "### %s #%.0f: ", claim ? "Claim" : "Statement",
			nv(s, "seq"));
		md(f, rj_str(by, "name"));
		if (st)
			fprintf(f, " [%s]", rj_str(st, "value"));
		fputs("\n\n", f);
	} else {
		fprintf(f, "%s- **%s** #%.0f by ", pre, rj_str(s, "stance"),
			nv(s, "seq"));
		md(f, rj_str(by, "name"));
		fputs("\n", f);
		snprintf(pre, sizeof pre, "%*s",
			 depth > 29 ? 60 : depth * 2 + 2, "");
	}
	fprintf(f, "%s- **Who:** ", pre);
	md(f, rj_str(by, "name"));
	fprintf(f, " (`%s`)", rj_str(by, "id"));
	if (rj_str(by, "name_when_recorded")) {
		fputs(", recorded as ", f);
		md(f, rj_str(by, "name_when_recorded"));
	}
	if (cJSON_GetArraySize(ov(s, "with")) > 0) {
		fputs(", jointly with ", f);
		md_refs(f, ov(s, "with"), ", ");
	}
	fprintf(f, "\n%s- **When:** %s (precision: %s)\n", pre,
		rj_str(said, "text") ? rj_str(said, "text")
				     : rj_str(said, "value"),
		rj_str(said, "precision") ? rj_str(said, "precision") : "?");
	if (!claim && depth == 0)
		fprintf(f, "%s- **Answers:** %s\n", pre,
			rj_str(ov(s, "target"), "cite"));
	fprintf(f, "%s- **%s:** ", pre,
		cJSON_IsTrue(ov(s, "quote")) ? "Quote" : "Paraphrase");
	if (cJSON_IsTrue(ov(s, "quote")))
		fputs("“", f);
	md(f, rj_str(s, "text"));
	if (cJSON_IsTrue(ov(s, "quote")))
		fputs("”", f);
	fputc('\n', f);
	if (rj_str(s, "lang") || cJSON_IsTrue(ov(s, "translated"))) {
		fprintf(f, "%s- **Language:** %s%s\n", pre,
			rj_str(s, "lang") ? rj_str(s, "lang") : "?",
			cJSON_IsTrue(ov(s, "translated")) ? ", translated"
							  : "");
		if (rj_str(s, "original")) {
			fprintf(f, "%s- **Original:** ", pre);
			md(f, rj_str(s, "original"));
			fputc('\n', f);
		}
	}
	fprintf(f, "%s- **Source:** ", pre);
	if (rj_str(src, "url") && rj_str(src, "title")) {
		fputc('[', f);
		md(f, rj_str(src, "title"));
		fprintf(f, "](<%s>)", rj_str(src, "url"));
	} else if (rj_str(src, "title")) {
		fputs("*", f);
		md(f, rj_str(src, "title"));
		fputs("*", f);
	} else {
		fprintf(f, "<%s>", rj_str(src, "url"));
	}
	if (rj_str(src, "publisher")) {
		fputs(", ", f);
		md(f, rj_str(src, "publisher"));
	}
	if (rj_str(src, "published"))
		fprintf(f, ", published %s", rj_str(src, "published"));
	if (rj_str(src, "retrieved"))
		fprintf(f, ", retrieved %s", rj_str(src, "retrieved"));
	if (rj_str(src, "sha256"))
		fprintf(f, "; archived copy SHA-256 `%s`",
			rj_str(src, "sha256"));
	fputc('\n', f);
	if (cJSON_GetArraySize(ov(s, "via")) > 0) {
		fprintf(f, "%s- **Via:** ", pre);
		md_refs(f, ov(s, "via"), " → ");
		fputc('\n', f);
	}
	if (cJSON_GetArraySize(ov(s, "about")) > 0) {
		fprintf(f, "%s- **About:** ", pre);
		md_refs(f, ov(s, "about"), ", ");
		fputc('\n', f);
	}
	if (cJSON_GetArraySize(ov(s, "topics")) > 0) {
		int first = 1;
		fprintf(f, "%s- **Topics:** ", pre);
		for (const cJSON *t = ov(s, "topics")->child; t; t = t->next) {
			fprintf(f, "%s`%s`", first ? "" : ", ", t->valuestring);
			first = 0;
		}
		fputc('\n', f);
	}
	for (const cJSON *w = ov(s, "warnings") ? ov(s, "warnings")->child
						: NULL;
	     w; w = w->next) {
		fprintf(f, "%s- **Warning:** ", pre);
		md(f, w->valuestring);
		fputc('\n', f);
	}
	fprintf(f, "%s- **Recorded:** by `%s` (", pre, rj_str(rec, "key_id"));
	md(f, rj_str(rec, "holder"));
	fprintf(f, ") at %s as `%s`\n", rj_str(rec, "time"), rj_str(s, "cite"));
	for (const cJSON *a = ov(s, "amendments") ? ov(s, "amendments")->child
						  : NULL;
	     a; a = a->next) {
		fprintf(f, "%s- **Amended** by #%.0f (`%s`, %s): ", pre,
			nv(a, "seq"), rj_str(ov(a, "recorded"), "key_id"),
			rj_str(ov(a, "recorded"), "time"));
		md(f, rj_str(a, "reason"));
		for (const cJSON *c = ov(a, "changes")->child; c; c = c->next) {
			char *old = cJSON_PrintUnformatted(ov(c, "old"));
			char *new = cJSON_PrintUnformatted(ov(c, "new"));
			fprintf(f, "; `%s`: `%s` → `%s`", rj_str(c, "member"),
				old ? old : "?", new ? new : "?");
			cJSON_free(old);
			cJSON_free(new);
		}
		fputc('\n', f);
	}
	for (const cJSON *q = ov(s, "responses") ? ov(s, "responses")->child
						 : NULL;
	     q; q = q->next)
		md_statement(f, q, depth + 1);
	if (depth == 0)
		fputc('\n', f);
}

int render_md(const cJSON *report, FILE *f)
{
	const cJSON *l = ov(report, "log"), *cp = ov(l, "checkpoint"),
		    *as = ov(report, "as_of"), *v = ov(report, "view"),
		    *st = ov(report, "statements");

	fputs("# Report: ", f);
	md(f, rj_str(l, "origin"));
	fprintf(f,
		"\n\n| | |\n|---|---|\n| %s | `%s` |\n| records | %.0f |\n"
		"| tree hash | `%s` |\n",
		rj_str(l, "source"), rj_str(l, "path"), nv(l, "size"),
		rj_str(l, "tree_hash"));
	if (cJSON_IsObject(cp))
		fprintf(f,
			"| audit | pass, against checkpoint `%s` (%.0f "
			"records, signed by `%s`) |\n",
			rj_str(cp, "file"), nv(cp, "size"),
			rj_str(cp, "key_id"));
	else
		fputs("| audit | pass, **without a trusted checkpoint**: it "
		      "cannot tell this log from a copy whose newest records "
		      "were cut off |\n",
		      f);
	if (cJSON_IsObject(as))
		fprintf(f, "| as of | record %.0f |\n", nv(as, "seq"));
	fprintf(f, "| view | %s", rj_str(v, "kind"));
	if (rj_str(v, "query"))
		fprintf(f, ", query “%s”", rj_str(v, "query"));
	if (nv(v, "claim") >= 0)
		fprintf(f, ", claim #%.0f", nv(v, "claim"));
	if (rj_str(v, "actor"))
		fprintf(f, ", actor `%s`%s", rj_str(v, "actor"),
			cJSON_IsTrue(ov(v, "include_parts")) ? " and its parts"
							     : "");
	if (rj_str(v, "topic"))
		fprintf(f, ", topic `%s`", rj_str(v, "topic"));
	if (rj_str(v, "since"))
		fprintf(f, ", since %s", rj_str(v, "since"));
	if (rj_str(v, "until"))
		fprintf(f, ", until %s", rj_str(v, "until"));
	fprintf(f, " (%.0f) |\n\n", nv(v, "total"));
	for (const cJSON *s = st ? st->child : NULL; s; s = s->next)
		md_statement(f, s, 0);
	if (cJSON_GetArraySize(st) == 0)
		fputs("No statements match.\n", f);
	return ferror(f) ? -1 : 0;
}
