savedcmd_/work/main/module/modules.order := {   echo /work/main/module/anonleak.o; :; } > /work/main/module/modules.order
