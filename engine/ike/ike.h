/*
 * The IKEv1 engine's internals, shared by the files of engine/ike.  The
 * daemon sees only engine/engine.h.
 *
 * Objects:
 *   struct ike		the engine: sockets, peers, tunnels, SAs, counters
 *   struct ike_peer	run-time state of a configured "ike peer"
 *   struct ike_tunnel	run-time state of a configured "tunnel"
 *   struct ike_sa	an ISAKMP SA (phase 1), negotiating or established
 *   struct ike_xchg	a quick-mode or informational exchange in progress
 *   struct ipsec_sa	an IPsec SA pair (phase 2) of one tunnel
 *
 * Every change of an SA's state goes through ike_sa_state() or
 * ipsec_sa_state(): they check the move, log it, count it, and emit the
 * engine event that SNMP and syslog consume.
 */
#ifndef FLEETVPN_IKE_H
#define FLEETVPN_IKE_H

#include <stdint.h>
#include <sys/queue.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "engine.h"
#include "ev.h"
#include "ike_keys.h"
#include "ike_wire.h"
#include "json.h"
#include "log.h"
#include "sad.h"

#define IKE_PORT      500
#define IKE_NATT_PORT 4500
/* "ike retransmit INTERVAL COUNT": the first resend, then doubled. */
#define IKE_RETRANS_MS(ike) ((uint64_t)(ike)->conf->ike_retrans_s * 1000)
#define IKE_RETRANS_N(ike)  ((int)(ike)->conf->ike_retrans_count)
#define IKE_HALFOPEN_MS	    60000 /* a responder's unfinished SA */
#define IKE_NONCE_LEN	    32
#define IKE_ID_MAX	    (CONF_ID_MAX + 16)
#define IKE_SAS_MAX	    10000 /* negotiating + established */
#define IKE_XCHG_MAX	    32	  /* exchanges per ISAKMP SA */
#define IKE_REKEY_GRACE_MS  10000 /* old IPsec SA kept after a rekey */

/* A transport address: where an IKE datagram came from or goes to. */
struct ike_ep {
	struct addr addr;
	uint16_t port;
};

/*
 * Answering a peer's resend.  Only a message we sent in reply to the one
 * seen last is resent for it: resending anything else (the initiator's
 * last message of an exchange, when the final reply comes twice) would
 * make each side answer the other's resend forever.  And at most once
 * per IKE_DUP_MS, whatever the peer does.
 */
#define IKE_DUP_MS 500
struct ike_dup {
	int answered;	/* last_out was sent after last_in arrived */
	uint64_t at_ms; /* when we last answered a duplicate */
};

/* --- counters, as operators know them (NEC IX "show ike sa") --- */

struct ike_phase_stats {
	uint64_t success;
	uint64_t failure;
	uint64_t hash_err;
	uint64_t timeout;
	uint64_t resend;
};

struct ike_stats {
	struct ike_phase_stats p1;
	struct ike_phase_stats p2;
	uint64_t drops[IKE_DROP_COUNT];
	uint64_t rx;
	uint64_t tx;
	uint64_t notify_rx;
	uint64_t notify_tx;
	uint64_t delete_rx;
	uint64_t delete_tx;
	uint64_t dpd_tx;
	uint64_t dpd_dead;
	uint64_t esp_unhandled; /* ESP on 4500 without a data plane */
	uint64_t unknown_peer;
};

/* --- phase 1 --- */

enum ike_sa_state {
	IKE_SA_NEW,
	IKE_SA_MM_SA_SENT, /* initiator: msg 1 out */
	IKE_SA_MM_SA_RCVD, /* responder: msg 2 out */
	IKE_SA_MM_KE_SENT, /* initiator: msg 3 out */
	IKE_SA_MM_KE_RCVD, /* responder: msg 4 out */
	IKE_SA_MM_ID_SENT, /* initiator: msg 5 out */
	IKE_SA_AM_SENT,	   /* initiator: msg 1 out */
	IKE_SA_AM_RCVD,	   /* responder: msg 2 out */
	IKE_SA_ESTABLISHED,
	IKE_SA_DEAD, /* failed, deleted or expired; being freed */
	IKE_SA_STATE_COUNT
};

