// SPDX-License-Identifier: GPL-2.0
/*
 * The settings. One table, indexed by ANONLEAK_CONFIG_A_*, drives the
 * module parameters (checked on load and on every sysfs write), the
 * SET_CONFIG policy, GET_CONFIG and SET_CONFIG. The ranges are the
 * protocol's, from the UAPI header.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/threads.h>
#include <net/netlink.h>

#include <linux/anonleak.h>

#include "anonleak.h"
#include "compat.h"

unsigned long al_max_mappings = 1UL << 20;
unsigned long al_max_sites = 1UL << 16;
unsigned long al_max_procs = 1UL << 14;
unsigned long al_max_exited = 256;
unsigned int al_stack_depth = 8;
bool al_enabled = true;
int al_filter_pid;
int al_filter_uid = -1;
char al_filter_comm[TASK_COMM_LEN];
unsigned long al_min_size;
bool al_unwind = true;
unsigned long al_max_unwind_bytes = 64UL << 20;
unsigned long al_max_exemplars = 4096;
unsigned int al_exemplar_size = 4096;

/* How a setting's variable holds its value. */
enum al_setting_kind {
	AL_SET_NUM,	/* unsigned int (NLA_U32) or unsigned long (NLA_U64) */
	AL_SET_BOOL,	/* bool (NLA_U8) */
	AL_SET_PID,	/* int, a pid of the initial pid namespace; over
			 * netlink one of the caller's, which must exist
			 */
	AL_SET_UID,	/* int, -1: any (ANONLEAK_UID_ANY over netlink) */
	AL_SET_COMM,	/* char[TASK_COMM_LEN] (NLA_NUL_STRING) */
};

struct al_setting {
	const char *name;		/* the module parameter */
	void *ptr;			/* the variable */
	u8 type;			/* NLA_* of the attribute */
	u8 kind;			/* enum al_setting_kind */
	/* Accepted values; over netlink only for AL_SET_NUM and _BOOL. */
	struct netlink_range_validation range;
};

/* The setting of ANONLEAK_CONFIG_A_<attr>: parameter <name>, variable al_<name>. */
#define AL_SETTING(attr, name, type, kind, lo, hi)			\
	[ANONLEAK_CONFIG_A_##attr] = {					\
		#name, &al_##name, type, kind, { .min = (lo), .max = (hi) } \
	}
