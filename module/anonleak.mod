/work/main/module/main.o
/work/main/module/probes.o
/work/main/module/track.o
/work/main/module/sites.o
/work/main/module/netlink.o