/* The phase-1 transform both sides agreed on. */
struct ike_p1_xform {
	enum crypto_cipher cipher;
	size_t keylen;
	enum crypto_hash hash;
	int group;
	uint32_t life_s;
	uint64_t life_kb;
	int conf_index; /* which of the peer's proposals */
};

struct ike_sa {
	TAILQ_ENTRY(ike_sa) entry;
	struct ike *ike;
	struct ike_peer *peer; /* NULL until identified */
	uint64_t serial;       /* stable id for show and SNMP */
	uint8_t icookie[IKE_COOKIE_LEN];
	uint8_t rcookie[IKE_COOKIE_LEN];
	int initiator;
	uint8_t exch; /* IKE_EXCH_ID_PROT or _AGGRESSIVE */
	enum ike_sa_state state;
	struct ike_ep local;
	struct ike_ep remote;
	/* NAT traversal */
	int natt_vid;	/* peer sent the RFC 3947 VID */
	int natt_draft; /* ... only a draft VID */
	int nat_local;	/* we are behind a NAT */
	int nat_remote; /* the peer is (or fakes it) */
	int floated;	/* IKE moved to port 4500 */
	int dpd_vid;	/* peer announced RFC 3706 */
	/* negotiation */
	struct ike_p1_xform xf;
	struct buf sai_b; /* initiator's SA payload body */
	struct crypto_dh *dh;
	struct buf gxi;
	struct buf gxr;
	struct buf ni;
	struct buf nr;
	struct buf idi_b; /* ID payload bodies */
	struct buf idr_b;
	struct conf_id remote_id; /* what the peer presented */
	struct ike_keys keys;
	int have_keys;
	uint8_t iv[CRYPTO_BLOCK_MAX];	   /* next phase-1 IV */
	uint8_t p1_last[CRYPTO_BLOCK_MAX]; /* for phase-2 IVs */
	/* retransmission and duplicates */
	struct buf last_out;		  /* our last message, for resends */
	uint8_t last_in[CRYPTO_HASH_MAX]; /* digest of the last */
	struct ike_dup dup;
	int retries;
	struct ev_timer *retrans;
	/* life */
	struct timespec created; /* wall clock, for display */
	uint64_t established_ms; /* monotonic */
	uint64_t expire_ms;
	struct ev_timer *life; /* soft, then hard */
	int soft_done;
	struct ev_timer *dpd;
	struct ev_timer *keepalive; /* NAT-T keepalives (RFC 3948) */
	uint32_t dpd_seq;
	uint32_t dpd_outstanding;
	uint64_t dpd_inbound; /* ESP packets seen at the last check */
	uint64_t last_rx_ms;  /* proof of life, for DPD */
	int initial_contact_rcvd;
	char down_reason[64];
	/* exchanges with a message id */
	TAILQ_HEAD(, ike_xchg) xchgs;
	int nxchg;
};

/* --- phase 2 --- */

enum ipsec_sa_state {
	IPSEC_SA_NEGOTIATING,
	IPSEC_SA_INSTALLED,
	IPSEC_SA_REKEYED, /* replaced; inbound kept for stragglers */
	IPSEC_SA_DEAD,
	IPSEC_SA_STATE_COUNT
};

struct ipsec_sa {
	TAILQ_ENTRY(ipsec_sa) entry; /* in its tunnel */
	struct ike_tunnel *tun;
	uint64_t serial;
	int pair; /* (local, remote) network index */
	enum ipsec_sa_state state;
	int initiator;
	uint32_t spi_in;
	uint32_t spi_out;
	enum conf_esp_enc enc;
	enum conf_esp_integ integ;
	int pfs_group;
	int encap; /* UDP encapsulation */
	struct prefix local;
	struct prefix remote;
	struct ike_ep local_ep;
	struct ike_ep remote_ep;
	uint32_t life_s;
	uint64_t life_kb;
	struct timespec created;
	uint64_t established_ms;
	uint64_t expire_ms;
	struct ev_timer *life;
	int soft_done;
	char down_reason[64];
};

