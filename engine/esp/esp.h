/*
 * The ESP data plane (RFC 4303): tunnel mode on route-based TUN
 * interfaces, raw ESP or UDP-encapsulated (RFC 3948), anti-replay,
 * fragmentation handling and TCP MSS clamping.
 *
 * Layers, from pure to operational:
 *   esp_pkt.c	one packet in or out of one SA direction (no I/O)
 *   esp_replay.c	the anti-replay window
 *   esp_mss.c	TCP MSS rewriting in SYN and SYN-ACK
 *   esp_frag.c	IPv4 fragmentation, ICMP fragmentation-needed
 *   esp_tun.c	TUN devices; esp_route.c: routes through rtnetlink
 *   esp_dp.c, esp_tx.c, esp_rx.c	the data-plane threads
 *
 * Every drop has a reason and a counter (enum esp_drop).
 */
#ifndef FLEETVPN_ESP_H
#define FLEETVPN_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "crypto.h"
#include "ev.h"

#define ESP_HDR_LEN	8 /* SPI + sequence number */
#define ESP_TRAILER_MIN 2 /* pad length + next header */
#define ESP_PKT_MAX	65535
#define ESP_REPLAY_MAX	4096 /* window, in packets */
#define ESP_NH_IPV4	4
#define ESP_NH_IPV6	41
#define ESP_SEQ_SOFT	0xfff00000u /* ask for a rekey from here */

enum esp_drop {
	ESP_DROP_NONE,
	ESP_DROP_SHORT,		/* shorter than header + IV + ICV */
	ESP_DROP_NO_SA,		/* unknown SPI */
	ESP_DROP_REPLAY,	/* seen or too old */
	ESP_DROP_INTEGRITY,	/* ICV does not verify */
	ESP_DROP_PADDING,	/* bad pad length or pad bytes */
	ESP_DROP_NEXT_HEADER,	/* not IPv4/IPv6, or disagrees with it */
	ESP_DROP_POLICY,	/* inner addresses outside the SA's networks */
	ESP_DROP_QUEUE_FULL,	/* no SA yet and the wait queue is full */
	ESP_DROP_TOO_BIG,	/* DF set, too big for the path: ICMP sent */
	ESP_DROP_SEQ_EXHAUSTED, /* the 32-bit sequence number ran out */
	ESP_DROP_MALFORMED,	/* an inner packet that is not IP */
	ESP_DROP_NO_ROUTE,	/* no tunnel or no SA to send with */
	ESP_DROP_IO,		/* the socket or TUN refused it */
	ESP_DROP_QUEUE_EXPIRED, /* waited for an SA longer than allowed */
	ESP_DROP_COUNT
};

const char *esp_drop_name(enum esp_drop);

/* --- esp_replay.c --- */

struct esp_replay {
	uint32_t window; /* packets; 0 = off */
	uint32_t top;	 /* highest sequence number accepted */
	uint64_t bits[ESP_REPLAY_MAX / 64];
};

void esp_replay_init(struct esp_replay *, uint32_t);
int esp_replay_check(const struct esp_replay *, uint32_t);
void esp_replay_update(struct esp_replay *, uint32_t);

/* --- esp_pkt.c --- */

/*
 * One direction of an SA as the packet code sees it.  The owner (one
 * data-plane thread) is the only one who touches seq and replay.
 */
struct esp_sa {
	uint32_t spi;		  /* host order */
	struct crypto_esp *cx;	  /* keyed contexts, this thread's */
	uint64_t seq;		  /* outbound: last sequence number sent */
	struct esp_replay replay; /* inbound */
	struct prefix local;	  /* proxy IDs: inner addresses allowed */
	struct prefix remote;
};

/* Bytes ESP adds around an inner packet of "len" bytes. */
size_t esp_pkt_overhead(const struct esp_sa *, size_t);

/*
 * Outbound: "inner" (len bytes, next header nh) becomes ESP in "out"
 * (SPI | seq | IV | ciphertext | ICV), *outlen set.  -1 when the
 * sequence numbers ran out or "outmax" is too small.
 */
int esp_pkt_encap(struct esp_sa *, const uint8_t *, size_t, uint8_t, uint8_t *,
		  size_t, size_t *);

/*
 * Inbound, in place: check, decrypt and strip.  On success *inner and
 * *innerlen frame the inner packet (inside "pkt"), *nh its type.  On
 * failure *why says what to count.  The replay window moves only for
 * packets that authenticate.
 */
