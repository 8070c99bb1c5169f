// SPDX-License-Identifier: GPL-2.0
/*
 * Ages are each message's ANONLEAK_A_NOW minus START_TIME or EXIT_TIME,
 * never the local clock, so the output depends on the data alone.
 */
#include <inttypes.h>
#include <linux/anonleak.h>

#include "print/format.h"
#include "print/json.h"
#include "print/procs.h"

static const char *state_str(uint8_t state, char buf[8])
{
	const char *name = proc_state_name(state);

	if (name)
		return name;
	snprintf(buf, 8, "%u", state);
	return buf;
}

static void print_text(FILE *f, const struct proc_list *l)
{
	uint64_t count = 0, bytes = 0;
	char size[FMT_BUF_LEN];
	size_t exited = 0;

	fprintf(f, "%7s  %-16s %10s  %-7s %9s %11s %6s %7s  %s\n", "PID", "COMM", "UID", "STATE",
		"MAPPINGS", "LIVE", "SITES", "AGE", "EXITED");
	for (size_t i = 0; i < l->nr; i++) {
		const struct proc_info *p = &l->procs[i];
		char comm[4 * 16 + 1], age[FMT_BUF_LEN], ex[FMT_BUF_LEN + 8];
		char st[8];

		if (p->has_exit_time)
			snprintf(ex, sizeof(ex), "%s ago",
				 fmt_duration(age, age_ns(p->now, p->exit_time)));
		else
			snprintf(ex, sizeof(ex), "-");
		fprintf(f, "%7" PRIu32 "  %-16s %10" PRIu32 "  %-7s %9" PRIu64 " %11s %6" PRIu64
			" %7s  %s\n", p->pid, fmt_escaped(comm, sizeof(comm), p->comm), p->uid,
			state_str(p->state, st), p->live_count, fmt_size(size, p->live_bytes),
			p->sites, fmt_duration(age, age_ns(p->now, p->start_time)), ex);
		count += p->live_count;
		bytes += p->live_bytes;
		exited += p->state == ANONLEAK_PROC_EXITED;
	}
	fprintf(f, "summary: %zu %s (%zu exited), %" PRIu64 " live %s, %s (%" PRIu64
		" bytes) live\n", l->nr, l->nr == 1 ? "process" : "processes", exited,
		count, count == 1 ? "mapping" : "mappings", fmt_size(size, bytes), bytes);
}

static void print_json(FILE *f, const struct proc_list *l)
{
	uint64_t count = 0, bytes = 0;
	struct json j;

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "processes");
	for (size_t i = 0; i < l->nr; i++) {
		const struct proc_info *p = &l->procs[i];
		const char *state = proc_state_name(p->state);

		json_object_begin(&j, NULL);
		json_u64(&j, "pid", p->pid);
		json_string(&j, "comm", p->comm);
		json_u64(&j, "proc_id", p->proc_id);
		json_u64(&j, "uid", p->uid);
		json_string(&j, "state", state ? state : "unknown");
		json_u64(&j, "live_count", p->live_count);
		json_u64(&j, "live_bytes", p->live_bytes);
		json_u64(&j, "sites", p->sites);
		json_u64(&j, "age_ms", age_ns(p->now, p->start_time) / NSEC_PER_MSEC);
		if (p->has_exit_time)
			json_u64(&j, "exit_age_ms", age_ns(p->now, p->exit_time) / NSEC_PER_MSEC);
		json_object_end(&j);
		count += p->live_count;
		bytes += p->live_bytes;
	}
	json_array_end(&j);
	json_u64(&j, "live_count", count);
	json_u64(&j, "live_bytes", bytes);
	json_object_end(&j);
}

void procs_print(FILE *f, const struct proc_list *l, bool json)
{
	(json ? print_json : print_text)(f, l);
}