/* A quick-mode or informational exchange, keyed by message id. */
enum ike_xchg_state {
	IKE_XCHG_NEW,
	IKE_XCHG_QM_I_SENT, /* initiator: HASH(1) out */
	IKE_XCHG_QM_R_SENT, /* responder: HASH(2) out */
	IKE_XCHG_DONE	    /* kept briefly to answer resends */
};

struct ike_xchg {
	TAILQ_ENTRY(ike_xchg) entry;
	struct ike_sa *sa;
	uint32_t msgid;
	uint8_t exch;
	int initiator;
	enum ike_xchg_state state;
	uint8_t iv[CRYPTO_BLOCK_MAX];
	/* quick mode */
	struct ipsec_sa *child;
	struct buf ni;
	struct buf nr;
	struct crypto_dh *dh;
	struct buf gqm; /* g(qm)^xy with PFS */
	int pfs_group;
	uint32_t responder_life_s;
	/* resends */
	struct buf last_out;
	uint8_t last_in[CRYPTO_HASH_MAX];
	struct ike_dup dup;
	int retries;
	struct ev_timer *timer; /* resend, or linger when done */
};

/* --- configured objects --- */

struct ike_peer {
	TAILQ_ENTRY(ike_peer) entry;
	struct ike *ike;
	const struct conf_ike_peer *conf;
	struct ike_sa *sa;	   /* the newest usable ISAKMP SA */
	struct ike_phase_stats p1; /* this peer's share */
	struct ike_phase_stats p2;
	uint64_t last_fail_ms;
	char last_error[96];
	struct ev_timer *restart; /* retry after a failure */
	uint64_t restart_ms;	  /* backoff; 0 after a success */
	int wanted;		  /* a tunnel needs phase 1 */
	int seen;		  /* reconfiguration mark */
};

struct ike_tunnel {
	TAILQ_ENTRY(ike_tunnel) entry;
	struct ike *ike;
	const struct conf_tunnel *conf;
	struct ike_peer *peer;
	TAILQ_HEAD(, ipsec_sa) sas;
	uint64_t last_change_ms;
	struct timespec last_change;
	char last_down[64];
	int up;
	int seen;
};

struct ike_sock {
	struct ike *ike;
	int fd;
	int family;
	uint16_t port;
	struct addr bound; /* AF_UNSPEC: wildcard */
	struct ev_io *io;  /* NULL: the data plane reads it */
};

/*
 * UDP 4500 carries ESP as well as IKE: with a data plane, its worker
 * reads these sockets and hands IKE messages back (ike_recv()).
 */
struct ike_udp_hook {
	int (*add)(void *, int, const struct addr *, uint16_t);
	void (*remove)(void *, int);
	void *arg;
};

#define IKE_SOCKS_MAX 16
#define IKE_SUBS_MAX  8

struct ike {
	struct ev_loop *loop;
	const struct conf *conf;
	struct sad *sad;
	TAILQ_HEAD(, ike_peer) peers;
	TAILQ_HEAD(, ike_tunnel) tunnels;
	TAILQ_HEAD(, ike_sa) sas;
	int nsas;
	uint64_t serial;
	struct ike_sock socks[IKE_SOCKS_MAX];
	int nsocks;
	char sock_error[128];
	struct ike_stats st;
	struct {
		engine_event_fn *fn;
		void *arg;
	} subs[IKE_SUBS_MAX];
	int nsubs;
	struct ev_timer *sock_retry;
	TAILQ_HEAD(, ipsec_sa) dead; /* IPsec SAs waiting to be freed */
	struct ev_timer *reaper;
	struct ike_udp_hook udp_hook;
	int has_udp_hook;
	uint8_t secret[32]; /* responder cookie secret */
};

