/* replay.c - runs a fuzz target without libFuzzer, with any compiler: every
 * file named on the command line (directories one level deep, in name
 * order), then -runs=N inputs mutated from them by a fixed-seed PRNG, so a
 * run is the same on every machine. The meson tests of suite 'fuzz' are
 * this driver over the checked-in corpus; the real fuzzers (clang,
 * -fsanitize=fuzzer) link the same target files.
 *
 *   replay [-runs=N] [-seed=S] [-max_len=L] [-max_total_time=SEC]
 *          [-artifact_prefix=P] FILE|DIR...
 *
 * When an input crashes the target (a sanitizer report, an abort or a
 * fault), the input is written to P + "crash-replay" and, when short,
 * dumped in hex to stderr, so the test log alone reproduces it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define FILE_MAX (1u << 20) /* corpus files larger than this are cut */

struct input {
	uint8_t *data;
	size_t len;
};

static struct input *corpus;
static size_t nr_corpus, cap_corpus;

/* The input being run, for the crash handlers. */
static const uint8_t *cur_data;
static size_t cur_len;
static char crash_path[4096] = "crash-replay";
static const char *cur_name = "";

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "replay: %s%s\n", what, arg);
	exit(2);
}

/* ---- saving the crashing input (async-signal-safe) ---- */

static void write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void save_crash(void)
{
	static const char hex[] = "0123456789abcdef";
	static bool saved;
	char line[80];

	if (saved || !cur_data)
		return;
	saved = true;
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		write_all(fd, cur_data, cur_len);
		close(fd);
	}
	write_all(2, "\nreplay: crashing input (", 25);
	write_all(2, cur_name, strlen(cur_name));
	write_all(2, ") saved as ", 11);
	write_all(2, crash_path, strlen(crash_path));
	write_all(2, "\n", 1);
	if (cur_len > 1024)
		return;
	for (size_t i = 0; i < cur_len; i += 32) {
		size_t n = 0;
		for (size_t j = i; j < cur_len && j < i + 32; j++) {
			line[n++] = hex[cur_data[j] >> 4];
			line[n++] = hex[cur_data[j] & 15];
		}
		line[n++] = '\n';
		write_all(2, line, n);
	}
}

static void on_fatal_signal(int sig)
{
	save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Sanitizer runtimes call this before they exit on a report. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void install_crash_handlers(void)
{
	static const int sigs[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};

	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_crash);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa = {.sa_handler = on_fatal_signal};
		struct sigaction old;
		/* keep a handler a sanitizer installed: it reports, then we save */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL &&
		    old.sa_handler != SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* ---- corpus ---- */

static void corpus_add(uint8_t *data, size_t len)
{
	if (nr_corpus == cap_corpus) {
		cap_corpus = cap_corpus ? cap_corpus * 2 : 64;
		corpus = realloc(corpus, cap_corpus * sizeof(*corpus));
		if (!corpus)
			die("out of memory", "");
	}
	corpus[nr_corpus].data = data;
	corpus[nr_corpus].len = len;
	nr_corpus++;
}

static void run_one(const uint8_t *data, size_t len, const char *name)
{
	cur_data = data;
	cur_len = len;
	cur_name = name;
	LLVMFuzzerTestOneInput(data, len);
	cur_data = NULL;
}

static void load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open ", path);
	uint8_t *buf = malloc(FILE_MAX);
	if (!buf)
		die("out of memory", "");
	size_t len = fread(buf, 1, FILE_MAX, f);
	if (ferror(f))
		die("cannot read ", path);
	fclose(f);
	run_one(buf, len, path);
	uint8_t *kept = realloc(buf, len ? len : 1);
	corpus_add(kept ? kept : buf, len);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		die("cannot find ", path);
	if (!S_ISDIR(st.st_mode)) {
		load_file(path);
		return;
	}
	DIR *dir = opendir(path);
	if (!dir)
		die("cannot read directory ", path);
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				die("out of memory", "");
		}
		if (asprintf(&names[n], "%s/%s", path, e->d_name) < 0)
			die("out of memory", "");
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			load_file(names[i]);
		free(names[i]);
	}
	free(names);
}

/* ---- mutation ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* Inserts k bytes of src at buf[at], if they fit in max. */
static void insert_bytes(uint8_t *buf, size_t *len, size_t max, size_t at, const uint8_t *src,
			 size_t k)
{
	if (at > *len || *len > max || k > max - *len)
		return;
	memmove(buf + at + k, buf + at, *len - at);
	memcpy(buf + at, src, k);
	*len += k;
}

