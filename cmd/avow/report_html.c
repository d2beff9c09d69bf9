/*
 * report_html.c - the report as one self-contained HTML5 file
 * (docs/REPORTS.md, format `html`): inline CSS, no script, no external
 * resource, readable offline.
 *
 *   1. the report head: origin, size, tree hash, audit, checkpoint (or the
 *      no-checkpoint warning), as-of and view;
 *   2. an inline SVG timeline: one lane per actor that asserted a
 *      statement (`by`), each statement placed at the start of its said_at
 *      span, coarse dates (year, month) drawn as a bar across the span,
 *      claims as squares coloured by status, responses as circles coloured
 *      by stance, and a curve with an arrowhead from each response to the
 *      statement it answers (dashed for `retracts`). Every mark has a
 *      <title> tooltip and links to its statement below;
 *   3. the statements: threads (claims with their responses nested) or the
 *      flat list, each with id="s-SEQ", its actor, date, words, source,
 *      topics, status, warnings, provenance and amendments;
 *   4. the actors.
 *
 * All text is escaped (& < > " '). Only http and https source URLs become
 * links. The output depends only on the report: the same report gives the
 * same bytes.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Timeline geometry, in SVG user units (px). */
#define TL_WIDTH     1200.0
#define TL_LABEL_W   220.0 /* lane labels */
#define TL_PAD_LEFT  56.0  /* room for the curves, left of the first date */
#define TL_PAD_RIGHT 24.0
#define TL_AXIS_H    34.0
#define TL_ROW_H     20.0
#define TL_LANE_PAD  8.0
#define TL_LANE_MIN  50.0
#define TL_MARK_R    5.0
#define TL_BOTTOM    8.0

/* Characters (code points) of text in a tooltip, and of a lane label
 * line. */
#define TIP_TEXT_MAX  220
#define LANE_LINE_MAX 30

static int is(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* --------------------------------------------------------------------- */
/* Escaping                                                              */

/* Escape s for text and for attribute values (quoted with "). */
static void h(FILE *out, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* At most max code points of s, escaped, white space folded to single
 * spaces when fold, cut with "…". */
static void h_cut(FILE *out, const char *s, size_t max, int fold)
{
	size_t chars = 0;
	int space = 0;
	char b[2] = {0, 0};

	if (s == NULL)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (fold && (c == ' ' || c == '\t' || c == '\n')) {
			space = chars > 0;
			continue;
		}
		if ((c & 0xc0) != 0x80) {
			if (chars + (space ? 1 : 0) >= max) {
				fputs("…", out);
				return;
			}
			if (space) {
				fputc(' ', out);
				chars++;
				space = 0;
			}
			chars++;
		}
		b[0] = (char)c;
		h(out, b);
	}
}

/* The number of code points in s. */
static size_t u8len(const char *s)
{
	size_t n = 0;
	for (; s != NULL && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int is_web_url(const char *u)
{
	return u != NULL && (strncmp(u, "https://", 8) == 0 ||
			     strncmp(u, "http://", 7) == 0 ||
			     strncmp(u, "HTTPS://", 8) == 0 ||
			     strncmp(u, "HTTP://", 7) == 0);
}

/* --------------------------------------------------------------------- */
/* Dates                                                                 */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ". */
static int parse_time(const char *s, int64_t *t)
{
	int y, mo, d, hh, mi, ss;

	if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &ss) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	*t = days_from_civil(y, mo, d) * 86400 + (int64_t)hh * 3600 +
	     (int64_t)mi * 60 + ss;
	return 1;
}

static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr",
					 "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec"};

/* --------------------------------------------------------------------- */
/* Colours                                                               */

typedef struct {
	const char *name, *colour;
} colour;

static const colour statuses[] = {
	{"contested", "#b03a2e"},  {"supported", "#1e8449"},
	{"answered", "#6c7a7b"},   {"retracted", "#6c3483"},
	{"unanswered", "#2e6aa8"},
};

static const colour stances[] = {
	{"denies", "#c0392b"},		 {"disputes", "#d35400"},
	{"supports", "#1e8449"},	 {"clarifies", "#6c7a7b"},
	{"declines-comment", "#95a0a6"}, {"retracts", "#424949"},
};

#define N_STATUSES (sizeof statuses / sizeof *statuses)
#define N_STANCES  (sizeof stances / sizeof *stances)

static int known(const colour *t, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return 1;
	return 0;
}

/* The CSS class of a statement's colour: status-X or stance-X. */
static void colour_class(FILE *out, const cJSON *st)
{
	if (is(rj_str(st, "type"), "claim")) {
		const char *s = rj_str(rj_obj(st, "status"), "value");
		fputs("status-", out);
		h(out, known(statuses, N_STATUSES, s) ? s : "other");
	} else {
		const char *s = rj_str(st, "stance");
		fputs("stance-", out);
		h(out, known(stances, N_STANCES, s) ? s : "other");
	}
}

/* --------------------------------------------------------------------- */
/* The statements, flattened in report order                             */

typedef struct {
	const cJSON *st;
	long long seq, target; /* target: -1 for a claim */
	const char *by;
	int timed; /* said_at.start and .end were read */
	int64_t t0, t1;
	size_t lane, row;
	double x0, x1, y;
} item;

typedef struct {
	FILE *out;
	const cJSON *report;
	item *it;
	size_t n, cap;
	item **by_seq;	   /* the items sorted by seq */
	const char **lane; /* actor ids, sorted */
	size_t nlanes;
	int oom;
} html;

static void flatten(html *x, const cJSON *list)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		item *i;
		const cJSON *said = rj_obj(st, "said_at");
		if (x->n == x->cap) {
			size_t cap = x->cap ? 2 * x->cap : 64;
			item *v = realloc(x->it, cap * sizeof *v);
			if (v == NULL) {
				x->oom = 1;
				return;
			}
			x->it = v;
			x->cap = cap;
		}
		i = &x->it[x->n++];
		memset(i, 0, sizeof *i);
		i->st = st;
		i->seq = rj_num(st, "seq");
		i->target = rj_obj(st, "target")
				    ? rj_num(rj_obj(st, "target"), "seq")
				    : -1;
		i->by = rj_str(rj_obj(st, "by"), "id");
		i->timed = parse_time(rj_str(said, "start"), &i->t0) &&
			   parse_time(rj_str(said, "end"), &i->t1);
		if (i->timed && i->t1 < i->t0)
			i->t1 = i->t0;
		flatten(x, rj_arr(st, "responses"));
	}
}

static int cmp_seq(const void *a, const void *b)
{
	const item *p = *(const item *const *)a, *q = *(const item *const *)b;
	return (p->seq > q->seq) - (p->seq < q->seq);
}

