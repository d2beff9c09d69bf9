/*
 * test_syntax.c - known answers for lib/syntax.c: times, partial dates,
 * identifiers, language tags, URLs, printable strings, base64.
 */
#include "syntax.h"

#include "check.h"

#include <stdint.h>
#include <string.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- times ---- */

static const struct {
	const char *s;
	int ok;
	int64_t t;
} times[] = {
	{"1970-01-01T00:00:00Z", 1, 0},
	{"2023-09-18T00:00:00Z", 1, 1694995200},
	{"0001-01-01T00:00:00Z", 1, INT64_C(-62135596800)},
	{"9999-12-31T23:59:59Z", 1, INT64_C(253402300799)},
	{"1969-12-31T23:59:59Z", 1, -1},
	{"2024-02-29T12:34:56Z", 1, 1709210096},  /* div 4: leap */
	{"2000-02-29T00:00:00Z", 1, 951782400},	  /* div 400: leap */
	{"1900-03-01T00:00:00Z", 1, -2203891200}, /* after non-leap Feb */
	{"1583-10-15T00:00:00Z", 1, INT64_C(-12187756800)},
	{"2023-09-18T23:59:59Z", 1, 1694995200 + 86399},
	{"1900-02-29T00:00:00Z", 0, 0}, /* div 100: not leap */
	{"2023-02-29T00:00:00Z", 0, 0},
	{"2023-02-30T00:00:00Z", 0, 0}, /* 30 February */
	{"2024-02-30T00:00:00Z", 0, 0},
	{"2023-04-31T00:00:00Z", 0, 0},
	{"2023-01-32T00:00:00Z", 0, 0},
	{"2023-01-00T00:00:00Z", 0, 0},
	{"2023-00-01T00:00:00Z", 0, 0},
	{"2023-13-01T00:00:00Z", 0, 0},
	{"0000-01-01T00:00:00Z", 0, 0},
	{"2023-09-18T00:00:60Z", 0, 0}, /* no leap second */
	{"2023-09-18T00:60:00Z", 0, 0},
	{"2023-09-18T24:00:00Z", 0, 0},
	{"2023-09-18t00:00:00Z", 0, 0},
	{"2023-09-18T00:00:00z", 0, 0},
	{"2023-09-18 00:00:00Z", 0, 0},
	{"2023/09/18T00:00:00Z", 0, 0},
	{"2023-09-18T00-00-00Z", 0, 0},
	{"2023-09-18T00:00:00", 0, 0},
	{"2023-09-18T00:00:00Z ", 0, 0},
	{"2023-09-18T00:00:00.0Z", 0, 0},
	{"2023-09-18T00:00:00+00:00", 0, 0},
	{"2023-9-18T00:00:00Z", 0, 0},
	{"+023-09-18T00:00:00Z", 0, 0},
	{"-023-09-18T00:00:00Z", 0, 0},
	{" 023-09-18T00:00:00Z", 0, 0},
	{"2023-09-18T0a:00:00Z", 0, 0},
	{"2023-09-+8T00:00:00Z", 0, 0},
	{"2023-09-18T00:00:0 Z", 0, 0},
	{"2023-09-18", 0, 0},
	{"", 0, 0},
};

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * Walk every calendar day from 0001-01-01 to 9999-12-31 with a plain day
 * counter (independent of the library's days-from-civil) and check that
 * parse_time and format_time agree with it. One check for the lot.
 */
static void test_every_day(void)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	int64_t day = INT64_C(-719162); /* 0001-01-01 */
	long bad = 0;
	char s[21], f[21];

	for (int y = 1; y <= 9999; y++) {
		for (int m = 1; m <= 12; m++) {
			int dim = mdays[m - 1] + (m == 2 && is_leap(y));

			for (int d = 1; d <= dim; d++, day++) {
				int64_t t = day * 86400 + (d * 3671) % 86400;
				int64_t got = 0;

				s[0] = (char)('0' + y / 1000);
				s[1] = (char)('0' + y / 100 % 10);
				s[2] = (char)('0' + y / 10 % 10);
				s[3] = (char)('0' + y % 10);
				s[4] = '-';
				put2(s + 5, m);
				s[7] = '-';
				put2(s + 8, d);
				s[10] = 'T';
				put2(s + 11, (d * 3671) % 86400 / 3600);
				s[13] = ':';
				put2(s + 14, (d * 3671) % 3600 / 60);
				s[16] = ':';
				put2(s + 17, (d * 3671) % 60);
				s[19] = 'Z';
				s[20] = '\0';
				if (!avow_parse_time(s, 20, &got) || got != t)
					bad++;
				if (avow_format_time(t, f) != 0 ||
				    strcmp(f, s) != 0)
					bad++;
			}
		}
	}
	CHECK(bad == 0);
	CHECK(day == INT64_C(2932897)); /* 10000-01-01 */
}

