/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay.h - the replay controller behind `hvlab replay`: an index of the
 * records of a trace, a position, and play/pause/step/seek over it.
 * Exposed so that the tests can drive a replay without a terminal.
 */
#ifndef HVLAB_DASH_REPLAY_H
#define HVLAB_DASH_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash/model.h"
#include "dash/trace.h"
#include "dash/view.h"

#define REPLAY_CHECKPOINT	20000

struct replay {
	const char *path;
	struct trace_reader *r;
	uint64_t *off, *time;	/* per readable record */
	size_t n;		/* readable records */
	size_t pos;		/* records applied to m */
	uint64_t nr_exits;
	const char *error;	/* why the trace stops early, or NULL */
	struct dash_model *m;
	/* model snapshots every REPLAY_CHECKPOINT records, made on the way forward */
	struct dash_model **ckpt;
	size_t nr_ckpt;
	bool playing;
	double speed;
	uint64_t play_wall0, play_trace0;
};

/* NULL (message in err) only if the file cannot be read at all. */
struct replay *replay_open(const char *path, char *err, size_t errlen);
void replay_free(struct replay *rp);
/* Moves to position target (clamped to n): the first target records applied. */
void replay_seek(struct replay *rp, size_t target);
void replay_tick(struct replay *rp, uint64_t now_ns);
/* Replay keys (play, step, seek, speed); true if used. */
bool replay_key(struct replay *rp, struct dash_view *v, int key, uint64_t now_ns);
void replay_status(const struct replay *rp, struct dash_view *v);

#endif