/* ike_ctx.c: the engine object, configuration, events */
struct ike *ike_new(struct ev_loop *, char *, size_t); /* then ike_apply */
void ike_free(struct ike *);
int ike_apply(struct ike *, const struct conf *);
void ike_emit(struct ike *, const struct engine_event *);
struct ike_peer *ike_peer_by_name(struct ike *, const char *);
struct ike_tunnel *ike_tunnel_by_name(struct ike *, const char *);
void ike_tunnel_want(struct ike_tunnel *);
void ike_set_udp_hook(struct ike *, const struct ike_udp_hook *);
void ike_peer_failed(struct ike_peer *, const char *);

/* ike_net.c: sockets, sending, receiving */
int ike_net_open(struct ike *);
void ike_net_close(struct ike *);
int ike_net_send(struct ike *, const struct ike_ep *, const struct ike_ep *,
		 const uint8_t *, size_t);
void ike_net_keepalive(struct ike *, const struct ike_ep *,
		       const struct ike_ep *);
char *ike_ep_fmt(const struct ike_ep *, char *, size_t);
int ike_net_source(const struct addr *, struct addr *);

/* ike_recv.c: one datagram, from the wire to its exchange */
void ike_recv(struct ike *, const struct ike_ep *, const struct ike_ep *,
	      uint8_t *, size_t);
void ike_drop(struct ike *, enum ike_drop, const struct ike_ep *, const char *);
int ike_recv_dup(struct ike *, struct ike_dup *, const uint8_t *,
		 const struct buf *, const uint8_t *, const struct ike_ep *,
		 const struct ike_ep *);

/* ike_crypt.c: message bodies under the ISAKMP SA's keys */
int ike_crypt_encrypt(struct ike_sa *, uint8_t *, struct buf *);
int ike_crypt_decrypt(struct ike_sa *, const uint8_t *, const uint8_t *, size_t,
		      uint8_t *, uint8_t *);
void ike_crypt_iv_p2(struct ike_sa *, uint32_t, uint8_t *);

/* ike_sa.c: ISAKMP SAs and their one state function */
struct ike_sa *ike_sa_new(struct ike *, struct ike_peer *, int,
			  const struct ike_ep *, const struct ike_ep *);
void ike_sa_free(struct ike_sa *);
void ike_sa_state(struct ike_sa *, enum ike_sa_state);
void ike_sa_fail(struct ike_sa *, const char *, int);
struct ike_sa *ike_sa_find(struct ike *, const uint8_t *, const uint8_t *);
struct ike_sa *ike_sa_find_half(struct ike *, const uint8_t *,
				const struct ike_ep *);
#define IKE_SEND_ENCRYPT 0x1
#define IKE_SEND_REPLY	 0x2 /* an answer is expected: resend */
int ike_sa_send(struct ike_sa *, struct ike_build *, int);
void ike_sa_established(struct ike_sa *);
void ike_sa_delete(struct ike_sa *, const char *, int);
const char *ike_sa_state_name(enum ike_sa_state);
int ike_sa_initiate(struct ike_peer *);

/* ike_prop.c: proposals, ours and theirs */
struct ike_choice { /* the transform a responder picked */
	uint8_t propnum;
	uint8_t proto;
	uint8_t xnum;
	uint8_t xid;
	const uint8_t *attrs; /* into the received message */
	size_t attrslen;
};

#define IKE_DESCR_MAX 512

void ike_prop_p1_build(struct buf *, struct conf_ike_proposal *const *, int);
int ike_prop_p1_select(const struct conf_ike_peer *, const struct ike_sa_pld *,
		       struct ike_p1_xform *, struct ike_choice *);
int ike_prop_p1_chosen(const struct conf_ike_peer *, const struct ike_sa_pld *,
		       struct ike_p1_xform *);
void ike_prop_reply(struct buf *, const struct ike_choice *, const uint8_t *,
		    uint8_t);