static void index_seqs(html *x)
{
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	x->by_seq = malloc((x->n ? x->n : 1) * sizeof *x->by_seq);
	if (x->by_seq == NULL) {
		x->oom = 1;
		return;
	}
	for (size_t i = 0; i < x->n; i++)
		x->by_seq[i] = &x->it[i];
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	qsort(x->by_seq, x->n, sizeof *x->by_seq, cmp_seq);
}

static const item *find_item(const html *x, long long seq)
{
	item key, *kp = &key, **found;

	if (x->by_seq == NULL)
		return NULL;
	key.seq = seq;
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	found = bsearch(&kp, x->by_seq, x->n, sizeof *x->by_seq, cmp_seq);
	return found ? *found : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One lane per `by` actor of a timed statement, in id order. */
static void make_lanes(html *x)
{
	size_t nl = 0;
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	const char **lane = malloc((x->n ? x->n : 1) * sizeof *lane);

	if (lane == NULL) {
		x->oom = 1;
		return;
	}
	for (size_t i = 0; i < x->n; i++) {
		size_t j;
		if (!x->it[i].timed || x->it[i].by == NULL)
			continue;
		for (j = 0; j < nl; j++)
			if (strcmp(lane[j], x->it[i].by) == 0)
				break;
		if (j == nl)
			lane[nl++] = x->it[i].by;
	}
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	qsort(lane, nl, sizeof *lane, cmp_str);
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = 0; x->it[i].by != NULL && j < nl; j++)
			if (strcmp(lane[j], x->it[i].by) == 0)
				x->it[i].lane = j;
	x->lane = lane;
	x->nlanes = nl;
}

/* The name of an actor id, from `actors`. */
static const char *actor_name(const html *x, const char *id)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, rj_arr(x->report, "actors"))
	{
		if (is(rj_str(a, "id"), id))
			return rj_str(a, "name");
	}
	return NULL;
}

/* --------------------------------------------------------------------- */
/* The timeline                                                          */

typedef enum { UNIT_DAY, UNIT_MONTH, UNIT_YEAR } unit;

typedef struct {
	int64_t t0, t1; /* the axis, from t0 to t1 (seconds) */
	unit u;
	int step; /* a tick every step units */
} axis;

static int64_t month_start(int64_t y, int m)
{
	return days_from_civil(y, m, 1) * 86400;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void make_axis(const html *x, axis *a)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, y0, y1;
	int m0, m1, d;
	int64_t months, days;

	for (size_t i = 0; i < x->n; i++) {
		if (!x->it[i].timed)
			continue;
		if (x->it[i].t0 < lo)
			lo = x->it[i].t0;
		if (x->it[i].t1 > hi)
			hi = x->it[i].t1;
	}
	civil_from_days(floor_div(lo, 86400), &y0, &m0, &d);
	civil_from_days(floor_div(hi, 86400), &y1, &m1, &d);
	months = (y1 - y0) * 12 + (m1 - m0) + 1;
	days = floor_div(hi, 86400) - floor_div(lo, 86400) + 1;
	if (months > 72) {
		a->u = UNIT_YEAR;
		a->t0 = month_start(y0, 1);
		a->t1 = month_start(y1 + 1, 1);
		a->step = (int)((y1 - y0 + 1 + 11) / 12);
	} else if (days > 62) {
		a->u = UNIT_MONTH;
		a->t0 = month_start(y0, m0);
		a->t1 = m1 == 12 ? month_start(y1 + 1, 1)
				 : month_start(y1, m1 + 1);
		a->step = months > 24 ? (int)((months + 23) / 24) : 1;
		if (a->step > 1 && a->step < 3)
			a->step = 3;
		else if (a->step > 3)
			a->step = a->step <= 6 ? 6 : 12;
	} else {
		a->u = UNIT_DAY;
		a->t0 = floor_div(lo, 86400) * 86400;
		a->t1 = (floor_div(hi, 86400) + 1) * 86400;
		a->step = days > 31 ? 7 : 1;
	}
}

/* A coordinate with one decimal and a "." whatever the locale (printf's
 * %f follows LC_NUMERIC). A struct, so that fx(v).s lives to the end of
 * the full expression that prints it. */
typedef struct {
	char s[32];
} fixed1;

static fixed1 fx(double v)
{
	fixed1 f;
	long long t = (long long)(v * 10 + (v < 0 ? -0.5 : 0.5));
	long long a = t < 0 ? -t : t;

	snprintf(f.s, sizeof f.s, "%s%lld.%lld", t < 0 ? "-" : "", a / 10,
		 a % 10);
	return f;
}

static double xpos(const axis *a, int64_t t)
{
	double x0 = TL_LABEL_W + TL_PAD_LEFT, x1 = TL_WIDTH - TL_PAD_RIGHT;
	return x0 + (x1 - x0) * (double)(t - a->t0) / (double)(a->t1 - a->t0);
}

/* Whether a statement is drawn as a bar across its span. */
static int is_bar(const item *i)
{
	return i->x1 - i->x0 >= 2 * TL_MARK_R;
}

/* The width of the "#SEQ" label. */
static double label_w(long long seq)
{
	char b[32];
	return 6.5 * (double)snprintf(b, sizeof b, "#%lld", seq) + 4;
}

/* Lane, then start, then seq. */
static int cmp_place(const void *a, const void *b)
{
	const item *p = *(const item *const *)a, *q = *(const item *const *)b;
	if (p->lane != q->lane)
		return p->lane < q->lane ? -1 : 1;
	if (p->t0 != q->t0)
		return p->t0 < q->t0 ? -1 : 1;
	return (p->seq > q->seq) - (p->seq < q->seq);
}

/* Rows within each lane, so that no two marks overlap (first fit, in
 * order of start); sets each lane's row count in rows[]. */
