/* SASLprep (RFC 4013, a profile of stringprep, RFC 3454) for SCRAM-SHA-256
 * passwords, as PostgreSQL's server and libpq apply it (saslprep.c): both
 * sides must turn a non-ASCII password into the same bytes, or SCRAM fails
 * with a password that cleartext or md5 would take. */
#ifndef FC_CHECK_SASLPREP_H
#define FC_CHECK_SASLPREP_H

/* What saslprep() found. */
enum saslprep_rc {
	SASLPREP_OK = 0,	   /* *out holds the prepared password (NULL: the input as is) */
	SASLPREP_INVALID_UTF8 = 1, /* not UTF-8: use the raw bytes, as libpq does */
	SASLPREP_PROHIBITED = 2,   /* a prohibited or unassigned character, a bad
				    * bidi string or nothing left: the raw bytes */
	SASLPREP_NOMEM = -1,
};

/* Prepare password (NUL ended).  SASLPREP_OK with *out NULL when it is
 * pure ASCII (unchanged, nothing allocated), or with *out malloc'd (the
 * caller wipes and frees it); any other result leaves *out NULL.  Steps
 * (RFC 3454 section 2, in PostgreSQL's order): map non-ASCII spaces (C.1.2)
 * to U+0020 and remove "commonly mapped to nothing" (B.1); an empty result
 * is prohibited; NFKC (ICU); prohibited output (C.1.2-C.9) and code points
 * unassigned in Unicode 3.2 (A.1), then the bidi rule (D.1/D.2), checked on
 * the mapped string before normalisation as PostgreSQL does. */
enum saslprep_rc saslprep(const char *password, char **out);

#endif