static void test_times(void)
{
	char buf[21];
	int64_t t;

	for (size_t i = 0; i < LEN(times); i++) {
		const char *s = times[i].s;

		t = 12345;
		CHECK(avow_parse_time(s, strlen(s), &t) == times[i].ok);
		if (!times[i].ok)
			continue;
		CHECK(t == times[i].t);
		if (t != times[i].t)
			fprintf(stderr, "  %s: got %lld\n", s, (long long)t);
		CHECK(avow_format_time(times[i].t, buf) == 0);
		CHECK_STR(buf, s);
	}
	/* A span, not a C string: the bytes after n do not count. */
	CHECK(avow_parse_time("2023-09-18T00:00:00Zxyz", 20, &t) == 1);
	CHECK(t == 1694995200);
	CHECK(avow_parse_time("2023-09-18T00:00:00Z", 19, &t) == 0);
	CHECK(avow_parse_time("2023-09-18T00:00:00Z", 20, NULL) == 1);
	CHECK(avow_parse_time("2023-09-18T00:00:00\0", 20, NULL) == 0);

	/* format_time: the range is years 0001..9999. */
	memset(buf, 'x', sizeof buf);
	CHECK(avow_format_time(INT64_C(-62135596801), buf) == -1);
	CHECK(avow_format_time(INT64_C(253402300800), buf) == -1);
	CHECK(avow_format_time(INT64_MIN, buf) == -1);
	CHECK(avow_format_time(INT64_MAX, buf) == -1);
	CHECK(avow_format_time(-1, buf) == 0);
	CHECK_STR(buf, "1969-12-31T23:59:59Z");
	CHECK(avow_format_time(-86400, buf) == 0);
	CHECK_STR(buf, "1969-12-31T00:00:00Z");
	CHECK(avow_format_time(INT64_C(-62135596800), buf) == 0);
	CHECK_STR(buf, "0001-01-01T00:00:00Z");
	CHECK(avow_format_time(INT64_C(253402300799), buf) == 0);
	CHECK_STR(buf, "9999-12-31T23:59:59Z");

	test_every_day();
}

/* ---- partial dates ---- */