static void pack(html *x, const axis *a, size_t *rows)
{
	double *end = malloc((x->n ? x->n : 1) * sizeof *end);
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	item **order = malloc((x->n ? x->n : 1) * sizeof *order);
	size_t n = 0, nr = 0;

	if (end == NULL || order == NULL) {
		x->oom = 1;
		free(end);
		free(order);
		return;
	}
	for (size_t i = 0; i < x->n; i++)
		if (x->it[i].timed && x->it[i].by != NULL)
			order[n++] = &x->it[i];
	/* An array of pointers: sizeof of a pointer is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	qsort(order, n, sizeof *order, cmp_place);
	for (size_t i = 0; i < n; i++) {
		item *c = order[i];
		double from, to;
		size_t r;
		if (i == 0 || order[i - 1]->lane != c->lane)
			nr = 0;
		c->x0 = xpos(a, c->t0);
		c->x1 = xpos(a, c->t1);
		from = c->x0 - TL_MARK_R - 2;
		to = c->x0 + TL_MARK_R + 3 + label_w(c->seq);
		if (is_bar(c) && c->x1 > to)
			to = c->x1;
		for (r = 0; r < nr; r++)
			if (end[r] <= from)
				break;
		if (r == nr)
			nr++;
		end[r] = to + 2;
		c->row = r;
		rows[c->lane] = nr;
	}
	free(end);
	free(order);
}

/* The tooltip of a mark. */
static void tip(FILE *out, const item *i)
{
	const cJSON *st = i->st, *said = rj_obj(st, "said_at");
	const cJSON *by = rj_obj(st, "by");

	fprintf(out, "#%lld ", i->seq);
	h(out, rj_str(by, "name"));
	fputs(" (", out);
	h(out, rj_str(by, "id"));
	fputs("), said ", out);
	h(out, rj_str(said, "text"));
	fputs(" [", out);
	h(out, rj_str(said, "precision"));
	fputs("]: ", out);
	if (is(rj_str(st, "type"), "claim")) {
		fputs("claim, ", out);
		h(out, rj_str(rj_obj(st, "status"), "value"));
	} else {
		h(out, rj_str(st, "stance"));
		fprintf(out, " #%lld", i->target);
	}
	fputs(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "quote"))
		      ? ". Quote: “"
		      : ". Paraphrase: ",
	      out);
	h_cut(out, rj_str(st, "text"), TIP_TEXT_MAX, 1);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "quote")))
		fputs("”", out);
}

static void lane_label(FILE *out, const html *x, const char *id, double y,
		       double hgt)
{
	const char *name = actor_name(x, id);
	const char *s = name ? name : id;
	size_t len = u8len(s);
	double ty = y + hgt / 2 - (len > LANE_LINE_MAX ? 14 : 6);

	fputs("<a href=\"#a-", out);
	h(out, id);
	fputs("\"><title>", out);
	h(out, s);
	fputs(" (", out);
	h(out, id);
	fputs(")</title>", out);
	/* The name on one or two lines, then the id. */
	if (len <= LANE_LINE_MAX) {
		fprintf(out, "<text class=\"lane-name\" x=\"10\" y=\"%s\">",
			fx(ty).s);
		h(out, s);
		fputs("</text>", out);
	} else {
		/* Break at the last space before the limit. */
		size_t chars = 0, cut = 0;
		const char *p;
		for (p = s; *p && chars < LANE_LINE_MAX; p++) {
			if (((unsigned char)*p & 0xc0) != 0x80)
				chars++;
			if (*p == ' ')
				cut = (size_t)(p - s);
		}
		if (cut == 0)
			cut = (size_t)(p - s);
		while (((unsigned char)s[cut] & 0xc0) == 0x80)
			cut++;
		fprintf(out, "<text class=\"lane-name\" x=\"10\" y=\"%s\">",
			fx(ty).s);
		for (size_t k = 0; k < cut; k++) {
			char b[2] = {s[k], 0};
			h(out, b);
		}
		fprintf(out,
			"</text><text class=\"lane-name\" x=\"10\" "
			"y=\"%s\">",
			fx(ty + 14).s);
		h_cut(out, s + cut + (s[cut] == ' '), LANE_LINE_MAX, 1);
		fputs("</text>", out);
		ty += 14;
	}
	fprintf(out, "<text class=\"lane-id\" x=\"10\" y=\"%s\">",
		fx(ty + 14).s);
	h(out, id);
	fputs("</text></a>\n", out);
}

static void ticks(FILE *out, const axis *a, double top, double bottom)
{
	int64_t y;
	int m, d;

	civil_from_days(floor_div(a->t0, 86400), &y, &m, &d);
	for (int k = 0;; k++) {
		int64_t t;
		char label[32];
		if (a->u == UNIT_YEAR) {
			int64_t yy = y + (int64_t)k * a->step;
			t = month_start(yy, 1);
			snprintf(label, sizeof label, "%lld", (long long)yy);
		} else if (a->u == UNIT_MONTH) {
			int64_t mm = (int64_t)(m - 1) + (int64_t)k * a->step;
			int64_t yy = y + mm / 12;
			t = month_start(yy, (int)(mm % 12) + 1);
			if (mm % 12 == 0 || k == 0)
				snprintf(label, sizeof label, "%s %lld",
					 month_abbr[mm % 12], (long long)yy);
			else
				snprintf(label, sizeof label, "%s",
					 month_abbr[mm % 12]);
		} else {
			int64_t yy;
			int mo, dd;
			t = a->t0 + (int64_t)k * a->step * 86400;
			civil_from_days(floor_div(t, 86400), &yy, &mo, &dd);
			if (k == 0 || (mo == 1 && dd <= a->step))
				snprintf(label, sizeof label, "%d %s %lld", dd,
					 month_abbr[mo - 1], (long long)yy);
			else
				snprintf(label, sizeof label, "%d %s", dd,
					 month_abbr[mo - 1]);
		}
		if (t > a->t1)
			break;
		fprintf(out,
			"<line class=\"grid\" x1=\"%s\" y1=\"%s\" "
			"x2=\"%s\" y2=\"%s\"/>",
			fx(xpos(a, t)).s, fx(top - 4).s, fx(xpos(a, t)).s,
			fx(bottom).s);
		if (t < a->t1)
			fprintf(out,
				"<text class=\"tick\" x=\"%s\" y=\"%s\">%s"
				"</text>\n",
				fx(xpos(a, t) + 3).s, fx(top - 10).s, label);
		else
			fputc('\n', out);
	}
}

static void markers(FILE *out)
{
	for (size_t i = 0; i < N_STANCES; i++)
		fprintf(out,
			"<marker id=\"arrow-%s\" viewBox=\"0 0 10 10\" "
			"refX=\"9\" refY=\"5\" markerWidth=\"7\" "
			"markerHeight=\"7\" orient=\"auto\">"
			"<path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>\n",
			stances[i].name, stances[i].colour);
	fputs("<marker id=\"arrow-other\" viewBox=\"0 0 10 10\" refX=\"9\" "
	      "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
	      "orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" "
	      "fill=\"#333333\"/></marker>\n",
	      out);
}

