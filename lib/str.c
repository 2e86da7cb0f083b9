/*
 * Bounded string helpers; see str.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* strlcpy(3) semantics: returns strlen(src); >= size means truncated. */
size_t
str_lcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

/*
 * Strict decimal: digits only, no sign, no spaces, no trailing junk, inside
 * [min, max].  Returns 0, or -1 with errno EINVAL or ERANGE.
 */
int
str_to_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0])) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
str_to_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (str_to_u64(s, min, max, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Nonzero when "s" starts with "prefix". */
int
str_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_is_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isprint((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * Levenshtein distance, for "did you mean" hints.  Only short words are
 * compared; longer ones count as far apart.
 */
size_t
str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[33], prev, tmp;

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* ISO 8601 UTC, e.g. 2026-11-26T20:39:27.123Z (msec) or ...27Z. */
char *
str_time_utc(char *out, size_t len, const struct timespec *ts, int msec)
{
	struct tm tm;
	char base[24];

	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		str_lcpy(out, "-", len);
		return out;
	}
	if (msec)
		snprintf(out, len, "%s.%03ldZ", base, ts->tv_nsec / 1000000);
	else
		snprintf(out, len, "%sZ", base);
	return out;
}

/* "3d04h05m06s" style, largest unit first, zero units inside kept. */
char *
str_duration(char *out, size_t len, uint64_t s)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d > 0)
		snprintf(out, len, "%llud%02lluh%02llum%02llus",
			 (unsigned long long)d, (unsigned long long)h,
			 (unsigned long long)m, (unsigned long long)(s % 60));
	else if (h > 0)
		snprintf(out, len, "%lluh%02llum%02llus", (unsigned long long)h,
			 (unsigned long long)m, (unsigned long long)(s % 60));
	else if (m > 0)
		snprintf(out, len, "%llum%02llus", (unsigned long long)m,
			 (unsigned long long)(s % 60));
	else
		snprintf(out, len, "%llus", (unsigned long long)s);
	return out;
}