void ike_prop_p2_build(struct buf *, const struct conf_ipsec_proposal *,
		       uint32_t, int, int);
int ike_prop_p2_select(const struct conf_ipsec_proposal *,
		       const struct ike_sa_pld *, int, struct ipsec_sa *,
		       struct ike_choice *);
int ike_prop_p2_chosen(const struct conf_ipsec_proposal *,
		       const struct ike_sa_pld *, int, struct ipsec_sa *);
void ike_prop_p1_describe(const struct ike_sa_pld *, char *, size_t);
void ike_prop_p2_describe(const struct ike_sa_pld *, char *, size_t);
void ike_prop_ours_p1(const struct conf_ike_peer *, char *, size_t);
void ike_prop_ours_p2(const struct conf_ipsec_proposal *, char *, size_t);
int ike_prop_life_attr(const struct ike_attr *, uint16_t, int *, uint32_t *,
		       uint64_t *);
enum crypto_cipher ike_prop_cipher(enum conf_ike_enc, size_t *);
enum crypto_hash ike_prop_hash(enum conf_hash);
size_t ike_prop_esp_keylen(enum conf_esp_enc);
size_t ike_prop_esp_authlen(enum conf_esp_integ);
const char *ike_prop_esp_name(enum conf_esp_enc, enum conf_esp_integ, char *,
			      size_t);

/* ike_id.c: identities (phase 1) and proxy IDs (phase 2) */
int ike_id_p1_local(const struct ike_sa *, struct buf *);
int ike_id_p1_parse(const struct ike_id_pld *, struct conf_id *);
int ike_id_p1_match(const struct conf_id *, const struct conf_id *);
char *ike_id_fmt(const struct conf_id *, char *, size_t);
void ike_id_p2_build(struct ike_build *, const struct prefix *);
int ike_id_p2_parse(const struct ike_id_pld *, struct prefix *);
void ike_id_remote_expected(const struct ike_sa *, struct conf_id *);

/* ike_p1.c: what main and aggressive mode share */
/* A payload type as a bit of an accepted-payloads set ("& 31": the
 * draft NAT-D/NAT-OA types 130/131 get bits 30/31 of their own). */
#define IKE_PB(t)                                                              \
	((t) == IKE_PLD_NAT_D_DRAFT    ? 1u << 30                              \
	 : (t) == IKE_PLD_NAT_OA_DRAFT ? 1u << 31                              \
	 : (t) < 30		       ? 1u << ((t)&31)                        \
				       : 0)
#define IKE_PB_NATD (IKE_PB(IKE_PLD_NAT_D) | IKE_PB(IKE_PLD_NAT_D_DRAFT))
int ike_p1_payloads(struct ike_sa *, const struct ike_msg *, uint32_t, uint32_t,
		    const char *);

/* One step of a phase-1 exchange: the message expected in a state. */
struct ike_step {
	enum ike_sa_state state;
	int initiator; /* our role */
	int encrypted; /* the message must be encrypted */
	uint32_t need;
	uint32_t allow;
	const char *name;
	int (*fn)(struct ike_sa *, const struct ike_msg *);
};

int ike_p1_run(struct ike_sa *, const struct ike_msg *, const struct ike_step *,
	       size_t);
void ike_p1_hdr(const struct ike_sa *, struct ike_build *, int);
int ike_p1_notified(struct ike_sa *, const struct ike_msg *);
void ike_p1_initial_contact(struct ike_sa *, struct ike_build *);
int ike_p1_sa_pld(struct ike_sa *, const struct ike_msg *, struct ike_sa_pld *);
int ike_p1_ke_nonce(struct ike_sa *, struct ike_build *);
int ike_p1_take_ke_nonce(struct ike_sa *, const struct ike_msg *);
int ike_p1_keys(struct ike_sa *);
void ike_p1_natd_build(struct ike_sa *, struct ike_build *);
int ike_p1_natd_check(struct ike_sa *, const struct ike_msg *);
void ike_p1_vids_build(struct ike_build *);
void ike_p1_vids_take(struct ike_sa *, const struct ike_msg *);
int ike_p1_hash(struct ike_sa *, int, uint8_t *);
int ike_p1_verify(struct ike_sa *, const struct ike_msg *, int);
int ike_p1_take_id(struct ike_sa *, const struct ike_msg *, int);
void ike_p1_float(struct ike_sa *);
struct ike_peer *ike_p1_peer_by_addr(struct ike *, const struct ike_ep *, int);
int ike_p1_natt(const struct ike_sa *);
void ike_p1_hash_error(struct ike_sa *, const char *);
void ike_p1_no_proposal(struct ike_sa *, const struct ike_sa_pld *);

