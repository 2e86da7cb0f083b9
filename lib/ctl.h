/*
 * The control protocol between fleetvpn (CLI) and fleetvpnd, over a UNIX
 * stream socket.  Every message is one frame:
 *
 *	0      2       3      4              8
 *	+------+-------+------+--------------+-------------------+
 *	| "FV" | vers  | type | length (BE)  | body: JSON object |
 *	+------+-------+------+--------------+-------------------+
 *
 * A request body is {"argv": ["show", "status"]}; a reply body is the
 * command's structured result (type REPLY) or {"error": "...", ...}
 * (type ERROR).  Several requests may follow each other on a connection.
 * docs/control.md describes every reply.
 */
#ifndef FLEETVPN_CTL_H
#define FLEETVPN_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CTL_MAGIC0    'F'
#define CTL_MAGIC1    'V'
#define CTL_VERSION   1
#define CTL_HDR_LEN   8
#define CTL_REQ_MAX   8192	  /* a request is a short command line */
#define CTL_REPLY_MAX (32u << 20) /* tech-support of a big box */
#define CTL_ARGV_MAX  32
#define CTL_ARG_MAX   256

enum ctl_type { CTL_REQUEST = 1, CTL_REPLY = 2, CTL_ERROR = 3 };

struct ctl_hdr {
	uint8_t version;
	uint8_t type;
	uint32_t len;
};

void ctl_hdr_encode(uint8_t *, enum ctl_type, uint32_t);
int ctl_hdr_decode(const uint8_t *, size_t, struct ctl_hdr *, const char **);
int ctl_frame(struct buf *, enum ctl_type, const void *, size_t);
int ctl_connect(const char *, char *, size_t);
int ctl_call(int, const struct buf *, struct buf *, enum ctl_type *, int,
	     char *, size_t);
int ctl_request_encode(struct buf *, int, char *const *);

#endif
