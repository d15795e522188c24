/* libFuzzer target: a datagram as DNS_CHECK receives it.  The whole-message
 * parser and the reply verdict against a fixed query (ID 0x1234, question
 * "example.com" A) must never crash or read out of bounds; a reply judged
 * OK must really be a NOERROR response to that question. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/dns_msg.h"
#include "core/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t q[DNS_QUERY_MAX];
	static size_t qlen;
	struct dns_msg_info info;
	char err[ERRLEN];
	uint8_t *copy;

	if (!qlen &&
	    dns_build_query(q, sizeof(q), &qlen, 0x1234, "example.com", DNS_T_A, err, sizeof(err)))
		abort();
	/* an exact-size copy, so that ASan sees any read past the datagram */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	dns_parse(copy, size, &info, err, sizeof(err));
	if (dns_check_reply(q, qlen, copy, size, &info, err, sizeof(err)) == DNS_REPLY_OK) {
		if (size < DNS_HDR_LEN || copy[0] != 0x12 || copy[1] != 0x34 || !(copy[2] & 0x80) ||
		    (copy[3] & 0x0f) || info.qdcount != 1 || info.qtype != DNS_T_A)
			abort(); /* accepted something that is not our answer */
	}
	free(copy);
	return 0;
}