static void mark(FILE *out, const item *i)
{
	int claim = is(rj_str(i->st, "type"), "claim");

	fprintf(out,
		"<a class=\"mark %s\" href=\"#s-%lld\" data-seq=\"%lld\" "
		"data-actor=\"",
		claim ? "claim" : "response", i->seq, i->seq);
	h(out, i->by);
	fputs("\"><title>", out);
	tip(out, i);
	fputs("</title><g class=\"", out);
	colour_class(out, i->st);
	fputs("\">", out);
	if (is_bar(i))
		fprintf(out,
			"<rect class=\"bar\" x=\"%s\" y=\"%s\" "
			"width=\"%s\" height=\"12\" rx=\"3\"/>",
			fx(i->x0).s, fx(i->y - 6).s, fx(i->x1 - i->x0).s);
	if (claim)
		fprintf(out,
			"<rect class=\"dot\" x=\"%s\" y=\"%s\" "
			"width=\"%s\" height=\"%s\"/>",
			fx(i->x0 - TL_MARK_R).s, fx(i->y - TL_MARK_R).s,
			fx(2 * TL_MARK_R).s, fx(2 * TL_MARK_R).s);
	else
		fprintf(out,
			"<circle class=\"dot\" cx=\"%s\" cy=\"%s\" "
			"r=\"%s\"/>",
			fx(i->x0).s, fx(i->y).s, fx(TL_MARK_R).s);
	fprintf(out,
		"</g><text class=\"seq\" x=\"%s\" y=\"%s\">#%lld</text>"
		"</a>\n",
		fx(i->x0 + TL_MARK_R + 3).s, fx(i->y + 4).s, i->seq);
}

/* A curve from a response's mark to its target's, bulging left into the
 * padding before the first date, with an arrowhead at the target. */
static void link(FILE *out, const item *r, const item *t)
{
	const char *stance = rj_str(r->st, "stance");
	double sx = r->x0 - TL_MARK_R - 1, sy = r->y;
	double ex = t->x0 - TL_MARK_R - 1, ey = t->y;
	double dy = ey > sy ? ey - sy : sy - ey;
	double bulge = 14 + dy * 0.25, c1y = sy, c2y = ey;

	if (bulge > TL_PAD_LEFT - 8)
		bulge = TL_PAD_LEFT - 8;
	if (dy < 4) { /* same row: arc over it */
		c1y -= 18;
		c2y -= 18;
	}
	fputs("<path class=\"link ", out);
	colour_class(out, r->st);
	fprintf(out,
		"\" data-from=\"%lld\" data-to=\"%lld\" "
		"d=\"M%s,%sC%s,%s %s,%s %s,%s\" "
		"marker-end=\"url(#arrow-%s)\"><title>#%lld ",
		r->seq, t->seq, fx(sx).s, fx(sy).s, fx(sx - bulge).s, fx(c1y).s,
		fx(ex - bulge).s, fx(c2y).s, fx(ex).s, fx(ey).s,
		known(stances, N_STANCES, stance) ? stance : "other", r->seq);
	h(out, rj_str(rj_obj(r->st, "by"), "name"));
	fputc(' ', out);
	h(out, stance);
	fprintf(out, " #%lld ", t->seq);
	h(out, rj_str(rj_obj(t->st, "by"), "name"));
	fputs("</title></path>\n", out);
}

static void legend(FILE *out)
{
	fputs("<ul class=\"legend\">\n"
	      "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\">"
	      "<rect x=\"1\" y=\"1\" width=\"10\" height=\"10\" "
	      "fill=\"#555\"/></svg> claim (colour: its status)</li>\n"
	      "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\">"
	      "<circle cx=\"6\" cy=\"6\" r=\"5\" fill=\"#555\"/></svg> "
	      "response (colour: its stance)</li>\n"
	      "<li><svg width=\"30\" height=\"12\" aria-hidden=\"true\">"
	      "<rect x=\"1\" y=\"1\" width=\"28\" height=\"10\" rx=\"3\" "
	      "fill=\"#555\" fill-opacity=\".2\" stroke=\"#555\"/></svg> "
	      "the span of a date given only to the year or month</li>\n",
	      out);
	for (size_t i = 0; i < N_STATUSES; i++)
		fprintf(out,
			"<li><span class=\"sw\" style=\"background:%s\">"
			"</span> %s</li>\n",
			statuses[i].colour, statuses[i].name);
	for (size_t i = 0; i < N_STANCES; i++)
		fprintf(out,
			"<li><svg width=\"30\" height=\"12\" "
			"aria-hidden=\"true\"><path d=\"M1,6H22\" "
			"stroke=\"%s\" stroke-width=\"1.6\"%s "
			"marker-end=\"url(#arrow-%s)\"/></svg> %s</li>\n",
			stances[i].colour,
			is(stances[i].name, "retracts")
				? " stroke-dasharray=\"4 3\""
				: "",
			stances[i].name, stances[i].name);
	fputs("</ul>\n", out);
}

static void timeline(html *x)
{
	FILE *out = x->out;
	axis a;
	size_t *rows, timed = 0;
	double *top, y, height;

	for (size_t i = 0; i < x->n; i++)
		timed += x->it[i].timed && x->it[i].by != NULL;
	fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", out);
	if (timed == 0) {
		fputs("<p class=\"none\">No dated statements in this "
		      "view.</p>\n</section>\n",
		      out);
		return;
	}
	make_lanes(x);
	rows = calloc(x->nlanes + 1, sizeof *rows);
	top = calloc(x->nlanes + 1, sizeof *top);
	if (x->oom || rows == NULL || top == NULL) {
		x->oom = 1;
		free(rows);
		free(top);
		return;
	}
	make_axis(x, &a);
	pack(x, &a, rows);
	y = TL_AXIS_H;
	for (size_t l = 0; l < x->nlanes; l++) {
		double lh = (double)rows[l] * TL_ROW_H + 2 * TL_LANE_PAD;
		top[l] = y;
		y += lh < TL_LANE_MIN ? TL_LANE_MIN : lh;
	}
	top[x->nlanes] = y;
	height = y + TL_BOTTOM;
	for (size_t i = 0; i < x->n; i++) {
		item *it = &x->it[i];
		double lh;
		if (!it->timed || it->by == NULL)
			continue;
		lh = top[it->lane + 1] - top[it->lane];
		/* Rows centred in the lane. */
		it->y = top[it->lane] + lh / 2 -
			(double)rows[it->lane] * TL_ROW_H / 2 +
			((double)it->row + 0.5) * TL_ROW_H;
	}

	fprintf(out,
		"<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		"role=\"img\" aria-labelledby=\"tl-title\">\n"
		"<title id=\"tl-title\">Timeline: %zu statements by %zu "
		"actors, each at the start of its date</title>\n<defs>\n",
		TL_WIDTH, height, TL_WIDTH, height, timed, x->nlanes);
	markers(out);
	fputs("</defs>\n", out);
	for (size_t l = 0; l < x->nlanes; l++) {
		fputs("<g class=\"lane\" data-actor=\"", out);
		h(out, x->lane[l]);
		fprintf(out,
			"\"><rect class=\"band%s\" x=\"0\" y=\"%s\" "
			"width=\"%.0f\" height=\"%s\"/>\n",
			l % 2 ? " odd" : "", fx(top[l]).s, TL_WIDTH,
			fx(top[l + 1] - top[l]).s);
		lane_label(out, x, x->lane[l], top[l], top[l + 1] - top[l]);
		fputs("</g>\n", out);
	}
	fputs("<g class=\"axis\">\n", out);
	ticks(out, &a, TL_AXIS_H, top[x->nlanes]);
	fputs("</g>\n<g class=\"links\">\n", out);
	for (size_t i = 0; i < x->n; i++) {
		const item *r = &x->it[i], *t;
		if (r->target < 0 || !r->timed || r->by == NULL)
			continue;
		t = find_item(x, r->target);
		if (t != NULL && t->timed && t->by != NULL)
			link(out, r, t);
	}
	fputs("</g>\n<g class=\"marks\">\n", out);
	for (size_t i = 0; i < x->n; i++)
		if (x->it[i].timed && x->it[i].by != NULL)
			mark(out, &x->it[i]);
	fputs("</g>\n</svg>\n", out);
	legend(out);
	fputs("</section>\n", out);
	free(rows);
	free(top);
}

