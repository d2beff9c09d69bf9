/*
 * syntax.h - lexical rules of SPEC section 2 that are not JSON itself:
 * times, partial dates, identifiers, language tags, URLs, base64.
 *
 * Every checker takes a byte span (not NUL-terminated) and returns 1 when
 * the span is valid, 0 otherwise. None allocates; all are thread-safe.
 */
#ifndef AVOW_SYNTAX_H
#define AVOW_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

/*
 * A span of time, in seconds since 1970-01-01T00:00:00Z (proleptic
 * Gregorian, may be negative), both ends inclusive: "2023-07" is
 * [2023-07-01T00:00:00Z, 2023-07-31T23:59:59Z].
 */
typedef struct {
	int64_t lo;
	int64_t hi;
	int prec; /* AVOW_PREC_* below */
} avow_span;

enum {
	AVOW_PREC_YEAR = 1,   /* YYYY */
	AVOW_PREC_MONTH = 2,  /* YYYY-MM */
	AVOW_PREC_DAY = 3,    /* YYYY-MM-DD */
	AVOW_PREC_SECOND = 4, /* YYYY-MM-DDTHH:MM:SSZ */
};

/* A time: exactly YYYY-MM-DDTHH:MM:SSZ, years 0001..9999, a real date,
 * hours 00..23, minutes 00..59, seconds 00..59. On success stores the
 * instant in *out (may be NULL). */
int avow_parse_time(const char *s, size_t n, int64_t *out);

/* A partial date: YYYY, YYYY-MM, YYYY-MM-DD or a time (as above), each part
 * in its real range. On success fills *out (may be NULL). */
int avow_parse_pdate(const char *s, size_t n, avow_span *out);

/* Format an instant as YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes).
 * Returns 0 on success, -1 when the instant is outside years 0001..9999. */
int avow_format_time(int64_t t, char buf[21]);

/* Certainly earlier: every instant of a is before every instant of b. */
int avow_span_before(const avow_span *a, const avow_span *b);

/* [a-z0-9][a-z0-9._-]{0,63} */
int avow_is_identifier(const char *s, size_t n);

/* [A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})* */
int avow_is_lang_tag(const char *s, size_t n);

/* RFC 3986 section 3 "URI" rule (scheme ":" hier-part [ "?" query ]
 * [ "#" fragment ]), checked against the full grammar (IP-literal with
 * IPv6address and IPvFuture, IPv4address, reg-name, pct-encoded triplets,
 * port digits), printable ASCII only, no space. */
int avow_is_url(const char *s, size_t n);

/* Printable ASCII (0x21..0x7E) only, 1..max bytes, none of the bytes in
 * the NUL-terminated string `forbid` (may be NULL). */
int avow_is_printable(const char *s, size_t n, size_t max, const char *forbid);

/* Base64 (RFC 4648 section 4, with padding). */
#define AVOW_B64_LEN(n) ((((n) + 2) / 3) * (size_t)4) /* a size_t */

/* Encode n bytes as padded base64 into out, which holds at least
 * AVOW_B64_LEN(n) + 1 bytes; NUL-terminates. Returns the length written. */
size_t avow_b64_encode(char *out, const uint8_t *in, size_t n);

/* Decode s[0..n) into exactly want bytes. Returns 1 only when s is the
 * canonical padded base64 spelling of exactly want bytes (re-encoding gives
 * s back: right length, right padding, unused bits zero). */
int avow_b64_decode_exact(uint8_t *out, size_t want, const char *s, size_t n);

#endif
