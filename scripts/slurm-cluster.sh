#!/usr/bin/env bash
# A single-node Slurm cluster on loopback, for `npm run test:slurm` and for
# trying `trannsformer sweep --executor slurm` on one machine.
#
#   scripts/slurm-cluster.sh start    start munged (if not running), slurmctld and slurmd;
#                                     wait until the node is idle; print SLURM_CONF=<file>
#   scripts/slurm-cluster.sh stop     stop the daemons this script started
#   scripts/slurm-cluster.sh status   sinfo and squeue, or say it is down
#
# Needs root and Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge).
# Everything Slurm writes (state, spool, logs, pid files, slurm.conf) goes into
# one state folder, $TRANNSFORMER_SLURM_DIR (default /tmp/trannsformer-slurm);
# the daemons listen on 127.0.0.1 at non-default ports ($TRANNSFORMER_SLURM_PORT
# and the next one; default 16817). Clients find the cluster through
# SLURM_CONF=<state folder>/slurm.conf (the test suite falls back to that path).
set -euo pipefail

dir="${TRANNSFORMER_SLURM_DIR:-/tmp/trannsformer-slurm}"
port="${TRANNSFORMER_SLURM_PORT:-16817}"
conf="$dir/slurm.conf"
host="$(hostname -s)"

die() { echo "slurm-cluster: $*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: apt-get install -y slurm-wlm munge"; }

# Kill the daemon whose pid file this script's cluster wrote, and wait (bounded) until it is gone.
stop_pid() {
  local name="$1" file="$2" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  rm -f "$file"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { echo "stopped $name ($pid)"; return 0; }; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  echo "killed $name ($pid): it did not stop within 10 s"
}

start_munge() {
  if [ -S /run/munge/munge.socket.2 ] && munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    echo "munged already running"
    return 0
  fi
  # A random 1 KiB key, owned by munge, mode 400 (Debian's postinst may have made one of another size).
  if [ ! -s /etc/munge/munge.key ] || [ "$(stat -c %s /etc/munge/munge.key)" != 1024 ]; then
    install -d -o munge -g munge -m 700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge
  install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && { cp /run/munge/munged.pid "$dir/run/munged.pid" 2>/dev/null || true; echo "munged started"; return 0; }
    sleep 0.2
  done
  die "munged did not answer within 10 s (see /var/log/munge/munged.log)"
}

write_conf() {
  local mem
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 4 ))
  [ "$mem" -gt 4096 ] && mem=4096
  cat >"$conf" <<EOF
# Written by scripts/slurm-cluster.sh: one node on loopback, everything under $dir.
ClusterName=trannsformer
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
# Finished jobs stay visible to scontrol for an hour (there is no accounting database for sacct).
MinJobAge=3600
KillWait=10
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root (the daemons run as SlurmUser=root)"
  need slurmctld; need slurmd; need munged; need sinfo
  if [ -f "$dir/run/slurmctld.pid" ] && kill -0 "$(cat "$dir/run/slurmctld.pid")" 2>/dev/null; then
    echo "already running (stop it first to restart): SLURM_CONF=$conf"
    return 0
  fi
  mkdir -p "$dir"/{state,spool,log,run}
  chmod 755 "$dir"
  start_munge
  write_conf
  export SLURM_CONF="$conf"
  # -c: a clean start, no jobs from an earlier cluster in this folder.
  slurmctld -c -f "$conf" || die "slurmctld did not start (see $dir/log/slurmctld.log)"
  slurmd -f "$conf" || die "slurmd did not start (see $dir/log/slurmd.log)"
  local state=""
  for _ in $(seq 1 60); do
    state="$(sinfo -h -N -o '%t' 2>/dev/null | head -n1 || true)"
    [ "$state" = idle ] && break
    sleep 0.5
  done
  if [ "$state" != idle ]; then
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    die "the node is not idle after 30 s (state: ${state:-none}); logs above"
  fi
  sinfo
  echo "SLURM_CONF=$conf"
}

cmd_stop() {
  stop_pid slurmd "$dir/run/slurmd.pid"
  stop_pid slurmctld "$dir/run/slurmctld.pid"
  # munged only when this script started it (its pid copied into the state folder).
  if [ -f "$dir/run/munged.pid" ]; then
    pid="$(cat "$dir/run/munged.pid")"
    rm -f "$dir/run/munged.pid"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" && echo "stopped munged ($pid)"; fi
  fi
}

cmd_status() {
  [ -f "$conf" ] || die "no cluster in $dir (start it first)"
  export SLURM_CONF="$conf"
  sinfo && squeue
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