/* --------------------------------------------------------------------- */
/* The report head                                                       */

static void view_option(FILE *out, const cJSON *view, const char *k, int *first)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(view, k);

	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return;
	if (is(k, "offset") && cJSON_IsNumber(v) && v->valuedouble == 0)
		return;
	fputs(*first ? " (" : ", ", out);
	*first = 0;
	if (is(k, "query")) { /* avow search QUERY */
		fputs("query <q>", out);
		h(out, cJSON_IsString(v) ? v->valuestring : "?");
		fputs("</q>", out);
		return;
	}
	if (cJSON_IsTrue(v)) {
		fputs("--", out);
		fputs(is(k, "include_parts") ? "include-parts" : k, out);
		return;
	}
	fprintf(out, "--%s ", k);
	if (cJSON_IsString(v)) {
		fputs("<code>", out);
		h(out, v->valuestring);
		fputs("</code>", out);
	} else if (cJSON_IsNumber(v)) {
		fprintf(out, "%lld", (long long)v->valuedouble);
	}
}

static void head(html *x)
{
	FILE *out = x->out;
	const cJSON *r = x->report, *log = rj_obj(r, "log"),
		    *view = rj_obj(r, "view");
	const cJSON *cp = rj_obj(log, "checkpoint"),
		    *as_of = rj_obj(r, "as_of");
	const char *warn = rj_str(log, "no_checkpoint_warning");
	static const char *const options[] = {
		"query",  "claim",     "actor", "include_parts",
		"topic",  "publisher", "since", "until",
		"offset", "after",     "limit"};
	int first = 1;

	fputs("<header class=\"head\">\n<h1>Who said what: <span "
	      "class=\"origin\">",
	      out);
	h(out, rj_str(log, "origin"));
	fputs("</span></h1>\n<dl>\n<dt>log</dt><dd>origin <code>", out);
	h(out, rj_str(log, "origin"));
	fputs("</code>", out);
	if (rj_str(log, "path") != NULL) {
		fputs(", ", out);
		h(out, rj_str(log, "source"));
		fputs(" <code>", out);
		h(out, rj_str(log, "path"));
		fputs("</code>", out);
	}
	fprintf(out, "</dd>\n<dt>size</dt><dd>%lld records</dd>\n",
		rj_num(log, "size"));
	fputs("<dt>tree hash</dt><dd><code>", out);
	h(out, rj_str(log, "tree_hash"));
	fputs("</code></dd>\n<dt>audit</dt><dd><span class=\"pass\">", out);
	h(out, rj_str(log, "audit"));
	fputs("</span></dd>\n<dt>checkpoint</dt><dd>", out);
	if (cp != NULL) {
		fprintf(out, "verified: size %lld, signed by <code>",
			rj_num(cp, "size"));
		h(out, rj_str(cp, "key_id"));
		fputs("</code>", out);
		if (rj_str(cp, "file") != NULL) {
			fputs(", file <code>", out);
			h(out, rj_str(cp, "file"));
			fputs("</code>", out);
		}
	} else {
		fputs("none", out);
	}
	fputs("</dd>\n<dt>as of</dt><dd>", out);
	if (as_of != NULL)
		fprintf(out,
			"record %lld: the log as it stood at size %lld; later "
			"records are ignored",
			rj_num(as_of, "seq"), rj_num(as_of, "size"));
	else
		fputs("the whole log", out);
	fputs("</dd>\n<dt>view</dt><dd>", out);
	h(out, rj_str(view, "kind"));
	for (size_t i = 0; i < sizeof options / sizeof *options; i++)
		view_option(out, view, options[i], &first);
	if (!first)
		fputc(')', out);
	fprintf(out, ": %d of %lld shown",
		cJSON_GetArraySize(rj_arr(r, "statements")),
		rj_num(view, "total"));
	/* The option that shows the next page. */
	if (rj_num(view, "next_after") >= 0)
		fprintf(out, "; more: <code>--after %lld</code>",
			rj_num(view, "next_after"));
	fputs("</dd>\n</dl>\n", out);
	if (warn != NULL) {
		fputs("<p class=\"warn\" "
		      "role=\"alert\"><strong>Warning:</strong> "
		      "<span class=\"msg\">",
		      out);
		h(out, warn);
		fputs("</span></p>\n", out);
	}
	fputs("</header>\n", out);
}

/* --------------------------------------------------------------------- */
/* The statements                                                        */

static void actor_list(FILE *out, const cJSON *list, const char *sep)
{
	const cJSON *a;
	int first = 1;
	cJSON_ArrayForEach(a, list)
	{
		if (!first)
			fputs(sep, out);
		first = 0;
		fputs("<a class=\"actor\" href=\"#a-", out);
		h(out, rj_str(a, "id"));
		fputs("\">", out);
		h(out, rj_str(a, "name") ? rj_str(a, "name") : rj_str(a, "id"));
		fputs("</a> <code>", out);
		h(out, rj_str(a, "id"));
		fputs("</code>", out);
	}
}

static void field(FILE *out, const char *dt)
{
	fprintf(out, "<dt>%s</dt><dd>", dt);
}

