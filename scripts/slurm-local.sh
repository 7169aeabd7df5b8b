#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for the study executor's end-to-end test (issue 17).
#
#   scripts/slurm-local.sh start   # prints `export SLURM_CONF=…`; eval it before sbatch/sinfo
#   scripts/slurm-local.sh stop    # stops the daemons this script started, removes their state
#
# Needs root and the Debian packages slurm-wlm and munge. munged runs as the munge user with a
# key generated here; slurm.conf has one node (this host's short name, its core count),
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none (no cgroups), no accounting, and its
# state, spool, logs, pid files and munge socket under $SLURM_LOCAL_DIR (default
# /tmp/sirtsim-slurm). Nothing is written under /etc: the commands find the cluster through
# SLURM_CONF.
set -euo pipefail

DIR=${SLURM_LOCAL_DIR:-/tmp/sirtsim-slurm}
CONF="$DIR/slurm.conf"
HOST=$(hostname -s)
CPUS=$(nproc)

stop() {
  for pidfile in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  rm -rf "$DIR"
}

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "slurm-local: install slurm-wlm and munge first (apt-get install -y slurm-wlm munge)" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "slurm-local: must run as root" >&2; exit 1; }
  if [ -s "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null; then
    echo "export SLURM_CONF=$CONF"
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
  chmod 755 "$DIR"

  # munge: a fresh key readable by the munge user only; socket and logs in our folder.
  dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=1024 status=none
  chown -R munge:munge "$DIR/munge"
  # munged requires its socket's folder to be searchable by everyone (clients connect to it).
  chmod 711 "$DIR/munge"
  chmod 400 "$DIR/munge/munge.key"
  runuser -u munge -- munged --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed"

  cat >"$CONF" <<CONF
# Written by scripts/slurm-local.sh: a one-node test cluster.
ClusterName=sirtsim-local
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$CONF"
  slurmctld -f "$CONF"
  slurmd -f "$CONF"
  # Wait until the node takes jobs.
  for _ in $(seq 1 100); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
    case "$state" in idle|mixed|allocated) echo "export SLURM_CONF=$CONF"; return ;; esac
    sleep 0.2
  done
  echo "slurm-local: the node did not become idle (state: ${state:-none}); logs in $DIR" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
