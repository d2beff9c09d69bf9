/*
 * syntax.c - lexical rules of SPEC section 2: times, partial dates,
 * identifiers, language tags, URLs (RFC 3986), base64 (RFC 4648).
 *
 * Everything works on byte spans and plain ASCII; nothing depends on the
 * locale (no <ctype.h>) and nothing allocates.
 */
#include "syntax.h"

#include <stdint.h>
#include <string.h>

#define SECS_PER_DAY 86400

/* Instants of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define TIME_MIN INT64_C(-62135596800)
#define TIME_MAX INT64_C(253402300799)

/* ---- character classes (ASCII only, never the locale) ---- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alpha(int c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static int is_unreserved(int c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
 */
static int is_sub_delim(int c)
{
	return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* c is one of the bytes of the NUL-terminated set (never matches NUL). */
static int in_set(int c, const char *set)
{
	return c != '\0' && set != NULL && strchr(set, c) != NULL;
}

/* ---- calendar ---- */

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). The year is shifted to start in March so
 * that the leap day is the last day of the shifted year.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				       /* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	       /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
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

/* Exactly k ASCII digits at s, as a number. */
static int digits(const char *s, int k, int *out)
{
	int v = 0;

	for (int i = 0; i < k; i++) {
		if (!is_digit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Write v as exactly k decimal digits (v >= 0). */
static void put_digits(char *p, int64_t v, int k)
{
	while (k-- > 0) {
		p[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * The date prefix of a partial date or time: "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD" in s[0..n) with n 4, 7 or 10 (or more, when a time follows).
 * Missing parts read as 1.
 */
static int parse_ymd(const char *s, size_t n, int *y, int *m, int *d)
{
	*m = 1;
	*d = 1;
	if (!digits(s, 4, y) || *y < 1)
		return 0;
	if (n >= 7) {
		if (s[4] != '-' || !digits(s + 5, 2, m) || *m < 1 || *m > 12)
			return 0;
	}
	if (n >= 10) {
		if (s[7] != '-' || !digits(s + 8, 2, d) || *d < 1 ||
		    *d > month_days(*y, *m))
			return 0;
	}
	return 1;
}

int avow_parse_time(const char *s, size_t n, int64_t *out)
{
	int y, m, d, hh, mm, ss;

	if (s == NULL || n != 20)
		return 0;
	if (!parse_ymd(s, n, &y, &m, &d))
		return 0;
	if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return 0;
	if (!digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mm) ||
	    !digits(s + 17, 2, &ss))
		return 0;
	if (hh > 23 || mm > 59 || ss > 59)
		return 0;
	if (out != NULL)
		*out = days_from_civil(y, m, d) * SECS_PER_DAY +
		       (int64_t)hh * 3600 + (int64_t)mm * 60 + ss;
	return 1;
}

int avow_parse_pdate(const char *s, size_t n, avow_span *out)
{
	avow_span sp;
	int y, m, d;

	if (s == NULL)
		return 0;
	switch (n) {
	case 20:
		if (!avow_parse_time(s, n, &sp.lo))
			return 0;
		sp.hi = sp.lo;
		sp.prec = AVOW_PREC_SECOND;
		break;
	case 4:
	case 7:
	case 10:
		if (!parse_ymd(s, n, &y, &m, &d))
			return 0;
		sp.lo = days_from_civil(y, m, d) * SECS_PER_DAY;
		if (n == 4) {
			/* Year 9999 + 1 is fine for days_from_civil. */
			sp.hi = days_from_civil(y + 1, 1, 1) * SECS_PER_DAY - 1;
			sp.prec = AVOW_PREC_YEAR;
		} else if (n == 7) {
			d = month_days(y, m);
			sp.hi = days_from_civil(y, m, d) * SECS_PER_DAY +
				SECS_PER_DAY - 1;
			sp.prec = AVOW_PREC_MONTH;
		} else {
			sp.hi = sp.lo + SECS_PER_DAY - 1;
			sp.prec = AVOW_PREC_DAY;
		}
		break;
	default: return 0;
	}
	if (out != NULL)
		*out = sp;
	return 1;
}

int avow_format_time(int64_t t, char buf[21])
{
	int64_t days, secs, y;
	int m, d;

	if (t < TIME_MIN || t > TIME_MAX)
		return -1;
	/* Floor division: instants before 1970 have a negative day. */
	days = t / SECS_PER_DAY;
	secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = 'T';
	put_digits(buf + 11, secs / 3600, 2);
	buf[13] = ':';
	put_digits(buf + 14, secs / 60 % 60, 2);
	buf[16] = ':';
	put_digits(buf + 17, secs % 60, 2);
	buf[19] = 'Z';
	buf[20] = '\0';
	return 0;
}

int avow_span_before(const avow_span *a, const avow_span *b)
{
	return a->hi < b->lo;
}

/* ---- identifiers and language tags ---- */

/* [a-z0-9][a-z0-9._-]{0,63} */
int avow_is_identifier(const char *s, size_t n)
{
	if (s == NULL || n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (is_lower(c) || is_digit(c))
			continue;
		if (i > 0 && (c == '.' || c == '_' || c == '-'))
			continue;
		return 0;
	}
	return 1;
}

/* [A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})* */
int avow_is_lang_tag(const char *s, size_t n)
{
	size_t i = 0, k;

	if (s == NULL)
		return 0;
	for (k = 0; i < n && is_alpha((unsigned char)s[i]); i++, k++)
		;
	if (k < 2 || k > 8)
		return 0;
	while (i < n) {
		if (s[i++] != '-')
			return 0;
		for (k = 0; i < n && is_alnum((unsigned char)s[i]); i++, k++)
			;
		if (k < 1 || k > 8)
			return 0;
	}
	return 1;
}

/* ---- URLs: RFC 3986 section 3, by hand ---- */

/* First byte of [p, e) that is in set, or e. */
static const char *find_any(const char *p, const char *e, const char *set)
{
	while (p < e && !in_set((unsigned char)*p, set))
		p++;
	return p;
}

/*
 * [p, e) is *( unreserved / sub-delims / extra / pct-encoded ), the last
 * only when pct is set. Every component rule used below is of this shape:
 *   reg-name = *( unreserved / pct-encoded / sub-delims )
 *   userinfo = *( unreserved / pct-encoded / sub-delims / ":" )
 *   pchar    = unreserved / pct-encoded / sub-delims / ":" / "@"
 *   query    = fragment = *( pchar / "/" / "?" )
 */
static int scan(const char *p, const char *e, const char *extra, int pct)
{
	while (p < e) {
		int c = (unsigned char)*p;

		if (c == '%' && pct) {
			if (e - p < 3 || !is_hex((unsigned char)p[1]) ||
			    !is_hex((unsigned char)p[2]))
				return 0;
			p += 3;
			continue;
		}
		if (!is_unreserved(c) && !is_sub_delim(c) && !in_set(c, extra))
			return 0;
		p++;
	}
	return 1;
}

/* dec-octet = 0-255 in decimal, no leading zero ("01" is not one). */
static int dec_octet(const char *p, const char *e)
{
	int v = 0;

	if (p == e || e - p > 3 || (e - p > 1 && *p == '0'))
		return 0;
	for (; p < e; p++) {
		if (!is_digit((unsigned char)*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v <= 255;
}

/* IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet */
static int ipv4_ok(const char *p, const char *e)
{
	for (int i = 0; i < 4; i++) {
		const char *dot = i < 3 ? find_any(p, e, ".") : e;

		if (dot == e && i < 3)
			return 0;
		if (!dec_octet(p, dot))
			return 0;
		p = dot + (i < 3);
	}
	return 1;
}

/*
 * A colon-separated list of pieces filling [p, e) exactly, each an h16
 * (1*4HEXDIG) counting one group, or - only as the last piece and only when
 * v4 is set - an IPv4address counting two (it stands for the ls32). The
 * empty span is the empty list. Stores the group count.
 */
static int h16_list(const char *p, const char *e, int v4, int *groups)
{
	*groups = 0;
	if (p == e)
		return 1;
	for (;;) {
		const char *end = find_any(p, e, ":");
		const char *dot = find_any(p, end, ".");

		if (dot != end) {
			if (!v4 || end != e || !ipv4_ok(p, end))
				return 0;
			*groups += 2;
		} else {
			if (p == end || end - p > 4)
				return 0; /* empty or over-long h16 */
			for (const char *q = p; q < end; q++)
				if (!is_hex((unsigned char)*q))
					return 0;
			*groups += 1;
		}
		if (*groups > 8)
			return 0;
		if (end == e)
			return 1;
		p = end + 1; /* past ':'; the next piece must not be empty */
		if (p == e)
			return 0;
	}
}

/*
 * IPv6address, RFC 3986 section 3.2.2. The nine alternatives there come to:
 * either 8 groups with no "::", or at most one "::" with at most 7 groups
 * around it (it stands for one or more zero groups). An IPv4address may be
 * the last piece and counts two groups. The first "::" splits the address;
 * a second one leaves an empty piece on the right and fails there.
 */
static int ipv6_ok(const char *p, const char *e)
{
	const char *dc = NULL;
	int left, right;

	for (const char *q = p; q + 1 < e; q++) {
		if (q[0] == ':' && q[1] == ':') {
			dc = q;
			break;
		}
	}
	if (dc == NULL)
		return h16_list(p, e, 1, &left) && left == 8;
	if (!h16_list(p, dc, 0, &left) || !h16_list(dc + 2, e, 1, &right))
		return 0;
	return left + right <= 7;
}

/*
 * IP-literal = "[" ( IPv6address / IPvFuture ) "]", here without the
 * brackets. IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
 * (ABNF strings are case-insensitive, so "V" too; no pct-encoded).
 */
static int ip_literal_ok(const char *p, const char *e)
{
	const char *q;

	if (p == e)
		return 0;
	if (*p != 'v' && *p != 'V')
		return ipv6_ok(p, e);
	for (q = p + 1; q < e && is_hex((unsigned char)*q); q++)
		;
	if (q == p + 1 || q == e || *q != '.')
		return 0;
	q++;
	return q < e && scan(q, e, ":", 0);
}

/* authority = [ userinfo "@" ] host [ ":" port ], host = IP-literal /
 * IPv4address / reg-name, port = *DIGIT. */
static int authority_ok(const char *p, const char *e)
{
	const char *at = find_any(p, e, "@");
	const char *end;

	/* userinfo has no "@", nor has anything after it: the first is it. */
	if (at != e) {
		if (!scan(p, at, ":", 1))
			return 0;
		p = at + 1;
	}
	if (p < e && *p == '[') {
		end = find_any(p, e, "]");
		if (end == e || !ip_literal_ok(p + 1, end))
			return 0;
		p = end + 1;
	} else {
		/* reg-name covers every IPv4address (and "999.1.1.1"). */
		end = find_any(p, e, ":");
		if (!scan(p, end, "", 1))
			return 0;
		p = end;
	}
	if (p == e)
		return 1;
	if (*p != ':')
		return 0;
	for (p++; p < e; p++)
		if (!is_digit((unsigned char)*p))
			return 0;
	return 1;
}

/*
 * URI       = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
 * scheme    = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
 * hier-part = "//" authority path-abempty / path-absolute / path-rootless
 *           / path-empty
 */
int avow_is_url(const char *s, size_t n)
{
	const char *p, *e, *q;

	if (s == NULL || n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	p = s + 1;
	e = s + n;
	while (p < e && (is_alnum((unsigned char)*p) ||
			 in_set((unsigned char)*p, "+-.")))
		p++;
	if (p == e || *p != ':')
		return 0;
	p++;

	/* The authority ends at the first "/", "?" or "#". */
	if (e - p >= 2 && p[0] == '/' && p[1] == '/') {
		q = find_any(p + 2, e, "/?#");
		if (!authority_ok(p + 2, q))
			return 0;
		p = q;
	}
	/*
	 * What is left up to "?" or "#" is the path. After an authority it
	 * starts with "/" or is empty (path-abempty); otherwise it cannot
	 * start with "//" (that took the branch above), so path-absolute,
	 * path-rootless and path-empty together are just *( pchar / "/" ).
	 * A segment may hold ":" here: only relative references forbid it.
	 */
	q = find_any(p, e, "?#");
	if (!scan(p, q, ":@/", 1))
		return 0;
	p = q;
	if (p < e && *p == '?') {
		q = find_any(p + 1, e, "#");
		if (!scan(p + 1, q, ":@/?", 1))
			return 0;
		p = q;
	}
	/* The fragment runs to the end; a second "#" is not in its set. */
	if (p < e && *p == '#' && !scan(p + 1, e, ":@/?", 1))
		return 0;
	return 1;
}

/* ---- printable strings ---- */

int avow_is_printable(const char *s, size_t n, size_t max, const char *forbid)
{
	if (s == NULL || n < 1 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || in_set(c, forbid))
			return 0;
	}
	return 1;
}

/* ---- base64, RFC 4648 section 4 ---- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of each base64 symbol, plus one; 0 for every other byte
 * (also for "="). A table: decoding runs for every record an audit reads,
 * and the symbols of hashes and signatures are random, which a chain of
 * range tests mispredicts. */
static const uint8_t b64_table[256] = {
	['A'] = 1,  ['B'] = 2,	['C'] = 3,  ['D'] = 4,	['E'] = 5,  ['F'] = 6,
	['G'] = 7,  ['H'] = 8,	['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
	['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
	['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* The 6-bit value of a base64 symbol, or -1 (also for "="). */
static int b64_value(int c)
{
	return (int)b64_table[(unsigned char)c] - 1;
}

size_t avow_b64_encode(char *out, const uint8_t *in, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/*
 * Checks everything before writing, so out is untouched on failure. The
 * length test is done on n (n / 4 * 3 bytes at most, 0..2 of them padding)
 * rather than with AVOW_B64_LEN(want), which could overflow.
 */
int avow_b64_decode_exact(uint8_t *out, size_t want, const char *s, size_t n)
{
	size_t pad, data, i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (s == NULL || n % 4 != 0 || want > n / 4 * 3 || n / 4 * 3 - want > 2)
		return 0;
	pad = n / 4 * 3 - want; /* bytes of padding = "=" symbols */
	data = n - pad;
	for (i = 0; i < data; i++)
		if (b64_table[(unsigned char)s[i]] == 0)
			return 0;
	for (; i < n; i++)
		if (s[i] != '=')
			return 0;
	/*
	 * The last data symbol carries 2 (one "=") or 4 (two "=") bits past
	 * the end of the data; the canonical spelling has them zero.
	 */
	if (pad > 0 &&
	    (b64_value((unsigned char)s[data - 1]) & (pad == 1 ? 3 : 15)) != 0)
		return 0;
	for (i = 0; i + 4 <= data; i += 4) {
		uint32_t v = (uint32_t)(b64_table[(unsigned char)s[i]] - 1)
				     << 18 |
			     (uint32_t)(b64_table[(unsigned char)s[i + 1]] - 1)
				     << 12 |
			     (uint32_t)(b64_table[(unsigned char)s[i + 2]] - 1)
				     << 6 |
			     (uint32_t)(b64_table[(unsigned char)s[i + 3]] - 1);
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	for (; i < data; i++) {
		acc = acc << 6 | (uint32_t)b64_value((unsigned char)s[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (UINT32_C(1) << bits) - 1;
		}
	}
	return 1;
}
