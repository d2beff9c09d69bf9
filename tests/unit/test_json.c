/*
 * test_json.c - lib/json.c: strict parsing (SPEC section 2) and the RFC 8785
 * canonical form. The RFC 8785 vectors are read from vectors/jcs/ (the test
 * runs in tests/); the tricky cases are inline, each with its expected
 * canonical bytes or a piece of the expected error message.
 */
#include "json.h"

#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Print n bytes with everything outside printable ASCII as \xNN. */
static void show(const char *label, const void *p, size_t n)
{
	const uint8_t *s = p;
	fprintf(stderr, "    %s (%zu bytes): ", label, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\\')
			fputc(s[i], stderr);
		else
			fprintf(stderr, "\\x%02x", s[i]);
	}
	fputc('\n', stderr);
}

static void failed_at(int line)
{
	check_failures++;
	fprintf(stderr, "%s:%d: check failed\n", __FILE__, line);
}

/* Parse in[0..n) with flags and require the canonical form to be exactly
 * want[0..wn). */
static void accept_n(int line, const char *in, size_t n, unsigned flags,
		     const char *want, size_t wn)
{
	avow_error err;
	avow_buf out;
	cJSON *v;

	memset(&err, 0, sizeof err);
	check_count++;
	v = avow_json_parse(in, n, flags, &err);
	if (v == NULL) {
		failed_at(line);
		show("input", in, n);
		fprintf(stderr, "    rejected: %s\n", err.msg);
		return;
	}
	avow_buf_init(&out);
	avow_json_canon(&out, v);
	if (out.oom || out.len != wn || memcmp(out.p, want, wn) != 0) {
		failed_at(line);
		show("input", in, n);
		show("got  ", out.p, out.len);
		show("want ", want, wn);
	}
	avow_buf_free(&out);
	cJSON_Delete(v);
}

/* Parse in[0..n) with flags and require a syntax error whose message holds
 * `what`. */
static void reject_n(int line, const char *in, size_t n, unsigned flags,
		     const char *what)
{
	avow_error err;
	cJSON *v;

	memset(&err, 0, sizeof err);
	check_count++;
	v = avow_json_parse(in, n, flags, &err);
	if (v != NULL) {
		avow_buf out;
		failed_at(line);
		show("input", in, n);
		avow_buf_init(&out);
		avow_json_canon(&out, v);
		show("accepted as", out.p, out.len);
		avow_buf_free(&out);
		cJSON_Delete(v);
		return;
	}
	if (err.code != AVOW_ERR_SYNTAX || strstr(err.msg, what) == NULL) {
		failed_at(line);
		show("input", in, n);
		fprintf(stderr, "    error %d \"%s\", want %d with \"%s\"\n",
			(int)err.code, err.msg, (int)AVOW_ERR_SYNTAX, what);
	}
}

/* String literal forms: the input and output lengths are taken with
 * sizeof, so embedded NUL bytes count. */
#define ACCEPT(in, want)                                                       \
	accept_n(__LINE__, in, sizeof(in) - 1, 0, want, sizeof(want) - 1)
#define ACCEPT_F(flags, in, want)                                              \
	accept_n(__LINE__, in, sizeof(in) - 1, flags, want, sizeof(want) - 1)
#define SAME(in)	 ACCEPT(in, in)
#define REJECT(in, what) reject_n(__LINE__, in, sizeof(in) - 1, 0, what)
#define REJECT_F(flags, in, what)                                              \
	reject_n(__LINE__, in, sizeof(in) - 1, flags, what)

#define AS AVOW_JSON_AVOW_STRINGS

