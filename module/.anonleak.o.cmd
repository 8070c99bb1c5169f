cmd_/work/main/module/anonleak.o := ld -m elf_x86_64 -z noexecstack --no-warn-rwx-segments   -r -o /work/main/module/anonleak.o @/work/main/module/anonleak.mod 
