/*
 * Small bounded string helpers: copy with truncation report, strict number
 * parsing, time formatting.  They replace strcpy/atoi and friends.
 */
#ifndef FLEETVPN_STR_H
#define FLEETVPN_STR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define STR_TIME_MAX 32 /* "2026-11-26T20:39:27.123Z" + NUL */

size_t str_lcpy(char *, const char *, size_t);
int str_to_u64(const char *, uint64_t min, uint64_t max, uint64_t *);
int str_to_u32(const char *, uint32_t min, uint32_t max, uint32_t *);
int str_prefix(const char *, const char *);
int str_is_printable(const char *);
size_t str_distance(const char *, const char *);
char *str_time_utc(char *, size_t, const struct timespec *, int msec);
char *str_duration(char *, size_t, uint64_t seconds);

#endif