/* ike_main.c, ike_aggr.c: the phase-1 exchanges */
int ike_main_start(struct ike_sa *);
int ike_main_input(struct ike_sa *, const struct ike_msg *);
int ike_aggr_start(struct ike_sa *);
int ike_aggr_input(struct ike_sa *, const struct ike_msg *);

/* ike_xchg.c: message-id exchanges */
struct ike_xchg *ike_xchg_new(struct ike_sa *, uint32_t, uint8_t, int);
void ike_xchg_free(struct ike_xchg *);
struct ike_xchg *ike_xchg_find(struct ike_sa *, uint32_t);
uint32_t ike_xchg_msgid(struct ike_sa *);
int ike_xchg_send(struct ike_xchg *, struct ike_build *, int);
void ike_xchg_done(struct ike_xchg *);
int ike_xchg_hash_check(struct ike_xchg *, const struct ike_msg *,
			const uint8_t *, size_t, int);
void ike_xchg_hash_fill(struct ike_xchg *, struct ike_build *, size_t, int);

/* ike_quick.c: quick mode */
int ike_quick_start(struct ike_tunnel *, int, struct ike_sa *);
void ike_quick_input(struct ike_sa *, const struct ike_hdr *, uint8_t *, size_t,
		     const uint8_t *);

/* ike_child.c: IPsec SAs and their one state function */
struct ipsec_sa *ipsec_sa_new(struct ike_tunnel *, int, int);
void ipsec_sa_free(struct ipsec_sa *);
void ipsec_sa_state(struct ipsec_sa *, enum ipsec_sa_state, const char *);
int ipsec_sa_install(struct ipsec_sa *, struct ike_xchg *);
void ipsec_sa_delete(struct ipsec_sa *, const char *, int);
const char *ipsec_sa_state_name(enum ipsec_sa_state);
uint32_t ipsec_sa_spi_alloc(struct ike *);
void ipsec_sa_limit(struct ike *, uint32_t, int);
struct ipsec_sa *ipsec_sa_by_spi_out(struct ike *, uint32_t,
				     const struct ike_peer *);

/* ike_info.c: notifications, deletes, DPD */
void ike_info_input(struct ike_sa *, const struct ike_hdr *, uint8_t *, size_t);
void ike_info_input_clear(struct ike *, const struct ike_msg *,
			  const struct ike_ep *);
void ike_info_notify(struct ike_sa *, uint16_t, uint8_t, const uint8_t *,
		     uint8_t, const void *, size_t);
void ike_info_notify_clear(struct ike *, const struct ike_hdr *,
			   const struct ike_ep *, const struct ike_ep *,
			   uint16_t, const struct ike_sa *);
void ike_info_delete_p1(struct ike_sa *);
void ike_info_delete_p2(struct ike_sa *, uint32_t);
void ike_info_dpd_arm(struct ike_sa *);

/* ike_show.c: structured output for the CLI and SNMP */
void ike_show_ike_sa(struct ike *, struct json_w *, const char *, int);
void ike_show_ipsec_sa(struct ike *, struct json_w *, const char *, int);
void ike_show_stats(struct ike *, struct json_w *);
void ike_show_ipsec_tunnels(struct ike *, struct json_w *, const char *);
void ike_show_phase(struct json_w *, const char *,
		    const struct ike_phase_stats *);

#endif
