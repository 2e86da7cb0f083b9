/*
 * The command table: every operator command, shared by the CLI (to match
 * abbreviations, print help and pick a renderer) and the daemon (to match
 * again, never trusting the client, and pick a handler).
 */
#ifndef FLEETVPN_CMD_H
#define FLEETVPN_CMD_H

#include <stddef.h>

#include "buf.h"

enum cmd_id {
	CMD_SHOW_VERSION,
	CMD_SHOW_STATUS,
	CMD_SHOW_RUNNING_CONFIG,
	CMD_SHOW_LOGGING,
	CMD_CLEAR_LOGGING,
	CMD_RELOAD,
	CMD_DEBUG,
	CMD_SHOW_IKE_SA,
	CMD_SHOW_IPSEC_SA,
	CMD_SHOW_IKE_STATS,
	CMD_CLEAR_IKE_SA,
	CMD_CLEAR_IPSEC_SA,
	CMD_SHOW_TUNNEL,
	CMD_SHOW_INTERFACES,
	CMD_REKEY_IPSEC_SA,
	CMD_COUNT
};

#define CMD_F_MODIFY 0x1 /* changes state: logged with the caller */

struct cmd_def {
	enum cmd_id id;
	const char *words; /* fixed words, space-separated */
	const char *args;  /* usage of the arguments, or NULL */
	int minargs;
	int maxargs;
	int flags;
	const char *help;
};

#define CMD_WORDS_MAX 6

const struct cmd_def *cmd_match(int, char *const *, int *, char *, size_t);
const struct cmd_def *cmd_get(enum cmd_id);
size_t cmd_count(void);
const struct cmd_def *cmd_at(size_t);
void cmd_usage(struct buf *);

#endif
