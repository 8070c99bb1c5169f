cmd_/work/main/module/modules.order := {   echo /work/main/module/anonleak.ko; :; } > /work/main/module/modules.order