static const struct {
	const char *s;
	int prec; /* 0: invalid */
	const char *lo, *hi;
} pdates[] = {
	{"2023", AVOW_PREC_YEAR, "2023-01-01T00:00:00Z",
	 "2023-12-31T23:59:59Z"},
	{"2023-07", AVOW_PREC_MONTH, "2023-07-01T00:00:00Z",
	 "2023-07-31T23:59:59Z"},
	{"2023-02", AVOW_PREC_MONTH, "2023-02-01T00:00:00Z",
	 "2023-02-28T23:59:59Z"},
	{"2024-02", AVOW_PREC_MONTH, "2024-02-01T00:00:00Z",
	 "2024-02-29T23:59:59Z"},
	{"1900-02", AVOW_PREC_MONTH, "1900-02-01T00:00:00Z",
	 "1900-02-28T23:59:59Z"},
	{"2023-04", AVOW_PREC_MONTH, "2023-04-01T00:00:00Z",
	 "2023-04-30T23:59:59Z"},
	{"2023-12", AVOW_PREC_MONTH, "2023-12-01T00:00:00Z",
	 "2023-12-31T23:59:59Z"},
	{"2023-07-04", AVOW_PREC_DAY, "2023-07-04T00:00:00Z",
	 "2023-07-04T23:59:59Z"},
	{"2024-02-29", AVOW_PREC_DAY, "2024-02-29T00:00:00Z",
	 "2024-02-29T23:59:59Z"},
	{"0001", AVOW_PREC_YEAR, "0001-01-01T00:00:00Z",
	 "0001-12-31T23:59:59Z"},
	{"9999", AVOW_PREC_YEAR, "9999-01-01T00:00:00Z",
	 "9999-12-31T23:59:59Z"},
	{"9999-12-31", AVOW_PREC_DAY, "9999-12-31T00:00:00Z",
	 "9999-12-31T23:59:59Z"},
	{"2023-07-04T05:06:07Z", AVOW_PREC_SECOND, "2023-07-04T05:06:07Z",
	 "2023-07-04T05:06:07Z"},
	{"0000", 0, NULL, NULL},
	{"0000-01", 0, NULL, NULL},
	{"0000-01-01", 0, NULL, NULL},
	{"2023-00", 0, NULL, NULL},
	{"2023-13", 0, NULL, NULL},
	{"2023-07-00", 0, NULL, NULL},
	{"2023-07-32", 0, NULL, NULL},
	{"2023-02-29", 0, NULL, NULL},
	{"2023-02-30", 0, NULL, NULL},
	{"2023-06-31", 0, NULL, NULL},
	{"2023-09-18T00:00:60Z", 0, NULL, NULL},
	{"2023-07-04T", 0, NULL, NULL},
	{"2023-07-04Z", 0, NULL, NULL},
	{"2023-07-04T05:06", 0, NULL, NULL},
	{"2023-7", 0, NULL, NULL},
	{"2023-07-4", 0, NULL, NULL},
	{"2023-07-", 0, NULL, NULL},
	{"2023-", 0, NULL, NULL},
	{"202", 0, NULL, NULL},
	{"20233", 0, NULL, NULL},
	{"+023", 0, NULL, NULL},
	{" 023", 0, NULL, NULL},
	{"2023 ", 0, NULL, NULL},
	{"2023/07", 0, NULL, NULL},
	{"2023-07/04", 0, NULL, NULL},
	{"", 0, NULL, NULL},
};

static void test_pdates(void)
{
	char buf[21];
	avow_span sp;

	for (size_t i = 0; i < LEN(pdates); i++) {
		const char *s = pdates[i].s;
		int ok = pdates[i].prec != 0;

		CHECK(avow_parse_pdate(s, strlen(s), &sp) == ok);
		if (!ok)
			continue;
		CHECK(sp.prec == pdates[i].prec);
		CHECK(avow_format_time(sp.lo, buf) == 0);
		CHECK_STR(buf, pdates[i].lo);
		CHECK(avow_format_time(sp.hi, buf) == 0);
		CHECK_STR(buf, pdates[i].hi);
	}
	CHECK(avow_parse_pdate("2023-07", 7, NULL) == 1);
	CHECK(avow_parse_pdate("2023-07-04", 7, &sp) == 1);
	CHECK(sp.prec == AVOW_PREC_MONTH);
	CHECK(avow_parse_pdate("1970", 4, &sp) == 1);
	CHECK(sp.lo == 0 && sp.hi == 365 * 86400 - 1);
	CHECK(avow_parse_pdate("0001", 4, &sp) == 1);
	CHECK(sp.lo == INT64_C(-62135596800));
	CHECK(avow_parse_pdate("9999", 4, &sp) == 1);
	CHECK(sp.hi == INT64_C(253402300799));
}

