savedcmd_/work/main/module/Module.symvers :=  scripts/mod/modpost -M -m       -o /work/main/module/Module.symvers -T /work/main/module/modules.order -i Module.symvers -e 
