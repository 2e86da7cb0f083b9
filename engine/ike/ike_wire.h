/*
 * The ISAKMP wire format (RFC 2408, 2407, 2409, 3947, 3706): constants,
 * the validated view of a received message, and the builder of messages
 * to send.
 *
 * Validate, then parse: ike_wire_hdr() checks the fixed header against the
 * datagram, ike_wire_chain() walks the payload chain checking every
 * declared length against the bytes left, reserved fields and minimum
 * sizes, and the ike_wire_*() payload parsers check each body before a
 * field is read.  Failures return -1 and say why in an enum ike_drop, the
 * reason the caller counts.  Nothing here allocates: parsed structures
 * point into the caller's buffer.
 */
#ifndef FLEETVPN_IKE_WIRE_H
#define FLEETVPN_IKE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define IKE_HDR_LEN	    28
#define IKE_GEN_LEN	    4	  /* generic payload header */
#define IKE_VERSION	    0x10  /* major 1, minor 0 */
#define IKE_MSG_MAX	    65535 /* the length field is the limit */
#define IKE_PLD_MAX	    32	  /* payloads accepted in one message */
#define IKE_PROP_MAX	    16	  /* proposals in one SA payload */
#define IKE_XFORM_MAX	    32	  /* transforms in one proposal */
#define IKE_ATTR_MAX	    24	  /* attributes in one transform */
#define IKE_SPI_MAX	    16	  /* ISAKMP cookie pair */
#define IKE_NONCE_MIN	    8
#define IKE_NONCE_MAX	    256
#define IKE_NATT_MARKER_LEN 4 /* non-ESP marker on UDP 4500 */

/* Exchange types */
#define IKE_EXCH_ID_PROT    2 /* main mode */
#define IKE_EXCH_AGGRESSIVE 4
#define IKE_EXCH_INFO	    5
#define IKE_EXCH_QUICK	    32

/* Header flags */
#define IKE_FLAG_ENC	   0x01
#define IKE_FLAG_COMMIT	   0x02
#define IKE_FLAG_AUTH_ONLY 0x04

/* Payload types */
#define IKE_PLD_NONE	     0
#define IKE_PLD_SA	     1
#define IKE_PLD_P	     2
#define IKE_PLD_T	     3
#define IKE_PLD_KE	     4
#define IKE_PLD_ID	     5
#define IKE_PLD_CERT	     6
#define IKE_PLD_CR	     7
#define IKE_PLD_HASH	     8
#define IKE_PLD_SIG	     9
#define IKE_PLD_NONCE	     10
#define IKE_PLD_N	     11
#define IKE_PLD_D	     12
#define IKE_PLD_VID	     13
#define IKE_PLD_NAT_D	     20 /* RFC 3947 */
#define IKE_PLD_NAT_OA	     21
#define IKE_PLD_NAT_D_DRAFT  130 /* draft-ietf-ipsec-nat-t-ike-02/03 */
#define IKE_PLD_NAT_OA_DRAFT 131

/* DOI, situation, protocols (RFC 2407) */
#define IKE_DOI_IPSEC	      1
#define IKE_SIT_IDENTITY_ONLY 1
#define IKE_PROTO_ISAKMP      1
#define IKE_PROTO_AH	      2
#define IKE_PROTO_ESP	      3
#define IKE_KEY_IKE	      1 /* the phase-1 transform id */

/* Phase-1 attributes (RFC 2409 appendix A) and their values */
#define IKE_ATTR_ENC	   1
#define IKE_ATTR_HASH	   2
#define IKE_ATTR_AUTH	   3
#define IKE_ATTR_GROUP	   4
#define IKE_ATTR_LIFE_TYPE 11
#define IKE_ATTR_LIFE_DUR  12
#define IKE_ATTR_KEY_LEN   14
#define IKE_ENC_3DES	   5
#define IKE_ENC_AES	   7
#define IKE_HASH_MD5	   1
#define IKE_HASH_SHA1	   2
#define IKE_HASH_SHA256	   4
#define IKE_HASH_SHA384	   5
#define IKE_HASH_SHA512	   6
#define IKE_AUTH_PSK	   1
#define IKE_LIFE_SECONDS   1
#define IKE_LIFE_KILOBYTES 2

/* Phase-2 (IPsec DOI) attributes and ESP transform ids */
#define IPSEC_ATTR_LIFE_TYPE	     1
#define IPSEC_ATTR_LIFE_DUR	     2
#define IPSEC_ATTR_GROUP	     3
#define IPSEC_ATTR_ENCAP	     4
#define IPSEC_ATTR_AUTH		     5
#define IPSEC_ATTR_KEY_LEN	     6
#define IPSEC_ENCAP_TUNNEL	     1
#define IPSEC_ENCAP_TRANSPORT	     2
#define IPSEC_ENCAP_UDP_TUNNEL	     3 /* RFC 3947 */
#define IPSEC_ENCAP_UDP_TUNNEL_DRAFT 61443
#define IPSEC_AUTH_HMAC_MD5	     1
#define IPSEC_AUTH_HMAC_SHA1	     2
#define IPSEC_AUTH_HMAC_SHA256	     5
#define IPSEC_AUTH_HMAC_SHA384	     6
#define IPSEC_AUTH_HMAC_SHA512	     7
#define ESP_3DES		     3
#define ESP_AES_CBC		     12
#define ESP_AES_GCM_16		     20

