#include <linux/module.h>
#define INCLUDE_VERMAGIC
#include <linux/build-salt.h>
#include <linux/elfnote-lto.h>
#include <linux/export-internal.h>
#include <linux/vermagic.h>
#include <linux/compiler.h>

BUILD_SALT;
BUILD_LTO_INFO;

MODULE_INFO(vermagic, VERMAGIC_STRING);
MODULE_INFO(name, KBUILD_MODNAME);

__visible struct module __this_module
__section(".gnu.linkonce.this_module") = {
	.name = KBUILD_MODNAME,
	.init = init_module,
#ifdef CONFIG_MODULE_UNLOAD
	.exit = cleanup_module,
#endif
	.arch = MODULE_ARCH_INIT,
};

#ifdef CONFIG_RETPOLINE
MODULE_INFO(retpoline, "Y");
#endif


static const struct modversion_info ____versions[]
__used __section("__versions") = {
	{ 0x8d522714, "__rcu_read_lock" },
	{ 0xc5b6f236, "queue_work_on" },
	{ 0x9b489671, "nla_put_64bit" },
	{ 0x1bd3fe49, "task_active_pid_ns" },
	{ 0xca9360b5, "rb_next" },
	{ 0x7a98f4b4, "copy_from_user_nofault" },
	{ 0x21ea5251, "__bitmap_weight" },
	{ 0xffcbde5b, "genlmsg_put" },
	{ 0x69acdf38, "memcpy" },
	{ 0x37a0cba, "kfree" },
	{ 0x7e617684, "kmem_cache_create" },
	{ 0xa5526619, "rb_insert_color" },
	{ 0xb19a5453, "__per_cpu_offset" },
	{ 0xba8fbd64, "_raw_spin_lock" },
	{ 0x37730835, "param_get_ulong" },
	{ 0xcbd4898c, "fortify_panic" },
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0x92997ed8, "_printk" },
	{ 0xe6d2458e, "do_trace_netlink_extack" },
	{ 0x4d06a092, "param_get_uint" },
	{ 0xa19b956, "__stack_chk_fail" },
	{ 0x296695f, "refcount_warn_saturate" },
	{ 0xa916b694, "strnlen" },
	{ 0x1eb9ab54, "__alloc_skb" },
	{ 0xddb1cd7, "llist_reverse_order" },
	{ 0x549dfa15, "kmem_cache_alloc" },
	{ 0x9f984513, "strrchr" },
	{ 0xacba8788, "find_vma" },
	{ 0x599fb41c, "kvmalloc_node" },
	{ 0x68f31cbd, "__list_add_valid" },
	{ 0x2469810f, "__rcu_read_unlock" },
	{ 0xc9119dac, "netlink_unicast" },
	{ 0xed89811, "kfree_skb_reason" },
	{ 0xb04a43ad, "__xa_alloc_cyclic" },
	{ 0xaffab678, "kmem_cache_free" },
	{ 0x1468be11, "nla_put" },
	{ 0x50adaa18, "unregister_kretprobe" },
	{ 0x4d9b652b, "rb_erase" },
	{ 0x53a1e8d9, "_find_next_bit" },
	{ 0x449ad0a7, "memcmp" },
	{ 0xe1537255, "__list_del_entry_valid" },
	{ 0x68fb37ae, "current_task" },
	{ 0x9e683f75, "__cpu_possible_mask" },
	{ 0x5c3c7387, "kstrtoull" },
	{ 0x744e0813, "param_ops_charp" },
	{ 0xfb67911d, "__get_task_comm" },
	{ 0x5b8239ca, "__x86_return_thunk" },
	{ 0x17de3d5, "nr_cpu_ids" },
	{ 0xe2d5255a, "strcmp" },
	{ 0x77c2be96, "skb_trim" },
	{ 0x745a981, "xa_erase" },
	{ 0x28aa6a67, "call_rcu" },
	{ 0xbaf22757, "kvfree_call_rcu" },
	{ 0xe5b3abad, "param_ops_bool" },
	{ 0x8fa25c24, "xa_find" },
	{ 0xee91879b, "rb_first_postorder" },
	{ 0xfcca5424, "register_kprobe" },
	{ 0xa862aa90, "pid_nr_ns" },
	{ 0xc07351b3, "__SCT__cond_resched" },
	{ 0xacfde3ae, "register_kretprobe" },
	{ 0xd4c14632, "system_unbound_wq" },
	{ 0x4e68e9be, "rb_next_postorder" },
	{ 0x63026490, "unregister_kprobe" },
	{ 0xab93a5c2, "genl_unregister_family" },
	{ 0xdf36914b, "xa_find_after" },
	{ 0x606e9d01, "kmalloc_trace" },
	{ 0xc7a1840e, "llist_add_batch" },
	{ 0x60a13e90, "rcu_barrier" },
	{ 0x754d539c, "strlen" },
	{ 0x581e2394, "__nla_parse" },
	{ 0x7aa1756e, "kvfree" },
	{ 0x9ec07055, "genl_register_family" },
	{ 0xb5b54b34, "_raw_spin_unlock" },
	{ 0xf8a1b589, "put_pid" },
	{ 0xc4f0da12, "ktime_get_with_offset" },
	{ 0xeb233a45, "__kmalloc" },
	{ 0x7a7caba8, "kmalloc_caches" },
	{ 0x137065ed, "kmem_cache_destroy" },
	{ 0x2f2c95c4, "flush_work" },
	{ 0x9060323f, "module_layout" },
};

MODULE_INFO(depends, "");


MODULE_INFO(srcversion, "1E58F8C6E9DAD60CFC3EDD2");
