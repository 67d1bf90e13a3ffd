/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top_socket.h - handing a running VM's statistics to `hvlab top` over a
 * Unix socket (both sides: `hvlab run --stats-socket PATH` serves, `hvlab
 * top PATH` connects).
 *
 * The statistics live in a mapping of each vCPU fd, an anonymous inode no
 * other process can open by path, so the fds themselves are passed:
 *
 *   client                              server (a thread of hvlab run)
 *   connect(PATH)            ------>    accept
 *                            <------    one sendmsg: struct top_hello, with
 *                                       the vCPU fds as SCM_RIGHTS (vCPU 0
 *                                       first, hello.nr_vcpus of them)
 *   mmap each fd PROT_READ,             keeps the connection open and
 *   close it, watch the socket          silent until the run ends
 *   read() == 0: the VM is gone  <----  close (top_server_stop, or the
 *                                       kernel when the process dies)
 *
 * Invariants:
 *  - PATH is created by bind() under umask 0177 (mode 0600: only the user
 *    who runs the VM may connect), never over an existing file, and
 *    top_server_stop() unlinks it only if it is still the socket we bound.
 *  - The client gets dups of the fds; whatever it does with them (close,
 *    mmap) never touches the run's own fds.  The module refuses every vCPU
 *    ioctl from a process other than the VM's creator, so the fds are good
 *    for reading the mapping only.
 *  - End-of-file on the connection is the only "the VM ended" signal: it
 *    comes when the run returns, and also when the process is killed.
 *  - The hello is fixed-size, little-endian (the host's: both sides run on
 *    the same machine) and versioned; the client checks every field before
 *    it trusts a count.
 */
#ifndef HVLAB_TOP_SOCKET_H
#define HVLAB_TOP_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/hvlab.h>

#define TOP_MAGIC		"HVLABTOP"	/* 8 bytes, no NUL on the wire */
#define TOP_VERSION		1
#define TOP_MAX_VCPUS		HVLAB_MAX_VCPUS	/* == TRACE_MAX_VCPUS */
#define TOP_MAX_CLIENTS		16	/* attached hvlab top at once */
#define TOP_IMAGE_MAX		64
#define TOP_HELLO_TIMEOUT_MS	5000	/* client: wait this long for the hello */

struct top_hello {
	char magic[8];			/* TOP_MAGIC */
	uint32_t version;		/* TOP_VERSION */
	uint32_t nr_vcpus;		/* fds attached: 1..TOP_MAX_VCPUS */
	uint32_t vm_flags;		/* HVLAB_VM_* of HVLAB_CREATE_VM */
	uint32_t api_version;		/* HVLAB_API_VERSION the run was built for */
	uint64_t mem_size;		/* guest RAM in bytes */
	uint64_t mmap_size;		/* bytes each fd maps (HVLAB_GET_VCPU_MMAP_SIZE) */
	char image[TOP_IMAGE_MAX];	/* the image's file name, NUL-terminated */
};

_Static_assert(sizeof(struct top_hello) == 104, "struct top_hello is a wire format");

/* ---- server: hvlab run --stats-socket ------------------------------- */

struct top_server;

/*
 * Binds PATH and starts the thread that answers clients.  `hello` gives
 * nr_vcpus, vm_flags, mem_size, mmap_size and image (magic, version and
 * api_version are filled in here); fds[] holds hello->nr_vcpus vCPU fds,
 * which must stay open until top_server_stop().  NULL with a sentence in
 * err (errno set: EEXIST when PATH exists, ENAMETOOLONG, or bind's).
 */
struct top_server *top_server_start(const char *path, const struct top_hello *hello,
				    const int *fds, char *err, size_t errlen);
/*
 * Stops the thread, closes every client connection (each attached hvlab
 * top sees end-of-file and lets go) and unlinks PATH.  NULL is a no-op.
 */
void top_server_stop(struct top_server *s);

/* ---- client: hvlab top ----------------------------------------------- */

struct top_conn {
	int sock;			/* stays open: end-of-file = VM gone */
	struct top_hello hello;		/* validated */
	int fds[TOP_MAX_VCPUS];		/* hello.nr_vcpus received fds, else -1 */
	int peer_pid;			/* the run's pid (SO_PEERCRED), or 0 */
};

/*
 * Connects to PATH and receives the hello and the fds.  0, or -1 with a
 * sentence in err that says what PATH is not (no such file, not a socket,
 * nobody listening, permission, not an hvlab socket, another version).
 */
int top_connect(const char *path, struct top_conn *c, char *err, size_t errlen);
/* Closes the received fds that are still open (sets them to -1). */
void top_close_fds(struct top_conn *c);
/* Closes everything; the run and its VM are not affected. */
void top_disconnect(struct top_conn *c);
/* Without waiting: has the server closed the connection (the VM ended)? */
bool top_peer_gone(struct top_conn *c);

#endif
