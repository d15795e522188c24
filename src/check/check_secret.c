/* check_read_secret: check_secret.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "check/check_secret.h"
#include "core/err.h"

#define SECRET_MAX 1024 /* longer is refused, not cut */

int check_read_secret(const char *path, char **out, char *err, size_t errlen)
{
	char buf[SECRET_MAX + 2], *s;
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return err_set(err, errlen, "password_file '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(err, errlen, "password_file '%s' is not a regular file", path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return err_set(err, errlen,
			       "password_file '%s' has mode %04o: group and others must have no "
			       "access (chmod 0600)",
			       path, (unsigned)(sb.st_mode & 07777));
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return err_set(err, errlen, "password_file '%s': %s", path, strerror(errno));
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	if (strlen(buf) > SECRET_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return err_set(err, errlen, "password_file '%s': a password over %d characters",
			       path, SECRET_MAX);
	}
	if (!*buf)
		return err_set(err, errlen, "password_file '%s' is empty", path);
	s = strdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!s)
		return err_set(err, errlen, "out of memory");
	*out = s;
	return 0;
}
