/* What the BPF fuzz targets (fuzz_xdp.c, fuzz_decap.c) share: running one
 * frame through a loaded XDP program with BPF_PROG_TEST_RUN, and giving up
 * loudly (a fuzzer that cannot load its program must not pass). */
#ifndef FC_TESTS_FUZZ_BPF_H
#define FC_TESTS_FUZZ_BPF_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

static void fuzz_bpf_die(const char *who, const char *what, int e)
{
	fprintf(stderr, "%s: %s: %s\n", who, what, strerror(e));
	abort();
}

/* One run of prog_fd on in[0..len) arriving on ifindex; the verdict, the
 * output in out (out_max bytes) and its length, the context afterwards. */
static int fuzz_bpf_run(const char *who, int prog_fd, unsigned ifindex, const uint8_t *in,
			size_t len, uint8_t *out, uint32_t out_max, uint32_t *out_len,
			struct xdp_md *after)
{
	struct xdp_md ctx = {.data_end = (uint32_t)len, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = out_max, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .ctx_out = after, .ctx_size_out = sizeof(*after),
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		fuzz_bpf_die(who, "BPF_PROG_TEST_RUN", errno);
	*out_len = o.data_size_out;
	return (int)o.retval;
}

#endif
