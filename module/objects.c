// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped objects (executables, shared libraries) that call-site frames point
 * into. When a site is first seen, each frame is resolved from its VMA, under
 * the mmap_lock that do_mmap() holds, to an object (path, GNU build-id) and a
 * file offset, so that user space can symbolize it after the process and
 * even its files are gone. Objects are shared by all sites, keyed by
 * (device, inode), and freed with the last site that uses them.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/elf.h>
#include <linux/hashtable.h>
#include <linux/uaccess.h>
#include <linux/percpu.h>
#include <linux/limits.h>
#include <linux/err.h>

#include <linux/anonleak.h>

#include "anonleak.h"

#define AL_OBJ_HASH_BITS	8
#define AL_MAX_PHDRS		32
#define AL_NOTES_MAX		256
#define AL_NT_GNU_BUILD_ID	3	/* not in the kernel's headers */

static DEFINE_HASHTABLE(al_obj_hash, AL_OBJ_HASH_BITS);
static DEFINE_SPINLOCK(al_obj_lock);	/* al_obj_hash and every refs */
static DEFINE_PER_CPU(char [PATH_MAX], al_path_buf);

static u32 al_obj_key(dev_t dev, unsigned long ino)
{
	return hash_long(ino ^ ((unsigned long)dev << 20), 32);
}

/*
 * The GNU build-id, read from the process's own mapping of the ELF header:
 * the object's first page is mapped at the load bias. Nofault reads only.
 */
static void al_read_build_id(struct mm_struct *mm, struct file *file,
			     unsigned long base, struct al_object *obj)
{
	struct vm_area_struct *vma = find_vma(mm, base);
	const void __user *ubase = (const void __user *)base;
	u8 notes[AL_NOTES_MAX];
	struct elf64_phdr phdr;
	struct elf64_hdr eh;
	unsigned int i, off;

	if (!vma || vma->vm_start != base || vma->vm_file != file ||
	    vma->vm_pgoff)
		return;
	if (copy_from_user_nofault(&eh, ubase, sizeof(eh)) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(struct elf64_phdr) || !eh.e_phnum ||
	    eh.e_phnum > AL_MAX_PHDRS || eh.e_phoff >= PAGE_SIZE)
		return;
	for (i = 0; i < eh.e_phnum; i++) {
		size_t len;

		if (copy_from_user_nofault(&phdr, ubase + eh.e_phoff +
					   i * sizeof(phdr), sizeof(phdr)))
			return;
		len = min_t(u64, phdr.p_filesz, sizeof(notes));
		if (phdr.p_type != PT_NOTE || phdr.p_offset >= vma->vm_end - base)
			continue;
		if (copy_from_user_nofault(notes, ubase + phdr.p_offset, len))
			continue;
		for (off = 0; off + sizeof(struct elf64_note) <= len;) {
			struct elf64_note *n = (struct elf64_note *)(notes + off);
			size_t name = ALIGN(n->n_namesz, 4), desc = ALIGN(n->n_descsz, 4);
			size_t d = off + sizeof(*n) + name;

			if (n->n_namesz > len || n->n_descsz > len ||
			    d + n->n_descsz > len)
				break;
			if (n->n_type == AL_NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(notes + off + sizeof(*n), "GNU", 4) &&
			    n->n_descsz && n->n_descsz <= sizeof(obj->build_id)) {
				memcpy(obj->build_id, notes + d, n->n_descsz);
				obj->build_id_len = n->n_descsz;
				return;
			}
			off = d + desc;
		}
	}
}

/* The object (@dev, @ino) with a reference taken, or NULL. */
static struct al_object *al_object_find(u32 key, dev_t dev, unsigned long ino)
{
	struct al_object *obj;

	lockdep_assert_held(&al_obj_lock);
	hash_for_each_possible(al_obj_hash, obj, node, key) {
		if (obj->dev == dev && obj->ino == ino) {
			obj->refs++;
			return obj;
		}
	}
	return NULL;
}

