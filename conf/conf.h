/*
 * The configuration language: a router-style text file turned into plain,
 * validated structures with no side effects.  docs/config.md documents
 * every keyword; conf_print() writes the normalised form that
 * "show running-config" displays.
 *
 * A struct conf is immutable once loaded.  A reload parses a new one and
 * the daemon swaps it in only when it is free of errors.
 */
#ifndef FLEETVPN_CONF_H
#define FLEETVPN_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "log.h"

#define CONF_NAME_MAX	       32 /* proposal and peer names */
#define CONF_IFNAME_MAX	       16 /* tunnel names are interface names */
#define CONF_HOSTNAME_MAX      64
#define CONF_PATH_MAX	       108 /* sun_path of a control socket */
#define CONF_PSK_MAX	       128
#define CONF_ID_MAX	       128
#define CONF_DESCR_MAX	       128
#define CONF_PROPS_MAX	       8  /* ike proposals per peer */
#define CONF_ESP_MAX	       8  /* esp lines per ipsec proposal */
#define CONF_NETS_MAX	       16 /* local-/remote-network per tunnel */
#define CONF_ERRORS_MAX	       20 /* reported before giving up */
#define CONF_ERROR_LEN	       256
#define CONF_FILE_MAX	       (4u << 20)
#define CONF_LINE_MAX	       1024

#define CONF_CTL_DEFAULT       "/run/fleetvpn/fleetvpnd.sock"
#define CONF_RETRANS_DEFAULT_S 2
#define CONF_RETRANS_DEFAULT_N 5
#define CONF_STATE_DEFAULT     "/var/lib/fleetvpn"

enum conf_ike_enc {
	CONF_IKE_AES128,
	CONF_IKE_AES192,
	CONF_IKE_AES256,
	CONF_IKE_3DES
};

enum conf_hash {
	CONF_HASH_MD5,
	CONF_HASH_SHA1,
	CONF_HASH_SHA256,
	CONF_HASH_SHA384,
	CONF_HASH_SHA512
};

enum conf_esp_enc {
	CONF_ESP_AES128,
	CONF_ESP_AES192,
	CONF_ESP_AES256,
	CONF_ESP_3DES,
	CONF_ESP_AES128GCM,
	CONF_ESP_AES192GCM,
	CONF_ESP_AES256GCM
};

enum conf_esp_integ {
	CONF_INTEG_NONE, /* only with an AEAD cipher */
	CONF_INTEG_MD5,
	CONF_INTEG_SHA1,
	CONF_INTEG_SHA256,
	CONF_INTEG_SHA384,
	CONF_INTEG_SHA512
};

enum conf_mode { CONF_MODE_MAIN, CONF_MODE_AGGRESSIVE };

enum conf_id_type {
	CONF_ID_DEFAULT, /* the local/peer address */
	CONF_ID_ADDRESS,
	CONF_ID_FQDN,
	CONF_ID_USER_FQDN,
	CONF_ID_KEY_ID
};

enum conf_dpd_action { CONF_DPD_CLEAR, CONF_DPD_RESTART };

enum conf_natt {
	CONF_NATT_ON,	 /* negotiate; encapsulate when NAT is seen */
	CONF_NATT_FORCE, /* encapsulate even without NAT */
	CONF_NATT_OFF
};

enum conf_mss { CONF_MSS_OFF, CONF_MSS_AUTO, CONF_MSS_FIXED };

enum conf_frag {
	CONF_FRAG_POST, /* encrypt, then fragment the outer packet */
	CONF_FRAG_PRE,	/* fragment the inner packet, then encrypt */
	CONF_FRAG_OFF	/* honour DF: ICMP fragmentation-needed */
};

enum conf_df { CONF_DF_COPY, CONF_DF_CLEAR, CONF_DF_SET };

enum conf_initiate {
	CONF_INIT_ON_DEMAND, /* first packet routed into the tunnel */
	CONF_INIT_ALWAYS,    /* at start and whenever it goes down */
	CONF_INIT_RESPOND    /* never initiate */
};

struct conf_lifetime {
	uint32_t seconds;
	uint64_t kilobytes; /* 0 = no volume limit */
};

struct conf_id {
	enum conf_id_type type;
	struct addr addr;	 /* CONF_ID_ADDRESS */
	char value[CONF_ID_MAX]; /* the other types */
};

struct conf_ike_proposal {
	TAILQ_ENTRY(conf_ike_proposal) entry;
	char name[CONF_NAME_MAX];
	int line;
	enum conf_ike_enc enc;
	enum conf_hash hash;
	int group; /* DH group number */
	struct conf_lifetime lifetime;
};

