/* libFuzzer target: bytes as an agent's answer to AGENT_CHECK, through
 * the reply parser (src/check/agent_reply.c).  Nothing may crash or read
 * past the input (an exact-size copy); what it fills is bounded and NUL
 * ended, and the numbers stay in their ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/agent_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_reply r;
	char *in = malloc(size ? size : 1);

	if (!in)
		return 0;
	memcpy(in, data, size);
	if (agent_reply_parse(in, size, &r) == 1) {
		if (r.weight_pct < -1 || r.weight_pct > 25600 || r.maxconn < -1 ||
		    strnlen(r.desc, sizeof(r.desc)) == sizeof(r.desc) ||
		    strnlen(r.first_unknown, sizeof(r.first_unknown)) == sizeof(r.first_unknown) ||
		    strnlen(r.health_word, sizeof(r.health_word)) == sizeof(r.health_word) ||
		    (r.health == AGENT_H_NONE) != !r.health_word[0])
			abort();
	}
	free(in);
	return 0;
}