/* ... a number in ANONLEAK_<attr>_MIN..ANONLEAK_<attr>_MAX. */
#define AL_NUMBER(attr, name, type)					\
	AL_SETTING(attr, name, type, AL_SET_NUM, ANONLEAK_##attr##_MIN,	\
		   ANONLEAK_##attr##_MAX)

static struct al_setting al_settings[ANONLEAK_CONFIG_A_MAX + 1] __ro_after_init = {
	AL_SETTING(ENABLED, enabled, NLA_U8, AL_SET_BOOL, 0, 1),
	AL_NUMBER(STACK_DEPTH, stack_depth, NLA_U32),
	AL_SETTING(MIN_SIZE, min_size, NLA_U64, AL_SET_NUM, 0, ULONG_MAX),
	AL_SETTING(FILTER_PID, filter_pid, NLA_U32, AL_SET_PID, 0, PID_MAX_LIMIT),
	AL_SETTING(FILTER_UID, filter_uid, NLA_U32, AL_SET_UID, 0, ANONLEAK_UID_MAX),
	AL_SETTING(FILTER_COMM, filter_comm, NLA_NUL_STRING, AL_SET_COMM, 0,
		   ANONLEAK_COMM_MAX_LEN),
	AL_NUMBER(MAX_MAPPINGS, max_mappings, NLA_U64),
	AL_NUMBER(MAX_SITES, max_sites, NLA_U64),
	AL_NUMBER(MAX_PROCS, max_procs, NLA_U64),
	AL_NUMBER(MAX_EXITED, max_exited, NLA_U64),
	AL_SETTING(UNWIND, unwind, NLA_U8, AL_SET_BOOL, 0, 1),
	AL_NUMBER(MAX_UNWIND_BYTES, max_unwind_bytes, NLA_U64),
	AL_NUMBER(MAX_EXEMPLARS, max_exemplars, NLA_U64),
	AL_NUMBER(EXEMPLAR_SIZE, exemplar_size, NLA_U32),
};

/* Filled from al_settings by al_config_init(), before the family exists. */
struct nla_policy al_config_policy[ANONLEAK_CONFIG_A_MAX + 1] __ro_after_init;

/* A value on its way into a setting's variable. */
union al_value {
	unsigned long n;		/* AL_SET_NUM, AL_SET_BOOL */
	int i;				/* AL_SET_PID, AL_SET_UID */
	char comm[TASK_COMM_LEN];	/* AL_SET_COMM */
};

static void al_setting_store(const struct al_setting *s,
			     const union al_value *v)
{
	switch (s->kind) {
	case AL_SET_BOOL:
		WRITE_ONCE(*(bool *)s->ptr, v->n);
		break;
	case AL_SET_PID:
	case AL_SET_UID:
		WRITE_ONCE(*(int *)s->ptr, v->i);
		break;
	case AL_SET_COMM:
		memcpy(s->ptr, v->comm, TASK_COMM_LEN);
		break;
	default:
		if (s->type == NLA_U32)
			WRITE_ONCE(*(unsigned int *)s->ptr, v->n);
		else
			WRITE_ONCE(*(unsigned long *)s->ptr, v->n);
	}
}

/* Module parameters ---------------------------------------------------- */

/* A comm, without the newline that sysfs writes usually carry. */
static int al_param_parse_comm(const struct al_setting *s, const char *val,
			       union al_value *v)
{
	size_t len = strcspn(val, "\n");

	if (len > s->range.max) {
		pr_err("%s: '%s' is longer than %llu characters\n", s->name, val,
		       s->range.max);
		return -EINVAL;
	}
	memset(v->comm, 0, sizeof(v->comm));
	memcpy(v->comm, val, len);
	return 0;
}

static int al_param_parse(const struct al_setting *s, const char *val,
			  union al_value *v)
{
	int err;

	if (s->kind == AL_SET_BOOL) {
		bool b;

		/* As param_set_bool(): no value means true. */
		err = kstrtobool(val ? val : "1", &b);
		v->n = b;
		return err;
	}
	if (!val)
		return -EINVAL;
	if (s->kind == AL_SET_COMM)
		return al_param_parse_comm(s, val, v);
	if (s->kind == AL_SET_UID) {
		err = kstrtoint(val, 0, &v->i);
		if (err || v->i < -1) {
			pr_err("%s: '%s' is not a uid or -1\n", s->name, val);
			return err ? err : -ERANGE;
		}
		return 0;
	}
	err = kstrtoul(val, 0, &v->n);
	if (err) {
		pr_err("%s: '%s' is not a number\n", s->name, val);
		return err;
	}
	if (v->n < s->range.min || v->n > s->range.max) {
		pr_err("%s: %lu is out of range [%llu, %llu]\n", s->name, v->n,
		       s->range.min, s->range.max);
		return -ERANGE;
	}
	if (s->kind == AL_SET_PID)
		v->i = v->n;
	return 0;
}

static int al_param_set(const char *val, const struct kernel_param *kp)
{
	const struct al_setting *s = kp->arg;
	union al_value v;
	int err;

	err = al_param_parse(s, val, &v);
	if (!err)
		al_setting_store(s, &v);
	return err;
}

/* As param_get_{ulong,uint,int,bool}() would, and the comm as a line. */
static int al_param_get(char *buf, const struct kernel_param *kp)
{
	const struct al_setting *s = kp->arg;

	switch (s->kind) {
	case AL_SET_BOOL:
		return sysfs_emit(buf, "%c\n",
				  READ_ONCE(*(bool *)s->ptr) ? 'Y' : 'N');
	case AL_SET_PID:
	case AL_SET_UID:
		return sysfs_emit(buf, "%d\n", READ_ONCE(*(int *)s->ptr));
	case AL_SET_COMM:
		return sysfs_emit(buf, "%s\n", (char *)s->ptr);
	}
	if (s->type == NLA_U32)
		return sysfs_emit(buf, "%u\n", READ_ONCE(*(unsigned int *)s->ptr));
	return sysfs_emit(buf, "%lu\n", READ_ONCE(*(unsigned long *)s->ptr));
}

/*
 * NOARG for "enabled", a bool, which may come without a value; the others
 * refuse that in al_param_parse() as the kernel would have.
 */
static const struct kernel_param_ops al_param_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = al_param_set,
	.get = al_param_get,
};

#define AL_PARAM(attr)	(&al_settings[ANONLEAK_CONFIG_A_##attr])

