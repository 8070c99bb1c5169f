cmd_/work/main/module/Module.symvers :=  sed 's/ko$$/o/'  /work/main/module/modules.order | scripts/mod/modpost -m      -o /work/main/module/Module.symvers -e -i Module.symvers -T - 
