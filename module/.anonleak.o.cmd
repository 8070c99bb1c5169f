savedcmd_/work/main/module/anonleak.o := x86_64-linux-gnu-ld -m elf_x86_64 -z noexecstack --no-warn-rwx-segments   -r -o /work/main/module/anonleak.o @/work/main/module/anonleak.mod  ; ./tools/objtool/objtool --hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --sls --static-call --uaccess --prefix=16  --link  --module /work/main/module/anonleak.o

/work/main/module/anonleak.o: $(wildcard ./tools/objtool/objtool)