static void test_span_before(void)
{
	static const struct {
		const char *a, *b;
		int before;
	} cases[] = {
		{"2023-07", "2023-08", 1},
		{"2023-08", "2023-07", 0},
		{"2023-07", "2023-07-15", 0}, /* overlap */
		{"2023-07-15", "2023-07", 0},
		{"2023-07", "2023-07", 0},
		{"2023-07-31T23:59:59Z", "2023-08", 1},
		{"2023-07-31T23:59:59Z", "2023-07", 0},
		{"2023-07", "2023-08-01T00:00:00Z", 1},
		{"2023-07", "2023-07-31T23:59:59Z", 0},
		{"2023-07-04T00:00:00Z", "2023-07-04T00:00:00Z", 0},
		{"2023-07-04T00:00:00Z", "2023-07-04T00:00:01Z", 1},
		{"2023", "2024-01-01T00:00:00Z", 1},
		{"2023", "2023-12-31", 0},
		{"2022-12-31", "2023", 1},
	};

	for (size_t i = 0; i < LEN(cases); i++) {
		avow_span a, b;

		CHECK(avow_parse_pdate(cases[i].a, strlen(cases[i].a), &a));
		CHECK(avow_parse_pdate(cases[i].b, strlen(cases[i].b), &b));
		CHECK(avow_span_before(&a, &b) == cases[i].before);
	}
}

/* ---- identifiers and language tags ---- */

static const char id64[] =
	"a123456789012345678901234567890123456789012345678901234567890123";
static const char id65[] =
	"a1234567890123456789012345678901234567890123456789012345678901234";

static const struct {
	const char *s;
	int ok;
} idents[] = {
	{"a", 1},    {"0", 1},		 {"abc-def_1.x", 1}, {"0.-_", 1},
	{"tass", 1}, {id64, 1},		 {id65, 0},	     {"", 0},
	{"-a", 0},   {".a", 0},		 {"_a", 0},	     {"A", 0},
	{"aB", 0},   {"a b", 0},	 {"a/b", 0},	     {"a~b", 0},
	{"a\tb", 0}, {"caf\xc3\xa9", 0},
};

static const struct {
	const char *s;
	int ok;
} langs[] = {
	{"en", 1},
	{"EN", 1},
	{"en-US", 1},
	{"zh-Hant-TW", 1},
	{"de-1996", 1},
	{"en-a", 1},
	{"abcdefgh", 1},
	{"abcdefgh-12345678-x", 1},
	{"", 0},
	{"e", 0},
	{"abcdefghi", 0},
	{"e1", 0},
	{"12", 0},
	{"en-", 0},
	{"-en", 0},
	{"en--us", 0},
	{"en-US-", 0},
	{"en_US", 0},
	{"en-123456789", 0},
	{"en US", 0},
	{"en-\xc3\xa9", 0},
};

static void test_names(void)
{
	for (size_t i = 0; i < LEN(idents); i++)
		CHECK(avow_is_identifier(idents[i].s, strlen(idents[i].s)) ==
		      idents[i].ok);
	for (size_t i = 0; i < LEN(langs); i++)
		CHECK(avow_is_lang_tag(langs[i].s, strlen(langs[i].s)) ==
		      langs[i].ok);
	CHECK(avow_is_identifier("ab", 1) == 1);
	CHECK(avow_is_identifier("a\0b", 3) == 0);
	CHECK(avow_is_lang_tag("en-", 2) == 1);
	CHECK(avow_is_lang_tag("en\0", 3) == 0);
}

/* ---- URLs ---- */

