/* Statistics fields: one table per kind of object (a service, a server, a
 * check, a VRRP instance, an XDP service...) saying, for each figure a user
 * can see, its name, its type, a line of help and where it is read from.
 *
 * Every JSON document of the control socket (`list --json`, `show checks
 * --json`, `show vrrp --json`, `show xdp --json`) is written by one walker
 * (core/stats.c) from these tables; a /metrics exporter and HAProxy's CSV
 * will be written from the same tables (HAProxy's ST_F_* fields serve both
 * its `show stat` and its Prometheus exporter the same way).  A field added
 * to a table appears in every output made from it.  doc/internals/stats.md
 * says how to add one.
 *
 * The tables are const data next to the code that owns the objects they
 * read (a table reading a type private to check/ lives in check/); the
 * walker knows none of those types: it sees `const void *` objects and the
 * fields' offsets and getters. */
#ifndef FC_CORE_STATS_T_H
#define FC_CORE_STATS_T_H

#include <stddef.h>
#include <stdint.h>

/* What a field is.  The type says how the JSON writer prints it and what a
 * metrics exporter will make of it (a counter, a gauge, a label...). */
enum stat_type {
	STAT_COUNTER = 1, /* unsigned integer that only grows: packets, attempts */
	STAT_GAUGE,	  /* integer that goes up and down: connections, weight */
	STAT_CONFIG,	  /* integer set by the configuration: rise, interval */
	STAT_FLOAT,	  /* a real number (3 decimals): rates, seconds ago */
	STAT_STRING,	  /* free text or an identity: a name, an address, a reason */
	STAT_ENUM,	  /* one word of a fixed set: a state */
	STAT_BOOL,	  /* true / false */
	STAT_OBJECT,	  /* a nested object: the fields of `sub` */
	STAT_LIST,	  /* an array: an object of `sub` for each item */
	STAT_INLINE,	  /* `sub`'s fields written as members of this object */
	STAT__COUNT
};

/* How a field without a getter is loaded from `off` bytes into the object. */
enum stat_load {
	STAT_LD_NONE = 0, /* the field has a getter */
	STAT_LD_U32,	  /* uint32_t / unsigned */
	STAT_LD_U64,	  /* uint64_t */
	STAT_LD_INT,	  /* int */
	STAT_LD_DOUBLE,	  /* double */
	STAT_LD_CHARS,	  /* char[size]: copied bounded and terminated */
	STAT_LD_STR,	  /* const char * (NULL is written null) */
	STAT_LD_SUB,	  /* OBJECT, INLINE: a member struct, read by sub */
};

/* One value read by a getter (or a load); which member by the type. */
union stat_val {
	unsigned long long u; /* COUNTER */
	long long i;	      /* GAUGE, CONFIG */
	double d;	      /* FLOAT */
	const char *s;	      /* STRING, ENUM */
	int b;		      /* BOOL */
	const void *p;	      /* OBJECT, INLINE: the object sub reads; LIST: the first item */
};

/* What a getter found. */
enum stat_got {
	STAT_OMIT = -1, /* no such member here: the writer leaves it out */
	STAT_NULL = 0,	/* the member is there with no value (JSON null) */
	STAT_SET = 1,	/* *v holds the value */
};

/* A walk's scratch: the time every age is measured from, and room for a
 * getter to format a string into (an address; a reason copied bounded).
 * A string value is written before the next getter runs. */
struct stat_ctx {
	uint64_t now_ms;   /* loop_clock_ms() when the command started */
	const void *owner; /* while an item of a list is written: the object
			    * holding the list (a server's getters may need
			    * its service); set by the walker */
	char buf[256];
};

struct stat_table;

struct stat_field {
	const char *name; /* the JSON member name; a metric's name later */
	enum stat_type type;
	const char *help; /* one line: what it counts or says, and its unit */
	/* where the value is: a getter, or a load at an offset */
	enum stat_got (*get)(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v);
	enum stat_load load;
	size_t off, size;
	unsigned arg; /* for a getter that serves several fields (an index) */
	/* OBJECT, LIST, INLINE: the table of the nested object(s) */
	const struct stat_table *sub;
	/* LIST: the item after cur, or NULL (obj: the object holding the list) */
	const void *(*next)(const void *obj, const void *cur);
	/* LIST: written by the caller piece by piece (stat_json_head/tail) */
	int stream;
};

struct stat_table {
	const char *kind; /* what one object is: "server", "vrrp_instance" */
	const struct stat_field *fields;
	size_t n;
	/* each item is written as its one field's bare value, not as an
	 * object (a list of strings: a VRRP instance's VIPs) */
	int bare;
};

/* Table entries.  STAT_AT loads a member of struct S; STAT_GET names a
 * getter.  The type of the member picks the load. */
#define STAT_MEMBER_SIZE(S, m) sizeof(((S *)0)->m)
#define STAT_AT(S, m, ld)      .load = (ld), .off = offsetof(S, m), .size = STAT_MEMBER_SIZE(S, m)
#define STAT_TABLE(k, a)                                                                           \
	{                                                                                          \
		.kind = (k), .fields = (a), .n = sizeof(a) / sizeof((a)[0])                        \
	}

#endif
