/* Real configurations of every grammar (../shared/corpus/):
 *  - keepalived/ (or $FC_CORPUS_DIR): each must load, or be refused with
 *    errors that all read "<file>:<line>: " and name an unsupported feature,
 *    never a generic syntax complaint;
 *  - ldirectord/: each is picked by the probe as ldirectord.cf and loads;
 *  - haproxy/: each is picked by the probe as haproxy.cfg, and loads or is
 *    refused with errors that all read "<file>:<line>: " and name the
 *    keyword fulcrum does not serve. */
#include <dirent.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"

/* What a refusal may say: the features fulcrum does not serve yet. */
static const char *const features[] = {
    "fwmark virtual services are not supported",
    "protocol SCTP is not supported",
    "is not supported by fulcrum",
    "are not supported by fulcrum",
    NULL,
};

/* What a haproxy.cfg refusal may say: the keyword (or the rule's action or
 * fetch) fulcrum does not serve, an ACL that is missing because its line
 * was refused, or a certificate the file names that the corpus does not
 * hold (HAProxy refuses that file too). */
static const char *const hp_features[] = {
    "' is not supported",
    "': No such file or directory",
    "unknown or unsupported action '",
    "unknown fetch method '",
    "no such ACL '",
    NULL,
};

struct outcome {
	const char *file;
	const char *const *features;
	unsigned bad; /* errors that are not "<file>:N: <feature>" */
	char first_bad[512];
};

static void check_msg(void *ctx, int sev, const char *msg)
{
	struct outcome *o = ctx;
	char pat[1024];
	regex_t re;
	int match, i, named = 0;

	if (sev != DIAG_ERROR)
		return;
	snprintf(pat, sizeof(pat), "^.*%s:[0-9]+: ", o->file);
	assert_int_equal(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB), 0);
	match = regexec(&re, msg, 0, NULL, 0) == 0;
	regfree(&re);
	for (i = 0; o->features[i]; i++)
		if (strstr(msg, o->features[i]))
			named = 1;
	printf("    error: %s\n", msg);
	if (!match || !named) {
		if (!o->bad)
			snprintf(o->first_bad, sizeof(o->first_bad), "%s", msg);
		o->bad++;
	}
}

/* What a corpus's files must do. */
enum want {
	LOAD_OR_NAME, /* load, or be refused naming an unsupported feature */
	LOAD,	      /* load */
};

/* Every file of dir: read by `reader` (NULL: whichever), and as `want` says. */
static void walk(const char *dir, const struct conf_reader *reader, enum want want,
		 const char *const *named)
{
	struct dirent **names;
	unsigned accepted = 0, refused = 0, failed = 0;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		printf("corpus %s not found: skipped\n", dir);
		skip();
	}
	for (i = 0; i < n; i++) {
		struct outcome o = {.file = names[i]->d_name, .features = named};
		struct conf_diag d = {.fn = check_msg, .ctx = &o};
		struct config *cfg;
		char path[4096];

		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (reader && conf_reader_for_file(path) != reader) {
			printf("%-40s FAILED: read as %s\n", o.file,
			       conf_reader_for_file(path)->name);
			failed++;
		}
		cfg = conf_load_file(path, &d);
		if (cfg) {
			printf("%-40s accepted (%u virtual servers, %u warnings)\n", o.file,
			       cfg->n_vs, d.warnings);
			accepted++;
		} else if (!cfg && !o.bad && d.errors && want != LOAD) {
			printf("%-40s refused (%u errors naming a feature)\n", o.file, d.errors);
			refused++;
		} else {
			printf("%-40s FAILED: %s\n", o.file,
			       cfg     ? "accepted"
			       : o.bad ? o.first_bad
				       : "no error given");
			failed++;
		}
		config_free(cfg);
		free(names[i]);
	}
	free(names);
	printf("corpus: %u accepted, %u refused, %u failed\n", accepted, refused, failed);
	assert_int_equal(failed, 0);
	assert_true(accepted + refused > 0);
}

static void test_corpus(void **state)
{
	const char *dir = getenv("FC_CORPUS_DIR");

	walk(dir ? dir : "../shared/corpus/keepalived", NULL, LOAD_OR_NAME, features);
}

static void test_ldirectord_corpus(void **state)
{
	walk("../shared/corpus/ldirectord", &conf_reader_ldirectord, LOAD, features);
}

static void test_haproxy_corpus(void **state)
{
	walk("../shared/corpus/haproxy", &conf_reader_haproxy, LOAD_OR_NAME, hp_features);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_ldirectord_corpus),
	    cmocka_unit_test(test_haproxy_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