static const struct {
	const char *s;
	int ok;
} urls[] = {
	/* valid */
	{"https://tass.com/politics/1676543", 1},
	{"urn:isbn:0451450523", 1},
	{"http://[::1]:8080/x?y=z#f", 1},
	{"http://[v1.fe]/", 1},
	{"http://[V1.fe:x]/", 1}, /* ABNF "v" is case-insensitive */
	{"http://[vAf.a-._~!$&'()*+,;=:]/", 1},
	{"mailto:a@b.c", 1},
	{"file:///etc/x", 1},
	{"HTTP://EXAMPLE.ORG/", 1},
	{"http://example.org", 1},
	{"http:", 1},	 /* path-empty */
	{"foo:/a/b", 1}, /* path-absolute */
	{"foo:a/b", 1},	 /* path-rootless */
	{"a+b-c.d:x", 1},
	{"http://1.2.3.4/", 1},
	{"http://999.1.1.1/", 1}, /* not an IPv4address, but a reg-name */
	{"http://01.1.1.1/", 1},
	{"http://user:pw@host:80/p", 1},
	{"http://@host/", 1},
	{"http://u%41@host/", 1},
	{"http://x:/", 1},  /* port = *DIGIT */
	{"http://:80/", 1}, /* empty reg-name */
	{"http://x:0123456789/", 1},
	{"http://x//y", 1},
	{"http://x/a%20b%7E%7e", 1},
	{"http://%41b.org/", 1},
	{"http://x/a:b@c!$&'()*+,;=~_-.", 1},
	{"http://x?q=a/b?c#frag/x?y:@", 1},
	{"http://x#", 1},
	{"http://x?", 1},
	{"http://x/?#", 1},
	{"http://[::]/", 1},
	{"http://[::1]", 1},
	{"http://[2001:DB8::1]/", 1},
	{"http://[2001:db8:0:0:0:0:0:1]/", 1},
	{"http://[1:2:3:4:5:6:7::]/", 1},
	{"http://[::2:3:4:5:6:7:8]/", 1},
	{"http://[1::8]/", 1},
	{"http://[1:2:3::6:7:8]/", 1},
	{"http://[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/", 1},
	{"http://[::ffff:192.0.2.1]/", 1},
	{"http://[::1.2.3.4]/", 1},
	{"http://[1:2:3:4:5:6:1.2.3.4]/", 1},
	{"http://[1::5:6:255.255.255.255]/", 1},
	{"http://[1:2:3:4:5::0.0.0.0]/", 1},
	/* invalid */
	{"http://[u@[::1]]/", 0},
	{"", 0},
	{"1http://x", 0},
	{"://x", 0},
	{"http", 0},
	{"ht tp://x", 0},
	{"ht_tp://x", 0},
	{"http://x/%zz", 0},
	{"http://x/%2", 0},
	{"http://x/%", 0},
	{"http://x/%g0", 0},
	{"http://x?%", 0},
	{"http://x#%0", 0},
	{"http://%zz/", 0},
	{"http://u%z@x/", 0},
	{"http://ex ample.org", 0},
	{"https://example.org/a b", 0},
	{"https://example.org/a#b#c", 0},
	{"http://x/<>", 0},
	{"http://x/a\"b", 0},
	{"http://x/a{b}", 0},
	{"http://x/^", 0},
	{"http://x/|", 0},
	{"http://x/`", 0},
	{"http://x/\\", 0},
	{"http://x/a[b]", 0},
	{"http://x?a[b", 0},
	{"http://x/\t", 0},
	{"http://x/\x7f", 0},
	{"http://x/caf\xc3\xa9", 0},
	{"http://x:8a/", 0},
	{"http://x:-1/", 0},
	{"http://a@b@c/", 0},
	{"http://a:b:c/", 0},
	{"http://x[/", 0},
	{"http://[::g]/", 0},
	{"http://[2001:db8::1::2]/", 0},
	{"http://[1:2:3:4:5:6:7:8:9]/", 0},
	{"http://[1:2:3:4:5:6:7]/", 0},
	{"http://[1:2:3:4:5:6:7:8::]/", 0},
	{"http://[::1:2:3:4:5:6:7:8]/", 0},
	{"http://[1:2:3:4::5:6:7:8]/", 0},
	{"http://[12345::1]/", 0},
	{"http://[:1::2]/", 0},
	{"http://[1::2:]/", 0},
	{"http://[1:]/", 0},
	{"http://[:::]/", 0},
	{"http://[::1::]/", 0},
	{"http://[]/", 0},
	{"http://[::1/", 0},
	{"http://[::1]x/", 0},
	{"http://[::1]:x/", 0},
	{"http://[::1.2.3.256]/", 0},
	{"http://[::01.2.3.4]/", 0},
	{"http://[::1.2.3]/", 0},
	{"http://[::1.2.3.4.5]/", 0},
	{"http://[::1..3.4]/", 0},
	{"http://[::1.2.3.4:5]/", 0},
	{"http://[1.2.3.4::]/", 0},
	{"http://[1.2.3.4]/", 0},
	{"http://[1:2:3:4:5:6:7:1.2.3.4]/", 0},
	{"http://[1:2:3:4:5:6::1.2.3.4]/", 0},
	{"http://[::ffff:1.2.3.04]/", 0},
	{"http://[::%31]/", 0},
	{"http://[v.fe]/", 0},
	{"http://[v1.]/", 0},
	{"http://[v1fe]/", 0},
	{"http://[vg.fe]/", 0},
	{"http://[v1.%41]/", 0},
	{"http://[v1.a/b]/", 0},
	{"http://[v1.a b]/", 0},
};

