/*
 * The ESP data plane's network helpers: MSS clamping, IPv4
 * fragmentation, ICMP too-big messages, TUN devices and routes.
 *
 * Checksums and reassembly are recomputed here by code of the test's
 * own, so a shared mistake cannot hide.  The TUN and route tests run in
 * a private network namespace (they unshare one, so they need root, and
 * touch nothing outside).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esp/esp.h"
#include "str.h"

#define T_PKT_MAX 65536

/* The pseudo-header sum of an IPv4 or IPv6 packet for "proto", "ulen". */
static uint64_t
t_pseudo(const uint8_t *pkt, uint8_t proto, size_t ulen)
{
	if (pkt[0] >> 4 == 4)
		return t_sum(0, pkt + 12, 8) + proto + ulen;
	return t_sum(0, pkt + 8, 32) + proto + ulen;
}

static size_t
t_iphl(const uint8_t *pkt)
{
	return pkt[0] >> 4 == 4 ? (size_t)(pkt[0] & 15) * 4 : 40;
}

static size_t
t_iplen(const uint8_t *pkt)
{
	return pkt[0] >> 4 == 4 ? t_rd16(pkt + 2)
				: 40 + (size_t)t_rd16(pkt + 4);
}

/* The TCP checksum as it should be, computed with the field as zero. */
static uint16_t
t_tcp_csum(const uint8_t *pkt)
{
	size_t hl = t_iphl(pkt), seg = t_iplen(pkt) - hl;
	const uint8_t *tcp = pkt + hl;
	uint64_t acc = t_pseudo(pkt, 6, seg);

	acc = t_sum(acc, tcp, 16);
	acc = t_sum(acc, tcp + 18, seg - 18);
	return (uint16_t)~t_fold(acc);
}

static int
t_ip4_csum_ok(const uint8_t *h)
{
	return t_fold(t_sum(0, h, (size_t)(h[0] & 15) * 4)) == 0xffff;
}

static void
t_ip4_csum_set(uint8_t *h)
{
	t_wr16(h + 10, 0);
	t_wr16(h + 10, (uint16_t)~t_fold(t_sum(0, h, (size_t)(h[0] & 15) * 4)));
}

/* --- MSS clamping --- */

/*
 * A TCP packet: IPv4 or IPv6, "flags", options (a multiple of 4 bytes)
 * and "data" payload bytes, varied by "seed"; checksums right.
 */
static size_t
t_tcp_pkt(uint8_t *out, int v6, uint8_t flags, const uint8_t *opts,
	  size_t optlen, size_t data, unsigned seed)
{
	size_t hl = v6 ? 40 : 20, seg = 20 + optlen + data, i;
	uint8_t *tcp = out + hl;

	memset(out, 0, hl + seg);
	if (v6) {
		out[0] = 0x60;
		t_wr16(out + 4, (uint16_t)seg);
		out[6] = 6;
		out[7] = 64;
		out[8] = 0x20;
		out[9] = 0x01;
		out[10] = 0x0d;
		out[11] = 0xb8;
		out[23] = (uint8_t)seed;
		memcpy(out + 24, out + 8, 16);
		out[39] = (uint8_t)(seed * 7 + 1);
	} else {
		out[0] = 0x45;
		t_wr16(out + 2, (uint16_t)(hl + seg));
		t_wr16(out + 6, 0x4000);
		out[8] = 64;
		out[9] = 6;
		out[12] = 192;
		out[14] = 2;
		out[15] = (uint8_t)seed;
		out[16] = 198;
		out[17] = 51;
		out[18] = 100;
		out[19] = (uint8_t)(seed >> 8);
		t_ip4_csum_set(out);
	}
	t_wr16(tcp, (uint16_t)(40000 + seed));
	t_wr16(tcp + 2, (uint16_t)(seed * 2654435761u >> 16));
	tcp[4] = (uint8_t)(seed * 31);
	tcp[7] = (uint8_t)(seed * 17);
	tcp[12] = (uint8_t)((20 + optlen) / 4 << 4);
	tcp[13] = flags;
	t_wr16(tcp + 14, 64240);
	memcpy(tcp + 20, opts, optlen);
	for (i = 0; i < data; i++)
		tcp[20 + optlen + i] = (uint8_t)(i * 13 + seed);
	t_wr16(tcp + 16, t_tcp_csum(out));
	return hl + seg;
}

#define T_SYN	 0x02
#define T_SYNACK 0x12
#define T_ACK	 0x10

/* Options at index "at" of the option bytes: the MSS value there. */
static uint16_t
t_mss_value(const uint8_t *pkt, size_t at)
{
	return t_rd16(pkt + t_iphl(pkt) + 20 + at + 2);
}

/* Clamp a copy of exactly "len" bytes: the return and the result. */
static int
t_clamp(const uint8_t *pkt, size_t len, uint16_t mss, uint8_t *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rv;

	assert_non_null(copy);
	memcpy(copy, pkt, len);
	rv = esp_mss_clamp(copy, len, mss);
	if (out != NULL)
		memcpy(out, copy, len);
	free(copy);
	return rv;
}

/* Expect a rewrite to "mss" at option index "at", checksum recomputed. */
static void
t_expect_clamp(const uint8_t *pkt, size_t len, uint16_t mss, size_t at)
{
	uint8_t out[T_PKT_MAX];
	size_t csum_at = t_iphl(pkt) + 16, mss_at = t_iphl(pkt) + 22 + at;
	size_t i;

	assert_int_equal(t_clamp(pkt, len, mss, out), 1);
	assert_int_equal(t_mss_value(out, at), mss);
	assert_int_equal(t_rd16(out + csum_at), t_tcp_csum(out));
	for (i = 0; i < len; i++)
		if (i != mss_at && i != mss_at + 1 && i != csum_at &&
		    i != csum_at + 1)
			assert_int_equal(out[i], pkt[i]);
}

/* Expect "rv" (0 or -1) and the packet left exactly as it was. */
static void
t_expect_same(const uint8_t *pkt, size_t len, uint16_t mss, int rv)
{
	uint8_t out[T_PKT_MAX];

	assert_int_equal(t_clamp(pkt, len, mss, out), rv);
	assert_memory_equal(out, pkt, len);
}

/* Linux's SYN: MSS, SACK-permitted, timestamps, NOP, window scale. */
static const uint8_t opt_linux[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2,
				      3, 4, 0,	  0,	0, 0, 1, 3,  3, 7};
/* NOP NOP timestamps, then MSS (BSD-style SYN-ACK). */
static const uint8_t opt_ts_first[16] = {1, 1, 8, 10, 9, 9, 9,	  9,
					 0, 0, 0, 0,  2, 4, 0x05, 0x8c};
