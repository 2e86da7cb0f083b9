/*
 * The keyword <-> value tables of the configuration language.  The parser
 * and the printer both use them, so a value always prints as the keyword
 * that parses back to it.
 */
#include <string.h>

#include "conf_int.h"
#include "str.h"

struct names {
	const char *name;
	int value;
};

static const struct names ike_enc[] = {
    {"aes-128", CONF_IKE_AES128},
    {"aes-192", CONF_IKE_AES192},
    {"aes-256", CONF_IKE_AES256},
    {"3des", CONF_IKE_3DES},
    {NULL, 0},
};

static const struct names hash[] = {
    {"md5", CONF_HASH_MD5},	  {"sha1", CONF_HASH_SHA1},
    {"sha256", CONF_HASH_SHA256}, {"sha384", CONF_HASH_SHA384},
    {"sha512", CONF_HASH_SHA512}, {NULL, 0},
};

/* The MODP and ECP groups an IKEv1 peer of today can be expected to do. */
static const struct names group[] = {
    {"2", 2},	{"5", 5},   {"14", 14}, {"15", 15}, {"16", 16},
    {"19", 19}, {"20", 20}, {"21", 21}, {NULL, 0},
};

static const struct names esp_enc[] = {
    {"aes-128", CONF_ESP_AES128},	 {"aes-192", CONF_ESP_AES192},
    {"aes-256", CONF_ESP_AES256},	 {"3des", CONF_ESP_3DES},
    {"aes-128-gcm", CONF_ESP_AES128GCM}, {"aes-192-gcm", CONF_ESP_AES192GCM},
    {"aes-256-gcm", CONF_ESP_AES256GCM}, {NULL, 0},
};

/* "none" is not a keyword: an AEAD cipher simply names no algorithm. */
static const struct names esp_integ[] = {
    {"md5", CONF_INTEG_MD5},	   {"sha1", CONF_INTEG_SHA1},
    {"sha256", CONF_INTEG_SHA256}, {"sha384", CONF_INTEG_SHA384},
    {"sha512", CONF_INTEG_SHA512}, {NULL, 0},
};

static const struct names mode[] = {
    {"main", CONF_MODE_MAIN},
    {"aggressive", CONF_MODE_AGGRESSIVE},
    {NULL, 0},
};

static const struct names dpd_action[] = {
    {"clear", CONF_DPD_CLEAR},
    {"restart", CONF_DPD_RESTART},
    {NULL, 0},
};

static const struct names natt[] = {
    {"on", CONF_NATT_ON},
    {"off", CONF_NATT_OFF},
    {"force", CONF_NATT_FORCE},
    {NULL, 0},
};

static const struct names onoff[] = {
    {"on", 1},
    {"off", 0},
    {NULL, 0},
};

static const struct names frag[] = {
    {"post", CONF_FRAG_POST},
    {"pre", CONF_FRAG_PRE},
    {"off", CONF_FRAG_OFF},
    {NULL, 0},
};

static const struct names df[] = {
    {"copy", CONF_DF_COPY},
    {"clear", CONF_DF_CLEAR},
    {"set", CONF_DF_SET},
    {NULL, 0},
};

static const struct names initiate[] = {
    {"on-demand", CONF_INIT_ON_DEMAND},
    {"always", CONF_INIT_ALWAYS},
    {"never", CONF_INIT_RESPOND},
    {NULL, 0},
};

static const struct names id_type[] = {
    {"default", CONF_ID_DEFAULT}, {"address", CONF_ID_ADDRESS},
    {"fqdn", CONF_ID_FQDN},	  {"user-fqdn", CONF_ID_USER_FQDN},
    {"key-id", CONF_ID_KEY_ID},	  {NULL, 0},
};

static const struct names *const tables[CONF_NAMES_COUNT] = {
    [CONF_NAMES_IKE_ENC] = ike_enc,
    [CONF_NAMES_HASH] = hash,
    [CONF_NAMES_GROUP] = group,
    [CONF_NAMES_ESP_ENC] = esp_enc,
    [CONF_NAMES_ESP_INTEG] = esp_integ,
    [CONF_NAMES_MODE] = mode,
    [CONF_NAMES_DPD_ACTION] = dpd_action,
    [CONF_NAMES_NATT] = natt,
    [CONF_NAMES_ONOFF] = onoff,
    [CONF_NAMES_FRAG] = frag,
    [CONF_NAMES_DF] = df,
    [CONF_NAMES_INITIATE] = initiate,
};

static const char *
names_name(const struct names *t, int value)
{
	for (; t->name != NULL; t++)
		if (t->value == value)
			return t->name;
	return "?";
}

int
conf_names_parse(enum conf_names which, const char *s, int *out)
{
	const struct names *t;

	if ((unsigned)which >= CONF_NAMES_COUNT)
		return -1;
	for (t = tables[which]; t->name != NULL; t++)
		if (strcmp(t->name, s) == 0) {
			*out = t->value;
			return 0;
		}
	return -1;
}

const char *
conf_names_name(enum conf_names which, int value)
{
	if ((unsigned)which >= CONF_NAMES_COUNT)
		return "?";
	return names_name(tables[which], value);
}

/* "aes-128, aes-192, aes-256, 3des": the allowed values, for messages. */
char *
conf_names_list(enum conf_names which, char *out, size_t len)
{
	const struct names *t;
	size_t off = 0;

	if (len > 0)
		out[0] = '\0';
	if ((unsigned)which >= CONF_NAMES_COUNT)
		return out;
	for (t = tables[which]; t->name != NULL && off < len; t++) {
		if (off > 0)
			off += str_lcpy(out + off, ", ", len - off);
		if (off < len)
			off += str_lcpy(out + off, t->name, len - off);
	}
	return out;
}

const char *
conf_ike_enc_name(enum conf_ike_enc v)
{
	return names_name(ike_enc, (int)v);
}

const char *
conf_hash_name(enum conf_hash v)
{
	return names_name(hash, (int)v);
}

const char *
conf_esp_enc_name(enum conf_esp_enc v)
{
	return names_name(esp_enc, (int)v);
}

const char *
conf_esp_integ_name(enum conf_esp_integ v)
{
	return v == CONF_INTEG_NONE ? "none" : names_name(esp_integ, (int)v);
}

const char *
conf_mode_name(enum conf_mode v)
{
	return names_name(mode, (int)v);
}

const char *
conf_id_type_name(enum conf_id_type v)
{
	return names_name(id_type, (int)v);
}

const char *
conf_dpd_action_name(enum conf_dpd_action v)
{
	return names_name(dpd_action, (int)v);
}

const char *
conf_natt_name(enum conf_natt v)
{
	return names_name(natt, (int)v);
}

const char *
conf_frag_name(enum conf_frag v)
{
	return names_name(frag, (int)v);
}

const char *
conf_df_name(enum conf_df v)
{
	return names_name(df, (int)v);
}

const char *
conf_initiate_name(enum conf_initiate v)
{
	return names_name(initiate, (int)v);
}

int
conf_group_valid(int g)
{
	const struct names *t;

	for (t = group; t->name != NULL; t++)
		if (t->value == g)
			return 1;
	return 0;
}

int
conf_esp_is_aead(enum conf_esp_enc v)
{
	return v == CONF_ESP_AES128GCM || v == CONF_ESP_AES192GCM ||
	       v == CONF_ESP_AES256GCM;
}