static void test_urls(void)
{
	for (size_t i = 0; i < LEN(urls); i++) {
		int got = avow_is_url(urls[i].s, strlen(urls[i].s));

		CHECK(got == urls[i].ok);
		if (got != urls[i].ok)
			fprintf(stderr, "  url \"%s\"\n", urls[i].s);
	}
	/* Spans: the bytes after n do not count, a NUL inside does. */
	CHECK(avow_is_url("https://a.org/xyz garbage", 17) == 1);
	CHECK(avow_is_url("http://x/a\0b", 12) == 0);
	CHECK(avow_is_url("http://[::1]", 11) == 0);
	CHECK(avow_is_url("http://x/%41", 11) == 0);
}

/* ---- printable ---- */

static void test_printable(void)
{
	CHECK(avow_is_printable("abc", 3, 10, NULL) == 1);
	CHECK(avow_is_printable("!~", 2, 2, NULL) == 1);
	CHECK(avow_is_printable("abc", 3, 3, "") == 1);
	CHECK(avow_is_printable("abc", 3, 2, NULL) == 0);
	CHECK(avow_is_printable("", 0, 10, NULL) == 0);
	CHECK(avow_is_printable("a b", 3, 10, NULL) == 0);
	CHECK(avow_is_printable("a\tb", 3, 10, NULL) == 0);
	CHECK(avow_is_printable("a\x7f", 2, 10, NULL) == 0);
	CHECK(avow_is_printable("a\x80", 2, 10, NULL) == 0);
	CHECK(avow_is_printable("a\xff", 2, 10, NULL) == 0);
	CHECK(avow_is_printable("a\0b", 3, 10, NULL) == 0);
	CHECK(avow_is_printable("a/b", 3, 10, "/") == 0);
	CHECK(avow_is_printable("a/b", 3, 10, "#") == 1);
	CHECK(avow_is_printable("a/b#", 4, 10, "#/") == 0);
	CHECK(avow_is_printable("a/b #", 3, 10, "#") == 1);
}

/* ---- base64 ---- */

static const struct {
	const char *raw;
	size_t n;
	const char *b64;
} b64s[] = {
	{"", 0, ""},
	{"f", 1, "Zg=="},
	{"fo", 2, "Zm8="},
	{"foo", 3, "Zm9v"},
	{"foob", 4, "Zm9vYg=="},
	{"fooba", 5, "Zm9vYmE="},
	{"foobar", 6, "Zm9vYmFy"},
	{"\xff\xfe\xfd", 3, "//79"},
	{"\xfb\xef\xbe", 3, "++++"},
	{"\0", 1, "AA=="},
	{"\0\0", 2, "AAA="},
};

static const struct {
	const char *s;
	size_t want;
} b64_bad[] = {
	{"Zh==", 1},		    /* unused bits not zero */
	{"Zm9=", 2},   {"Zg==", 2}, /* wrong length */
	{"Zg==", 0},   {"Zm9v", 2},    {"Zm9v", 4},	 {"Zm8=", 3},
	{"", 1},       {"Zg=", 1},     {"Zg", 1},	 {"Zg===", 1},
	{"Zm9vYg", 4}, {"Zm9vYg=", 4}, {"Zm9vYg===", 4}, {"Zm8", 2},
	{"Zm9v\n", 3},				    /* no white space */
	{"Zm 9v", 3},  {" Zm9v", 3},   {"Zm9-", 3}, /* not base64url */
	{"Zm9_", 3},   {"=m9v", 3},    {"Zm=v", 3},	 {"Zm9=", 3},
	{"Z===", 1},   {"Zg=A", 1},    {"Zg.=", 1},	 {"Zm9v====", 3},
};