/* One NOP puts the MSS value at an odd offset. */
static const uint8_t opt_odd[12] = {1, 2, 4, 0x05, 0xb4, 3, 3, 7, 4, 2, 0, 0};
/* Window scale first: MSS at option byte 3. */
static const uint8_t opt_wscale[12] = {3,    3, 7, 2, 4, 0xff,
				       0xff, 4, 2, 1, 1, 1};

static void
test_mss_layouts(void **state)
{
	uint8_t pkt[T_PKT_MAX];
	size_t len;
	int v6;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		len = t_tcp_pkt(pkt, v6, T_SYN, opt_linux, 20, 0, 1);
		t_expect_clamp(pkt, len, 1360, 0);
		len = t_tcp_pkt(pkt, v6, T_SYNACK, opt_ts_first, 16, 0, 2);
		t_expect_clamp(pkt, len, 1300, 12);
		len = t_tcp_pkt(pkt, v6, T_SYN, opt_odd, 12, 0, 3);
		t_expect_clamp(pkt, len, 1380, 1);
		len = t_tcp_pkt(pkt, v6, T_SYNACK, opt_wscale, 12, 5, 4);
		t_expect_clamp(pkt, len, 1220, 3);
		/* Already small enough, or equal: nothing to do. */
		len = t_tcp_pkt(pkt, v6, T_SYN, opt_linux, 20, 0, 5);
		t_expect_same(pkt, len, 1460, 0);
		t_expect_same(pkt, len, 9000, 0);
		/* No MSS option at all. */
		len = t_tcp_pkt(pkt, v6, T_SYN, opt_linux + 4, 16, 0, 6);
		t_expect_same(pkt, len, 536, 0);
	}
}

/*
 * The incremental update against a full recompute over many packets,
 * both alignments and extreme values, so every carry path is taken.
 */
static void
test_mss_checksum_sweep(void **state)
{
	static const uint16_t olds[] = {0xffff, 0xfffe, 1461, 0x8000, 0x0101};
	static const uint16_t news[] = {0, 1, 1360, 0x7fff, 0x00ff, 0xfeff};
	uint8_t opts[12], pkt[256];
	size_t len, i, j, at;
	unsigned seed;

	(void)state;
	for (seed = 0; seed < 400; seed++) {
		for (i = 0; i < sizeof(olds) / sizeof(olds[0]); i++) {
			for (j = 0; j < sizeof(news) / sizeof(news[0]); j++) {
				if (news[j] >= olds[i])
					continue;
				at = seed % 4;
				memset(opts, 1, sizeof(opts));
				opts[at] = 2;
				opts[at + 1] = 4;
				t_wr16(opts + at + 2, olds[i]);
				len = t_tcp_pkt(pkt, seed & 4, T_SYN, opts,
						sizeof(opts), seed % 7, seed);
				t_expect_clamp(pkt, len, news[j], at);
			}
		}
	}
}

static void
test_mss_not_applicable(void **state)
{
	uint8_t pkt[256];
	size_t len;

	(void)state;
	/* Not a SYN. */
	len = t_tcp_pkt(pkt, 0, T_ACK, opt_linux, 20, 10, 1);
	t_expect_same(pkt, len, 1000, 0);
	len = t_tcp_pkt(pkt, 1, T_ACK, opt_linux, 20, 10, 1);
	t_expect_same(pkt, len, 1000, 0);
	/* Options are not looked at without SYN: garbage there is fine. */
	len = t_tcp_pkt(pkt, 0, T_ACK, (const uint8_t *)"\x02\x00\x00\x00", 4,
			0, 1);
	t_expect_same(pkt, len, 1000, 0);
	/* Not TCP: UDP over IPv4, IPv6 with a hop-by-hop header first. */
	len = t_tcp_pkt(pkt, 0, T_SYN, opt_linux, 20, 0, 1);
	pkt[9] = 17;
	t_expect_same(pkt, len, 1000, 0);
	len = t_tcp_pkt(pkt, 1, T_SYN, opt_linux, 20, 0, 1);
	pkt[6] = 0;
	t_expect_same(pkt, len, 1000, 0);
	/* IPv4 fragments: MF, or an offset. */
	len = t_tcp_pkt(pkt, 0, T_SYN, opt_linux, 20, 0, 1);
	t_wr16(pkt + 6, 0x2000);
	t_expect_same(pkt, len, 1000, 0);
	t_wr16(pkt + 6, 0x0001);
	t_expect_same(pkt, len, 1000, 0);
	/* EOL ends the list: an MSS after it does not exist. */
	len = t_tcp_pkt(pkt, 0, T_SYN,
			(const uint8_t *)"\x00\x02\x04\x05\xb4\x00\x00\x00", 8,
			0, 1);
	t_expect_same(pkt, len, 1000, 0);
	/* Link padding after the IPv4 total length is ignored. */
	len = t_tcp_pkt(pkt, 0, T_SYN, opt_linux, 20, 0, 1);
	memset(pkt + len, 0xee, 6);
	t_expect_clamp(pkt, len + 6, 1000, 0);
}

static void
test_mss_options(void **state)
{
	static const uint8_t unknown_then_mss[8] = {0x99, 2, 1,	   1,
						    2,	  4, 0x10, 0};
	static const uint8_t two_mss[8] = {2, 4, 0x05, 0xb4, 2, 4, 0x23, 0x28};
	uint8_t pkt[256], out[256];
	size_t len;

	(void)state;
	len = t_tcp_pkt(pkt, 0, T_SYN, unknown_then_mss, 8, 0, 9);
	t_expect_clamp(pkt, len, 1200, 4);
	/* Both MSS options are clamped (receivers differ on which counts). */
	len = t_tcp_pkt(pkt, 1, T_SYN, two_mss, 8, 0, 9);
	assert_int_equal(t_clamp(pkt, len, 1400, out), 1);
	assert_int_equal(t_mss_value(out, 0), 1400);
	assert_int_equal(t_mss_value(out, 4), 1400);
	assert_int_equal(t_rd16(out + 40 + 16), t_tcp_csum(out));
	/* Only the second one is too big. */
	assert_int_equal(t_clamp(pkt, len, 1460, out), 1);
	assert_int_equal(t_mss_value(out, 0), 1460);
	assert_int_equal(t_mss_value(out, 4), 1460);
	assert_int_equal(t_rd16(out + 40 + 16), t_tcp_csum(out));
}