static void source(FILE *out, const cJSON *src)
{
	const char *url = rj_str(src, "url"), *title = rj_str(src, "title");
	int sep = 0;

	if (src == NULL)
		return;
	field(out, "source");
	if (title != NULL) {
		fputs("<cite>", out);
		h(out, title);
		fputs("</cite>", out);
		sep = 1;
	}
	if (rj_str(src, "publisher") != NULL) {
		fputs(sep ? ", " : "", out);
		h(out, rj_str(src, "publisher"));
		sep = 1;
	}
	if (rj_str(src, "published") != NULL) {
		fputs(sep ? ", published " : "published ", out);
		h(out, rj_str(src, "published"));
		sep = 1;
	}
	if (rj_str(src, "retrieved") != NULL) {
		fputs(sep ? ", retrieved " : "retrieved ", out);
		h(out, rj_str(src, "retrieved"));
		sep = 1;
	}
	if (url != NULL) {
		fputs(sep ? "<br>" : "", out);
		if (is_web_url(url)) {
			fputs("<a class=\"url\" href=\"", out);
			h(out, url);
			fputs("\" rel=\"noreferrer\">", out);
			h(out, url);
			fputs("</a>", out);
		} else {
			fputs("<code class=\"url\">", out);
			h(out, url);
			fputs("</code>", out);
		}
	}
	fputs("</dd>\n", out);
	if (rj_str(src, "sha256") != NULL) {
		field(out, "archived copy");
		fputs("sha256 <code>", out);
		h(out, rj_str(src, "sha256"));
		fputs("</code></dd>\n", out);
	}
}

/* v as compact JSON, members sorted; malloc'd, NULL when out of memory. */
static char *print_canon(const cJSON *v)
{
	cJSON *c = rj_sorted(v);
	char *s = c ? cJSON_PrintUnformatted(c) : NULL;
	cJSON_Delete(c);
	return s;
}

static void json_value(html *x, const cJSON *v)
{
	FILE *out = x->out;
	char *s;

	if (v == NULL || cJSON_IsNull(v)) {
		fputs("<i>absent</i>", out);
		return;
	}
	s = print_canon(v);
	if (s == NULL)
		x->oom = 1;
	fputs("<code>", out);
	h(out, s ? s : "?");
	fputs("</code>", out);
	free(s);
}

static void amendments(html *x, const cJSON *list)
{
	FILE *out = x->out;
	const cJSON *a, *c;

	if (cJSON_GetArraySize(list) == 0)
		return;
	fputs("<ul class=\"amendments\">\n", out);
	cJSON_ArrayForEach(a, list)
	{
		const cJSON *rec = rj_obj(a, "recorded");
		fprintf(out, "<li>amended by #%lld <code>", rj_num(a, "seq"));
		h(out, rj_str(a, "cite"));
		fputs("</code> (<code>", out);
		h(out, rj_str(rec, "key_id"));
		fputs("</code>", out);
		if (rj_str(rec, "holder") != NULL) {
			fputs(", ", out);
			h(out, rj_str(rec, "holder"));
		}
		fputs(", ", out);
		h(out, rj_str(rec, "time"));
		fputs("): <q>", out);
		h(out, rj_str(a, "reason"));
		fputs("</q>\n<ul>", out);
		cJSON_ArrayForEach(c, rj_arr(a, "changes"))
		{
			fputs("<li><code>", out);
			h(out, rj_str(c, "member"));
			fputs("</code>: ", out);
			json_value(x,
				   cJSON_GetObjectItemCaseSensitive(c, "old"));
			fputs(" → ", out);
			json_value(x,
				   cJSON_GetObjectItemCaseSensitive(c, "new"));
			fputs("</li>", out);
		}
		fputs("</ul></li>\n", out);
	}
	fputs("</ul>\n", out);
}

static void statement(html *x, const cJSON *st);

static void statements(html *x, const cJSON *list)
{
	const cJSON *st;
	cJSON_ArrayForEach(st, list)
	{
		statement(x, st);
	}
}