/* A new object for @vma's file: its path and build-id; NULL if unnamed. */
static struct al_object *al_object_new(struct mm_struct *mm,
				       struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	struct al_object *obj;
	char *buf, *path;
	size_t len;

	/* Probe handlers run with preemption off: the buffer is ours. */
	buf = this_cpu_ptr(al_path_buf);
	path = d_path(&file->f_path, buf, PATH_MAX);
	if (IS_ERR(path)) {
		al_stat_inc(unnamed);
		return NULL;
	}
	len = strlen(path);
	obj = kzalloc(struct_size(obj, path, len + 1), GFP_NOWAIT | __GFP_NOWARN);
	if (!obj) {
		/* The frame keeps its address: not a drop. */
		al_stat_inc(unnamed);
		pr_warn_once("out of memory in a probe: frames are left without their file (counted in 'anonleak status')\n");
		return NULL;
	}
	obj->dev = file_inode(file)->i_sb->s_dev;
	obj->ino = file_inode(file)->i_ino;
	obj->refs = 1;
	memcpy(obj->path, path, len + 1);
	al_read_build_id(mm, file, vma->vm_start - (vma->vm_pgoff << PAGE_SHIFT),
			 obj);
	return obj;
}

/* Find or create the object for @vma's file; a reference for the caller. */
struct al_object *al_object_get(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	dev_t dev = inode->i_sb->s_dev;
	unsigned long ino = inode->i_ino;
	u32 key = al_obj_key(dev, ino);
	struct al_object *obj, *old;

	spin_lock(&al_obj_lock);
	obj = al_object_find(key, dev, ino);
	spin_unlock(&al_obj_lock);
	if (obj)
		return obj;

	obj = al_object_new(mm, vma);
	if (!obj)
		return NULL;
	/* Site creation is serialised per proc only: look again. */
	spin_lock(&al_obj_lock);
	old = al_object_find(key, dev, ino);
	if (!old)
		hash_add(al_obj_hash, &obj->node, key);
	spin_unlock(&al_obj_lock);
	if (old)
		kfree(obj);
	return old ? old : obj;
}

/* Dumps and GET_EXEMPLAR may still read it under RCU: free after a grace period. */
void al_object_put(struct al_object *obj)
{
	spin_lock(&al_obj_lock);
	if (--obj->refs) {
		spin_unlock(&al_obj_lock);
		return;
	}
	hash_del(&obj->node);
	spin_unlock(&al_obj_lock);
	kfree_rcu(obj, rcu);
}

/*
 * Resolve @site's frames: each frame that lies in a file mapping gets the
 * index (1-based) of its object in site->objs, kept in the top bits of the
 * frame. Called once, when the site is created, with mmap_lock held.
 */
void al_site_resolve(struct mm_struct *mm, struct al_site *site)
{
	unsigned int i, j;

	for (i = 0; i < site->depth; i++) {
		unsigned long addr = site->frames[i];
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long bias;

		if (!vma || addr < vma->vm_start || !vma->vm_file)
			continue;
		bias = vma->vm_start - (vma->vm_pgoff << PAGE_SHIFT);
		for (j = 0; j < AL_SITE_OBJS && site->objs[j].obj; j++)
			if (site->objs[j].bias == bias &&
			    site->objs[j].obj->ino == file_inode(vma->vm_file)->i_ino)
				break;
		if (j == AL_SITE_OBJS)
			continue;	/* more objects than we keep: address only */
		if (!site->objs[j].obj) {
			site->objs[j].obj = al_object_get(mm, vma);
			if (!site->objs[j].obj)
				continue;
			site->objs[j].bias = bias;
		}
		site->frames[i] |= (unsigned long)(j + 1) << AL_FRAME_OBJ_SHIFT;
	}
}

void al_site_unresolve(struct al_site *site)
{
	unsigned int j;

	for (j = 0; j < AL_SITE_OBJS && site->objs[j].obj; j++)
		al_object_put(site->objs[j].obj);
}

/* Decode frame @i of @site: address, and object and file offset if known. */
unsigned long al_frame(const struct al_site *site, unsigned int i,
		       const struct al_object **obj, u64 *offset)
{
	unsigned long f = site->frames[i];
	unsigned long addr = f & AL_FRAME_ADDR_MASK;
	unsigned int j = f >> AL_FRAME_OBJ_SHIFT;

	*obj = NULL;
	*offset = 0;
	if (j && j <= AL_SITE_OBJS && site->objs[j - 1].obj) {
		*obj = site->objs[j - 1].obj;
		*offset = addr - site->objs[j - 1].bias;
	}
	return addr;
}