/* Identification types (RFC 2407 4.6.2.1) */
#define IKE_ID_IPV4_ADDR   1
#define IKE_ID_FQDN	   2
#define IKE_ID_USER_FQDN   3
#define IKE_ID_IPV4_SUBNET 4
#define IKE_ID_IPV6_ADDR   5
#define IKE_ID_IPV6_SUBNET 6
#define IKE_ID_IPV4_RANGE  7
#define IKE_ID_IPV6_RANGE  8
#define IKE_ID_KEY_ID	   11

/* Notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706) */
#define IKE_N_INVALID_PAYLOAD_TYPE	1
#define IKE_N_DOI_NOT_SUPPORTED		2
#define IKE_N_SITUATION_NOT_SUPPORTED	3
#define IKE_N_INVALID_COOKIE		4
#define IKE_N_INVALID_MAJOR_VERSION	5
#define IKE_N_INVALID_MINOR_VERSION	6
#define IKE_N_INVALID_EXCHANGE_TYPE	7
#define IKE_N_INVALID_FLAGS		8
#define IKE_N_INVALID_MESSAGE_ID	9
#define IKE_N_INVALID_PROTOCOL_ID	10
#define IKE_N_INVALID_SPI		11
#define IKE_N_INVALID_TRANSFORM_ID	12
#define IKE_N_ATTRIBUTES_NOT_SUPPORTED	13
#define IKE_N_NO_PROPOSAL_CHOSEN	14
#define IKE_N_BAD_PROPOSAL_SYNTAX	15
#define IKE_N_PAYLOAD_MALFORMED		16
#define IKE_N_INVALID_KEY_INFORMATION	17
#define IKE_N_INVALID_ID_INFORMATION	18
#define IKE_N_INVALID_CERT_ENCODING	19
#define IKE_N_INVALID_CERTIFICATE	20
#define IKE_N_CERT_TYPE_UNSUPPORTED	21
#define IKE_N_INVALID_CERT_AUTHORITY	22
#define IKE_N_INVALID_HASH_INFORMATION	23
#define IKE_N_AUTHENTICATION_FAILED	24
#define IKE_N_INVALID_SIGNATURE		25
#define IKE_N_ADDRESS_NOTIFICATION	26
#define IKE_N_NOTIFY_SA_LIFETIME	27
#define IKE_N_CERTIFICATE_UNAVAILABLE	28
#define IKE_N_UNSUPPORTED_EXCHANGE_TYPE 29
#define IKE_N_UNEQUAL_PAYLOAD_LENGTHS	30
#define IKE_N_CONNECTED			16384
#define IKE_N_RESPONDER_LIFETIME	24576
#define IKE_N_REPLAY_STATUS		24577
#define IKE_N_INITIAL_CONTACT		24578
#define IKE_N_R_U_THERE			36136
#define IKE_N_R_U_THERE_ACK		36137

/*
 * Why a datagram was dropped.  Each reason has a counter and a name
 * (ike_wire_drop_name()); the order is the order of "show ike statistics".
 */
enum ike_drop {
	IKE_DROP_NONE,
	IKE_DROP_SHORT,	       /* shorter than a header, or than it says */
	IKE_DROP_VERSION,      /* major version is not 1 */
	IKE_DROP_EXCHANGE,     /* unknown exchange type */
	IKE_DROP_FLAGS,	       /* undefined flag bits */
	IKE_DROP_LENGTH,       /* header length disagrees with the datagram */
	IKE_DROP_PAYLOAD_LEN,  /* a payload length runs past the message */
	IKE_DROP_PAYLOAD_TYPE, /* unknown or out-of-place payload type */
	IKE_DROP_RESERVED,     /* a reserved field is not zero */
	IKE_DROP_TOO_MANY,     /* over IKE_PLD_MAX payloads, proposals, ... */
	IKE_DROP_MALFORMED,    /* a payload body breaks its own rules */
	IKE_DROP_UNEXPECTED,   /* a payload this step does not accept */
	IKE_DROP_MISSING,      /* a payload this step requires is absent */
	IKE_DROP_DECRYPT,      /* bad ciphertext length or padding */
	IKE_DROP_HASH,	       /* HASH payload does not verify */
	IKE_DROP_NO_SA,	       /* no ISAKMP SA for these cookies */
	IKE_DROP_STATE,	       /* valid, but not expected now */
	IKE_DROP_DUPLICATE,    /* a retransmission we already answered */
	IKE_DROP_MSGID,	       /* unknown or reused message id */
	IKE_DROP_RATE,	       /* over the new-SA rate limit */
	IKE_DROP_COUNT
};

