/*
 * check.h - the unit tests' one assertion macro set. A failed check prints
 * file:line and the expression, and the test exits non-zero at the end.
 */
#ifndef AVOW_TEST_CHECK_H
#define AVOW_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr)                                                            \
	do {                                                                   \
		check_count++;                                                 \
		if (!(expr)) {                                                 \
			check_failures++;                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #expr);                              \
		}                                                              \
	} while (0)

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		check_count++;                                                 \
		if (g_ == NULL || strcmp(g_, w_) != 0) {                       \
			check_failures++;                                      \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",    \
				__FILE__, __LINE__, g_ ? g_ : "(null)", w_);   \
		}                                                              \
	} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
