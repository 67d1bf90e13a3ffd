// SPDX-License-Identifier: GPL-2.0
/*
 * test_ioq.c - the lock-free queue of device accesses (user/dash/ioq.c):
 * order, a full queue drops and counts instead of blocking, and several
 * producer threads against one consumer lose nothing they were told was
 * queued and keep each producer's order.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "dash/ioq.h"

static struct bus_access acc(uint64_t addr, uint64_t value)
{
	return (struct bus_access){ .addr = addr, .value = value, .size = 1 };
}

TEST(fifo_order)
{
	struct ioq *q = ioq_new();
	struct bus_access out[8], a;

	ASSERT_NE(NULL, q);
	EXPECT_EQ(0, ioq_pop(q, out, 8));
	for (int i = 0; i < 5; i++) {
		a = acc(0x3f8, i);
		EXPECT_TRUE(ioq_push(q, &a));
	}
	ASSERT_EQ(3, ioq_pop(q, out, 3));
	EXPECT_EQ(0, out[0].value);
	EXPECT_EQ(2, out[2].value);
	ASSERT_EQ(2, ioq_pop(q, out, 8));
	EXPECT_EQ(4, out[1].value);
	EXPECT_EQ(0x3f8, out[1].addr);
	EXPECT_EQ(0, ioq_take_lost(q));
	ioq_free(q);
}

TEST(full_queue_drops_and_counts)
{
	struct ioq *q = ioq_new();
	static struct bus_access out[IOQ_SIZE];
	struct bus_access a = acc(0x99, 0);

	ASSERT_NE(NULL, q);
	for (int lap = 0; lap < 3; lap++) {
		for (int i = 0; i < IOQ_SIZE; i++)
			ASSERT_TRUE(ioq_push(q, &a));
		EXPECT_FALSE(ioq_push(q, &a));
		EXPECT_FALSE(ioq_push(q, &a));
		EXPECT_EQ(2, ioq_take_lost(q));
		EXPECT_EQ(0, ioq_take_lost(q));
		EXPECT_EQ(IOQ_SIZE, ioq_pop(q, out, IOQ_SIZE));
		EXPECT_EQ(0, ioq_pop(q, out, IOQ_SIZE));
	}
	ioq_free(q);
}

#define PRODUCERS	3
#define PER_PRODUCER	200000

struct prod {
	struct ioq *q;
	unsigned id;
	uint64_t pushed;
};

static void *producer(void *arg)
{
	struct prod *p = arg;

	for (uint64_t i = 0; i < PER_PRODUCER; i++) {
		struct bus_access a = acc(p->id, i);

		if (ioq_push(p->q, &a))
			p->pushed++;
	}
	return NULL;
}

struct cons {
	struct ioq *q;
	atomic_bool stop;
	uint64_t got[PRODUCERS], next[PRODUCERS];
	int bad;
};

static void take(struct cons *c)
{
	static struct bus_access out[512];
	size_t n = ioq_pop(c->q, out, 512);

	for (size_t k = 0; k < n; k++) {
		unsigned id = (unsigned)out[k].addr;

		/* gaps are drops; going backwards would be a reorder */
		if (id >= PRODUCERS || out[k].value < c->next[id]) {
			c->bad++;
			continue;
		}
		c->next[id] = out[k].value + 1;
		c->got[id]++;
	}
}

static void *consumer(void *arg)
{
	struct cons *c = arg;

	while (!atomic_load(&c->stop))
		take(c);
	return NULL;
}

TEST(threads_lose_nothing_and_keep_order)
{
	static struct cons c;
	struct prod p[PRODUCERS];
	pthread_t t[PRODUCERS], ct;
	uint64_t lost, pushed = 0;

	c.q = ioq_new();
	ASSERT_NE(NULL, c.q);
	ASSERT_EQ(0, pthread_create(&ct, NULL, consumer, &c));
	for (unsigned i = 0; i < PRODUCERS; i++) {
		p[i] = (struct prod){ .q = c.q, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, producer, &p[i]));
	}
	for (unsigned i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	atomic_store(&c.stop, true);
	pthread_join(ct, NULL);
	for (int i = 0; i < IOQ_SIZE / 512 + 1; i++)
		take(&c);		/* what came after the consumer's last look */
	lost = ioq_take_lost(c.q);
	EXPECT_EQ(0, c.bad);
	for (unsigned i = 0; i < PRODUCERS; i++) {
		EXPECT_EQ(p[i].pushed, c.got[i]);
		pushed += p[i].pushed;
	}
	EXPECT_EQ((uint64_t)PRODUCERS * PER_PRODUCER, pushed + lost);
	ioq_free(c.q);
}

TEST_HARNESS_MAIN