static void statement(html *x, const cJSON *st)
{
	FILE *out = x->out;
	const cJSON *by = rj_obj(st, "by"), *said = rj_obj(st, "said_at");
	const cJSON *target = rj_obj(st, "target"),
		    *rec = rj_obj(st, "recorded");
	const cJSON *status = rj_obj(st, "status"), *t;
	const cJSON *responses = rj_arr(st, "responses");
	int claim = is(rj_str(st, "type"), "claim");
	int quote = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "quote"));
	int translated = cJSON_IsTrue(
		cJSON_GetObjectItemCaseSensitive(st, "translated"));
	const char *lang = rj_str(st, "lang");
	long long seq = rj_num(st, "seq");

	fprintf(out, "<article class=\"stmt %s ", claim ? "claim" : "response");
	colour_class(out, st);
	fprintf(out, "\" id=\"s-%lld\" data-seq=\"%lld\">\n", seq, seq);
	/* #SEQ actor id [with ...], then "claim STATUS" or "STANCE #TARGET". */
	fprintf(out,
		"<h3 class=\"who\"><a class=\"seq\" href=\"#s-%lld\">"
		"#%lld</a> <a class=\"actor\" href=\"#a-",
		seq, seq);
	h(out, rj_str(by, "id"));
	fputs("\">", out);
	h(out, rj_str(by, "name") ? rj_str(by, "name") : rj_str(by, "id"));
	fputs("</a> <code>", out);
	h(out, rj_str(by, "id"));
	fputs("</code>", out);
	if (cJSON_GetArraySize(rj_arr(st, "with")) > 0) {
		fputs(" <span class=\"with\">with ", out);
		actor_list(out, rj_arr(st, "with"), ", ");
		fputs("</span>", out);
	}
	if (claim) {
		fputs(" <span class=\"kind\">claim</span>", out);
		if (status != NULL) {
			fprintf(out,
				" <span class=\"badge\" title=\"status at "
				"log size %lld\">",
				rj_num(status, "as_of_size"));
			h(out, rj_str(status, "value"));
			fputs("</span>", out);
		}
	} else {
		long long ts = rj_num(target, "seq");
		fputs(" <span class=\"badge\">", out);
		h(out, rj_str(st, "stance"));
		fputs("</span> ", out);
		if (find_item(x, ts) != NULL)
			fprintf(out, "<a href=\"#s-%lld\">#%lld</a>", ts, ts);
		else
			fprintf(out,
				"<span class=\"absent\">#%lld (not in this "
				"view)</span>",
				ts);
	}
	fputs("</h3>\n<p class=\"when\">said <time", out);
	if (rj_str(said, "value") != NULL) {
		fputs(" datetime=\"", out);
		h(out, rj_str(said, "value"));
		fputc('"', out);
	}
	fputc('>', out);
	h(out,
	  rj_str(said, "text") ? rj_str(said, "text") : rj_str(said, "value"));
	fputs("</time> <span class=\"prec\">(precision: ", out);
	h(out, rj_str(said, "precision"));
	fputs(")</span></p>\n", out);

	/* The words. */
	if (quote) {
		fputs("<blockquote class=\"text words\"", out);
	} else {
		fputs("<p class=\"text paraphrase\"><span class=\"label\">"
		      "paraphrase</span> <span class=\"words\"",
		      out);
	}
	if (lang != NULL) {
		fputs(" lang=\"", out);
		h(out, lang);
		fputc('"', out);
	}
	fputc('>', out);
	h(out, rj_str(st, "text"));
	fputs(quote ? "</blockquote>\n" : "</span></p>\n", out);

	fputs("<dl class=\"fields\">\n", out);
	field(out, "language");
	if (lang != NULL) {
		fputs("<code>", out);
		h(out, lang);
		fputs("</code>", out);
	} else {
		fputs("not given", out);
	}
	if (translated)
		fputs(", a translation", out);
	fputs("</dd>\n", out);
	if (translated && rj_str(st, "original") != NULL) {
		field(out, "original");
		fputs("<blockquote class=\"original\">", out);
		h(out, rj_str(st, "original"));
		fputs("</blockquote></dd>\n", out);
	}
	if (rj_str(by, "name_when_recorded") != NULL) {
		field(out, "named");
		h(out, rj_str(by, "name_when_recorded"));
		fputs(" when recorded</dd>\n", out);
	}
	if (cJSON_GetArraySize(rj_arr(st, "via")) > 0) {
		field(out, "via");
		actor_list(out, rj_arr(st, "via"), " → ");
		fputs("</dd>\n", out);
	}
	source(out, rj_obj(st, "source"));
	if (cJSON_GetArraySize(rj_arr(st, "about")) > 0) {
		field(out, "about");
		actor_list(out, rj_arr(st, "about"), ", ");
		fputs("</dd>\n", out);
	}
	if (cJSON_GetArraySize(rj_arr(st, "topics")) > 0) {
		field(out, "topics");
		cJSON_ArrayForEach(t, rj_arr(st, "topics"))
		{
			fputs("<span class=\"topic\">", out);
			h(out, cJSON_IsString(t) ? t->valuestring : "?");
			fputs("</span> ", out);
		}
		fputs("</dd>\n", out);
	}
	fputs("</dl>\n", out);
	if (cJSON_GetArraySize(rj_arr(st, "warnings")) > 0) {
		fputs("<ul class=\"warnings\">\n", out);
		cJSON_ArrayForEach(t, rj_arr(st, "warnings"))
		{
			fputs("<li>warning: ", out);
			h(out, cJSON_IsString(t) ? t->valuestring : "?");
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("<p class=\"prov\">recorded by <code>", out);
	h(out, rj_str(rec, "key_id"));
	fputs("</code>", out);
	if (rj_str(rec, "holder") != NULL) {
		fputs(" (", out);
		h(out, rj_str(rec, "holder"));
		fputc(')', out);
	}
	fputs(" at ", out);
	h(out, rj_str(rec, "time"));
	fputs(" as <code class=\"cite\">", out);
	h(out, rj_str(st, "cite"));
	fputs("</code>", out);
	if (rj_str(st, "leaf_hash") != NULL) {
		fputs("<br>leaf hash <code>", out);
		h(out, rj_str(st, "leaf_hash"));
		fputs("</code>", out);
	}
	if (target != NULL) {
		fputs("<br>answers <code>", out);
		h(out, rj_str(target, "cite"));
		fputs("</code>", out);
	}
	fputs("</p>\n", out);
	amendments(x, rj_arr(st, "amendments"));
	if (cJSON_GetArraySize(responses) > 0) {
		fputs("<div class=\"responses\">\n", out);
		statements(x, responses);
		fputs("</div>\n", out);
	}
	fputs("</article>\n", out);
}

/* --------------------------------------------------------------------- */
/* The actors                                                            */

static void actors(html *x)
{
	FILE *out = x->out;
	const cJSON *a, *list = rj_arr(x->report, "actors");

	if (cJSON_GetArraySize(list) == 0)
		return;
	fputs("<section id=\"actors\">\n<h2>Actors</h2>\n<table>\n"
	      "<thead><tr><th>id</th><th>name</th><th>kind</th>"
	      "<th>part of</th><th>also known as</th><th>description</th>"
	      "<th>declared</th></tr></thead>\n<tbody>\n",
	      out);
	cJSON_ArrayForEach(a, list)
	{
		const cJSON *n;
		int first = 1;
		fputs("<tr id=\"a-", out);
		h(out, rj_str(a, "id"));
		fputs("\"><td><code>", out);
		h(out, rj_str(a, "id"));
		fputs("</code></td><td>", out);
		h(out, rj_str(a, "name"));
		/* Earlier names. */
		cJSON_ArrayForEach(n, rj_arr(a, "names"))
		{
			if (rj_str(a, "name") != NULL &&
			    is(rj_str(n, "name"), rj_str(a, "name")))
				continue;
			fputs(first ? "<br><small>earlier: " : "; ", out);
			first = 0;
			h(out, rj_str(n, "name"));
			fprintf(out, " (#%lld)", rj_num(n, "seq"));
		}
		if (!first)
			fputs("</small>", out);
		fputs("</td><td>", out);
		h(out, rj_str(a, "kind"));
		fputs("</td><td>", out);
		if (actor_name(x, rj_str(a, "part_of")) != NULL) {
			fputs("<a href=\"#a-", out);
			h(out, rj_str(a, "part_of"));
			fputs("\"><code>", out);
			h(out, rj_str(a, "part_of"));
			fputs("</code></a>", out);
		} else if (rj_str(a, "part_of") != NULL) {
			/* Not named in this report: no row to link to. */
			fputs("<code>", out);
			h(out, rj_str(a, "part_of"));
			fputs("</code>", out);
		}
		fputs("</td><td>", out);
		first = 1;
		cJSON_ArrayForEach(n, rj_arr(a, "aliases"))
		{
			fputs(first ? "" : ", ", out);
			first = 0;
			h(out, cJSON_IsString(n) ? n->valuestring : "?");
		}
		fputs("</td><td>", out);
		h(out, rj_str(a, "description"));
		fprintf(out, "</td><td>#%lld</td></tr>\n",
			rj_num(a, "declared_at"));
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* --------------------------------------------------------------------- */

static const char css[] =
	":root{--ink:#1f2933;--mute:#5f6b76;--line:#d8dee4;--bg:#fff;"
	"--soft:#f5f7f9}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:1240px;padding:1.2em 1.5em 3em;"
	"font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Noto Sans\",sans-serif;color:var(--ink);background:var(--bg)}\n"
	"h1{font-size:1.5em;margin:.2em 0 .5em}h1 .origin{font-weight:400;"
	"color:var(--mute)}\n"
	"h2{font-size:1.2em;border-bottom:1px solid var(--line);"
	"padding-bottom:.2em;margin-top:1.6em}\n"
	"h3{font-size:1em;margin:0 0 .3em}\n"
	"code{font:.85em/1.4 ui-monospace,\"DejaVu Sans Mono\",monospace;"
	"overflow-wrap:anywhere}\n"
	"a{color:#1d5fa0}\n"
	".head dl{display:grid;grid-template-columns:max-content 1fr;"
	"gap:.1em 1em;margin:0}\n"
	".head dt,.fields dt{color:var(--mute)}\n"
	".head dd,.fields dd{margin:0}\n"
	".pass{color:#1e8449;font-weight:600}\n"
	".warn{border-left:4px solid #c77c02;background:#fff6e0;"
	"padding:.5em .8em;margin:.8em 0}\n"
	"svg.timeline{display:block;width:100%;height:auto;"
	"font-family:system-ui,sans-serif}\n"
	".band{fill:#fff}.band.odd{fill:var(--soft)}\n"
	".lane-name{font-size:12px;fill:var(--ink)}\n"
	".lane-id{font:11px ui-monospace,monospace;fill:var(--mute)}\n"
	".grid{stroke:var(--line);stroke-width:1}\n"
	".tick{font-size:11px;fill:var(--mute)}\n"
	".mark .bar{fill:currentColor;fill-opacity:.18;stroke:currentColor;"
	"stroke-width:1}\n"
	".mark .dot{fill:currentColor;stroke:#fff;stroke-width:1.5}\n"
	".mark .seq{font-size:10.5px;fill:var(--ink)}\n"
	".mark:hover .dot{stroke:var(--ink)}\n"
	".link{fill:none;stroke:currentColor;stroke-width:1.6;"
	"stroke-opacity:.85}\n"
	".link.stance-retracts{stroke-dasharray:5 3}\n"
	".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
	"gap:.3em 1.2em;font-size:.85em;color:var(--mute)}\n"
	".legend svg{vertical-align:middle}\n"
	".sw{display:inline-block;width:.8em;height:.8em;"
	"vertical-align:middle}\n"
	".stmt{border:1px solid var(--line);border-left:5px solid "
	"currentColor;border-radius:4px;padding:.6em .9em;margin:.8em 0;"
	"background:#fff}\n"
	".stmt>*{color:var(--ink)}\n"
	".stmt:target{box-shadow:0 0 0 3px #f1c40f}\n"
	".responses{margin-left:1.2em}\n"
	".who .seq{font-weight:700;text-decoration:none}\n"
	".kind{text-transform:uppercase;font-size:.75em;letter-spacing:.05em;"
	"color:var(--mute)}\n"
	".badge{display:inline-block;font-size:.78em;font-weight:600;"
	"padding:0 .5em;border-radius:1em;color:#fff;background:#555}\n"
	".with{font-weight:400}\n"
	".absent{color:var(--mute);font-style:italic}\n"
	".when{margin:0 0 .4em;color:var(--mute)}\n"
	".when time{color:var(--ink);font-weight:600}\n"
	".text,.original{white-space:pre-wrap}\n"
	"blockquote{margin:.4em 0;padding:.2em .8em;border-left:3px solid "
	"var(--line);font-style:italic}\n"
	".paraphrase .label,.fields dt{font-size:.85em}\n"
	".paraphrase .label{color:var(--mute)}\n"
	".fields{display:grid;grid-template-columns:max-content 1fr;"
	"gap:.05em 1em;margin:.4em 0}\n"
	".topic{display:inline-block;background:var(--soft);border:1px "
	"solid var(--line);border-radius:3px;padding:0 .4em;font-size:.85em}\n"
	".warnings{color:#8a5300;margin:.3em 0}\n"
	".prov{font-size:.85em;color:var(--mute);margin:.4em 0 0}\n"
	".amendments{font-size:.85em;margin:.3em 0}\n"
	"table{border-collapse:collapse;font-size:.9em;width:100%}\n"
	"th,td{border-bottom:1px solid var(--line);padding:.3em .5em;"
	"text-align:left;vertical-align:top}\n"
	"tr:target{background:#fff6d0}\n"
	"footer{margin-top:2em;font-size:.8em;color:var(--mute)}\n";

static void colour_css(FILE *out)
{
	for (size_t i = 0; i < N_STATUSES; i++)
		fprintf(out,
			".status-%s{color:%s}.status-%s .badge{background:%s}"
			"\n",
			statuses[i].name, statuses[i].colour, statuses[i].name,
			statuses[i].colour);
	for (size_t i = 0; i < N_STANCES; i++)
		fprintf(out,
			".stance-%s{color:%s}.stance-%s .badge{background:%s}"
			"\n",
			stances[i].name, stances[i].colour, stances[i].name,
			stances[i].colour);
	fputs(".status-other,.stance-other{color:#333}\n", out);
}

int render_html(const cJSON *report, FILE *out)
{
	html x = {0};
	const cJSON *log = rj_obj(report, "log"),
		    *view = rj_obj(report, "view");
	const cJSON *list = rj_arr(report, "statements");
	int threads = is(rj_str(view, "kind"), "threads");

	x.out = out;
	x.report = report;
	flatten(&x, list);
	if (!x.oom)
		index_seqs(&x);

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"avow report\">\n"
	      "<title>avow report: ",
	      out);
	h(out, rj_str(log, "origin"));
	fputs("</title>\n<style>\n", out);
	fputs(css, out);
	colour_css(out);
	fputs("</style>\n</head>\n<body>\n", out);
	head(&x);
	timeline(&x);
	fprintf(out, "<section id=\"statements\" class=\"%s\">\n<h2>%s</h2>\n",
		threads ? "threads" : "flat",
		threads ? "Threads" : "Statements");
	if (cJSON_GetArraySize(list) == 0)
		fputs("<p class=\"none\">No statements in this view.</p>\n",
		      out);
	statements(&x, list);
	fputs("</section>\n", out);
	actors(&x);
	fputs("<footer>", out);
	h(out, rj_str(report, "report"));
	fputs(" · every record is cited as <code>ORIGIN#SEQ@HASH8</code>, the "
	      "first 8 hex digits of its leaf hash; check it with "
	      "<code>avow-verify</code>.</footer>\n</body>\n</html>\n",
	      out);
	free(x.it);
	free(x.by_seq);
	free(x.lane);
	if (fflush(out) != 0 || ferror(out) || x.oom)
		return -1;
	return 0;
}
