cmd_/work/main/module/anonleak.mod := printf '%s\n'   main.o probes.o track.o sites.o netlink.o | awk '!x[$$0]++ { print("/work/main/module/"$$0) }' > /work/main/module/anonleak.mod
