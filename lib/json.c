/*
 * json.c - strict JSON scanner, cJSON tree, RFC 8785 serialiser.
 */
#include "json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const uint8_t *p;
	size_t n;
	size_t i;
	unsigned flags;
	avow_error *err;
} scanner;

static int fail(scanner *sc, const char *what)
{
	avow_seterr(sc->err, AVOW_ERR_SYNTAX, "column %zu: %s", sc->i + 1,
		    what);
	return 0;
}

static void skip_ws(scanner *sc)
{
	while (sc->i < sc->n) {
		uint8_t c = sc->p[sc->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->i++;
	}
}

/* Decode one UTF-8 sequence at s[0..n); returns its length (1..4) and the
 * code point, or 0 when it is not a valid, shortest-form, non-surrogate
 * sequence. */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0];
	size_t len, k;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

int avow_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		size_t k;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

static int hex4(const uint8_t *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int k = 0; k < 4; k++) {
		uint8_t c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

static int check_cp(scanner *sc, uint32_t cp)
{
	if (cp == 0)
		return fail(sc, "U+0000 in a string");
	if ((sc->flags & AVOW_JSON_AVOW_STRINGS) &&
	    ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F))
		return fail(sc, "control character in a string");
	return 1;
}

static int scan_string(scanner *sc)
{
	sc->i++; /* opening quote */
	while (sc->i < sc->n) {
		uint8_t c = sc->p[sc->i];
		uint32_t cp;

		if (c == '"') {
			sc->i++;
			return 1;
		}
		if (c < 0x20)
			return fail(sc, "unescaped control character in a "
					"string");
		if (c == '\\') {
			if (sc->i + 1 >= sc->n)
				return fail(sc, "unterminated string");
			c = sc->p[sc->i + 1];
			switch (c) {
			case '"':
			case '\\':
			case '/': sc->i += 2; continue;
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				cp = c == 'b'	? 8
				     : c == 'f' ? 12
				     : c == 'n' ? 10
				     : c == 'r' ? 13
						: 9;
				if (!check_cp(sc, cp))
					return 0;
				sc->i += 2;
				continue;
			case 'u': break;
			default: return fail(sc, "invalid escape in a string");
			}
			if (sc->i + 6 > sc->n || !hex4(sc->p + sc->i + 2, &cp))
				return fail(sc, "invalid \\u escape");
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(sc, "\\u escape of a lone low "
						"surrogate");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				uint32_t lo;
				if (sc->i + 12 > sc->n ||
				    sc->p[sc->i + 6] != '\\' ||
				    sc->p[sc->i + 7] != 'u' ||
				    !hex4(sc->p + sc->i + 8, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return fail(sc, "\\u escape of a lone "
							"high surrogate");
				sc->i += 12;
				continue;
			}
			if (!check_cp(sc, cp))
				return 0;
			sc->i += 6;
			continue;
		}
		if (c < 0x80) {
			if (c == 0x7F && !check_cp(sc, c))
				return 0;
			sc->i++;
			continue;
		}
		{
			size_t k =
				utf8_decode(sc->p + sc->i, sc->n - sc->i, &cp);
			if (k == 0)
				return fail(sc, "invalid UTF-8 in a string");
			sc->i += k;
		}
	}
	return fail(sc, "unterminated string");
}

static int scan_number(scanner *sc)
{
	size_t start = sc->i;
	uint64_t v = 0;

	if (sc->p[sc->i] == '-')
		return fail(sc, "negative number (only non-negative integers "
				"are allowed)");
	if (sc->p[sc->i] == '0') {
		sc->i++;
	} else {
		while (sc->i < sc->n && sc->p[sc->i] >= '0' &&
		       sc->p[sc->i] <= '9') {
			v = v * 10 + (uint64_t)(sc->p[sc->i] - '0');
			if (v > AVOW_JSON_MAX_INT) {
				sc->i = start;
				return fail(sc, "number larger than 2^53-1");
			}
			sc->i++;
		}
	}
	if (sc->i < sc->n) {
		uint8_t c = sc->p[sc->i];
		if (c == '.' || c == 'e' || c == 'E')
			return fail(sc, "number with a fraction or exponent "
					"(only integers are allowed)");
		if (c >= '0' && c <= '9')
			return fail(sc, "number with a leading zero");
	}
	return 1;
}

static int scan_value(scanner *sc, int depth);

static int scan_literal(scanner *sc, const char *word)
{
	size_t len = strlen(word);
	if (sc->n - sc->i < len || memcmp(sc->p + sc->i, word, len) != 0)
		return fail(sc, "unexpected character");
	sc->i += len;
	return 1;
}

static int scan_container(scanner *sc, int depth)
{
	uint8_t close = sc->p[sc->i] == '{' ? '}' : ']';
	int object = close == '}';

	if (depth >= AVOW_JSON_MAX_DEPTH)
		return fail(sc, "nested too deeply");
	sc->i++;
	skip_ws(sc);
	if (sc->i < sc->n && sc->p[sc->i] == close) {
		sc->i++;
		return 1;
	}
	for (;;) {
		skip_ws(sc);
		if (object) {
			if (sc->i >= sc->n || sc->p[sc->i] != '"')
				return fail(sc, "expected a member name");
			if (!scan_string(sc))
				return 0;
			skip_ws(sc);
			if (sc->i >= sc->n || sc->p[sc->i] != ':')
				return fail(sc, "expected ':'");
			sc->i++;
		}
		if (!scan_value(sc, depth + 1))
			return 0;
		skip_ws(sc);
		if (sc->i >= sc->n)
			return fail(sc, "unexpected end of input");
		if (sc->p[sc->i] == ',') {
			sc->i++;
			continue;
		}
		if (sc->p[sc->i] == close) {
			sc->i++;
			return 1;
		}
		return fail(sc, object ? "expected ',' or '}'"
				       : "expected ',' or ']'");
	}
}

static int scan_value(scanner *sc, int depth)
{
	skip_ws(sc);
	if (sc->i >= sc->n)
		return fail(sc, "unexpected end of input");
	switch (sc->p[sc->i]) {
	case '{':
	case '[': return scan_container(sc, depth);
	case '"': return scan_string(sc);
	case 't': return scan_literal(sc, "true");
	case 'f': return scan_literal(sc, "false");
	case 'n': return scan_literal(sc, "null");
	default:
		if (sc->p[sc->i] == '-' ||
		    (sc->p[sc->i] >= '0' && sc->p[sc->i] <= '9'))
			return scan_number(sc);
		if (sc->i == 0 && sc->n >= 3 && sc->p[0] == 0xEF)
			return fail(sc, "byte order mark");
		return fail(sc, "unexpected character");
	}
}

static int key_ptr_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* cJSON keeps every member of an object, duplicates included; find them. */
static const char *find_duplicate(const cJSON *v, int *oom)
{
	const cJSON *c;

	if (cJSON_IsObject(v)) {
		size_t k = 0, count = 0;
		const cJSON **keys;
		const char *dup = NULL;

		for (c = v->child; c != NULL; c = c->next)
			count++;
		if (count > 1) {
			/* keys holds pointers: sizeof *keys is meant. */
			// NOLINTNEXTLINE(bugprone-sizeof-expression)
			keys = malloc(count * sizeof *keys);
			if (keys == NULL) {
				*oom = 1;
				return NULL;
			}
			for (c = v->child; c != NULL; c = c->next)
				keys[k++] = c;
			// NOLINTNEXTLINE(bugprone-sizeof-expression)
			qsort(keys, count, sizeof *keys, key_ptr_cmp);
			for (k = 1; k < count && dup == NULL; k++)
				if (strcmp(keys[k - 1]->string,
					   keys[k]->string) == 0)
					dup = keys[k]->string;
			free(keys);
			if (dup != NULL)
				return dup;
		}
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		for (c = v->child; c != NULL; c = c->next) {
			const char *d = find_duplicate(c, oom);
			if (d != NULL || *oom)
				return d;
		}
	return NULL;
}

cJSON *avow_json_parse(const char *s, size_t n, unsigned flags, avow_error *err)
{
	scanner sc = {(const uint8_t *)s, n, 0, flags, err};
	cJSON *root;
	const char *dup;
	int oom = 0;

	if (n >= 3 && sc.p[0] == 0xEF && sc.p[1] == 0xBB && sc.p[2] == 0xBF) {
		fail(&sc, "byte order mark before the JSON text");
		return NULL;
	}
	if (!scan_value(&sc, 0))
		return NULL;
	skip_ws(&sc);
	if (sc.i != sc.n) {
		fail(&sc, "unexpected text after the JSON value");
		return NULL;
	}
	root = cJSON_ParseWithLength(s, n);
	if (root == NULL) {
		avow_seterr(err, AVOW_ERR_NOMEM, "out of memory parsing JSON");
		return NULL;
	}
	dup = find_duplicate(root, &oom);
	if (dup != NULL || oom) {
		if (oom)
			avow_seterr(err, AVOW_ERR_NOMEM,
				    "out of memory parsing JSON");
		else {
			/* Show the name only as printable ASCII. */
			char shown[68];
			size_t k = 0;
			for (; dup[k] != 0 && k < 64; k++)
				shown[k] = dup[k] >= 0x20 && dup[k] < 0x7F
						   ? dup[k]
						   : '?';
			shown[k] = 0;
			avow_seterr(err, AVOW_ERR_SYNTAX,
				    "duplicate member \"%s%s\"", shown,
				    dup[k] ? "..." : "");
		}
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* ---- the fast path for canonical text ---- */

/* A string at s[0] (the opening quote), of the plain kind: see
 * avow_json_canonical_span. Its length with the quotes, or 0. */
static size_t plain_string(const uint8_t *s, size_t n)
{
	size_t i = 1;

	while (i < n) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t k;

		if (c == '"')
			return i + 1;
		if (c >= 0x20 && c < 0x7F && c != '\\') {
			i++;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= n)
				return 0;
			c = s[i + 1];
			/* The escapes the canonical form writes for the
			 * characters AVOW_JSON_AVOW_STRINGS allows. */
			if (c != '"' && c != '\\' && c != 'n' && c != 't')
				return 0;
			i += 2;
			continue;
		}
		if (c < 0x80)
			return 0; /* a control character, or U+007F */
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 0;
}

/* A member name at s[0]: printable ASCII without escapes. Its length
 * with the quotes, or 0. */
static size_t plain_name(const uint8_t *s, size_t n)
{
	size_t i = 1;

	while (i < n && s[i] != '"') {
		if (s[i] < 0x20 || s[i] >= 0x7F || s[i] == '\\')
			return 0;
		i++;
	}
	return i < n ? i + 1 : 0;
}

size_t avow_json_canonical_span(const uint8_t *s, size_t n, int depth)
{
	size_t i = 0;

	if (n == 0)
		return 0;
	switch (s[0]) {
	case '"': return plain_string(s, n);
	case 't': return n >= 4 && memcmp(s, "true", 4) == 0 ? 4 : 0;
	case 'f': return n >= 5 && memcmp(s, "false", 5) == 0 ? 5 : 0;
	case 'n': return n >= 4 && memcmp(s, "null", 4) == 0 ? 4 : 0;
	case '0': return 1;
	case '[':
	case '{': break;
	default: {
		uint64_t v = 0;

		if (s[0] < '1' || s[0] > '9')
			return 0;
		/* At most 16 digits: 2^53 - 1 has 16. */
		while (i < n && i < 17 && s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (uint64_t)(s[i++] - '0');
		return v <= AVOW_JSON_MAX_INT && i < 17 ? i : 0;
	}
	}
	if (depth >= AVOW_JSON_MAX_DEPTH)
		return 0;
	if (s[0] == '[') {
		i = 1;
		if (i < n && s[i] == ']')
			return 2;
		for (;;) {
			size_t k = avow_json_canonical_span(s + i, n - i,
							    depth + 1);
			if (k == 0)
				return 0;
			i += k;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			return i < n && s[i] == ']' ? i + 1 : 0;
		}
	}
	i = 1;
	if (i < n && s[i] == '}')
		return 2;
	{
		const uint8_t *prev = NULL;
		size_t prevlen = 0;

		for (;;) {
			size_t k = i < n && s[i] == '"'
					   ? plain_name(s + i, n - i)
					   : 0;
			size_t len, m;
			int cmp;

			if (k == 0)
				return 0;
			/* Strictly after the name before it, as RFC 8785
			 * orders names (for ASCII, byte by byte): so no
			 * name is there twice either. */
			len = k - 2;
			if (prev != NULL) {
				m = prevlen < len ? prevlen : len;
				cmp = memcmp(prev, s + i + 1, m);
				if (cmp > 0 || (cmp == 0 && prevlen >= len))
					return 0;
			}
			prev = s + i + 1;
			prevlen = len;
			i += k;
			if (i >= n || s[i] != ':')
				return 0;
			i++;
			k = avow_json_canonical_span(s + i, n - i, depth + 1);
			if (k == 0)
				return 0;
			i += k;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			return i < n && s[i] == '}' ? i + 1 : 0;
		}
	}
}

cJSON *avow_json_parse_checked(const char *s, size_t n)
{
	return cJSON_ParseWithLength(s, n);
}

int64_t avow_json_int(const cJSON *v)
{
	if (!cJSON_IsNumber(v))
		return -1;
	if (v->valuedouble < 0 || v->valuedouble > (double)AVOW_JSON_MAX_INT)
		return -1;
	return (int64_t)v->valuedouble;
}

/* Next UTF-16 code unit of a valid UTF-8 string; *pend holds a pending low
 * surrogate. Returns 0 at the end. */
static uint32_t next_unit(const uint8_t **s, uint32_t *pend)
{
	uint32_t cp;
	size_t k;

	if (*pend) {
		cp = *pend;
		*pend = 0;
		return cp;
	}
	if (**s == 0)
		return 0;
	k = utf8_decode(*s, 4, &cp);
	if (k == 0) { /* not reached for parsed input; order bytewise */
		cp = **s;
		k = 1;
	}
	*s += k;
	if (cp >= 0x10000) {
		cp -= 0x10000;
		*pend = 0xDC00 | (cp & 0x3FF);
		return 0xD800 | (cp >> 10);
	}
	return cp;
}

int avow_json_keycmp(const char *a, const char *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	uint32_t px = 0, py = 0;

	for (;;) {
		uint32_t ux = next_unit(&x, &px), uy = next_unit(&y, &py);
		if (ux != uy)
			return ux < uy ? -1 : 1;
		if (ux == 0)
			return 0;
	}
}

static void canon_string(avow_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)s;
	size_t run = 0;

	avow_buf_addc(out, '"');
	for (; p[run] != 0;) {
		uint8_t c = p[run];
		const char *esc = NULL;
		char u[7];

		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		avow_buf_add(out, p, run);
		p += run;
		run = 0;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = 0;
			esc = u;
		}
		avow_buf_adds(out, esc);
		p++;
	}
	avow_buf_add(out, p, run);
	avow_buf_addc(out, '"');
}

/* The decimal spelling of v (what "%" PRId64 gives), without printf. */
static void canon_int(avow_buf *out, int64_t v)
{
	char d[24];
	size_t k = sizeof d;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		d[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		d[--k] = '-';
	avow_buf_add(out, d + k, sizeof d - k);
}

static int member_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;
	return avow_json_keycmp(x->string, y->string);
}

void avow_json_canon(avow_buf *out, const cJSON *v)
{
	const cJSON *c;

	switch (v->type & 0xFF) {
	case cJSON_NULL: avow_buf_adds(out, "null"); return;
	case cJSON_True: avow_buf_adds(out, "true"); return;
	case cJSON_False: avow_buf_adds(out, "false"); return;
	case cJSON_Number: canon_int(out, avow_json_int(v)); return;
	case cJSON_String: canon_string(out, v->valuestring); return;
	case cJSON_Array:
		avow_buf_addc(out, '[');
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				avow_buf_addc(out, ',');
			avow_json_canon(out, c);
		}
		avow_buf_addc(out, ']');
		return;
	case cJSON_Object: {
		const cJSON *small[32], **m = small;
		size_t count = 0, k;
		int sorted = 1;

		for (c = v->child; c != NULL; c = c->next) {
			if (c->next != NULL &&
			    avow_json_keycmp(c->string, c->next->string) >= 0)
				sorted = 0;
			count++;
		}
		if (!sorted && count > 32) {
			/* m holds pointers: sizeof *m is meant. */
			// NOLINTNEXTLINE(bugprone-sizeof-expression)
			m = malloc(count * sizeof *m);
			if (m == NULL) {
				out->oom = 1;
				return;
			}
		}
		avow_buf_addc(out, '{');
		if (sorted) {
			for (c = v->child; c != NULL; c = c->next) {
				if (c != v->child)
					avow_buf_addc(out, ',');
				canon_string(out, c->string);
				avow_buf_addc(out, ':');
				avow_json_canon(out, c);
			}
		} else {
			k = 0;
			for (c = v->child; c != NULL; c = c->next)
				m[k++] = c;
			// NOLINTNEXTLINE(bugprone-sizeof-expression)
			qsort(m, count, sizeof *m, member_cmp);
			for (k = 0; k < count; k++) {
				if (k > 0)
					avow_buf_addc(out, ',');
				canon_string(out, m[k]->string);
				avow_buf_addc(out, ':');
				avow_json_canon(out, m[k]);
			}
			if (m != small)
				free(m);
		}
		avow_buf_addc(out, '}');
		return;
	}
	default:
		out->oom = 1; /* raw or invalid nodes never come from parse */
		return;
	}
}