/* ---- RFC 8785 vectors ---- */

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, len = 0;

	if (f == NULL) {
		fprintf(stderr, "cannot open %s (run in tests/)\n", path);
		return NULL;
	}
	for (;;) {
		size_t got;
		if (len == cap) {
			char *q = realloc(p, cap ? cap * 2 : 4096);
			if (q == NULL) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(p + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*n = len;
	return p;
}

static int read_vector(const char *dir, const char *name, char **p, size_t *n)
{
	char path[256];
	snprintf(path, sizeof path, "vectors/jcs/%s/%s.json", dir, name);
	*p = read_file(path, n);
	return *p != NULL;
}

/* Remove s[from..to) from a buffer of *n bytes. */
static void cut(char *s, size_t *n, size_t from, size_t to)
{
	memmove(s + from, s + to, *n - to);
	*n -= to - from;
}

static size_t find(const char *s, size_t n, const char *what, size_t from)
{
	size_t k = strlen(what);
	for (size_t i = from; i + k <= n; i++)
		if (memcmp(s + i, what, k) == 0)
			return i;
	return SIZE_MAX;
}

static void test_vectors(void)
{
	static const char *const good[] = {"arrays", "french", "unicode",
					   "weird"};
	static const char *const bad[] = {"structures", "values"};
	char *in, *want;
	size_t n, wn, i, a, b;

	for (i = 0; i < LEN(good); i++) {
		CHECK(read_vector("input", good[i], &in, &n));
		CHECK(read_vector("output", good[i], &want, &wn));
		if (in != NULL && want != NULL) {
			accept_n(__LINE__, in, n, 0, want, wn);
			/* The canonical form is its own canonical form. */
			accept_n(__LINE__, want, wn, 0, want, wn);
		}
		free(in);
		free(want);
	}

	for (i = 0; i < LEN(bad); i++) {
		CHECK(read_vector("input", bad[i], &in, &n));
		if (in != NULL)
			reject_n(__LINE__, in, n, 0, "fraction or exponent");
		free(in);
	}

	/* Their string and key parts are still good tests: structures.json
	 * with 56.0 written 56, and values.json without its numbers. */
	CHECK(read_vector("input", "structures", &in, &n));
	CHECK(read_vector("output", "structures", &want, &wn));
	if (in != NULL && want != NULL) {
		a = find(in, n, "56.0", 0);
		CHECK(a != SIZE_MAX);
		if (a != SIZE_MAX) {
			cut(in, &n, a + 2, a + 4);
			accept_n(__LINE__, in, n, 0, want, wn);
		}
	}
	free(in);
	free(want);

	CHECK(read_vector("input", "values", &in, &n));
	CHECK(read_vector("output", "values", &want, &wn));
	if (in != NULL && want != NULL) {
		a = find(in, n, "\"numbers\"", 0);
		b = a == SIZE_MAX ? a : find(in, n, "],", a);
		CHECK(b != SIZE_MAX);
		if (b != SIZE_MAX)
			cut(in, &n, a, b + 2);
		a = find(want, wn, "\"numbers\"", 0);
		b = a == SIZE_MAX ? a : find(want, wn, "],", a);
		CHECK(b != SIZE_MAX);
		if (b != SIZE_MAX)
			cut(want, &wn, a, b + 2);
		/* {"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}
		 */
		CHECK(find(want, wn, "\\u000f\\nA'B", 0) != SIZE_MAX);
		accept_n(__LINE__, in, n, 0, want, wn);
	}
	free(in);
	free(want);
}

/* ---- strings ---- */

static void test_escapes(void)
{
	ACCEPT("\"\\u00e9\"", "\"\xC3\xA9\"");
	ACCEPT("\"\\u00E9\"", "\"\xC3\xA9\"");
	ACCEPT("\"\\u20ac\"", "\"\xE2\x82\xAC\"");
	ACCEPT("\"\\u0041\\u0062\"", "\"Ab\"");
	ACCEPT("\"a\\/b\"", "\"a/b\"");
	SAME("\"a/b\"");
	ACCEPT("\"\\u002f\"", "\"/\"");
	SAME("\"\\\"\\\\\"");
	ACCEPT("\"\\u0022\\u005c\\u005C\"", "\"\\\"\\\\\\\\\"");
	SAME("\"\\u001f\"");
	ACCEPT("\"\\u001F\"", "\"\\u001f\"");
	ACCEPT("\"\\u0001\\u000b\\u000e\\u001a\\u001B\"",
	       "\"\\u0001\\u000b\\u000e\\u001a\\u001b\"");
	SAME("\"\\b\\f\\n\\r\\t\"");
	ACCEPT("\"\\u0008\\u000c\\u000A\\u000d\\u0009\"",
	       "\"\\b\\f\\n\\r\\t\"");
	ACCEPT("\"\\u007f\"", "\"\x7F\"");
	ACCEPT("\"\\u007F\"", "\"\x7F\"");
	SAME("\"\x7F\"");
	ACCEPT("\"\\u0080\\u00ff\"", "\"\xC2\x80\xC3\xBF\"");
	ACCEPT("\"\\u2028\\u2029\"", "\"\xE2\x80\xA8\xE2\x80\xA9\"");
	ACCEPT("\"\\ufeff\"", "\"\xEF\xBB\xBF\"");
	SAME("\"\xEF\xBB\xBF\""); /* U+FEFF inside a string is no BOM */
	ACCEPT("\"\\uffff\"", "\"\xEF\xBF\xBF\"");
	SAME("\"</script>\"");
	SAME("\"\xE2\x82\xAC \xC3\xA9 \xE4\xB8\xAD\"");
	SAME("\"A\xCC\x8A\""); /* nothing is normalised (NFC would be Å) */

	REJECT("\"\\x\"", "invalid escape");
	REJECT("\"\\a\"", "invalid escape");
	REJECT("\"\\U00e9\"", "invalid escape");
	REJECT("\"\\'\"", "invalid escape");
	REJECT("\"\\u00e\"", "invalid \\u escape");
	REJECT("\"\\u00eg\"", "invalid \\u escape");
	REJECT("\"\\u00\"", "invalid \\u escape");
	REJECT("\"\\u", "invalid \\u escape");
	REJECT("\"\\", "unterminated string");
	REJECT("\"abc", "unterminated string");
	REJECT("\"", "unterminated string");
	REJECT("'a'", "unexpected character");
}

static void test_non_bmp(void)
{
	ACCEPT("\"\\ud83d\\ude00\"", "\"\xF0\x9F\x98\x80\"");
	ACCEPT("\"\\uD83D\\uDE00\"", "\"\xF0\x9F\x98\x80\"");
	SAME("\"\xF0\x9F\x98\x80\"");
	ACCEPT("\"\\ud800\\udc00\"", "\"\xF0\x90\x80\x80\"");
	SAME("\"\xF0\x90\x80\x80\"");
	ACCEPT("\"\\udbff\\udfff\"", "\"\xF4\x8F\xBF\xBF\"");
	SAME("\"\xF4\x8F\xBF\xBF\"");
	ACCEPT("\"a\\ud83d\\ude02b\xF0\x9F\x98\x82\"", "\"a\xF0\x9F\x98\x82"
						       "b\xF0\x9F\x98\x82\"");

	/* Lone or misordered surrogate escapes. */
	REJECT("\"\\ud800\"", "lone high surrogate");
	REJECT("\"\\udbff\"", "lone high surrogate");
	REJECT("\"\\udc00\"", "lone low surrogate");
	REJECT("\"\\udfff\"", "lone low surrogate");
	REJECT("\"\\ud800x\"", "lone high surrogate");
	REJECT("\"\\ud800\\u0041\"", "lone high surrogate");
	REJECT("\"\\ud800\\ud800\"", "lone high surrogate");
	REJECT("\"\\ud800\\ue000\"", "lone high surrogate");
	REJECT("\"\\ude00\\ud83d\"", "lone low surrogate");
	REJECT("\"\\ud800\\n\"", "lone high surrogate");
	REJECT("\"\\ud800\\udc0", "lone high surrogate");
	REJECT("\"\\ud800", "lone high surrogate");
	REJECT("{\"\\udc00\":1}", "lone low surrogate");
	/* A high surrogate escape followed by an encoded low surrogate. */
	REJECT("\"\\ud83d\xED\xB8\x80\"", "lone high surrogate");
}

static void test_utf8_in_strings(void)
{
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
#define B(lit) {lit, sizeof(lit) - 1}
		B("\"\xFF\""),
		B("\"\xFE\""),
		B("\"\xC0\xAF\""),		   /* overlong '/' */
		B("\"\xC1\xBF\""),		   /* overlong U+007F */
		B("\"\xE0\x80\xAF\""),		   /* overlong, 3 bytes */
		B("\"\xE0\x9F\xBF\""),		   /* overlong U+07FF */
		B("\"\xF0\x80\x80\xAF\""),	   /* overlong, 4 bytes */
		B("\"\xF0\x8F\xBF\xBF\""),	   /* overlong U+FFFF */
		B("\"\xED\xA0\x80\""),		   /* encoded surrogate D800 */
		B("\"\xED\xBF\xBF\""),		   /* encoded surrogate DFFF */
		B("\"\xED\xA0\xBD\xED\xB8\x80\""), /* CESU-8 pair */
		B("\"\xF4\x90\x80\x80\""),	   /* above U+10FFFF */
		B("\"\xF5\x80\x80\x80\""),
		B("\"\xF8\x88\x80\x80\x80\""),
		B("\"\x80\""), /* lone continuation byte */
		B("\"\xBF\""),
		B("\"\xC3\""), /* truncated before the quote */
		B("\"\xE2\x82\""),
		B("\"\xF0\x9F\x98\""),
		B("\"\xC3"), /* truncated at the end */
		B("\"\xE2\x82"),
		B("\"\xF0\x9F\x98"),
		B("\"\xC3\x41\""), /* bad continuation */
		B("\"\xE2\x28\xA1\""),
		B("\"ok\xC3\xA9\xFF\""),
		B("{\"\xFF\":1}"), /* in a key */
#undef B
	};

	for (size_t i = 0; i < LEN(bad); i++)
		reject_n(__LINE__, bad[i].s, bad[i].n, 0, "invalid UTF-8");
	/* Outside a string a byte >= 0x80 is just unexpected. */
	REJECT("\xFF", "unexpected character");
	REJECT("[\xC3\xA9]", "unexpected character");

	/* Control bytes must be escaped; U+0000 is never allowed. */
	REJECT("\"\x01\"", "unescaped control character");
	REJECT("\"a\x1F\"", "unescaped control character");
	REJECT("\"\t\"", "unescaped control character");
	REJECT("\"\n\"", "unescaped control character");
	REJECT("\"\r\"", "unescaped control character");
	REJECT("{\"a\x01\":1}", "unescaped control character");
	REJECT("\"\\u0000\"", "U+0000");
	REJECT("\"a\\u0000b\"", "U+0000");
	REJECT("{\"\\u0000\":1}", "U+0000");
	REJECT_F(AS, "\"\\u0000\"", "U+0000");
	REJECT("\"a\0b\"", "control character");
	REJECT("\"\0\"", "control character");
	REJECT("{\"a\0\":1}", "control character");
}

/* AVOW_JSON_AVOW_STRINGS: only tab and line feed among U+0001..U+001F and
 * U+007F, however written. */
static void test_avow_strings(void)
{
	ACCEPT_F(AS, "\"a\\tb\\nc\"", "\"a\\tb\\nc\"");
	ACCEPT_F(AS, "\"\\u0009\\u000a\"", "\"\\t\\n\"");
	ACCEPT_F(AS, "{\"k\":[\"\\t\",\"\\n\"]}", "{\"k\":[\"\\t\",\"\\n\"]}");
	ACCEPT_F(AS, "\"\\u00e9\\/\\\"\\\\\"", "\"\xC3\xA9/\\\"\\\\\"");
	ACCEPT_F(AS, "\"\xC2\x80\xC2\x9F\"", "\"\xC2\x80\xC2\x9F\"");
	ACCEPT_F(AS, "\"\\ud83d\\ude00\"", "\"\xF0\x9F\x98\x80\"");
	ACCEPT_F(AS, "\"\\u0020~\"", "\" ~\"");

	REJECT_F(AS, "\"\\r\"", "control character");
	REJECT_F(AS, "\"a\\rb\"", "control character");
	REJECT_F(AS, "\"\\b\"", "control character");
	REJECT_F(AS, "\"\\f\"", "control character");
	REJECT_F(AS, "\"\\u000d\"", "control character");
	REJECT_F(AS, "\"\\u0001\"", "control character");
	REJECT_F(AS, "\"\\u001f\"", "control character");
	REJECT_F(AS, "\"\\u001b[31m\"", "control character");
	REJECT_F(AS, "\"\\u007f\"", "control character");
	REJECT_F(AS, "\"\\u007F\"", "control character");
	REJECT_F(AS, "\"\x7F\"", "control character");
	REJECT_F(AS,
		 "\"a\x7F"
		 "b\"",
		 "control character");
	REJECT_F(AS, "{\"\\r\":1}", "control character");
	REJECT_F(AS, "{\"\x7F\":1}", "control character");
	REJECT_F(AS, "[1,{\"a\":[\"ok\",\"\\u0007\"]}]", "control character");
	/* Raw control bytes stay invalid JSON in either mode. */
	REJECT_F(AS, "\"\t\"", "unescaped control character");
	REJECT_F(AS, "\"\n\"", "unescaped control character");
	REJECT_F(AS, "\"\x01\"", "unescaped control character");
	/* The other rules still hold. */
	REJECT_F(AS, "\"\xFF\"", "invalid UTF-8");
	REJECT_F(AS, "01", "leading zero");
	REJECT_F(AS, "{\"a\":1,\"a\":1}", "duplicate");
}

/* ---- key order ---- */

static void test_key_order(void)
{
	/* U+1F600 is D83D DE00 in UTF-16, below U+FB33, whatever the code
	 * points say. */
	ACCEPT("{\"\\ufb33\":1,\"\\ud83d\\ude00\":2}",
	       "{\"\xF0\x9F\x98\x80\":2,\"\xEF\xAC\xB3\":1}");
	ACCEPT("{\"\xEF\xAC\xB3\":1,\"\xF0\x9F\x98\x80\":2}",
	       "{\"\xF0\x9F\x98\x80\":2,\"\xEF\xAC\xB3\":1}");
	/* U+FFFF after U+10000; U+D7FF before it; U+E000 after it. */
	ACCEPT("{\"\\uffff\":1,\"\\ud800\\udc00\":2,\"\\ud7ff\":3,"
	       "\"\\ue000\":4}",
	       "{\"\xED\x9F\xBF\":3,\"\xF0\x90\x80\x80\":2,"
	       "\"\xEE\x80\x80\":4,\"\xEF\xBF\xBF\":1}");
	ACCEPT("{\"b\":1,\"a\":2,\"\":3}", "{\"\":3,\"a\":2,\"b\":1}");
	ACCEPT("{\"aa\":1,\"a\":2,\"ab\":3}", "{\"a\":2,\"aa\":1,\"ab\":3}");
	ACCEPT("{\"a\":1,\"B\":2,\"A\":3,\"_\":4,\"1\":5}",
	       "{\"1\":5,\"A\":3,\"B\":2,\"_\":4,\"a\":1}");
	ACCEPT("{\"\\u00e9\":1,\"z\":2,\"\x7F\":3}",
	       "{\"z\":2,\"\x7F\":3,\"\xC3\xA9\":1}");
	/* Escaped control characters sort by their value. */
	ACCEPT("{\" \":1,\"\\n\":2,\"\\u0001\":3}",
	       "{\"\\u0001\":3,\"\\n\":2,\" \":1}");
	/* Nested objects are sorted, arrays keep their order. */
	ACCEPT("{\"b\":[{\"y\":1,\"x\":2},3],\"a\":{\"d\":{\"f\":1,\"e\":2}}}",
	       "{\"a\":{\"d\":{\"e\":2,\"f\":1}},\"b\":[{\"x\":2,\"y\":1},3]}");
	ACCEPT("[3,1,2]", "[3,1,2]");
	/* Keys are compared as unescaped. */
	ACCEPT("{\"\\u0062\":1,\"a\":2}", "{\"a\":2,\"b\":1}");
	ACCEPT("{\"a\\\"\":1,\"a\":2,\"a\\\\\":3}",
	       "{\"a\":2,\"a\\\"\":1,\"a\\\\\":3}");
	/* Case differs: not duplicates. */
	ACCEPT("{\"a\":1,\"A\":2}", "{\"A\":2,\"a\":1}");

	/* More members than fit the canonicaliser's small array, unsorted
	 * and sorted. */
	{
		char in[1024], want[1024];
		size_t n = 0, wn = 0;
		int k;

		in[n++] = '{';
		for (k = 39; k >= 0; k--)
			n += (size_t)snprintf(in + n, sizeof in - n,
					      "%s\"k%02d\":%d",
					      k == 39 ? "" : ",", k, k);
		in[n++] = '}';
		want[wn++] = '{';
		for (k = 0; k < 40; k++)
			wn += (size_t)snprintf(want + wn, sizeof want - wn,
					       "%s\"k%02d\":%d", k ? "," : "",
					       k, k);
		want[wn++] = '}';
		accept_n(__LINE__, in, n, 0, want, wn);
		accept_n(__LINE__, want, wn, 0, want, wn);
	}
}

/* ---- numbers and literals ---- */

static void test_numbers(void)
{
	SAME("0");
	SAME("7");
	SAME("10");
	SAME("[0,1,10,123,4096]");
	SAME("9007199254740991"); /* 2^53-1 */
	SAME("{\"n\":9007199254740991}");
	SAME("[9007199254740990,9007199254740991]");
	ACCEPT(" 5 ", "5");

	REJECT("9007199254740992", "2^53-1"); /* 2^53 */
	REJECT("9007199254740993", "2^53-1");
	REJECT("10000000000000000", "2^53-1");
	REJECT("18446744073709551616", "2^53-1"); /* 2^64 */
	REJECT("99999999999999999999999999999", "2^53-1");
	REJECT("[1,9007199254740992]", "2^53-1");
	REJECT("-0", "negative");
	REJECT("-1", "negative");
	REJECT("[1,-1]", "column 4: negative");
	REJECT("-", "negative");
	REJECT("01", "leading zero");
	REJECT("00", "leading zero");
	REJECT("[007]", "leading zero");
	REJECT("1.0", "fraction or exponent");
	REJECT("0.5", "fraction or exponent");
	REJECT("1.", "fraction or exponent");
	REJECT("1e0", "fraction or exponent");
	REJECT("1E5", "fraction or exponent");
	REJECT("0e1", "fraction or exponent");
	REJECT("2e-3", "fraction or exponent");
	REJECT("1E+2", "fraction or exponent");
	REJECT("{\"a\":56.0}", "fraction or exponent");
	REJECT("+1", "unexpected character");
	REJECT(".5", "unexpected character");
	REJECT("0x10", "unexpected text after the JSON value");
	REJECT("1 2", "unexpected text after the JSON value");
	REJECT("NaN", "unexpected character");
	REJECT("Infinity", "unexpected character");
	REJECT("[1-2]", "expected ',' or ']'");

	SAME("true");
	SAME("false");
	SAME("null");
	SAME("[true,false,null]");
	REJECT("tru", "unexpected character");
	REJECT("nul", "unexpected character");
	REJECT("True", "unexpected character");
	REJECT("nulll", "unexpected text");
	REJECT("truefalse", "unexpected text");

	/* avow_json_int on parsed trees. */
	{
		avow_error err;
		static const char in[] = "[9007199254740991,0,\"1\",null]";
		cJSON *v = avow_json_parse(in, sizeof in - 1, 0, &err);
		CHECK(v != NULL);
		if (v != NULL) {
			CHECK(avow_json_int(cJSON_GetArrayItem(v, 0)) ==
			      INT64_C(9007199254740991));
			CHECK(avow_json_int(cJSON_GetArrayItem(v, 1)) == 0);
			CHECK(avow_json_int(cJSON_GetArrayItem(v, 2)) == -1);
			CHECK(avow_json_int(cJSON_GetArrayItem(v, 3)) == -1);
			CHECK(avow_json_int(v) == -1);
			cJSON_Delete(v);
		}
	}
}

/* ---- duplicates ---- */

static void test_duplicates(void)
{
	REJECT("{\"a\":1,\"a\":2}", "duplicate member \"a\"");
	REJECT("{\"a\":1,\"a\":1}", "duplicate");
	REJECT("{\"a\":1,\"\\u0061\":2}", "duplicate member \"a\"");
	REJECT("{\"\\u0061\":1,\"a\":2}", "duplicate");
	REJECT("{\"a/\":1,\"a\\/\":2}", "duplicate");
	REJECT("{\"\xC3\xA9\":1,\"\\u00e9\":2}", "duplicate");
	REJECT("{\"\xF0\x9F\x98\x80\":1,\"\\ud83d\\ude00\":2}", "duplicate");
	REJECT("{\"b\":1,\"a\":2,\"c\":3,\"a\":4}", "duplicate");
	REJECT("{\"x\":{\"a\":1,\"a\":1}}", "duplicate");
	REJECT("[0,[{\"q\":{\"a\":null,\"b\":[],\"a\":{}}}]]", "duplicate");
	REJECT("{\"\":1,\"\":2}", "duplicate");
	REJECT_F(AS, "{\"\\t\":1,\"\\u0009\":2}", "duplicate");

	SAME("[{\"a\":1},{\"a\":1}]");
	SAME("{\"a\":{\"a\":{\"a\":1}}}");
	SAME("{\"a\":1,\"b\":{\"a\":2}}");
}

/* ---- structure ---- */

static void test_structure(void)
{
	SAME("{}");
	SAME("[]");
	SAME("\"\"");
	SAME("{\"\":\"\"}");
	SAME("[[],{},[[]]]");
	ACCEPT(" \t\r\n[ 1 ,\n\t2 ] \r\n", "[1,2]");
	ACCEPT("{ \"b\" : [ ] , \"a\" : { } }", "{\"a\":{},\"b\":[]}");

	REJECT("", "unexpected end of input");
	REJECT("   ", "unexpected end of input");
	REJECT("\n", "unexpected end of input");
	REJECT("[", "unexpected end of input");
	REJECT("[1", "unexpected end of input");
	REJECT("[1,", "unexpected end of input");
	REJECT("{", "expected a member name");
	REJECT("{\"a\"", "expected ':'");
	REJECT("{\"a\":", "unexpected end of input");
	REJECT("{\"a\":1", "unexpected end of input");
	REJECT("[1,]", "unexpected character");
	REJECT("[,1]", "unexpected character");
	REJECT("[1 2]", "expected ',' or ']'");
	REJECT("{\"a\":1,}", "expected a member name");
	REJECT("{\"a\":1 \"b\":2}", "expected ',' or '}'");
	REJECT("{\"a\"}", "expected ':'");
	REJECT("{\"a\" 1}", "expected ':'");
	REJECT("{1:2}", "expected a member name");
	REJECT("{a:1}", "expected a member name");
	REJECT("{\"a\":1]", "expected ',' or '}'");
	REJECT("[1}", "expected ',' or ']'");
	REJECT("]", "unexpected character");

	/* Trailing garbage. */
	REJECT("{}x", "unexpected text after the JSON value");
	REJECT("{} {}", "column 4: unexpected text after the JSON value");
	REJECT("{}}", "unexpected text after the JSON value");
	REJECT("[]\0", "unexpected text after the JSON value");
	REJECT("1\0", "unexpected text after the JSON value");
	REJECT("\"a\"\"b\"", "unexpected text after the JSON value");
	REJECT("{}//", "unexpected text after the JSON value");
	REJECT("/*c*/{}", "unexpected character");

	/* Only space, tab, LF and CR are white space. */
	REJECT("\f1", "unexpected character");
	REJECT("\v1", "unexpected character");
	REJECT("1\f", "unexpected text");
	REJECT("[1,\x01 2]", "unexpected character");
	REJECT("\x00{}", "unexpected character");
	REJECT("{}\xC2\xA0", "unexpected text");

	/* Byte order mark. */
	REJECT("\xEF\xBB\xBF{}", "byte order mark");
	REJECT("\xEF\xBB\xBF\"a\"", "byte order mark");
	REJECT("\xEF\xBB\xBF", "byte order mark");
	REJECT(" \xEF\xBB\xBF{}", "unexpected character");
	REJECT("\xEF\xBB", "unexpected character");
}

static void test_depth(void)
{
	enum { D = AVOW_JSON_MAX_DEPTH };
	static char buf[5 * 50000 + 16]; /* the largest input below */
	size_t n;
	int k;

	/* AVOW_JSON_MAX_DEPTH nested containers are allowed, one more is
	 * not. */
	for (int extra = 0; extra <= 1; extra++) {
		n = 0;
		for (k = 0; k < D + extra; k++)
			buf[n++] = '[';
		for (k = 0; k < D + extra; k++)
			buf[n++] = ']';
		if (extra == 0)
			accept_n(__LINE__, buf, n, 0, buf, n);
		else
			reject_n(__LINE__, buf, n, 0, "nested too deeply");
	}
	for (int extra = 0; extra <= 1; extra++) {
		n = 0;
		for (k = 0; k < D + extra - 1; k++)
			n += (size_t)snprintf(buf + n, sizeof buf - n,
					      "{\"a\":");
		n += (size_t)snprintf(buf + n, sizeof buf - n, "[]");
		for (k = 0; k < D + extra - 1; k++)
			buf[n++] = '}';
		if (extra == 0)
			accept_n(__LINE__, buf, n, 0, buf, n);
		else
			reject_n(__LINE__, buf, n, 0, "nested too deeply");
	}
	/* Far too deep, closed or not: an error, not a crash. */
	n = 0;
	for (k = 0; k < 100000; k++)
		buf[n++] = '[';
	reject_n(__LINE__, buf, n, 0, "nested too deeply");
	for (k = 0; k < 100000; k++)
		buf[n++] = ']';
	reject_n(__LINE__, buf, n, 0, "nested too deeply");
	n = 0;
	for (k = 0; k < 50000; k++) {
		buf[n++] = '[';
		buf[n++] = '{';
		buf[n++] = '"';
		buf[n++] = '"';
		buf[n++] = ':';
	}
	reject_n(__LINE__, buf, n, AS, "nested too deeply");
}

/* ---- avow_json_keycmp ---- */

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_keycmp(void)
{
	/* In UTF-16 code unit order. */
	static const char *const order[] = {
		"",
		"\x01",
		"\t",
		" ",
		"1",
		"A",
		"B",
		"Z",
		"_",
		"a",
		"aa",
		"ab",
		"b",
		"\x7F",
		"\xC2\x80",	    /* U+0080 */
		"\xC3\xA9",	    /* U+00E9 */
		"\303\251a",	    /* U+00E9 U+0061 */
		"\xE2\x82\xAC",	    /* U+20AC */
		"\xED\x9F\xBF",	    /* U+D7FF */
		"\xF0\x90\x80\x80", /* U+10000 = D800 DC00 */
		"\xF0\x90\x80\x81", /* U+10001 = D800 DC01 */
		"\xF0\x9F\x98\x80", /* U+1F600 = D83D DE00 */
		"\xF0\x9F\x98\x82", /* U+1F602 = D83D DE02 */
		"\xF4\x8F\xBF\xBF", /* U+10FFFF = DBFF DFFF */
		"\xEE\x80\x80",	    /* U+E000 */
		"\xEF\xAC\xB3",	    /* U+FB33 */
		"\xEF\xBF\xBF",	    /* U+FFFF */
	};
	size_t i, j;

	for (i = 0; i < LEN(order); i++)
		for (j = 0; j < LEN(order); j++) {
			int want = i < j ? -1 : i > j ? 1 : 0;
			int got = sign(avow_json_keycmp(order[i], order[j]));
			check_count++;
			if (got != want) {
				failed_at(__LINE__);
				show("a", order[i], strlen(order[i]));
				show("b", order[j], strlen(order[j]));
				fprintf(stderr, "    got %d, want %d\n", got,
					want);
			}
		}
	/* The example of RFC 8785 section 3.2.3 and the brief. */
	CHECK(avow_json_keycmp("\xF0\x9F\x98\x80", "\xEF\xAC\xB3") < 0);
	CHECK(avow_json_keycmp("\xEF\xAC\xB3", "\xF0\x9F\x98\x80") > 0);
	/* Not byte order, not code point order. */
	CHECK(strcmp("\xF0\x9F\x98\x80", "\xEF\xAC\xB3") > 0);
	CHECK(avow_json_keycmp("peach", "p\xC3\xA9"
					"ch\xC3\xA9") < 0);
	CHECK(avow_json_keycmp("p\xC3\xA9"
			       "ch\xC3\xA9",
			       "p\xC3\xAA"
			       "che") < 0);
	CHECK(avow_json_keycmp("p\xC3\xAA"
			       "che",
			       "sin") < 0);
}

/* ---- avow_utf8_valid ---- */

static void test_utf8_valid(void)
{
	static const struct {
		const char *s;
		size_t n;
		int ok;
	} v[] = {
#define U(lit, ok) {lit, sizeof(lit) - 1, ok}
		U("", 1),
		U("abc", 1),
		U("\0", 1), /* U+0000 is valid UTF-8 */
		U("\x7F", 1),
		U("\xC2\x80", 1),
		U("\xC3\xA9", 1),
		U("\xDF\xBF", 1),     /* U+07FF */
		U("\xE0\xA0\x80", 1), /* U+0800 */
		U("\xE2\x82\xAC", 1),
		U("\xED\x9F\xBF", 1),	  /* U+D7FF */
		U("\xEE\x80\x80", 1),	  /* U+E000 */
		U("\xEF\xBB\xBF", 1),	  /* U+FEFF */
		U("\xEF\xBF\xBF", 1),	  /* U+FFFF */
		U("\xF0\x90\x80\x80", 1), /* U+10000 */
		U("\xF0\x9F\x98\x80", 1),
		U("\xF4\x8F\xBF\xBF", 1), /* U+10FFFF */
		U("a\xC3\xA9z\xF0\x9F\x98\x80!", 1),
		U("\xFF", 0),
		U("\xFE", 0),
		U("\x80", 0),
		U("\xBF", 0),
		U("\xC0\x80", 0), /* overlong U+0000 */
		U("\xC0\xAF", 0), /* overlong '/' */
		U("\xC1\xBF", 0),
		U("\xE0\x80\xAF", 0),
		U("\xE0\x9F\xBF", 0), /* overlong U+07FF */
		U("\xF0\x80\x80\xAF", 0),
		U("\xF0\x8F\xBF\xBF", 0), /* overlong U+FFFF */
		U("\xED\xA0\x80", 0),	  /* surrogate D800 */
		U("\xED\xAF\xBF", 0),	  /* surrogate DBFF */
		U("\xED\xB0\x80", 0),	  /* surrogate DC00 */
		U("\xED\xBF\xBF", 0),	  /* surrogate DFFF */
		U("\xF4\x90\x80\x80", 0), /* U+110000 */
		U("\xF5\x80\x80\x80", 0),
		U("\xF7\xBF\xBF\xBF", 0),
		U("\xF8\x88\x80\x80\x80", 0),
		U("\xFC\x84\x80\x80\x80\x80", 0),
		U("\xC2", 0), /* truncated */
		U("\xE2\x82", 0),
		U("\xF0\x9F\x98", 0),
		U("a\xC3", 0),
		U("\xC2\x41", 0), /* bad continuation */
		U("\xE2\x28\xA1", 0),
		U("\xE2\x82\x28", 0),
		U("\xF0\x9F\x28\x80", 0),
		U("\xF0\x9F\x98\x28", 0),
		U("\xC3\xA9\xC3", 0),
		U("ok\xFF", 0),
#undef U
	};

	for (size_t i = 0; i < LEN(v); i++) {
		int got = avow_utf8_valid((const uint8_t *)v[i].s, v[i].n);
		check_count++;
		if ((got != 0) != v[i].ok) {
			failed_at(__LINE__);
			show("input", v[i].s, v[i].n);
			fprintf(stderr, "    got %d, want %d\n", got, v[i].ok);
		}
	}
	/* The length is respected: a prefix of valid text may be invalid,
	 * and bytes past n are not looked at. */
	CHECK(avow_utf8_valid((const uint8_t *)"\xC3\xA9", 1) == 0);
	CHECK(avow_utf8_valid((const uint8_t *)"\xF0\x9F\x98\x80", 3) == 0);
	CHECK(avow_utf8_valid((const uint8_t *)"ab\xFF", 2) != 0);
	CHECK(avow_utf8_valid((const uint8_t *)"\xFF", 0) != 0);
}

int main(void)
{
	test_vectors();
	test_escapes();
	test_non_bmp();
	test_utf8_in_strings();
	test_avow_strings();
	test_key_order();
	test_numbers();
	test_duplicates();
	test_structure();
	test_depth();
	test_keycmp();
	test_utf8_valid();
	return check_done("json");
}
