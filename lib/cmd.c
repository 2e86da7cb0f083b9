/*
 * The command table and its matcher; see cmd.h.  Words may be abbreviated
 * to any unique prefix ("sh run"), as on a router.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "str.h"

static const struct cmd_def cmds[CMD_COUNT] = {
    {CMD_SHOW_VERSION, "show version", NULL, 0, 0, 0,
     "software version and build"},
    {CMD_SHOW_STATUS, "show status", NULL, 0, 0, 0,
     "uptime, configuration state, tunnels configured and up"},
    {CMD_SHOW_RUNNING_CONFIG, "show running-config", NULL, 0, 0, 0,
     "the configuration in force, normalised, secrets masked"},
    {CMD_SHOW_LOGGING, "show logging", "[SUBSYSTEM] [last N]", 0, 3, 0,
     "the buffered event log, oldest first"},
    {CMD_CLEAR_LOGGING, "clear logging", NULL, 0, 0, CMD_F_MODIFY,
     "empty the buffered event log"},
    {CMD_RELOAD, "reload", NULL, 0, 0, CMD_F_MODIFY,
     "re-read the configuration file; on error keep the running one"},
    {CMD_DEBUG, "debug", "SUBSYSTEM|all LEVEL|default", 2, 2, CMD_F_MODIFY,
     "set a subsystem's log level until reset or restart"},
    {CMD_SHOW_IKE_SA, "show ike sa", "[detail] [PEER]", 0, 2, 0,
     "ISAKMP SAs (phase 1) and per-peer phase counters"},
    {CMD_SHOW_IPSEC_SA, "show ipsec sa", "[detail] [TUNNEL]", 0, 2, 0,
     "IPsec SAs (phase 2) per tunnel"},
    {CMD_SHOW_IKE_STATS, "show ike statistics", NULL, 0, 0, 0,
     "IKE counters: phases, drops by reason, notifications, sockets"},
    {CMD_CLEAR_IKE_SA, "clear ike sa", "[PEER]", 0, 1, CMD_F_MODIFY,
     "delete ISAKMP SAs, telling the peers"},
    {CMD_CLEAR_IPSEC_SA, "clear ipsec sa", "[TUNNEL]", 0, 1, CMD_F_MODIFY,
     "delete IPsec SAs, telling the peers"},
    {CMD_SHOW_TUNNEL, "show tunnel", "[TUNNEL]", 0, 1, 0,
     "tunnel interfaces: state, settings, traffic and drop counters"},
    {CMD_SHOW_INTERFACES, "show interfaces", "[TUNNEL]", 0, 1, 0,
     "the same as show tunnel"},
    {CMD_REKEY_IPSEC_SA, "rekey ipsec sa", "[TUNNEL]", 0, 1, CMD_F_MODIFY,
     "replace IPsec SAs now, the new pair before the old goes"},
};

const struct cmd_def *
cmd_get(enum cmd_id id)
{
	return (unsigned)id < CMD_COUNT ? &cmds[id] : NULL;
}

size_t
cmd_count(void)
{
	return CMD_COUNT;
}

const struct cmd_def *
cmd_at(size_t i)
{
	return i < CMD_COUNT ? &cmds[i] : NULL;
}

/*
 * How well argv matches the command's words: -1 no match, else the number
 * of words, with *exact telling whether every word was spelled in full.
 */
static int
cmd_score(const struct cmd_def *c, int argc, char *const *argv, int *exact)
{
	char words[128], *w, *save = NULL;
	int n = 0;

	*exact = 1;
	str_lcpy(words, c->words, sizeof(words));
	for (w = strtok_r(words, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		if (n >= argc || argv[n][0] == '\0' || !str_prefix(w, argv[n]))
			return -1;
		if (strcmp(w, argv[n]) != 0)
			*exact = 0;
		n++;
	}
	return n;
}

/*
 * Find the command argv names.  *nwords receives how many leading argv
 * words the command's name took; the rest are its arguments.  On failure
 * "err" says why (unknown, ambiguous, wrong number of arguments).
 */
const struct cmd_def *
cmd_match(int argc, char *const *argv, int *nwords, char *err, size_t errlen)
{
	const struct cmd_def *best = NULL;
	int bestn = -1, bestexact = 0, ambiguous = 0, nargs;
	size_t i;

	for (i = 0; i < CMD_COUNT; i++) {
		int exact, n = cmd_score(&cmds[i], argc, argv, &exact);

		if (n < 0 || n < bestn)
			continue;
		if (n > bestn || (exact && !bestexact)) {
			best = &cmds[i];
			bestn = n;
			bestexact = exact;
			ambiguous = 0;
		} else if (exact == bestexact) {
			ambiguous = 1;
		}
	}
	if (best == NULL) {
		snprintf(err, errlen, "unknown command");
		return NULL;
	}
	if (ambiguous) {
		snprintf(err, errlen, "ambiguous command");
		return NULL;
	}
	nargs = argc - bestn;
	if (nargs < best->minargs || nargs > best->maxargs) {
		snprintf(err, errlen, "usage: %s%s%s", best->words,
			 best->args ? " " : "", best->args ? best->args : "");
		return NULL;
	}
	*nwords = bestn;
	return best;
}

void
cmd_usage(struct buf *b)
{
	size_t i;

	for (i = 0; i < CMD_COUNT; i++) {
		char full[96];

		snprintf(full, sizeof(full), "%s%s%s", cmds[i].words,
			 cmds[i].args ? " " : "",
			 cmds[i].args ? cmds[i].args : "");
		buf_printf(b, "  %-40s %s\n", full, cmds[i].help);
	}
}
