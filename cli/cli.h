/*
 * fleetvpn, the operator's command line: renderers that turn the daemon's
 * structured replies into the text an operator reads.
 */
#ifndef FLEETVPN_CLI_H
#define FLEETVPN_CLI_H

#include <stdio.h>

#include "cmd.h"
#include "json.h"

/* render.c */
typedef void render_fn(FILE *, const struct json_val *);
render_fn *render_get(enum cmd_id);
void render_error(FILE *, const struct json_val *);

/* render_ike.c */
render_fn render_ike_sa;
render_fn render_ipsec_sa;
render_fn render_ike_stats;
render_fn render_ike_clear;
render_fn render_tunnel;
render_fn render_ike_rekey;

#endif