static void
test_mss_malformed(void **state)
{
	static const struct {
		uint8_t opts[8];
		const char *what;
	} bad[] = {
	    {{1, 1, 1, 1, 1, 1, 1, 2}, "kind at the last byte, no length"},
	    {{2, 0, 5, 0xb4, 0, 0, 0, 0}, "option length 0"},
	    {{1, 2, 1, 5, 0xb4, 0, 0, 0}, "option length 1"},
	    {{1, 1, 8, 10, 0, 0, 0, 0}, "timestamps past the end"},
	    {{2, 3, 5, 0, 0, 0, 0, 0}, "MSS of length 3"},
	    {{2, 6, 5, 0xb4, 0, 0, 0, 0}, "MSS of length 6"},
	    {{1, 1, 1, 1, 2, 4, 5, 0}, "fine: MSS ends at the end"},
	    {{1, 1, 1, 1, 1, 2, 4, 5}, "MSS one byte past the end"},
	};
	uint8_t pkt[256];
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = t_tcp_pkt(pkt, i & 1, T_SYN, bad[i].opts, 8, 12, 3);
		print_message("%s\n", bad[i].what);
		if (strncmp(bad[i].what, "fine", 4) == 0)
			t_expect_clamp(pkt, len, 1000, 4);
		else
			t_expect_same(pkt, len, 1000, -1);
	}

	len = t_tcp_pkt(pkt, 0, T_SYN, opt_linux, 20, 0, 1);
	pkt[20 + 12] = 0x40; /* data offset 4 words < 20 bytes */
	t_expect_same(pkt, len, 1000, -1);
	pkt[20 + 12] = 0xf0; /* 60 bytes of header in a 40-byte segment */
	t_expect_same(pkt, len, 1000, -1);
	len = t_tcp_pkt(pkt, 0, T_SYN, opt_linux, 20, 0, 1);
	pkt[0] = 0x44; /* IHL below 20 */
	t_expect_same(pkt, len, 1000, -1);
	pkt[0] = 0x4f; /* IHL that leaves no room for TCP */
	t_expect_same(pkt, len, 1000, -1);
	pkt[0] = 0x45;
	t_wr16(pkt + 2, (uint16_t)(len + 1)); /* more than we have */
	t_expect_same(pkt, len, 1000, -1);
	t_wr16(pkt + 2, 30); /* a 10-byte TCP segment */
	t_expect_same(pkt, len, 1000, -1);
	pkt[0] = 0x55; /* not IP */
	t_expect_same(pkt, len, 1000, -1);
	t_expect_same(pkt, 0, 1000, -1);

	len = t_tcp_pkt(pkt, 1, T_SYN, opt_linux, 20, 0, 1);
	t_wr16(pkt + 4, (uint16_t)(len - 39)); /* payload length too big */
	t_expect_same(pkt, len, 1000, -1);
	t_expect_same(pkt, 39, 1000, -1);
}

/*
 * A valid SYN cut at every length, with the IP length as it was and as
 * fixed up to the cut (which reaches the option walk): never a crash
 * (the copy is exactly "n" bytes, so ASan and valgrind see overreads),
 * never a rewrite of something incomplete.
 */
static void
test_mss_truncation(void **state)
{
	uint8_t pkt[256], cut[256];
	size_t len, n, hl;
	int v6, rv;

	(void)state;
	for (v6 = 0; v6 <= 1; v6++) {
		len = t_tcp_pkt(pkt, v6, T_SYN, opt_linux, 20, 3, 7);
		hl = v6 ? 40 : 20;
		for (n = 0; n <= len; n++) {
			rv = t_clamp(pkt, n, 1000, NULL);
			assert_int_equal(rv, n == len ? 1 : -1);
			memcpy(cut, pkt, n);
			if (n < hl)
				continue;
			if (v6)
				t_wr16(cut + 4, (uint16_t)(n - hl));
			else
				t_wr16(cut + 2, (uint16_t)n);
			rv = t_clamp(cut, n, 1000, NULL);
			/* Options end at hl + 40: from there on, it parses. */
			assert_int_equal(rv, n >= hl + 40 ? 1 : -1);
		}
	}
}

/* --- fragmentation --- */

/*
 * An IPv4 UDP packet of "tot" bytes with header options "opts" (a
 * multiple of 4 bytes), fragment field "fl", payload patterned.
 */