struct conf_ike_peer {
	TAILQ_ENTRY(conf_ike_peer) entry;
	char name[CONF_NAME_MAX];
	int line;
	int any; /* "address any": dynamic peer */
	struct addr addr;
	struct addr local_addr; /* AF_UNSPEC = chosen by routing */
	enum conf_mode mode;
	char psk[CONF_PSK_MAX]; /* secret: wiped on free */
	size_t psk_len;
	struct conf_ike_proposal *props[CONF_PROPS_MAX];
	int nprops;
	uint32_t dpd_interval; /* seconds; 0 = DPD off */
	uint32_t dpd_retries;
	enum conf_dpd_action dpd_action;
	enum conf_natt natt;
	uint32_t natt_keepalive; /* seconds */
	int initial_contact;
	struct conf_id local_id;
	struct conf_id remote_id;
};

struct conf_esp {
	enum conf_esp_enc enc;
	enum conf_esp_integ integ;
};

struct conf_ipsec_proposal {
	TAILQ_ENTRY(conf_ipsec_proposal) entry;
	char name[CONF_NAME_MAX];
	int line;
	struct conf_esp esp[CONF_ESP_MAX]; /* in order of preference */
	int nesp;
	int pfs_group; /* 0 = no PFS */
	struct conf_lifetime lifetime;
};

struct conf_tunnel {
	TAILQ_ENTRY(conf_tunnel) entry;
	char name[CONF_IFNAME_MAX];
	int line;
	char description[CONF_DESCR_MAX];
	int shutdown;
	struct conf_ike_peer *peer;
	struct conf_ipsec_proposal *proposal;
	struct prefix local[CONF_NETS_MAX];
	int nlocal;
	struct prefix remote[CONF_NETS_MAX];
	int nremote;
	uint32_t mtu;
	enum conf_mss mss;
	uint32_t mss_value; /* CONF_MSS_FIXED */
	enum conf_frag frag;
	enum conf_df df;
	uint32_t replay_window;
	enum conf_initiate initiate;
};

TAILQ_HEAD(conf_ike_proposals, conf_ike_proposal);
TAILQ_HEAD(conf_ike_peers, conf_ike_peer);
TAILQ_HEAD(conf_ipsec_proposals, conf_ipsec_proposal);
TAILQ_HEAD(conf_tunnels, conf_tunnel);

struct conf {
	char path[4096]; /* the file it came from */
	char hostname[CONF_HOSTNAME_MAX];
	char ctl_path[CONF_PATH_MAX];
	char ctl_group[CONF_NAME_MAX]; /* "" = root's group */
	char pid_path[CONF_PATH_MAX];
	char state_dir[CONF_PATH_MAX];
	char spool_dir[CONF_PATH_MAX];
	size_t log_buffered;		/* ring entries; 0 = off */
	uint32_t ike_retrans_s;		/* first resend after; then doubled */
	uint32_t ike_retrans_count;	/* resends before "no answer" */
	char key_export[CONF_PATH_MAX]; /* testing only; "" = off */
	enum log_level log_level[LOG_SUB_COUNT];
	struct conf_ike_proposals ike_proposals;
	struct conf_ike_peers ike_peers;
	struct conf_ipsec_proposals ipsec_proposals;
	struct conf_tunnels tunnels;
	int ntunnels;
};

/* Diagnostics of one parse: "FILE:LINE: message", in file order. */
struct conf_errors {
	char msg[CONF_ERRORS_MAX][CONF_ERROR_LEN];
	int count; /* stored */
	int total; /* seen, may exceed CONF_ERRORS_MAX */
};

/*
 * conf.c
 *
 * conf_new() returns a configuration with every default in place (what an
 * empty file gives).  conf_parse() and conf_load() clear *errs first; errs
 * may be NULL.  Both return NULL when there was any error.
 */
struct conf *conf_new(void);
void conf_free(struct conf *);
struct conf *conf_load(const char *, struct conf_errors *);
struct conf *conf_parse(const char *, const char *, size_t,
			struct conf_errors *);
struct conf_ike_proposal *conf_ike_proposal_find(const struct conf *,
						 const char *);
struct conf_ike_peer *conf_ike_peer_find(const struct conf *, const char *);
struct conf_ipsec_proposal *conf_ipsec_proposal_find(const struct conf *,
						     const char *);
struct conf_tunnel *conf_tunnel_find(const struct conf *, const char *);

/* conf_print.c */
#define CONF_PRINT_SECRETS 0x1 /* print keys; never for operators */
int conf_print(const struct conf *, struct buf *, int);

/* conf_names.c: keyword <-> value tables shared by parser and printer */
const char *conf_ike_enc_name(enum conf_ike_enc);
const char *conf_hash_name(enum conf_hash);
const char *conf_esp_enc_name(enum conf_esp_enc);
const char *conf_esp_integ_name(enum conf_esp_integ);
const char *conf_mode_name(enum conf_mode);
const char *conf_id_type_name(enum conf_id_type);
const char *conf_dpd_action_name(enum conf_dpd_action);
const char *conf_natt_name(enum conf_natt);
const char *conf_frag_name(enum conf_frag);
const char *conf_df_name(enum conf_df);
const char *conf_initiate_name(enum conf_initiate);
int conf_group_valid(int);
int conf_esp_is_aead(enum conf_esp_enc);

#endif