module_param_cb(max_mappings, &al_param_ops, AL_PARAM(MAX_MAPPINGS), 0644);
module_param_cb(max_sites, &al_param_ops, AL_PARAM(MAX_SITES), 0644);
module_param_cb(max_procs, &al_param_ops, AL_PARAM(MAX_PROCS), 0644);
module_param_cb(max_exited, &al_param_ops, AL_PARAM(MAX_EXITED), 0644);
module_param_cb(stack_depth, &al_param_ops, AL_PARAM(STACK_DEPTH), 0644);
module_param_cb(enabled, &al_param_ops, AL_PARAM(ENABLED), 0644);
module_param_cb(filter_pid, &al_param_ops, AL_PARAM(FILTER_PID), 0644);
module_param_cb(filter_uid, &al_param_ops, AL_PARAM(FILTER_UID), 0644);
module_param_cb(filter_comm, &al_param_ops, AL_PARAM(FILTER_COMM), 0644);
module_param_cb(min_size, &al_param_ops, AL_PARAM(MIN_SIZE), 0644);
module_param_cb(unwind, &al_param_ops, AL_PARAM(UNWIND), 0644);
module_param_cb(max_unwind_bytes, &al_param_ops, AL_PARAM(MAX_UNWIND_BYTES), 0644);
module_param_cb(max_exemplars, &al_param_ops, AL_PARAM(MAX_EXEMPLARS), 0644);
module_param_cb(exemplar_size, &al_param_ops, AL_PARAM(EXEMPLAR_SIZE), 0644);

MODULE_PARM_DESC(max_mappings, "Most live mappings tracked, all processes (default 1048576)");
MODULE_PARM_DESC(max_sites, "Most call-site records, all processes (default 65536)");
MODULE_PARM_DESC(max_procs, "Most running processes tracked (default 16384)");
MODULE_PARM_DESC(max_exited,
		 "Exited processes whose outstanding mappings are kept (default 256)");
MODULE_PARM_DESC(stack_depth, "User stack frames kept per call site, 1..32 (default 8)");
MODULE_PARM_DESC(enabled, "Record new mappings (default 1)");
/*
 * Filters: they decide which processes get a record when they first map
 * anonymous memory (pid, comm, uid), and which mappings are recorded
 * (min_size). Unmaps are always followed.
 */
MODULE_PARM_DESC(filter_pid,
		 "Only this process (init pid namespace) and its descendants, 0: all (default 0)");
MODULE_PARM_DESC(filter_uid, "Only processes of this real uid, -1: all (default -1)");
MODULE_PARM_DESC(filter_comm, "Only processes with this comm, empty: all (default empty)");
MODULE_PARM_DESC(min_size, "Only mappings of at least this many bytes (default 0)");
MODULE_PARM_DESC(unwind, "Walk stacks with the uploaded unwind tables, else frame pointers only (default 1)");
MODULE_PARM_DESC(max_unwind_bytes, "Most memory for unwind tables, bytes (default 67108864)");
MODULE_PARM_DESC(max_exemplars, "Most stack copies (exemplars) kept, one per new site (default 4096)");
MODULE_PARM_DESC(exemplar_size, "Bytes of user stack per exemplar, 0..16384, 0: none (default 4096)");

/* Netlink -------------------------------------------------------------- */

/* The policy of each attribute: its type, and its range where it has one. */
void __init al_config_init(void)
{
	struct al_setting *s;
	int attr;

	BUILD_BUG_ON(sizeof(al_filter_comm) != ANONLEAK_COMM_MAX_LEN + 1);
	for (attr = 0; attr <= ANONLEAK_CONFIG_A_MAX; attr++) {
		struct nla_policy *p = &al_config_policy[attr];

		s = &al_settings[attr];
		if (!s->name)
			continue;
		p->type = s->type;
		if (s->kind == AL_SET_COMM) {
			p->len = s->range.max;
		} else if (s->kind == AL_SET_NUM || s->kind == AL_SET_BOOL) {
			p->validation_type = NLA_VALIDATE_RANGE_PTR;
			p->range = &s->range;
		}
	}
}

/* Reply sizing, as kernel/taskstats.c: every attribute counted. */
size_t al_config_size(void)
{
	size_t size = nla_total_size(0);	/* ANONLEAK_A_CONFIG */
	int attr;

	for (attr = 0; attr <= ANONLEAK_CONFIG_A_MAX; attr++) {
		const struct al_setting *s = &al_settings[attr];

		if (!s->name)
			continue;
		if (s->type == NLA_NUL_STRING)
			size += nla_total_size(TASK_COMM_LEN);
		else if (s->type == NLA_U64)
			size += nla_total_size_64bit(sizeof(u64));
		else
			size += nla_total_size(sizeof(u32));
	}
	return size;
}

