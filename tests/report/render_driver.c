/*
 * render_driver.c - run one report renderer on a JSON report file, for the
 * report tests (tests/report/render.sh) and for working on a renderer
 * without a log:
 *
 *   render_driver html|dot|prov REPORT.json [OUT]
 *
 * REPORT.json is an avow-report/v1 object (docs/REPORTS.md), such as the
 * output of `avow report --format json` or tests/report/sample-*.json.
 * Writes to OUT, or to standard output. Exits 0, 1 when the renderer
 * returns -1, 2 on a usage or input error.
 */
#include "avow/report.h"

#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t got;
		if (cap - n < 4096) {
			char *b = realloc(buf, cap + 65536);
			if (b == NULL)
				break;
			buf = b;
			cap += 65536;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || buf == NULL) {
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
	}
	(void)fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	cJSON *report;
	char *text;
	FILE *out = stdout;
	int rc;

	if (argc < 3 || argc > 4) {
		(void)fprintf(stderr,
			      "usage: render_driver html|dot|prov REPORT.json "
			      "[OUT]\n");
		return 2;
	}
	text = slurp(argv[2]);
	if (text == NULL) {
		(void)fprintf(stderr, "render_driver: cannot read %s\n",
			      argv[2]);
		return 2;
	}
	report = cJSON_Parse(text);
	free(text);
	if (report == NULL) {
		(void)fprintf(stderr, "render_driver: %s is not JSON\n",
			      argv[2]);
		return 2;
	}
	if (argc == 4 && (out = fopen(argv[3], "wb")) == NULL) {
		(void)fprintf(stderr, "render_driver: cannot write %s\n",
			      argv[3]);
		cJSON_Delete(report);
		return 2;
	}
	if (strcmp(argv[1], "html") == 0) {
		rc = render_html(report, out);
	} else if (strcmp(argv[1], "dot") == 0) {
		rc = render_dot(report, out);
	} else if (strcmp(argv[1], "prov") == 0) {
		rc = render_prov(report, out);
	} else {
		(void)fprintf(stderr, "render_driver: unknown format %s\n",
			      argv[1]);
		rc = 2;
	}
	cJSON_Delete(report);
	if (out != stdout && fclose(out) != 0 && rc == 0)
		rc = -1;
	if (rc == -1)
		(void)fprintf(stderr, "render_driver: %s: write error\n",
			      argv[1]);
	return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}