static size_t
t_ip4_pkt(uint8_t *out, size_t tot, const uint8_t *opts, size_t optlen,
	  uint16_t fl)
{
	size_t hl = 20 + optlen, i;

	memset(out, 0, hl);
	out[0] = (uint8_t)(0x40 | hl / 4);
	out[1] = 0x28;
	t_wr16(out + 2, (uint16_t)tot);
	t_wr16(out + 4, 0xbeef);
	t_wr16(out + 6, fl);
	out[8] = 63;
	out[9] = 17;
	memcpy(out + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x02", 8);
	if (optlen > 0)
		memcpy(out + 20, opts, optlen);
	for (i = hl; i < tot; i++)
		out[i] = (uint8_t)(i * 7 + 3 + i / 251);
	t_ip4_csum_set(out);
	return tot;
}

/* What the test collects of a fragmentation. */
struct t_reasm {
	const uint8_t *orig;
	size_t mtu;
	size_t next; /* the payload offset expected next */
	int count, stop_at, saw_last;
	uint8_t later_opts[40]; /* the options a later fragment must carry */
	size_t later_len;
	uint8_t data[T_PKT_MAX];
};

/* RFC 791: options with the copied flag, padded with zeros to 4. */
static void
t_copied_opts(struct t_reasm *r)
{
	size_t hl = (size_t)(r->orig[0] & 15) * 4, i = 20, l;

	r->later_len = 0;
	while (i < hl && r->orig[i] != 0) {
		l = r->orig[i] == 1 ? 1 : r->orig[i + 1];
		if (r->orig[i] & 0x80) {
			memcpy(r->later_opts + r->later_len, r->orig + i, l);
			r->later_len += l;
		}
		i += l;
	}
	while (r->later_len % 4)
		r->later_opts[r->later_len++] = 0;
}

static int
t_collect(const uint8_t *f, size_t len, void *arg)
{
	struct t_reasm *r = arg;
	const uint8_t *o = r->orig;
	size_t hl = (size_t)(f[0] & 15) * 4, ohl = (size_t)(o[0] & 15) * 4;
	size_t off0 = (size_t)(t_rd16(o + 6) & 0x1fff) * 8, plen;
	uint16_t fl = t_rd16(f + 6);
	int mf = (fl & 0x2000) != 0;

	if (r->count == r->stop_at)
		return -1;
	assert_true(len <= r->mtu);
	assert_false(r->saw_last);
	assert_int_equal(f[0] >> 4, 4);
	assert_int_equal(t_rd16(f + 2), len);
	assert_true(t_ip4_csum_ok(f));
	assert_int_equal(fl & 0x4000, 0); /* DF cleared */
	assert_int_equal(fl & 0x8000, 0);
	/* Identification, TOS, TTL, protocol, addresses: kept. */
	assert_memory_equal(f + 4, o + 4, 2);
	assert_int_equal(f[1], o[1]);
	assert_memory_equal(f + 8, o + 8, 2);
	assert_memory_equal(f + 12, o + 12, 8);
	if (r->count == 0) {
		assert_int_equal(hl, ohl);
		assert_memory_equal(f + 20, o + 20, hl - 20);
	} else {
		assert_int_equal(hl, 20 + r->later_len);
		assert_memory_equal(f + 20, r->later_opts, r->later_len);
	}
	plen = len - hl;
	assert_int_equal((size_t)(fl & 0x1fff) * 8, off0 + r->next);
	if (mf && !(r->next + plen == (size_t)t_rd16(o + 2) - ohl)) {
		/* Not the last: full, in 8-byte units. */
		assert_int_equal(plen % 8, 0);
		assert_int_equal(plen, (r->mtu - hl) & ~(size_t)7);
	}
	memcpy(r->data + r->next, f + hl, plen);
	r->next += plen;
	if (r->next == (size_t)t_rd16(o + 2) - ohl) {
		r->saw_last = 1;
		/* The last keeps the input's own MF. */
		assert_int_equal(mf, (t_rd16(o + 6) & 0x2000) != 0);
	} else {
		assert_true(mf);
	}
	r->count++;
	return 0;
}

/* Fragment "pkt" at "mtu", reassemble, compare; the fragment count. */
static int
t_frag_check(const uint8_t *pkt, size_t mtu)
{
	struct t_reasm *r = calloc(1, sizeof(*r));
	size_t hl = (size_t)(pkt[0] & 15) * 4, tot = t_rd16(pkt + 2);
	int n;

	assert_non_null(r);
	r->orig = pkt;
	r->mtu = mtu;
	r->stop_at = -1;
	t_copied_opts(r);
	n = esp_frag_ipv4(pkt, tot, mtu, t_collect, r);
	assert_int_equal(n, r->count);
	assert_true(r->saw_last);
	assert_int_equal(r->next, tot - hl);
	assert_memory_equal(r->data, pkt + hl, tot - hl);
	if (tot <= mtu)
		assert_int_equal(n, 1);
	else
		assert_true(n >= 2);
	free(r);
	return n;
}

/* Router alert (copied), NOP, record route (not copied), EOL, pad. */
static const uint8_t opt_ra_rr[16] = {0x94, 4, 0, 0, 1, 7, 7, 4,
				      0,    0, 0, 0, 0, 0, 0, 0};
/* LSRR (copied, odd length), record route: the later header needs pad. */
static const uint8_t opt_lsrr[16] = {0x83, 7, 4, 10, 0, 0, 1, 7,
				     7,	   4, 0, 0,  0, 0, 0, 0};

static void
test_frag_sizes(void **state)
{
	static const size_t mtus[] = {68, 576, 1280, 1400, 1500};
	/* Added to mtu - 1: just under, at, just over, a block over. */
	static const size_t plus[] = {0, 1, 2, 8, 9, 10, 101};
	static uint8_t pkt[T_PKT_MAX];
	const uint8_t *opts[] = {NULL, opt_ra_rr, opt_lsrr};
	size_t i, j, k, tot;

	(void)state;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
			for (j = 0; j < sizeof(plus) / sizeof(plus[0]); j++) {
				tot = mtus[i] - 1 + plus[j];
				t_ip4_pkt(pkt, tot, opts[k], opts[k] ? 16 : 0,
					  0x4000);
				t_frag_check(pkt, mtus[i]);
				tot = tot * 2 + plus[j] + 7;
				t_ip4_pkt(pkt, tot, opts[k], opts[k] ? 16 : 0,
					  0x4000);
				t_frag_check(pkt, mtus[i]);
			}
		}
	}
	/* The largest packet there is, at a common MTU and the smallest. */
	t_ip4_pkt(pkt, 65535, opt_ra_rr, 16, 0x4000);
	assert_int_equal(t_frag_check(pkt, 1500), 45);
	assert_int_equal(t_frag_check(pkt, 68),
			 1 + (65535 - 36 - 32 + 39) / 40);
	/* Exact counts: 1480 bytes of payload per fragment at 1500. */
	t_ip4_pkt(pkt, 20 + 2960, NULL, 0, 0);
	assert_int_equal(t_frag_check(pkt, 1500), 2);
	t_ip4_pkt(pkt, 20 + 2961, NULL, 0, 0);
	assert_int_equal(t_frag_check(pkt, 1500), 3);
	/* An MTU that is not 20 + a multiple of 8. */
	t_ip4_pkt(pkt, 1000, NULL, 0, 0);
	assert_int_equal(t_frag_check(pkt, 501), 3);
	/* No payload at all. */
	t_ip4_pkt(pkt, 20, NULL, 0, 0x4000);
	assert_int_equal(t_frag_check(pkt, 68), 1);
}

static void
test_frag_fits_and_tiny(void **state)
{
	/* LSRR, copied: 40 bytes in every fragment; record route, not. */
	static const uint8_t lsrr40[40] = {0x83, 39, 4};
	static const uint8_t rr40[40] = {0x94, 4, 0, 0, 7, 35, 4};
	struct t_reasm *r = calloc(1, sizeof(*r));
	uint8_t pkt[2000];

	(void)state;
	assert_non_null(r);
	/* Fits: one piece, the input with DF cleared. */
	t_ip4_pkt(pkt, 1500, NULL, 0, 0x4000);
	assert_int_equal(t_frag_check(pkt, 1500), 1);
	/* The biggest header and the smallest MTU: 8 bytes per piece. */
	t_ip4_pkt(pkt, 60 + 64, lsrr40, 40, 0x4000);
	assert_int_equal(t_frag_check(pkt, 68), 8);
	t_ip4_pkt(pkt, 60 + 64, rr40, 40, 0x4000);
	assert_int_equal(t_frag_check(pkt, 68), 3);
	/* Below RFC 791's 68: refused. */
	r->orig = pkt;
	r->mtu = 67;
	r->stop_at = -1;
	assert_int_equal(esp_frag_ipv4(pkt, 124, 67, t_collect, r), -1);
	assert_int_equal(esp_frag_ipv4(pkt, 124, 0, t_collect, r), -1);
	assert_int_equal(r->count, 0);
	free(r);
}

static void
test_frag_already_fragment(void **state)
{
	static uint8_t pkt[T_PKT_MAX];

	(void)state;
	/* A middle piece (MF, offset 100 units): MF stays on the last. */
	t_ip4_pkt(pkt, 20 + 3000, NULL, 0, 0x2000 | 100);
	assert_int_equal(t_frag_check(pkt, 1500), 3);
	/* A last piece at offset 100: the last of ours has MF clear. */
	t_ip4_pkt(pkt, 20 + 3001, opt_ra_rr, 16, 100);
	assert_int_equal(t_frag_check(pkt, 1500), 3);
	/* Near the end of the offset space: still fits in 13 bits. */
	t_ip4_pkt(pkt, 20 + 88, NULL, 0, 8180);
	assert_int_equal(t_frag_check(pkt, 68), 2);
	/* Beyond it: refused. */
	t_ip4_pkt(pkt, 20 + 100, NULL, 0, 8190);
	assert_int_equal(esp_frag_ipv4(pkt, 120, 68, t_collect, NULL), -1);
}

