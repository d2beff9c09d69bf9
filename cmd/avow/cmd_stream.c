/*
 * cmd_stream.c - `avow append --stream`: group commit for records that
 * arrive one by one (from a pipe, a socket relay, a newsroom tool).
 *
 * Lines are read as they come. A group is committed, in one transaction
 * and one fsync, when it holds --group-lines lines or when no line has
 * come for --group-ms milliseconds, and at the end of the input. Each
 * group is all or nothing. A reference {"line": k} to a line of an
 * earlier group becomes {"seq": n}, the record that line made.
 */
#include "cli.h"

#include "json.h"
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINE ((size_t)2 << 20)

typedef struct {
	const char *path;
	avow_log *log;
	avow_key *key;
	int64_t now;
	avow_map seq_of; /* line number -> seq, for committed lines */
	char **text;	 /* the group's lines */
	long *line;
	size_t n, cap;
	uint64_t total, groups, first;
} stream;

/* Whether p[0..len) holds "line" (else it names no line). */
static int has_line_key(const char *p, size_t len)
{
	for (size_t i = 0; i + 6 <= len; i++)
		if (memcmp(p + i, "\"line\"", 6) == 0)
			return 1;
	return 0;
}

/* The line's text, with a target {"line": k} of an earlier group made
 * {"seq": n}; malloc'ed. */
static char *resolve(stream *s, const char *p, size_t len)
{
	cJSON *root, *tg, *ln;
	const uint64_t *seq;
	avow_buf out;
	char *t;

	if (!has_line_key(p, len) ||
	    (root = avow_json_parse(p, len, AVOW_JSON_AVOW_STRINGS, NULL)) ==
		    NULL)
		goto verbatim;
	tg = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "body"), "target");
	ln = cJSON_GetObjectItemCaseSensitive(tg, "line");
	seq = ln != NULL && avow_json_int(ln) > 0
		      ? avow_map_geti(&s->seq_of, (uint64_t)avow_json_int(ln))
		      : NULL;
	if (seq == NULL) {
		cJSON_Delete(root);
		goto verbatim;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(tg, "line");
	cJSON_AddNumberToObject(tg, "seq", (double)*seq);
	avow_buf_init(&out);
	avow_json_canon(&out, root);
	cJSON_Delete(root);
	if (out.oom) {
		avow_buf_free(&out);
		return NULL;
	}
	return avow_buf_cstr(&out);
verbatim:
	t = malloc(len + 1);
	if (t != NULL) {
		memcpy(t, p, len);
		t[len] = 0;
	}
	return t;
}

static int add_line(stream *s, const char *p, size_t len, long line)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **nt = realloc(s->text, cap * sizeof *nt);
		long *nl = nt ? realloc(s->line, cap * sizeof *nl) : NULL;
		if (nt != NULL)
			s->text = nt;
		if (nl == NULL)
			return -1;
		s->line = nl;
		s->cap = cap;
	}
	if ((s->text[s->n] = resolve(s, p, len)) == NULL)
		return -1;
	s->line[s->n++] = line;
	return 0;
}

