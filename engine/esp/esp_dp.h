/*
 * The data plane's run-time objects, shared by esp_dp.c (the control
 * side), esp_tx.c and esp_rx.c (the two worker threads).
 *
 * Ownership: the control thread (the event loop) creates every object;
 * after it hands one to a worker with a command, only that worker
 * changes it, until the worker gives it back on a delete.  Counters have
 * one writer each and are read with relaxed atomic loads: no lock on the
 * packet path.  Commands and the way back go through small mutexed
 * queues, woken by an eventfd each way.
 */
#ifndef FLEETVPN_ESP_DP_H
#define FLEETVPN_ESP_DP_H

#include <pthread.h>
#include <stdint.h>
#include <sys/queue.h>

#include "conf.h"
#include "esp.h"
#include "sad.h"

#define DP_BATCH       64	/* packets per read or send burst */
#define DP_PENDING_MAX 32	/* packets waiting for an SA, per tunnel */
#define DP_PENDING_MS  10000	/* ... for so long at most */
#define DP_SWITCH_MS   400	/* a rekeyed outbound SA takes over after */
#define DP_HEADROOM    (60 + 8) /* outer IPv4/IPv6 + UDP */
#define DP_BUF	       (ESP_PKT_MAX + DP_HEADROOM + 256)
#define DP_IN_BUCKETS  1024
#define DP_RCVBUF      (4 << 20) /* receive buffer of each ESP socket */

/* Relaxed atomics: one writer, readers anywhere, no tearing. */
#define DP_ADD(p, v) __atomic_store_n(&(p), (p) + (v), __ATOMIC_RELAXED)
#define DP_GET(p)    __atomic_load_n(&(p), __ATOMIC_RELAXED)

struct dp_counters {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t drops[ESP_DROP_COUNT];
	uint64_t frags; /* fragments made */
	uint64_t mss;	/* MSS rewrites */
	uint64_t icmp;	/* ICMP too-big sent */
};

/* What a tunnel does with packets: set by control, read by workers. */
struct dp_tunset {
	uint32_t mtu;
	enum conf_mss mss;
	uint32_t mss_value;
	enum conf_frag frag;
	enum conf_df df;
	struct addr icmp_src4; /* our address towards the local LAN */
	struct addr icmp_src6;
	int nlocal; /* the configured networks: what may enter */
	int nremote;
	struct prefix local[CONF_NETS_MAX];
	struct prefix remote[CONF_NETS_MAX];
};

struct dp_pending {
	uint8_t *pkt;
	size_t len;
	uint64_t at_ms; /* queued at */
};

struct dp_out;

struct dp_tunnel {
	TAILQ_ENTRY(dp_tunnel) entry; /* control's list */
	char name[CONF_IFNAME_MAX];
	int fd; /* TUN */
	int ifindex;
	int nroutes;
	struct prefix routes[CONF_NETS_MAX];
	struct dp_tunset set;	/* control's copy */
	struct dp_tunset txset; /* TX's copy (TUN_SET updates it) */
	struct dp_tunset rxset; /* RX's copy */
	/* TX-owned */
	struct dp_out *outs;
	struct dp_pending pend[DP_PENDING_MAX];
	int npend;
	uint64_t acquire_ms;   /* last acquire sent (rate limit) */
	uint32_t mss_auto;     /* TX sets it from the SA, RX reads it */
	struct dp_counters tx; /* written by TX */
	struct dp_counters rx; /* written by RX */
	int seen;	       /* reconfiguration mark */
};

struct dp_out {
	struct dp_out *next; /* in its tunnel, TX-owned */
	struct esp_sa sa;
	struct dp_tunnel *tun;
	int family;
	struct addr src;
	struct addr dst;
	uint16_t sport; /* both 0: raw ESP */
	uint16_t dport;
	uint32_t pmtu;
	size_t hdrlen;	  /* outer headers we write: IPv4 (+ UDP), or UDP */
	size_t ovh;	  /* outer headers on the wire: IPv4/IPv6 (+ UDP) */
	size_t inner_max; /* largest inner packet in one outer */
	uint16_t mss4;	  /* "tcp-mss auto" for IPv4 inside */
	uint64_t life_bytes;
	uint64_t activate_ms; /* rekey: 0 = active now */
	int retire;	      /* deleted while its successor waits */
	int soft_sent;
	int hard_sent;
	uint64_t pkts; /* written by TX */
	uint64_t bytes;
};