static void
test_frag_refused(void **state)
{
	static uint8_t pkt[4000];
	struct t_reasm *r = calloc(1, sizeof(*r));
	uint8_t v6[40] = {0x60};

	(void)state;
	assert_non_null(r);
	r->orig = pkt;
	r->mtu = 1500;
	r->stop_at = -1;
	t_ip4_pkt(pkt, 3000, opt_ra_rr, 16, 0);
	assert_int_equal(esp_frag_ipv4(pkt, 2999, 1500, t_collect, r), -1);
	assert_int_equal(esp_frag_ipv4(pkt, 19, 1500, t_collect, r), -1);
	assert_int_equal(esp_frag_ipv4(v6, 40, 1500, t_collect, r), -1);
	pkt[0] = 0x44;
	assert_int_equal(esp_frag_ipv4(pkt, 3000, 1500, t_collect, r), -1);
	/* Options that lie about their length. */
	t_ip4_pkt(pkt, 3000, opt_ra_rr, 16, 0);
	pkt[21] = 0;
	assert_int_equal(esp_frag_ipv4(pkt, 3000, 1500, t_collect, r), -1);
	pkt[21] = 17;
	assert_int_equal(esp_frag_ipv4(pkt, 3000, 1500, t_collect, r), -1);
	pkt[21] = 4;
	memset(pkt + 32, 1, 3);
	pkt[35] = 0x07; /* a kind in the last byte, no length */
	assert_int_equal(esp_frag_ipv4(pkt, 3000, 1500, t_collect, r), -1);
	assert_int_equal(r->count, 0);
	/* emit's -1 stops the run there. */
	t_ip4_pkt(pkt, 4000, NULL, 0, 0);
	r->stop_at = 1;
	assert_int_equal(esp_frag_ipv4(pkt, 4000, 1500, t_collect, r), -1);
	assert_int_equal(r->count, 1);
	free(r);
}

static void
test_frag_df(void **state)
{
	uint8_t pkt[100], v6[40] = {0x60};

	(void)state;
	t_ip4_pkt(pkt, 100, NULL, 0, 0x4000);
	assert_int_equal(esp_frag_df(pkt, 100), 1);
	assert_int_equal(esp_frag_df(pkt, 19), 0);
	t_ip4_pkt(pkt, 100, NULL, 0, 0x2000);
	assert_int_equal(esp_frag_df(pkt, 100), 0);
	v6[6] = 0x40;
	assert_int_equal(esp_frag_df(v6, 40), 0);
	assert_int_equal(esp_frag_df(pkt, 0), 0);
}

/* --- ICMP too big --- */

static struct addr
t_addr(const char *s)
{
	struct addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static void
t_check_icmp4(const uint8_t *orig, const uint8_t *m, size_t n, uint16_t mtu)
{
	size_t ohl = (size_t)(orig[0] & 15) * 4;
	size_t quote =
	    ohl + (t_rd16(orig + 2) - ohl < 8 ? t_rd16(orig + 2) - ohl : 8);

	assert_int_equal(n, 28 + quote);
	assert_true(n <= 576);
	assert_int_equal(m[0], 0x45);
	assert_int_equal(t_rd16(m + 2), n);
	assert_true(t_ip4_csum_ok(m));
	assert_int_equal(m[8], 64);
	assert_int_equal(m[9], 1);
	assert_memory_equal(m + 12, "\xcb\x00\x71\x01", 4);
	assert_memory_equal(m + 16, orig + 12, 4);
	assert_int_equal(m[20], 3);
	assert_int_equal(m[21], 4);
	assert_int_equal(t_rd16(m + 24), 0);
	assert_int_equal(t_rd16(m + 26), mtu);
	assert_int_equal(t_fold(t_sum(0, m + 20, n - 20)), 0xffff);
	assert_memory_equal(m + 28, orig, quote);
}

static void
test_icmp4(void **state)
{
	static uint8_t pkt[1500], m[ESP_FRAG_ICMP_MAX];
	struct addr src = t_addr("203.0.113.1"), src6 = t_addr("2001:db8::1");
	size_t n;

	(void)state;
	t_ip4_pkt(pkt, 1500, opt_ra_rr, 16, 0x4000);
	n = esp_frag_icmp_too_big(pkt, 1500, &src, 1400, m, sizeof(m));
	t_check_icmp4(pkt, m, n, 1400);
	/* Less than 8 bytes after the header: all of it. */
	t_ip4_pkt(pkt, 25, NULL, 0, 0x4000);
	n = esp_frag_icmp_too_big(pkt, 25, &src, 1400, m, sizeof(m));
	t_check_icmp4(pkt, m, n, 1400);
	/* A first fragment may draw one; an MTU over 16 bits saturates. */
	t_ip4_pkt(pkt, 1500, NULL, 0, 0x2000);
	n = esp_frag_icmp_too_big(pkt, 1500, &src, 70000, m, sizeof(m));
	t_check_icmp4(pkt, m, n, 0xffff);
	/* ICMP echo is not an error: it gets an answer. */
	pkt[9] = 1;
	pkt[20] = 8;
	t_ip4_csum_set(pkt);
	n = esp_frag_icmp_too_big(pkt, 1500, &src, 1400, m, sizeof(m));
	t_check_icmp4(pkt, m, n, 1400);
	/* No room: nothing. */
	assert_int_equal(esp_frag_icmp_too_big(pkt, 1500, &src, 1400, m, 55),
			 0);
	/* Wrong family of source address: nothing. */
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 1500, &src6, 1400, m, sizeof(m)), 0);
}