/* Commit the group. Returns EXIT_OK or the failure's exit status. */
static int flush(stream *s)
{
	avow_draft *d;
	char(*labels)[64];
	avow_error err;
	uint64_t first;
	int rc = EXIT_OK;

	if (s->n == 0)
		return EXIT_OK;
	d = calloc(s->n, sizeof *d);
	labels = calloc(s->n, sizeof *labels);
	if (d == NULL || labels == NULL) {
		free(d);
		free(labels);
		errorf("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < s->n; i++) {
		snprintf(labels[i], sizeof labels[i], "%.40s:%ld",
			 strcmp(s->path, "-") ? s->path : "stdin", s->line[i]);
		d[i].json = s->text[i];
		d[i].len = strlen(s->text[i]);
		d[i].label = labels[i];
		d[i].line = s->line[i];
	}
	if (avow_log_append(s->log, s->key, d, s->n, s->now, &first, &err) !=
	    AVOW_OK) {
		rc = report_error(&err);
		if (s->groups > 0)
			errorf("append --stream: stopped; the %llu records "
			       "of the %llu groups before stay (%llu..%llu)",
			       (unsigned long long)s->total,
			       (unsigned long long)s->groups,
			       (unsigned long long)s->first,
			       (unsigned long long)(s->first + s->total - 1));
	} else {
		if (s->groups++ == 0)
			s->first = first;
		for (size_t i = 0; i < s->n; i++) {
			printf("%llu\n", (unsigned long long)first + i);
			if (avow_map_puti(&s->seq_of, (uint64_t)s->line[i],
					  first + i) < 0)
				rc = EXIT_FAIL;
		}
		(void)fflush(stdout); /* the seqs as they are made */
		s->total += s->n;
		if (rc != EXIT_OK)
			errorf("out of memory");
	}
	for (size_t i = 0; i < s->n; i++)
		free(s->text[i]);
	s->n = 0;
	free(d);
	free(labels);
	return rc;
}

int append_stream(const char *path, long group_lines, long group_ms)
{
	stream s;
	avow_buf in;
	int fd = STDIN_FILENO, eof = 0, rc = EXIT_OK;
	long line = 0;

	memset(&s, 0, sizeof s);
	s.path = path;
	s.now = record_time();
	if (s.now == -2)
		return EXIT_USAGE;
	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		errorf("%s: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	s.key = load_key();
	s.log = s.key ? open_log(0) : NULL;
	if (s.log == NULL) {
		if (fd != STDIN_FILENO)
			close(fd);
		avow_key_free(s.key);
		return EXIT_USAGE;
	}
	avow_map_init(&s.seq_of);
	avow_buf_init(&in);
	while (rc == EXIT_OK && !eof) {
		struct pollfd pf = {fd, POLLIN, 0};
		size_t start = 0;
		ssize_t r;
		int ready = poll(&pf, 1, s.n > 0 ? (int)group_ms : -1);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0) { /* quiet for group_ms: commit */
			rc = flush(&s);
			continue;
		}
		if (avow_buf_reserve(&in, 65536) < 0) {
			errorf("out of memory");
			rc = EXIT_FAIL;
			break;
		}
		r = read(fd, in.p + in.len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			errorf("%s: %s", path, strerror(errno));
			rc = EXIT_USAGE;
			break;
		}
		if (r == 0) {
			eof = 1;
			if (in.len > 0 && in.p[in.len - 1] != '\n')
				avow_buf_addc(&in, '\n');
		}
		in.len += (size_t)r;
		for (size_t i = 0; rc == EXIT_OK && i < in.len; i++) {
			size_t ll = i - start;
			if (in.p[i] != '\n')
				continue;
			line++;
			if (ll > 0 && in.p[start + ll - 1] == '\r')
				ll--;
			if (ll > 0 && add_line(&s, (const char *)in.p + start,
					       ll, line) < 0) {
				errorf("out of memory");
				rc = EXIT_FAIL;
			}
			start = i + 1;
			if (rc == EXIT_OK && s.n >= (size_t)group_lines)
				rc = flush(&s);
		}
		memmove(in.p, in.p + start, in.len - start);
		in.len -= start;
		if (in.len > MAX_LINE) {
			errorf("%s:%ld: line longer than %zu bytes", path,
			       line + 1, MAX_LINE);
			rc = EXIT_USAGE;
		}
	}
	if (rc == EXIT_OK)
		rc = flush(&s);
	if (rc == EXIT_OK && s.total > 0)
		fprintf(stderr,
			"%s: appended %llu record%s in %llu group%s "
			"(%llu..%llu)\n",
			prog, (unsigned long long)s.total,
			s.total == 1 ? "" : "s", (unsigned long long)s.groups,
			s.groups == 1 ? "" : "s", (unsigned long long)s.first,
			(unsigned long long)(s.first + s.total - 1));
	else if (rc == EXIT_OK) {
		errorf("%s: no entries to append", path);
		rc = EXIT_USAGE;
	}
	for (size_t i = 0; i < s.n; i++)
		free(s.text[i]);
	free(s.text);
	free(s.line);
	avow_map_free(&s.seq_of);
	avow_buf_free(&in);
	if (fd != STDIN_FILENO)
		close(fd);
	avow_log_close(s.log);
	avow_key_free(s.key);
	return rc;
}
