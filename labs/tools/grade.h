/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grade.h - the harness of the labs' native checks (labs/NN-topic/grade.c).
 *
 * A check is a LAB_TEST(name) function; the binary runs one check per
 * process (`grade NAME`, or `grade --list`), so that labs/tools/lab.sh can
 * give each its own time limit and points, and so that a crash in the
 * student's code fails one check, not the run.  CHECK(cond, fmt, ...) ends
 * the check with a FAIL line that says what was expected; the exit status
 * is 0 only if no CHECK failed.
 *
 * Inputs are random: rnd() is seeded from HVLAB_LAB_SEED (lab.sh draws one
 * per grading and prints it) mixed with the check's name, so each check
 * sees other numbers than its neighbours, and a run can be replayed with
 * HVLAB_LAB_SEED=S labs/tools/lab.sh grade N.
 */
#ifndef HVLAB_LAB_GRADE_H
#define HVLAB_LAB_GRADE_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAB_MAX_TESTS 64

struct lab_test {
	const char *name;
	void (*fn)(void);
};

static struct lab_test lab_tests[LAB_MAX_TESTS];
static int lab_ntests;
static int lab_failed;
static uint64_t lab_rng;

#define LAB_TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void name##_register(void)	\
	{								\
		if (lab_ntests < LAB_MAX_TESTS)				\
			lab_tests[lab_ntests++] = (struct lab_test){ #name, name }; \
	}								\
	static void name(void)

/* Fails the running check (and returns from it) when cond is false. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s:%d: %s\n     ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf("\n");					\
			fflush(stdout);					\
			lab_failed = 1;					\
			return;						\
		}							\
	} while (0)

/* After calling a helper that CHECKs: stop the check if it failed. */
#define BAIL() do { if (lab_failed) return; } while (0)

/* splitmix64: small, and the same sequence on every machine */
/*
 * A scratch directory under /tmp for the graders that write files:
 * lab_mkdir_tmp("labN") makes a fresh one in lab_tmpdir (removing the
 * previous one), lab_rm_tmp() removes it, and so does the exit, so a
 * failed check leaves none behind.
 */
static char lab_tmpdir[64];

static inline void lab_rm_tmp(void)
{
	char cmd[128];

	if (!lab_tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", lab_tmpdir);
	if (system(cmd))
		fprintf(stderr, "cleanup of %s failed\n", lab_tmpdir);
	lab_tmpdir[0] = 0;
}

static inline void lab_mkdir_tmp(const char *tag)
{
	static int registered;

	lab_rm_tmp();
	if (!registered) {
		atexit(lab_rm_tmp);
		registered = 1;
	}
	snprintf(lab_tmpdir, sizeof(lab_tmpdir), "/tmp/hvlab-%s-XXXXXX", tag);
	if (!mkdtemp(lab_tmpdir)) {
		perror("mkdtemp");
		exit(2);
	}
}

static inline uint64_t rnd(void)
{
	uint64_t z = (lab_rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in [lo, hi]. */
static inline uint64_t rnd_range(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

int main(int argc, char **argv)
{
	const char *seed = getenv("HVLAB_LAB_SEED");
	uint64_t s = seed && *seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL);

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (int i = 0; i < lab_ntests; i++)
			printf("%s\n", lab_tests[i].name);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s --list | CHECK\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < lab_ntests; i++) {
		if (strcmp(argv[1], lab_tests[i].name))
			continue;
		lab_rng = s;
		for (const char *p = argv[1]; *p; p++)
			lab_rng = lab_rng * 131 + (unsigned char)*p;
		printf("check %s, seed %" PRIu64 "\n", argv[1], s);
		fflush(stdout);
		lab_tests[i].fn();
		printf("%s %s\n", lab_failed ? "FAILED" : "PASSED", argv[1]);
		return lab_failed;
	}
	fprintf(stderr, "no check %s (--list)\n", argv[1]);
	return 2;
}

#endif
