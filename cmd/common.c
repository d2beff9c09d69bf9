/*
 * common.c - shared helpers of the avow programs.
 */
#include "common.h"

#include "json.h"
#include "syntax.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char no_checkpoint_warning[] =
	"no trusted checkpoint was given: this audit cannot tell the log "
	"from a copy whose newest records were cut off, or from one "
	"rewritten by the holders of every admin key";

void errorf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warnf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int exit_code(avow_status rc)
{
	switch (rc) {
	case AVOW_OK: return EXIT_OK;
	case AVOW_ERR_USAGE:
	case AVOW_ERR_IO:
	case AVOW_ERR_NOT_LOG:
	case AVOW_ERR_VERSION:
	case AVOW_ERR_EXISTS:
	case AVOW_ERR_NOT_FOUND:
	case AVOW_ERR_PERMISSIONS:
	case AVOW_ERR_PASSPHRASE:
	case AVOW_ERR_READONLY:
	case AVOW_ERR_FULL:
	case AVOW_ERR_BUSY: return EXIT_USAGE;
	case AVOW_ERR_NOMEM:
	case AVOW_ERR_SYNTAX:
	case AVOW_ERR_INVALID:
	case AVOW_ERR_CRYPTO:
	case AVOW_ERR_CORRUPT:
	case AVOW_ERR_CLOCK:
	case AVOW_ERR_AUDIT: return EXIT_FAIL;
	}
	return EXIT_FAIL;
}

int report_error(const avow_error *err)
{
	errorf("%s", err->msg[0] ? err->msg : avow_strerror(err->code));
	return exit_code(err->code);
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	struct stat sb;

	*out = NULL;
	*len = 0;
	if (f == NULL) {
		errorf("%s: %s", path, strerror(errno));
		return -1;
	}
	/* a regular file is read into one buffer of its size (a final read
	 * of 0 bytes ends it); anything else, or a file that grows, in a
	 * buffer that doubles */
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0 && (uintmax_t)sb.st_size < max)
		cap = (size_t)sb.st_size + 1;
	for (;;) {
		size_t r;
		if (buf == NULL || n == cap) {
			char *nb;
			cap = buf == NULL ? (cap ? cap : 65536) : cap * 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				errorf("%s: out of memory", path);
				goto fail;
			}
			if (buf == NULL)
				avow_prefault(nb, cap + 1);
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n > max) {
			errorf("%s: larger than %zu bytes", path, max);
			goto fail;
		}
		if (r == 0) {
			if (ferror(f)) {
				errorf("%s: read error", path);
				goto fail;
			}
			break;
		}
	}
	buf[n] = 0;
	if (f != stdin)
		(void)fclose(f); /* read only, as below */
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	if (f != stdin)
		(void)fclose(f);
	return -1;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == 0 || (s[0] == '0' && s[1] != 0))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

const char *default_log(const char *given)
{
	const char *env;

	if (given != NULL)
		return given;
	env = getenv("AVOW_LOG");
	if (env != NULL && *env)
		return env;
	return "avow.db";
}

void b64(char *out, const uint8_t *in, size_t n)
{
	avow_b64_encode(out, in, n);
}

void print_json(FILE *f, const struct cJSON *v)
{
	avow_buf b;

	avow_buf_init(&b);
	avow_json_canon(&b, v);
	if (!b.oom) {
		/* Unchecked, as printf is: see .clang-tidy on cert-err33-c. */
		(void)fwrite(b.p, 1, b.len, f);
		fputc('\n', f);
	}
	avow_buf_free(&b);
}

const char *json_str(const struct cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *json_str_or(const struct cJSON *o, const char *name,
			const char *absent)
{
	const char *s = json_str(o, name);
	return s != NULL ? s : absent;
}

int write_out(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	FILE *f;
	int bad;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
			errorf("writing standard output: %s", strerror(errno));
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		errorf("%s: path too long", path);
		return EXIT_USAGE;
	}
	f = fopen(tmp, "wbx");
	if (f == NULL) {
		errorf("%s: %s", tmp, strerror(errno));
		return EXIT_USAGE;
	}
	bad = fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
	      fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		errorf("%s: %s", bad ? tmp : path, strerror(errno));
		(void)remove(tmp); /* best effort */
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