static void test_b64(void)
{
	char enc[AVOW_B64_LEN(48) + 1];
	uint8_t dec[64], raw[64];
	long bad = 0, n_ok;

	CHECK(AVOW_B64_LEN(0) == 0);
	CHECK(AVOW_B64_LEN(1) == 4);
	CHECK(AVOW_B64_LEN(3) == 4);
	CHECK(AVOW_B64_LEN(4) == 8);
	CHECK(AVOW_B64_LEN(32) == 44);
	CHECK(AVOW_B64_LEN(64) == 88);

	for (size_t i = 0; i < LEN(b64s); i++) {
		const char *r = b64s[i].raw, *b = b64s[i].b64;
		size_t rn = b64s[i].n;

		memset(enc, 'x', sizeof enc);
		CHECK(avow_b64_encode(enc, (const uint8_t *)r, rn) ==
		      strlen(b));
		CHECK_STR(enc, b);
		memset(dec, 0xaa, sizeof dec);
		CHECK(avow_b64_decode_exact(dec, rn, b, strlen(b)) == 1);
		CHECK(memcmp(dec, r, rn) == 0);
		CHECK(dec[rn] == 0xaa);
	}
	CHECK(avow_b64_decode_exact(NULL, 0, "", 0) == 1);

	for (size_t i = 0; i < LEN(b64_bad); i++) {
		memset(dec, 0xaa, sizeof dec);
		CHECK(avow_b64_decode_exact(dec, b64_bad[i].want, b64_bad[i].s,
					    strlen(b64_bad[i].s)) == 0);
		CHECK(dec[0] == 0xaa); /* nothing written on failure */
	}
	CHECK(avow_b64_decode_exact(dec, 3, "Zm9v\0", 5) == 0);
	CHECK(avow_b64_decode_exact(dec, 3, "Zm9vYmFy", 4) == 1);
	CHECK(memcmp(dec, "foo", 3) == 0);

	/* Round trip of every length up to 48 with a varied pattern. */
	for (size_t n = 0; n <= 48; n++) {
		for (size_t i = 0; i < n; i++)
			raw[i] = (uint8_t)(i * 73 + n * 29 + 1);
		if (avow_b64_encode(enc, raw, n) != AVOW_B64_LEN(n) ||
		    strlen(enc) != AVOW_B64_LEN(n))
			bad++;
		if (!avow_b64_decode_exact(dec, n, enc, strlen(enc)) ||
		    memcmp(dec, raw, n) != 0)
			bad++;
		if (avow_b64_decode_exact(dec, n + 1, enc, strlen(enc)) ||
		    (n > 0 &&
		     avow_b64_decode_exact(dec, n - 1, enc, strlen(enc))))
			bad++;
	}
	CHECK(bad == 0);

	/*
	 * Every "XY==" and "XYZ=" over the alphabet: exactly 256 and 65536
	 * are accepted, and each accepted one is its own re-encoding.
	 */
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				    "qrstuvwxyz0123456789+/";
	char s[5] = "AA==";

	bad = 0;
	n_ok = 0;
	for (int a = 0; a < 64; a++) {
		for (int b = 0; b < 64; b++) {
			s[0] = alpha[a];
			s[1] = alpha[b];
			s[2] = s[3] = '=';
			if (avow_b64_decode_exact(dec, 1, s, 4)) {
				n_ok++;
				avow_b64_encode(enc, dec, 1);
				if (strcmp(enc, s) != 0)
					bad++;
			}
		}
	}
	CHECK(n_ok == 256);
	CHECK(bad == 0);
	n_ok = 0;
	for (int a = 0; a < 64; a++) {
		for (int b = 0; b < 64; b++) {
			for (int c = 0; c < 64; c++) {
				s[0] = alpha[a];
				s[1] = alpha[b];
				s[2] = alpha[c];
				s[3] = '=';
				if (avow_b64_decode_exact(dec, 2, s, 4)) {
					n_ok++;
					avow_b64_encode(enc, dec, 2);
					if (strcmp(enc, s) != 0)
						bad++;
				}
			}
		}
	}
	CHECK(n_ok == 65536);
	CHECK(bad == 0);
}

int main(void)
{
	test_times();
	test_pdates();
	test_span_before();
	test_names();
	test_urls();
	test_printable();
	test_b64();
	return check_done("syntax");
}