int esp_pkt_decap(struct esp_sa *, uint8_t *, size_t, uint8_t **, size_t *,
		  uint8_t *, enum esp_drop *);

/* The SPI of an ESP packet, or 0 when too short. */
uint32_t esp_pkt_spi(const uint8_t *, size_t);

/* Inner addresses within the SA's proxy IDs (inbound check). */
int esp_pkt_policy(const struct esp_sa *, const uint8_t *, size_t);

/* --- esp_mss.c --- */

/*
 * Clamp the MSS option of a TCP SYN or SYN-ACK in an IPv4 or IPv6 packet
 * to "mss", fixing the TCP checksum incrementally.  Returns 1 when it
 * rewrote, 0 when there was nothing to do, -1 on a malformed packet.
 */
int esp_mss_clamp(uint8_t *, size_t, uint16_t);

/* --- esp_frag.c --- */

#define ESP_FRAG_MTU_MIN  68   /* RFC 791: esp_frag_ipv4() refuses less */
#define ESP_FRAG_ICMP_MAX 1280 /* esp_frag_icmp_too_big() never writes more */

/* Don't-Fragment of an IPv4 packet (IPv6: never set, 0). */
int esp_frag_df(const uint8_t *, size_t);

/*
 * Split an IPv4 packet into fragments of at most "mtu" bytes each,
 * clearing DF; calls "emit" for each.  Returns the number of fragments,
 * or -1 (not IPv4, header options beyond "mtu", too many).
 */
int esp_frag_ipv4(const uint8_t *, size_t, size_t,
		  int (*)(const uint8_t *, size_t, void *), void *);

/*
 * ICMP "fragmentation needed" (IPv4 type 3 code 4) or "packet too big"
 * (IPv6 type 2) for "orig", from "src", advertising "mtu", into "out".
 * Returns its length, or 0 when no message may be sent (the original is
 * itself ICMP error, a fragment, or not IP).
 */
size_t esp_frag_icmp_too_big(const uint8_t *, size_t, const struct addr *,
			     uint32_t, uint8_t *, size_t);

/* --- esp_csum.c --- */

/*
 * Ones'-complement sum (RFC 1071) of "len" bytes at "p", plus "sum",
 * folded to 16 bits, not complemented, in host order (as a big-endian
 * read of the checksum field gives it).  An odd length counts the last
 * byte as the high half of a word: when summing in pieces, every piece
 * but the last must have an even length.
 */
uint16_t esp_csum(const void *, size_t, uint32_t);
/* The pseudo-header of IPv4 or IPv6 header "ip" for proto and length. */
uint16_t esp_csum_pseudo(const uint8_t *, int, uint8_t, size_t);
/* Recompute the IPv4 header checksum. */
void esp_csum_ip4(uint8_t *);

/* --- esp_tun.c --- */
#define ESP_TUN_HDR 10 /* struct virtio_net_hdr before every packet */

/* Open (create) the TUN device "name", non-blocking; set its MTU, up. */
int esp_tun_open(const char *, uint32_t, char *, size_t);
/* The interface index of "name", -1 when there is no such device. */
int esp_tun_ifindex(const char *);
int esp_tun_set_mtu(const char *, uint32_t);

/* --- esp_route.c --- */

/* Add or delete a route to "dst" through interface "ifindex". */
int esp_route(int, const struct prefix *, int, const struct addr *, char *,
	      size_t);

/* --- esp_dp.c: the data plane as the engine sees it --- */

struct esp_dp;
struct conf;
struct json_w;
struct sad_ops;

struct esp_dp_hooks {
	void (*acquire)(void *, const char *);
	void (*ike_input)(void *, const struct addr *, uint16_t,
			  const struct addr *, uint16_t, uint8_t *, size_t);
	void (*rekey)(void *, uint32_t);
	void (*expire)(void *, uint32_t);
	void *arg;
};

struct esp_dp *esp_dp_new(struct ev_loop *, const struct esp_dp_hooks *, char *,
			  size_t);
void esp_dp_free(struct esp_dp *);
int esp_dp_apply(struct esp_dp *, const struct conf *);
const struct sad_ops *esp_dp_sad_ops(struct esp_dp *);
int esp_dp_udp_add(struct esp_dp *, int, const struct addr *, uint16_t);
void esp_dp_udp_remove(struct esp_dp *, int);
void esp_dp_show(struct esp_dp *, struct json_w *, const char *);
int esp_dp_key_export(struct esp_dp *, const char *);

#endif