static void
test_icmp4_refused(void **state)
{
	static const struct {
		const char *what;
		size_t at;
		uint8_t val;
	} no[] = {
	    {"an ICMP error (unreachable)", 20, 3},
	    {"an ICMP error (time exceeded)", 20, 11},
	    {"an unknown ICMP type", 20, 200},
	    {"a non-first fragment", 7, 1},
	    {"a multicast source", 12, 224},
	    {"a class E source", 12, 240},
	    {"an unspecified source", 12, 0},
	    {"a loopback source", 12, 127},
	    {"a multicast destination", 16, 239},
	    {"not IP", 0, 0x55},
	};
	static uint8_t pkt[1500], m[ESP_FRAG_ICMP_MAX];
	struct addr src = t_addr("203.0.113.1");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		print_message("%s\n", no[i].what);
		t_ip4_pkt(pkt, 1500, NULL, 0, 0x4000);
		if (no[i].at == 20)
			pkt[9] = 1;
		pkt[no[i].at] = no[i].val;
		if (no[i].at == 12)
			memset(pkt + 13, no[i].val, 3);
		assert_int_equal(
		    esp_frag_icmp_too_big(pkt, 1500, &src, 1400, m, sizeof(m)),
		    0);
	}
	t_ip4_pkt(pkt, 1500, NULL, 0, 0x4000);
	memset(pkt + 16, 0xff, 4); /* limited broadcast */
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 1500, &src, 1400, m, sizeof(m)), 0);
	t_ip4_pkt(pkt, 1500, NULL, 0, 0x4000);
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 1499, &src, 1400, m, sizeof(m)), 0);
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 0, &src, 1400, m, sizeof(m)), 0);
	/* ICMP with no room for a type: cannot tell, so nothing. */
	t_ip4_pkt(pkt, 20, NULL, 0, 0x4000);
	pkt[9] = 1;
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 20, &src, 1400, m, sizeof(m)), 0);
}

/* An IPv6 packet of "tot" bytes: next header "nh", then the pattern. */
static size_t
t_ip6_pkt(uint8_t *out, size_t tot, uint8_t nh, const char *src)
{
	struct addr s = t_addr(src), d = t_addr("2001:db8:2::2");
	size_t i;

	memset(out, 0, 40);
	out[0] = 0x60;
	t_wr16(out + 4, (uint16_t)(tot - 40));
	out[6] = nh;
	out[7] = 63;
	memcpy(out + 8, s.bytes, 16);
	memcpy(out + 24, d.bytes, 16);
	for (i = 40; i < tot; i++)
		out[i] = (uint8_t)(i * 5 + 1);
	return tot;
}

static void
t_check_icmp6(const uint8_t *orig, size_t olen, const uint8_t *m, size_t n,
	      uint32_t mtu)
{
	struct addr src = t_addr("2001:db8:1::1");
	size_t quote = olen < 1232 ? olen : 1232;
	uint64_t acc;

	assert_int_equal(n, 48 + quote);
	assert_true(n <= 1280);
	assert_int_equal(m[0], 0x60);
	assert_int_equal(t_rd16(m + 4), n - 40);
	assert_int_equal(m[6], 58);
	assert_int_equal(m[7], 64);
	assert_memory_equal(m + 8, src.bytes, 16);
	assert_memory_equal(m + 24, orig + 8, 16);
	assert_int_equal(m[40], 2);
	assert_int_equal(m[41], 0);
	assert_int_equal((uint32_t)t_rd16(m + 44) << 16 | t_rd16(m + 46), mtu);
	/* The pseudo-header of RFC 8200 8.1, then the message. */
	acc = t_sum(0, m + 8, 32) + (n - 40) + 58;
	assert_int_equal(t_fold(t_sum(acc, m + 40, n - 40)), 0xffff);
	assert_memory_equal(m + 48, orig, quote);
}

static void
test_icmp6(void **state)
{
	static uint8_t pkt[2000], m[ESP_FRAG_ICMP_MAX];
	struct addr src = t_addr("2001:db8:1::1"), src4 = t_addr("192.0.2.1");
	size_t n;

	(void)state;
	/* Big: cut to the 1280-byte minimum MTU. */
	t_ip6_pkt(pkt, 1500, 17, "2001:db8:3::3");
	n = esp_frag_icmp_too_big(pkt, 1500, &src, 1400, m, sizeof(m));
	t_check_icmp6(pkt, 1500, m, n, 1400);
	assert_int_equal(n, 1280);
	/* Small: quoted whole. */
	t_ip6_pkt(pkt, 100, 6, "2001:db8:3::3");
	n = esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m));
	t_check_icmp6(pkt, 100, m, n, 1280);
	/* Odd length, and an MTU beyond 16 bits. */
	t_ip6_pkt(pkt, 101, 17, "2001:db8:3::3");
	n = esp_frag_icmp_too_big(pkt, 101, &src, 70000, m, sizeof(m));
	t_check_icmp6(pkt, 101, m, n, 70000);
	/* Echo request, and to a multicast group (allowed for too-big). */
	t_ip6_pkt(pkt, 100, 58, "2001:db8:3::3");
	pkt[40] = 128;
	pkt[24] = 0xff;
	n = esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m));
	t_check_icmp6(pkt, 100, m, n, 1280);
	/* A first fragment of ICMPv6 echo behind a fragment header. */
	t_ip6_pkt(pkt, 100, 44, "2001:db8:3::3");
	memset(pkt + 40, 0, 8);
	pkt[40] = 58;
	pkt[43] = 1; /* M */
	pkt[48] = 128;
	n = esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m));
	t_check_icmp6(pkt, 100, m, n, 1280);
	/* Not enough room, wrong family: nothing. */
	assert_int_equal(esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, 147),
			 0);
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src4, 1280, m, sizeof(m)), 0);
}

static void
test_icmp6_refused(void **state)
{
	static uint8_t pkt[200], m[ESP_FRAG_ICMP_MAX];
	struct addr src = t_addr("2001:db8:1::1");

	(void)state;
	/* An ICMPv6 error, plain and behind a destination options header. */
	t_ip6_pkt(pkt, 100, 58, "2001:db8:3::3");
	pkt[40] = 1;
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	t_ip6_pkt(pkt, 100, 60, "2001:db8:3::3");
	pkt[40] = 58;
	pkt[41] = 0;
	pkt[48] = 2;
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	/* A non-first ICMPv6 fragment: its type cannot be seen. */
	t_ip6_pkt(pkt, 100, 44, "2001:db8:3::3");
	memset(pkt + 40, 0, 8);
	pkt[40] = 58;
	pkt[42] = 1;
	pkt[48] = 128;
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	/* An extension header running past the end. */
	t_ip6_pkt(pkt, 100, 0, "2001:db8:3::3");
	pkt[40] = 17;
	pkt[41] = 8;
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	/* Sources that are not one node. */
	t_ip6_pkt(pkt, 100, 17, "::");
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	t_ip6_pkt(pkt, 100, 17, "ff02::1");
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	t_ip6_pkt(pkt, 100, 17, "::1");
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 100, &src, 1280, m, sizeof(m)), 0);
	/* Payload length beyond the bytes present, or too short. */
	t_ip6_pkt(pkt, 100, 17, "2001:db8:3::3");
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 99, &src, 1280, m, sizeof(m)), 0);
	assert_int_equal(
	    esp_frag_icmp_too_big(pkt, 39, &src, 1280, m, sizeof(m)), 0);
}

/* --- TUN devices and routes, in a namespace of our own --- */

#define T_TUN "fvtest0"

static int
t_ifreq(unsigned long req, const char *name, struct ifreq *ifr)
{
	int s, rv;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	str_lcpy(ifr->ifr_name, name, sizeof(ifr->ifr_name));
	rv = ioctl(s, req, ifr);
	close(s);
	return rv;
}

