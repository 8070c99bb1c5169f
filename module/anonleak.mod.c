#include <linux/module.h>
#include <linux/export-internal.h>
#include <linux/compiler.h>

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



static const struct modversion_info ____versions[]
__used __section("__versions") = {
	{ 0xb19a5453, "__per_cpu_offset" },
	{ 0xba8fbd64, "_raw_spin_lock" },
	{ 0x8fccb0b2, "param_get_ulong" },
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0x122c3a7e, "_printk" },
	{ 0x892a6a2b, "param_get_uint" },
	{ 0xf0fdf6cb, "__stack_chk_fail" },
	{ 0x296695f, "refcount_warn_saturate" },
	{ 0xa916b694, "strnlen" },
	{ 0xc04d559f, "__alloc_skb" },
	{ 0xddb1cd7, "llist_reverse_order" },
	{ 0xcdbe9cef, "const_pcpu_hot" },
	{ 0xda75812d, "find_vma" },
	{ 0x2469810f, "__rcu_read_unlock" },
	{ 0x337ed15f, "sk_skb_reason_drop" },
	{ 0xe5e4a3fb, "netlink_unicast" },
	{ 0xb04a43ad, "__xa_alloc_cyclic" },
	{ 0xc4ac420b, "kmem_cache_free" },
	{ 0xeb03e162, "nla_put" },
	{ 0x35273366, "unregister_kretprobe" },
	{ 0x4d9b652b, "rb_erase" },
	{ 0x950eb34e, "__list_del_entry_valid_or_report" },
	{ 0x53a1e8d9, "_find_next_bit" },
	{ 0x449ad0a7, "memcmp" },
	{ 0x75ca79b5, "__fortify_panic" },
	{ 0x9e683f75, "__cpu_possible_mask" },
	{ 0x5c3c7387, "kstrtoull" },
	{ 0x993555e3, "param_ops_charp" },
	{ 0x2644e51c, "__get_task_comm" },
	{ 0x5b8239ca, "__x86_return_thunk" },
	{ 0xfa3138b3, "kmem_cache_alloc_noprof" },
	{ 0x17de3d5, "nr_cpu_ids" },
	{ 0x8b55260f, "__kmem_cache_create_args" },
	{ 0x96f58ce1, "skb_trim" },
	{ 0x745a981, "xa_erase" },
	{ 0x28aa6a67, "call_rcu" },
	{ 0x44c10a52, "kvfree_call_rcu" },
	{ 0x266d7b2d, "param_ops_bool" },
	{ 0x8fa25c24, "xa_find" },
	{ 0xee91879b, "rb_first_postorder" },
	{ 0xc25f21b, "__kmalloc_cache_noprof" },
	{ 0x3f66a26e, "register_kprobe" },
	{ 0xa6a2eddc, "pid_nr_ns" },
	{ 0xc07351b3, "__SCT__cond_resched" },
	{ 0xceb38aab, "register_kretprobe" },
	{ 0x39a69600, "param_set_ulong" },
	{ 0xd4c14632, "system_unbound_wq" },
	{ 0x4e68e9be, "rb_next_postorder" },
	{ 0xbb10e61d, "unregister_kprobe" },
	{ 0xaf125350, "genl_unregister_family" },
	{ 0xdf36914b, "xa_find_after" },
	{ 0xc7a1840e, "llist_add_batch" },
	{ 0x60a13e90, "rcu_barrier" },
	{ 0x754d539c, "strlen" },
	{ 0x7aa1756e, "kvfree" },
	{ 0x42599dc4, "genl_register_family" },
	{ 0xb5b54b34, "_raw_spin_unlock" },
	{ 0x31f2a14c, "__kvmalloc_node_noprof" },
	{ 0xace54643, "put_pid" },
	{ 0xc4f0da12, "ktime_get_with_offset" },
	{ 0xa12d2260, "kmalloc_caches" },
	{ 0x4b7b0cae, "kmem_cache_destroy" },
	{ 0x2f2c95c4, "flush_work" },
	{ 0x7696f8c7, "__list_add_valid_or_report" },
	{ 0x8d522714, "__rcu_read_lock" },
	{ 0x52c5c991, "__kmalloc_noprof" },
	{ 0xc5b6f236, "queue_work_on" },
	{ 0xb66ec7d0, "nla_put_64bit" },
	{ 0x724d625b, "task_active_pid_ns" },
	{ 0xca9360b5, "rb_next" },
	{ 0x7a98f4b4, "copy_from_user_nofault" },
	{ 0x21ea5251, "__bitmap_weight" },
	{ 0x504831bc, "param_set_uint" },
	{ 0x94456afe, "genlmsg_put" },
	{ 0x69acdf38, "memcpy" },
	{ 0x37a0cba, "kfree" },
	{ 0xa5526619, "rb_insert_color" },
	{ 0x5002fa32, "module_layout" },
};

MODULE_INFO(depends, "");


MODULE_INFO(srcversion, "0B0877012697B3CA4194EBE");
