/* fulcrum XDP: the flow hash that picks a ring slot (FX_SCHED_HASH_*).
 *
 * Contract: a pure function of its input bytes.  Two directors running
 * the same program place the same client on the same slot, so a flow
 * that moves from one director to the other (VRRP failover, ECMP change)
 * keeps its real server as long as both rings are equal.  Never
 * bpf_get_prandom_u32 or anything per-CPU or per-boot here.
 *
 * The mix is Bob Jenkins' lookup3 (public domain; the kernel's jhash is
 * the same function): 32-bit words in, three rounds of add-rotate-xor,
 * good avalanche for addresses that differ in one low byte.  Words are
 * taken as they sit in memory (network byte order read on the host), so
 * directors must share endianness — every x86-64/arm64 box does. */
#ifndef FX_HASH_H
#define FX_HASH_H

#include <linux/types.h>

#define FX_HASH_SEED 0x9e3779b9u /* any constant; equal on every director */

static __always_inline __u32 fx_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* clang-format off: one round per line reads like the reference */
/* lookup3 mix(): reversibly mixes three words */
#define FX_MIX(a, b, c)                                                                            \
	do {                                                                                       \
		a -= c;                                                                            \
		a ^= fx_rol32(c, 4);                                                               \
		c += b;                                                                            \
		b -= a;                                                                            \
		b ^= fx_rol32(a, 6);                                                               \
		a += c;                                                                            \
		c -= b;                                                                            \
		c ^= fx_rol32(b, 8);                                                               \
		b += a;                                                                            \
		a -= c;                                                                            \
		a ^= fx_rol32(c, 16);                                                              \
		c += b;                                                                            \
		b -= a;                                                                            \
		b ^= fx_rol32(a, 19);                                                              \
		a += c;                                                                            \
		c -= b;                                                                            \
		c ^= fx_rol32(b, 4);                                                               \
		b += a;                                                                            \
	} while (0)

/* lookup3 final(): the last three words into c */
#define FX_FINAL(a, b, c)                                                                          \
	do {                                                                                       \
		c ^= b;                                                                            \
		c -= fx_rol32(b, 14);                                                              \
		a ^= c;                                                                            \
		a -= fx_rol32(c, 11);                                                              \
		b ^= a;                                                                            \
		b -= fx_rol32(a, 25);                                                              \
		c ^= b;                                                                            \
		c -= fx_rol32(b, 16);                                                              \
		a ^= c;                                                                            \
		a -= fx_rol32(c, 4);                                                               \
		b ^= a;                                                                            \
		b -= fx_rol32(a, 14);                                                              \
		c ^= b;                                                                            \
		c -= fx_rol32(b, 24);                                                              \
	} while (0)
/* clang-format on */

/* Hash of one address (w[0] for IPv4, w[0..3] for IPv6) and an extra word
 * (the client port for sh-port/mh-port, else 0).  No loop: the verifier
 * and the compiler see straight-line code. */
static __always_inline __u32 fx_hash_addr(const __u32 w[4], int v6, __u32 extra)
{
	__u32 a, b, c;

	a = b = c = FX_HASH_SEED + ((v6 ? 16u : 4u) << 2);
	if (v6) {
		a += w[0];
		b += w[1];
		c += w[2];
		FX_MIX(a, b, c);
		a += w[3];
	} else {
		a += w[0];
	}
	b += extra;
	FX_FINAL(a, b, c);
	return c;
}

#endif