struct ike_hdr {
	uint8_t icookie[8];
	uint8_t rcookie[8];
	uint8_t next; /* first payload */
	uint8_t version;
	uint8_t exch;
	uint8_t flags;
	uint32_t msgid; /* host order */
	uint32_t len;
};

/* One payload of a chain: its type and body (generic header excluded). */
struct ike_pld {
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

/* The payloads of one (decrypted) message, in wire order. */
struct ike_msg {
	struct ike_hdr hdr;
	struct ike_pld pld[IKE_PLD_MAX];
	int npld;
	size_t padding; /* bytes after the chain (encrypted) */
};

/* A data attribute: basic (TV, 16-bit value) or variable (TLV). */
struct ike_attr {
	uint16_t type; /* without the AF bit */
	int basic;
	uint64_t value;	     /* basic, or a TLV of 1 to 8 bytes */
	const uint8_t *data; /* TLV body */
	size_t len;
};

struct ike_xform {
	uint8_t num;
	uint8_t id;
	const uint8_t *attrs; /* raw attributes, see ike_wire_attr */
	size_t attrslen;
};

struct ike_prop {
	uint8_t num;
	uint8_t proto;
	uint8_t spisize;
	uint8_t spi[IKE_SPI_MAX];
	int nxform;
	struct ike_xform xform[IKE_XFORM_MAX];
};

struct ike_sa_pld {
	uint32_t doi;
	uint32_t situation;
	int nprop;
	struct ike_prop prop[IKE_PROP_MAX];
};

struct ike_id_pld {
	uint8_t type;
	uint8_t proto; /* phase 2: IP protocol, 0 = any */
	uint16_t port;
	const uint8_t *data;
	size_t len;
};

struct ike_n_pld {
	uint32_t doi;
	uint8_t proto;
	uint8_t spisize;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t datalen;
};

struct ike_d_pld {
	uint32_t doi;
	uint8_t proto;
	uint8_t spisize;
	uint16_t nspi;
	const uint8_t *spis; /* nspi * spisize bytes */
};

/* ike_wire.c: parsing */
int ike_wire_hdr(const uint8_t *, size_t, struct ike_hdr *, enum ike_drop *);
int ike_wire_chain(uint8_t, const uint8_t *, size_t, int, struct ike_msg *,
		   enum ike_drop *);
const struct ike_pld *ike_wire_find(const struct ike_msg *, uint8_t, int);
int ike_wire_count(const struct ike_msg *, uint8_t);
int ike_wire_sa(const struct ike_pld *, struct ike_sa_pld *, enum ike_drop *);
int ike_wire_attr(const uint8_t **, size_t *, struct ike_attr *);
int ike_wire_attrs_valid(const uint8_t *, size_t);
int ike_wire_id(const struct ike_pld *, struct ike_id_pld *, enum ike_drop *);
int ike_wire_n(const struct ike_pld *, struct ike_n_pld *, enum ike_drop *);
int ike_wire_d(const struct ike_pld *, struct ike_d_pld *, enum ike_drop *);
int ike_wire_nonce(const struct ike_pld *, enum ike_drop *);
const char *ike_wire_drop_name(enum ike_drop);
const char *ike_wire_exch_name(uint8_t);
const char *ike_wire_pld_name(uint8_t);
const char *ike_wire_notify_name(uint16_t);
const char *ike_wire_id_name(uint8_t);

/* ike_build.c: building (into a bounded buffer, errors latch in it) */
struct ike_build {
	struct buf b;
	size_t next_off; /* where the next-payload byte goes */
};

void ike_build_init(struct ike_build *, const struct ike_hdr *);
void ike_build_release(struct ike_build *);
size_t ike_build_pld(struct ike_build *, uint8_t, const void *, size_t);
size_t ike_build_begin(struct ike_build *, uint8_t);
void ike_build_end(struct ike_build *, size_t);
size_t ike_build_sub_begin(struct buf *, uint8_t, const void *, size_t);
void ike_build_sub_end(struct buf *, size_t);
void ike_build_attr(struct buf *, uint16_t, uint64_t);
void ike_build_attr_var(struct buf *, uint16_t, const void *, size_t);
size_t ike_build_n(struct ike_build *, uint32_t, uint8_t, const uint8_t *,
		   uint8_t, uint16_t, const void *, size_t);
size_t ike_build_d(struct ike_build *, uint8_t, const uint8_t *, uint8_t,
		   uint16_t);
size_t ike_build_id(struct ike_build *, uint8_t, uint8_t, uint16_t,
		    const void *, size_t);
int ike_build_finish(struct ike_build *);

#endif
