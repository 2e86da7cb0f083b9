/*
 * Offloads for a TUN device opened with IFF_VNET_HDR and
 * TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN):
 * every read() and write() then carries a struct virtio_net_hdr
 * (<linux/virtio_net.h>, 10 bytes) before the IP packet.
 *
 *   esp_gso.c	TX: one read() may hold a TCP super-packet of up to
 *		64 KiB; esp_gso_split() makes the segments of it.
 *   esp_gro.c	RX: decrypted TCP segments of one flow become one
 *		super-packet, one write(); the kernel segments it again
 *		only if it forwards it.
 *
 * The header's 16-bit fields are in host order: TUN's own unless
 * TUNSETVNETLE/TUNSETVNETBE said otherwise.  Nothing here does I/O or
 * allocates per packet.
 */
#ifndef FLEETVPN_ESP_GSO_H
#define FLEETVPN_ESP_GSO_H

#include <stddef.h>
#include <stdint.h>

#include "esp.h"

#define ESP_GSO_HDR_LEN	 ESP_TUN_HDR  /* sizeof(struct virtio_net_hdr) */
#define ESP_GSO_PKT_MAX	 (40 + 65535) /* IPv6 header + largest payload */
#define ESP_GSO_READ_MAX (ESP_GSO_HDR_LEN + ESP_GSO_PKT_MAX)

/*
 * Receives one packet.  It may change the bytes (encrypt in place, say);
 * they are reused once it returns.  The return value is the callee's to
 * account with: this module ignores it.
 */
typedef int (*esp_gso_fn)(uint8_t *pkt, size_t len, void *arg);

/* --- esp_gso.c --- */

/*
 * One TUN read: "buf", "len" bytes, a virtio_net_hdr then the packet.
 *
 * - GSO_NONE: the packet goes to "fn" in place (buf + ESP_GSO_HDR_LEN,
 *   len - ESP_GSO_HDR_LEN), its checksum first completed when the header
 *   says NEEDS_CSUM (as the kernel's skb_checksum_help() would).
 * - GSO_TCPV4, GSO_TCPV6 (with or without GSO_ECN): each segment of
 *   gso_size payload bytes is built at "scratch", which must hold the
 *   headers plus gso_size bytes (ESP_GSO_PKT_MAX always does) and not
 *   overlap "buf": lengths, IPv4 ID (+1 a segment) and header checksum,
 *   sequence number, flags (FIN and PSH on the last only, CWR on the
 *   first only) and TCP checksum as on the wire.  "fn" may use the
 *   scratch bytes after the segment; pass scratch + N for N bytes of
 *   headroom.
 *
 * Everything is checked before "fn" first runs: either every packet goes
 * or none does.  Returns how many went, or -1 and *why set to
 * ESP_DROP_MALFORMED: a header that disagrees with the packet, UDP GSO
 * (never advertised), IPv6 extension headers, an IPv4 fragment, "scratch"
 * too small.
 */
int esp_gso_split(uint8_t *buf, size_t len, uint8_t *scratch, size_t scratchlen,
		  esp_gso_fn fn, void *arg, enum esp_drop *why);

/* --- esp_gro.c --- */

/* Held at most: packet bytes, packets (out), segments in one packet. */
#define ESP_GRO_ARENA_MAX ((size_t)256 * 1024)
#define ESP_GRO_ITEMS_MAX 64
#define ESP_GRO_SEGS_MAX  64

/*
 * Packets are copied in with esp_gro_add() and written out, each as
 * virtio_net_hdr + packet, by esp_gro_flush(), or early by an
 * esp_gro_add() that finds the arena or the item table full.  Within a
 * TCP flow (addresses and ports, one way) the order is kept; different
 * flows may overtake each other.  "emit" gets a buffer inside the
 * coalescer, its "len" bytes only, and must not call back into it.
 *
 * A coalesced packet: gso_type GSO_TCPV4 or GSO_TCPV6, flags NEEDS_CSUM,
 * gso_size the first segment's payload length, hdr_len the IP and TCP
 * headers', csum_start the IP header's, csum_offset 16; the TCP checksum
 * field holds the pseudo-header sum (not complemented) for the whole
 * length, the IPv4 total length and header checksum or the IPv6 payload
 * length are the whole packet's.  Anything else goes out byte for byte
 * as it came, after a header of zeros.
 *
 * Memory: one allocation in esp_gro_new(), ESP_GRO_ARENA_MAX + 100 KiB.
 */
struct esp_gro;

struct esp_gro *esp_gro_new(void);
void esp_gro_free(struct esp_gro *);
/* 0 when held; -1 (not held) when "len" is 0 or above ESP_GSO_PKT_MAX. */
int esp_gro_add(struct esp_gro *, const uint8_t *pkt, size_t len,
		esp_gso_fn emit, void *arg);
/* Emit everything held, oldest first, and empty; returns how many went. */
int esp_gro_flush(struct esp_gro *, esp_gso_fn emit, void *arg);

#endif