/* One mutation of buf[0..*len), which has room for max bytes. */
static void mutate_once(uint8_t *buf, size_t *len, size_t max)
{
	static const uint8_t interesting[] = {0, 1, 2, 0x7f, 0x80, 0xef, 0xf0, 0xfe, 0xff};
	size_t n = *len;

	switch (below(9)) {
	case 0: /* flip a bit */
		if (n)
			buf[below(n)] ^= (uint8_t)(1u << below(8));
		break;
	case 1: /* a random byte */
		if (n)
			buf[below(n)] = (uint8_t)rng();
		break;
	case 2: /* an interesting byte */
		if (n)
			buf[below(n)] = interesting[below(sizeof(interesting))];
		break;
	case 3: { /* insert random bytes */
		uint8_t tmp[16];
		size_t k = 1 + below(sizeof(tmp));
		for (size_t i = 0; i < k; i++)
			tmp[i] = (uint8_t)rng();
		insert_bytes(buf, len, max, below(n + 1), tmp, k);
		break;
	}
	case 4: { /* delete a range */
		if (!n)
			break;
		size_t at = below(n), k = 1 + below(n - at < 16 ? n - at : 16);
		memmove(buf + at, buf + at + k, n - at - k);
		*len = n - k;
		break;
	}
	case 5: { /* copy a range over another place */
		if (n < 2)
			break;
		size_t from = below(n), to = below(n), k = 1 + below(32);
		if (k > n - from)
			k = n - from;
		if (k > n - to)
			k = n - to;
		memmove(buf + to, buf + from, k);
		break;
	}
	case 6: { /* duplicate a range (repeats an operation) */
		uint8_t tmp[64];
		if (!n)
			break;
		size_t from = below(n), k = 1 + below(sizeof(tmp));
		if (k > n - from)
			k = n - from;
		memcpy(tmp, buf + from, k);
		insert_bytes(buf, len, max, below(n + 1), tmp, k);
		break;
	}
	case 7: { /* splice in part of another corpus input */
		const struct input *o = &corpus[below(nr_corpus)];
		if (!o->len)
			break;
		size_t from = below(o->len), k = 1 + below(o->len - from);
		size_t at = below(n + 1);
		if (at + k > max)
			k = max - at;
		memcpy(buf + at, o->data + from, k);
		if (at + k > n)
			*len = at + k;
		break;
	}
	default: { /* a little-endian interesting word */
		static const uint32_t words[] = {0,      1,          0xff,       0x100,     0x7fff,
						 0x8000, 0xffff,     0x7ff0,     0x1000,    0x1001,
						 4095,   0x7fffffff, 0x80000000, 0xffffffff};
		if (n < 4)
			break;
		uint32_t w = words[below(sizeof(words) / sizeof(words[0]))];
		size_t at = below(n - 3), k = below(2) ? 2 : 4;
		for (size_t i = 0; i < k; i++)
			buf[at + i] = (uint8_t)(w >> (8 * i));
		break;
	}
	}
}

static long arg_value(const char *arg, const char *name, long dflt)
{
	size_t l = strlen(name);
	if (strncmp(arg, name, l) != 0)
		return dflt;
	char *end;
	errno = 0;
	long v = strtol(arg + l, &end, 0);
	if (errno || *end || v < 0)
		die("bad option ", arg);
	return v;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long runs = 1000, seed = 1, max_len = 4096, max_time = 0;
	static char name[96];

	install_crash_handlers();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			continue;
		if (strncmp(a, "-artifact_prefix=", 17) == 0) {
			if (snprintf(crash_path, sizeof(crash_path), "%scrash-replay", a + 17) >=
			    (int)sizeof(crash_path))
				die("bad option ", a);
			continue;
		}
		long r = arg_value(a, "-runs=", -1), s = arg_value(a, "-seed=", -1);
		long m = arg_value(a, "-max_len=", -1), t = arg_value(a, "-max_total_time=", -1);
		if (r < 0 && s < 0 && m < 0 && t < 0)
			die("unknown option ", a);
		runs = r >= 0 ? r : runs;
		seed = s >= 0 ? s : seed;
		max_len = m > 0 ? m : max_len;
		max_time = t >= 0 ? t : max_time;
	}
	double start = now_s();
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			load_path(argv[i]);
	}
	size_t loaded = nr_corpus;
	if (!nr_corpus)
		corpus_add(NULL, 0);

	uint8_t *buf = malloc((size_t)max_len);
	if (!buf)
		die("out of memory", "");
	rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)seed;
	long done = 0;
	for (; done < runs; done++) {
		if (max_time && now_s() - start > (double)max_time)
			break;
		const struct input *base = &corpus[below(nr_corpus)];
		size_t len = base->len < (size_t)max_len ? base->len : (size_t)max_len;
		if (len)
			memcpy(buf, base->data, len);
		for (size_t k = 1 + below(8); k; k--)
			mutate_once(buf, &len, (size_t)max_len);
		/* exactly len bytes, so ASan sees reads past the end */
		uint8_t *in = malloc(len ? len : 1);
		if (!in)
			die("out of memory", "");
		memcpy(in, buf, len);
		snprintf(name, sizeof(name), "generated input %ld, seed %ld", done, seed);
		run_one(in, len, name);
		free(in);
	}
	printf("replay: %zu corpus inputs, %ld generated inputs (seed %ld) in %.1f s: no crash\n",
	       loaded, done, seed, now_s() - start);
	free(buf);
	for (size_t i = 0; i < nr_corpus; i++)
		free(corpus[i].data);
	free(corpus);
	return 0;
}
