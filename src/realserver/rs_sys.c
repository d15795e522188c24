/* Host sysctls, default route and addresses: see rs_sys.h. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "realserver/rs_sys.h"

static int conf_path(char *buf, size_t len, const char *dev, const char *key, char *err,
		     size_t errlen)
{
	if (!*dev || strchr(dev, '/') || !strcmp(dev, ".") || !strcmp(dev, "..") ||
	    strchr(key, '/'))
		return err_set(err, errlen, "bad sysctl name net.ipv4.conf.%s.%s", dev, key);
	if (snprintf(buf, len, "/proc/sys/net/ipv4/conf/%s/%s", dev, key) >= (int)len)
		return err_set(err, errlen, "sysctl name too long");
	return 0;
}

int rs_sysctl_get(const char *dev, const char *key, char *val, size_t len, char *err, size_t errlen)
{
	char path[128];
	ssize_t n;
	int fd;

	if (conf_path(path, sizeof(path), dev, key, err, errlen) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errlen, "cannot read net.ipv4.conf.%s.%s: %s", dev, key,
			       strerror(errno));
	n = read(fd, val, len - 1);
	close(fd);
	if (n < 0)
		return err_set(err, errlen, "cannot read net.ipv4.conf.%s.%s: %s", dev, key,
			       strerror(errno));
	val[n] = 0;
	val[strcspn(val, "\n")] = 0;
	return 0;
}

int rs_sysctl_set(const char *dev, const char *key, const char *val, char *err, size_t errlen)
{
	char path[128];
	size_t n = strlen(val);
	int fd;

	if (conf_path(path, sizeof(path), dev, key, err, errlen) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errlen, "cannot set net.ipv4.conf.%s.%s: %s", dev, key,
			       strerror(errno));
	if (write(fd, val, n) != (ssize_t)n) {
		err_set(err, errlen, "cannot set net.ipv4.conf.%s.%s to %s: %s", dev, key, val,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* /proc/net/route: "Iface Destination Gateway Flags ... Mask ...", hex,
 * one route a line after a header. */
static int default_v4(char name[IF_NAMESIZE])
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256];
	int found = 0;

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		char ifn[64];
		unsigned dst, gw, flags, mask;

		if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", ifn, &dst, &gw, &flags, &mask) ==
			5 &&
		    dst == 0 && mask == 0 && (flags & 0x1 /* RTF_UP */) &&
		    strlen(ifn) < IF_NAMESIZE) {
			strcpy(name, ifn);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* /proc/net/ipv6_route: "dst dstlen src srclen nexthop metric ref use flags iface". */
static int default_v6(char name[IF_NAMESIZE])
{
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char line[256];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char dst[33], ifn[64];
		unsigned dlen, flags;

		if (sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x %63s", dst, &dlen, &flags,
			   ifn) == 4 &&
		    dlen == 0 && !strcmp(dst, "00000000000000000000000000000000") &&
		    (flags & 0x1) && strcmp(ifn, "lo") && strlen(ifn) < IF_NAMESIZE) {
			strcpy(name, ifn);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int rs_default_dev(char name[IF_NAMESIZE], char *err, size_t errlen)
{
	if (default_v4(name) || default_v6(name))
		return 0;
	return err_set(err, errlen,
		       "there is no default route to take the interface from: name it with --dev");
}

int rs_local_addrs(struct fc_addr *out, unsigned max, unsigned *n, char *err, size_t errlen)
{
	struct ifaddrs *ifa, *p;

	*n = 0;
	if (getifaddrs(&ifa) < 0)
		return err_set(err, errlen, "cannot list the host's addresses: %s",
			       strerror(errno));
	for (p = ifa; p && *n < max; p = p->ifa_next) {
		if (!p->ifa_addr || addr_from_sockaddr(&out[*n], p->ifa_addr) < 0)
			continue;
		/* fe80::/10 comes and goes with links (and DAD); no director
		 * tunnels to it */
		if (out[*n].family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&out[*n].u.v6))
			continue;
		out[(*n)++].port = 0;
	}
	freeifaddrs(ifa);
	return 0;
}
