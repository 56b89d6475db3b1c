#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for testing `routelab sweep --emit slurm` against a real
# scheduler (CI runs it). Needs root and Debian's slurm-wlm + munge. Usage: slurm-local.sh start|stop
set -euo pipefail
state="${ROUTELAB_SLURM_DIR:-/tmp/routelab-slurm}"
host="$(hostname)"

start() {
  mkdir -p "$state"/{spool,state,log,run} /etc/munge /run/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    head -c 1024 /dev/urandom > /etc/munge/munge.key
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  pgrep -x munged >/dev/null || su -s /bin/sh munge -c 'munged --force' || munged --force
  mkdir -p /etc/slurm
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=routelab
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$state/state
SlurmdSpoolDir=$state/spool
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld
  slurmd
  for _ in $(seq 1 30); do
    if sinfo -h -o '%T' 2>/dev/null | grep -Eq 'idle|mixed|allocated'; then
      echo "slurm is up on $host"
      return 0
    fi
    sleep 1
  done
  echo "slurm did not come up; logs in $state/log" >&2
  return 1
}

stop() {
  for pid in "$state/run/slurmd.pid" "$state/run/slurmctld.pid"; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
