/*
 * Handlers of the IKE, IPsec and tunnel commands: "show ike sa", "show
 * ipsec sa", "show ike statistics", "show tunnel", "clear ike sa",
 * "clear ipsec sa", "rekey ipsec sa".
 */
#include <string.h>

#include "daemon.h"

/* [detail] [NAME]: either may be absent, "detail" comes first. */
static void
handlers_ike_args(int argc, char **argv, int *detail, const char **name)
{
	*detail = 0;
	*name = NULL;
	if (argc > 0 && strcmp(argv[0], "detail") == 0) {
		*detail = 1;
		argc--;
		argv++;
	}
	if (argc > 0)
		*name = argv[0];
}

static int
handlers_ike_engine(struct daemon *d, struct buf *err)
{
	if (d->engine != NULL)
		return 0;
	buf_adds(err, "the IKE engine is not running");
	return -1;
}

static int
handlers_ike_known(struct daemon *d, const char *name, int tunnel,
		   struct buf *err)
{
	if (name == NULL)
		return 0;
	if (tunnel ? conf_tunnel_find(d->conf, name) != NULL
		   : conf_ike_peer_find(d->conf, name) != NULL)
		return 0;
	buf_printf(err, "no %s named '%s'", tunnel ? "tunnel" : "ike peer",
		   name);
	return -1;
}

int
handlers_ike_show_sa(struct daemon *d, int argc, char **argv, struct json_w *w,
		     struct buf *err)
{
	const char *name;
	int detail;

	handlers_ike_args(argc, argv, &detail, &name);
	if (handlers_ike_engine(d, err) == -1 ||
	    handlers_ike_known(d, name, 0, err) == -1)
		return -1;
	engine_show_ike_sa(d->engine, w, name, detail);
	return 0;
}

int
handlers_ike_show_ipsec(struct daemon *d, int argc, char **argv,
			struct json_w *w, struct buf *err)
{
	const char *name;
	int detail;

	handlers_ike_args(argc, argv, &detail, &name);
	if (handlers_ike_engine(d, err) == -1 ||
	    handlers_ike_known(d, name, 1, err) == -1)
		return -1;
	engine_show_ipsec_sa(d->engine, w, name, detail);
	return 0;
}

int
handlers_ike_stats(struct daemon *d, int argc, char **argv, struct json_w *w,
		   struct buf *err)
{
	if (handlers_ike_engine(d, err) == -1)
		return -1;
	engine_show_ike_stats(d->engine, w);
	return 0;
}

/* [NAME] of a peer or tunnel that exists, with an engine to ask. */
static int
handlers_ike_target(struct daemon *d, int argc, char **argv, int tunnel,
		    const char **name, struct buf *err)
{
	*name = argc > 0 ? argv[0] : NULL;
	if (handlers_ike_engine(d, err) == -1 ||
	    handlers_ike_known(d, *name, tunnel, err) == -1)
		return -1;
	return 0;
}

/* {"KEY": n, "what": WHAT}: how many SAs an action touched. */
static void
handlers_ike_count(struct json_w *w, const char *key, int n, const char *what)
{
	json_obj_open(w);
	json_kv_int(w, key, n);
	if (what != NULL)
		json_kv_str(w, "what", what);
	json_obj_close(w);
}

int
handlers_ike_clear_sa(struct daemon *d, int argc, char **argv, struct json_w *w,
		      struct buf *err)
{
	const char *name;

	if (handlers_ike_target(d, argc, argv, 0, &name, err) == -1)
		return -1;
	handlers_ike_count(w, "cleared", engine_clear_ike_sa(d->engine, name),
			   "ISAKMP SA");
	return 0;
}

int
handlers_ike_clear_ipsec(struct daemon *d, int argc, char **argv,
			 struct json_w *w, struct buf *err)
{
	const char *name;

	if (handlers_ike_target(d, argc, argv, 1, &name, err) == -1)
		return -1;
	handlers_ike_count(w, "cleared", engine_clear_ipsec_sa(d->engine, name),
			   "IPsec SA");
	return 0;
}

int
handlers_ike_show_tunnel(struct daemon *d, int argc, char **argv,
			 struct json_w *w, struct buf *err)
{
	const char *name;

	if (handlers_ike_target(d, argc, argv, 1, &name, err) == -1)
		return -1;
	engine_show_tunnels(d->engine, w, name);
	return 0;
}

int
handlers_ike_rekey_ipsec(struct daemon *d, int argc, char **argv,
			 struct json_w *w, struct buf *err)
{
	const char *name;

	if (handlers_ike_target(d, argc, argv, 1, &name, err) == -1)
		return -1;
	handlers_ike_count(w, "rekeyed", engine_rekey_ipsec_sa(d->engine, name),
			   NULL);
	return 0;
}