/* The filter is kept in the initial namespace: show the caller's. */
static u32 al_pid_for_caller(int nr)
{
	struct pid *p;
	pid_t pid;

	if (!nr)
		return 0;
	rcu_read_lock();
	p = find_pid_ns(nr, &init_pid_ns);
	pid = p ? pid_nr_ns(p, task_active_pid_ns(current)) : 0;
	rcu_read_unlock();
	return pid;
}

static int al_setting_put(struct sk_buff *skb, int attr,
			  const struct al_setting *s)
{
	char comm[TASK_COMM_LEN];
	int i;

	switch (s->kind) {
	case AL_SET_BOOL:
		return nla_put_u8(skb, attr, READ_ONCE(*(bool *)s->ptr));
	case AL_SET_PID:
		i = READ_ONCE(*(int *)s->ptr);
		return nla_put_u32(skb, attr, al_pid_for_caller(i));
	case AL_SET_UID:
		i = READ_ONCE(*(int *)s->ptr);
		return nla_put_u32(skb, attr, i < 0 ? ANONLEAK_UID_ANY : i);
	case AL_SET_COMM:
		memcpy(comm, s->ptr, sizeof(comm));
		comm[TASK_COMM_LEN - 1] = 0;
		return nla_put_string(skb, attr, comm);
	}
	if (s->type == NLA_U32)
		return nla_put_u32(skb, attr, READ_ONCE(*(unsigned int *)s->ptr));
	return al_put_u64(skb, attr, READ_ONCE(*(unsigned long *)s->ptr),
			  ANONLEAK_CONFIG_A_PAD);
}

/* GET_CONFIG: an ANONLEAK_A_CONFIG nest with every setting. */
int al_config_fill(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, ANONLEAK_A_CONFIG);
	int attr;

	if (!nest)
		return -EMSGSIZE;
	for (attr = 0; attr <= ANONLEAK_CONFIG_A_MAX; attr++) {
		if (al_settings[attr].name &&
		    al_setting_put(skb, attr, &al_settings[attr])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A pid of the caller's namespace, as one of the initial namespace. */
static int al_pid_from_caller(const struct nlattr *nla, union al_value *v,
			      struct netlink_ext_ack *extack)
{
	u32 nr = nla_get_u32(nla);
	struct pid *p;

	v->i = 0;
	if (!nr)
		return 0;
	rcu_read_lock();
	p = find_vpid(nr);
	v->i = p ? pid_nr(p) : -1;
	rcu_read_unlock();
	if (v->i < 0) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "no such process");
		return -ESRCH;
	}
	return 0;
}

/* The policy has checked the type and the range (AL_SET_NUM, _BOOL). */
static int al_setting_parse(const struct al_setting *s,
			    const struct nlattr *nla, union al_value *v,
			    struct netlink_ext_ack *extack)
{
	u32 uid;

	switch (s->kind) {
	case AL_SET_PID:
		return al_pid_from_caller(nla, v, extack);
	case AL_SET_UID:
		uid = nla_get_u32(nla);
		if (uid != ANONLEAK_UID_ANY && uid > s->range.max) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "uid out of range");
			return -EINVAL;
		}
		v->i = uid == ANONLEAK_UID_ANY ? -1 : (int)uid;
		return 0;
	case AL_SET_COMM:
		nla_strscpy(v->comm, nla, sizeof(v->comm));
		return 0;
	}
	if (s->type == NLA_U8)
		v->n = nla_get_u8(nla);
	else if (s->type == NLA_U32)
		v->n = nla_get_u32(nla);
	else
		v->n = nla_get_u64(nla);
	return 0;
}

/*
 * SET_CONFIG: validate every setting in @tb first, then apply them all.
 * Ops of this family are serialised by the genetlink core, and so are
 * SET_CONFIG calls.
 */
int al_config_set(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	union al_value v[ANONLEAK_CONFIG_A_MAX + 1];
	int attr, err;

	for (attr = 0; attr <= ANONLEAK_CONFIG_A_MAX; attr++) {
		if (!tb[attr] || !al_settings[attr].name)
			continue;
		err = al_setting_parse(&al_settings[attr], tb[attr], &v[attr],
				       extack);
		if (err)
			return err;
	}
	for (attr = 0; attr <= ANONLEAK_CONFIG_A_MAX; attr++)
		if (tb[attr] && al_settings[attr].name)
			al_setting_store(&al_settings[attr], &v[attr]);
	return 0;
}