static int
t_mtu(const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	return t_ifreq(SIOCGIFMTU, name, &ifr) == -1 ? -1 : ifr.ifr_mtu;
}

static int
t_flags(const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	return t_ifreq(SIOCGIFFLAGS, name, &ifr) == -1 ? -1 : ifr.ifr_flags;
}

static int
t_set_flags(const char *name, int flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)flags;
	return t_ifreq(SIOCSIFFLAGS, name, &ifr);
}

static void
t_set_addr(const char *name, const char *a)
{
	struct sockaddr_in sin;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	assert_int_equal(t_ifreq(SIOCSIFADDR, name, &ifr), 0);
}

/* Does a line of "path" hold both strings?  (/proc/net is per netns.) */
static int
t_file_has(const char *path, const char *s1, const char *s2)
{
	char line[512];
	FILE *f;
	int found = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, s1) != NULL && strstr(line, s2) != NULL;
	fclose(f);
	return found;
}

/* /proc/net/route: destination and mask as the raw 32 bits, in hex. */
static int
t_has_route4(const char *net, unsigned len)
{
	struct in_addr a;
	uint32_t mask = len ? htonl(~0u << (32 - len)) : 0;
	char dst[64], msk[64];

	assert_int_equal(inet_pton(AF_INET, net, &a), 1);
	/* "Iface Destination Gateway Flags RefCnt Use Metric Mask ..." */
	snprintf(dst, sizeof(dst), T_TUN "\t%08X\t", (unsigned)a.s_addr);
	snprintf(msk, sizeof(msk), "\t%08X\t", (unsigned)mask);
	return t_file_has("/proc/net/route", dst, msk) == 1;
}

/* /proc/net/ipv6_route: "<32 hex digits> <len in hex> ..." */
static int
t_has_route6(const char *net, unsigned len)
{
	struct in6_addr a;
	char needle[64];
	size_t i;

	assert_int_equal(inet_pton(AF_INET6, net, &a), 1);
	for (i = 0; i < 16; i++)
		snprintf(needle + 2 * i, 3, "%02x", a.s6_addr[i]);
	snprintf(needle + 32, sizeof(needle) - 32, " %02x ", len);
	return t_file_has("/proc/net/ipv6_route", needle, T_TUN) == 1;
}

static struct prefix
t_prefix(const char *s)
{
	struct prefix p;
	int hostbits;

	if (prefix_parse(s, &p, &hostbits) == -1) {
		/* Host bits set on purpose: parse the address alone. */
		char a[64];
		const char *slash = strchr(s, '/');
		uint32_t len;

		assert_non_null(slash);
		snprintf(a, sizeof(a), "%.*s", (int)(slash - s), s);
		assert_int_equal(addr_parse(a, &p.addr), 0);
		assert_int_equal(str_to_u32(slash + 1, 0, 128, &len), 0);
		p.len = (uint8_t)len;
	}
	return p;
}

static int
t_route(int add, const char *pfx, int ifindex, const char *src, char *err,
	size_t errlen)
{
	struct prefix p = t_prefix(pfx);
	struct addr a;

	err[0] = '\0';
	if (src != NULL)
		a = t_addr(src);
	return esp_route(add, &p, ifindex, src ? &a : NULL, err, errlen);
}