struct dp_in {
	struct dp_in *hnext; /* RX's hash chain */
	struct esp_sa sa;
	struct dp_tunnel *tun;
	uint64_t pkts; /* written by RX */
	uint64_t bytes;
};

enum dp_cmd_type {
	DP_CMD_TUN_ADD,
	DP_CMD_TUN_DEL,
	DP_CMD_TUN_SET,
	DP_CMD_OUT_ADD,
	DP_CMD_OUT_DEL,
	DP_CMD_IN_ADD,
	DP_CMD_IN_DEL,
	DP_CMD_UDP_ADD,
	DP_CMD_UDP_DEL,
	DP_CMD_STOP
};

struct dp_cmd {
	struct dp_cmd *next;
	enum dp_cmd_type type;
	void *obj;
	uint32_t spi;
	int fd;
	struct addr bound;
	uint16_t port;
	struct dp_tunset set;
	int sync; /* the sender waits for "done" */
	int done;
};

enum dp_up_type {
	DP_UP_ACQUIRE,
	DP_UP_IKE,
	DP_UP_REKEY,
	DP_UP_EXPIRE,
	DP_UP_FREE_OUT, /* a deleted object, back to control */
	DP_UP_FREE_IN
};

struct dp_up {
	struct dp_up *next;
	enum dp_up_type type;
	char tunnel[CONF_IFNAME_MAX];
	uint32_t spi;
	void *obj;
	struct addr local;
	struct addr remote;
	uint16_t lport;
	uint16_t rport;
	size_t len;
	uint8_t data[]; /* DP_UP_IKE: the datagram */
};

struct dp_udp {
	int fd;
	int family;
	struct addr bound;
	uint16_t port;
};

#define DP_UDP_MAX 8

/* One worker thread and its command queue. */
struct dp_worker {
	struct esp_dp *dp;
	int inited;
	pthread_t thread;
	int running;
	int epfd;
	int wake; /* eventfd: commands waiting */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void *priv; /* the worker's own state */
	struct dp_cmd *cmds;
	struct dp_cmd **cmds_tail;
	int stop;
};

struct esp_dp {
	struct ev_loop *loop;
	struct esp_dp_hooks hooks;
	struct sad_ops sad_ops;
	struct dp_worker tx;
	struct dp_worker rx;
	int raw4;		       /* IPPROTO_RAW: IPv4 out, headers ours */
	int esp4;		       /* IPPROTO_ESP: IPv4 ESP in */
	int esp6;		       /* IPPROTO_ESP: IPv6 ESP in and out */
	int udp6;		       /* IPPROTO_UDP: IPv6 ESP-in-UDP out */
	struct dp_udp udp[DP_UDP_MAX]; /* UDP 4500, RX reads */
	int nudp;
	TAILQ_HEAD(, dp_tunnel) tunnels; /* control's */
	/* control's index of installed directions, for stats and deletes */
	struct dp_ix *index[DP_IN_BUCKETS];
	/* the way back */
	pthread_mutex_t up_lock;
	struct dp_up *up;
	struct dp_up **up_tail;
	struct ev_async *up_async;
	struct dp_counters rx_global; /* RX drops with no tunnel */
	char key_export[CONF_PATH_MAX];
};

/* esp_dp.c (shared with the workers) */
struct dp_up *esp_dp_up_new(enum dp_up_type, size_t);
void esp_dp_up_send(struct esp_dp *, struct dp_up *);
void esp_dp_cmds_run(struct dp_worker *,
		     void (*)(struct dp_worker *, struct dp_cmd *));
uint64_t esp_dp_now_ms(void);

/* esp_tx.c */
void *esp_tx_main(void *);

/* esp_rx.c */
void *esp_rx_main(void *);

#endif