static int
t_net_setup(void **state)
{
	static int done;

	(void)state;
	if (done)
		return 0;
	if (unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "test_esp_net: unshare(CLONE_NEWNET) needs "
				"root\n");
		return -1;
	}
	if (t_set_flags("lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING) == -1)
		return -1;
	done = 1;
	return 0;
}

static void
test_tun_open(void **state)
{
	char err[256];
	int fd, fd2, flags;
	uint8_t b[64];

	(void)state;
	fd = esp_tun_open(T_TUN, 1400, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(esp_tun_ifindex(T_TUN) > 0);
	assert_int_equal(t_mtu(T_TUN), 1400);
	flags = t_flags(T_TUN);
	assert_true(flags & IFF_UP);
	assert_true(flags & IFF_RUNNING); /* carrier while the fd is open */
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Drain what the kernel says on a new link (IPv6 RS, MLD). */
	while (read(fd, b, sizeof(b)) > 0)
		continue;
	assert_int_equal(errno, EAGAIN);

	/* The name is taken: refused, not adopted. */
	fd2 = esp_tun_open(T_TUN, 1400, err, sizeof(err));
	assert_int_equal(fd2, -1);
	assert_non_null(strstr(err, "TUNSETIFF"));
	assert_non_null(strstr(err, strerror(EBUSY)));
	assert_int_equal(esp_tun_open("lo", 1400, err, sizeof(err)), -1);

	assert_int_equal(esp_tun_set_mtu(T_TUN, 1300), 0);
	assert_int_equal(t_mtu(T_TUN), 1300);
	assert_int_equal(esp_tun_set_mtu(T_TUN, 20), -1);

	/* Closing the descriptor removes the device. */
	close(fd);
	assert_int_equal(esp_tun_ifindex(T_TUN), -1);
	assert_int_equal(t_mtu(T_TUN), -1);
}

static void
test_tun_refused(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(esp_tun_open("", 1400, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad interface name"));
	assert_int_equal(esp_tun_open("fv%d", 1400, err, sizeof(err)), -1);
	assert_int_equal(
	    esp_tun_open("a-name-much-too-long", 1400, err, sizeof(err)), -1);
	/* An MTU the kernel refuses: nothing stays behind. */
	assert_int_equal(esp_tun_open(T_TUN, 40, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "set MTU"));
	assert_int_equal(esp_tun_ifindex(T_TUN), -1);
	assert_int_equal(esp_tun_open(T_TUN, 0x80000000u, err, sizeof(err)),
			 -1);
	assert_int_equal(esp_tun_ifindex(T_TUN), -1);
	assert_int_equal(esp_tun_ifindex("nosuch0"), -1);
	assert_int_equal(esp_tun_set_mtu("nosuch0", 1400), -1);
}

/* A UDP datagram to "dst" must come out of the TUN descriptor. */
static void
t_expect_on_tun(int fd, const char *dst)
{
	struct sockaddr_in sin;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t b[2048];
	ssize_t n;
	int s, i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	assert_int_equal(inet_pton(AF_INET, dst, &sin.sin_addr), 1);
	assert_true((s = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(
	    sendto(s, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin)), 1);
	close(s);
	/* Skip the kernel's own IPv6 chatter on a fresh link. */
	for (i = 0; i < 20; i++) {
		assert_int_equal(poll(&pfd, 1, 1000), 1);
		n = read(fd, b, sizeof(b));
		assert_true(n > ESP_TUN_HDR);
		if (b[ESP_TUN_HDR] >> 4 != 4)
			continue;
		/* The virtio_net_hdr: one packet, not a GSO train. */
		assert_int_equal(b[1], 0); /* gso_type NONE */
		assert_int_equal(n, ESP_TUN_HDR + 29);
		assert_memory_equal(b + ESP_TUN_HDR + 16, &sin.sin_addr, 4);
		return;
	}
	fail_msg("no IPv4 packet on the TUN device");
}

static void
test_routes(void **state)
{
	char err[256];
	int fd, ifx;

	(void)state;
	fd = esp_tun_open(T_TUN, 1400, err, sizeof(err));
	assert_true(fd >= 0);
	ifx = esp_tun_ifindex(T_TUN);
	assert_true(ifx > 0);
	t_set_addr(T_TUN, "192.0.2.1");

	assert_int_equal(t_route(1, "10.99.0.0/16", ifx, NULL, err, 256), 0);
	assert_true(t_has_route4("10.99.0.0", 16));
	assert_int_equal(t_route(1, "2001:db8:99::/48", ifx, NULL, err, 256),
			 0);
	assert_true(t_has_route6("2001:db8:99::", 48));
	/* Again: replaced, not an error. */
	assert_int_equal(t_route(1, "10.99.0.0/16", ifx, NULL, err, 256), 0);
	/* Host bits are cleared, as the IPv6 kernel code does too. */
	assert_int_equal(t_route(1, "10.98.7.7/16", ifx, NULL, err, 256), 0);
	assert_true(t_has_route4("10.98.0.0", 16));
	/* A preferred source: ours works, someone else's is refused. */
	assert_int_equal(
	    t_route(1, "198.51.100.0/24", ifx, "192.0.2.1", err, 256), 0);
	assert_true(t_has_route4("198.51.100.0", 24));
	assert_int_equal(
	    t_route(1, "203.0.113.0/24", ifx, "203.0.113.9", err, 256), -1);
	assert_non_null(strstr(err, "add route 203.0.113.0/24"));
	assert_non_null(strstr(err, strerror(EINVAL)));
	/* Traffic follows the route into the descriptor. */
	t_expect_on_tun(fd, "10.99.1.1");

	assert_int_equal(t_route(0, "10.99.0.0/16", ifx, NULL, err, 256), 0);
	assert_false(t_has_route4("10.99.0.0", 16));
	assert_true(t_has_route6("2001:db8:99::", 48));
	assert_int_equal(t_route(0, "10.99.0.0/16", ifx, NULL, err, 256), -1);
	assert_non_null(strstr(err, strerror(ESRCH)));
	assert_int_equal(t_route(1, "10.97.0.0/16", 99999, NULL, err, 256), -1);
	assert_non_null(strstr(err, strerror(ENODEV)));
	/* Refused before the kernel: family, length, index, source. */
	assert_int_equal(t_route(1, "10.97.0.0/16", 0, NULL, err, 256), -1);
	assert_int_equal(
	    t_route(1, "10.97.0.0/16", ifx, "2001:db8::1", err, 256), -1);
	assert_non_null(strstr(err, strerror(EINVAL)));

	/* The descriptor takes the device and its routes with it. */
	close(fd);
	assert_false(t_has_route4("10.98.0.0", 16));
	assert_false(t_has_route6("2001:db8:99::", 48));
	assert_int_equal(t_route(1, "10.97.0.0/16", ifx, NULL, err, 256), -1);
}

static void
test_route_bad_prefix(void **state)
{
	struct prefix p;
	char err[256];

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(esp_route(1, &p, 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(EINVAL)));
	p = t_prefix("10.0.0.0/8");
	p.len = 33;
	assert_int_equal(esp_route(1, &p, 1, NULL, err, sizeof(err)), -1);
	p = t_prefix("2001:db8::/32");
	p.len = 129;
	assert_int_equal(esp_route(1, &p, 1, NULL, err, sizeof(err)), -1);
}

/*
 * What a data-plane author must expect when an administrator takes the
 * link down: writes fail with EIO and the kernel drops the routes (they
 * do not come back with the link), and a route cannot be added to a
 * link that is down.
 */
static void
test_tun_down(void **state)
{
	uint8_t pkt[ESP_TUN_HDR + 28]; /* a virtio_net_hdr of zeros first */
	char err[256];
	int fd, ifx;

	(void)state;
	fd = esp_tun_open(T_TUN, 1400, err, sizeof(err));
	assert_true(fd >= 0);
	ifx = esp_tun_ifindex(T_TUN);
	assert_int_equal(t_route(1, "10.99.0.0/16", ifx, NULL, err, 256), 0);
	memset(pkt, 0, ESP_TUN_HDR);
	t_ip4_pkt(pkt + ESP_TUN_HDR, 28, NULL, 0, 0);
	assert_int_equal(write(fd, pkt, sizeof(pkt)), sizeof(pkt));
	assert_int_equal(t_set_flags(T_TUN, t_flags(T_TUN) & ~IFF_UP), 0);
	assert_int_equal(write(fd, pkt, sizeof(pkt)), -1);
	assert_int_equal(errno, EIO);
	assert_false(t_has_route4("10.99.0.0", 16));
	assert_int_equal(t_route(1, "10.99.0.0/16", ifx, NULL, err, 256), -1);
	assert_int_equal(t_set_flags(T_TUN, t_flags(T_TUN) | IFF_UP), 0);
	assert_false(t_has_route4("10.99.0.0", 16));
	assert_int_equal(t_route(1, "10.99.0.0/16", ifx, NULL, err, 256), 0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mss_layouts),
	    cmocka_unit_test(test_mss_checksum_sweep),
	    cmocka_unit_test(test_mss_not_applicable),
	    cmocka_unit_test(test_mss_options),
	    cmocka_unit_test(test_mss_malformed),
	    cmocka_unit_test(test_mss_truncation),
	    cmocka_unit_test(test_frag_sizes),
	    cmocka_unit_test(test_frag_fits_and_tiny),
	    cmocka_unit_test(test_frag_already_fragment),
	    cmocka_unit_test(test_frag_refused),
	    cmocka_unit_test(test_frag_df),
	    cmocka_unit_test(test_icmp4),
	    cmocka_unit_test(test_icmp4_refused),
	    cmocka_unit_test(test_icmp6),
	    cmocka_unit_test(test_icmp6_refused),
	    cmocka_unit_test_setup(test_tun_open, t_net_setup),
	    cmocka_unit_test_setup(test_tun_refused, t_net_setup),
	    cmocka_unit_test_setup(test_routes, t_net_setup),
	    cmocka_unit_test_setup(test_route_bad_prefix, t_net_setup),
	    cmocka_unit_test_setup(test_tun_down, t_net_setup),
	};

	return cmocka_run_group_tests_name("esp_net", tests, NULL, NULL);
}
