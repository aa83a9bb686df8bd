#!/usr/bin/env bash
# A one-node Slurm cluster on localhost for the sweep tests: start (config, munged, slurmctld, slurmd) and stop by pid files.
#
#   scripts/slurm-local.sh start DIR    writes DIR/slurm.conf, starts the daemons, waits until the node is idle;
#                                       prints `export SLURM_CONF=DIR/slurm.conf` on success
#   scripts/slurm-local.sh stop DIR     stops the daemons started in DIR (by their pid files only)
#   scripts/slurm-local.sh install      installs slurm-wlm and munge when missing (Debian; `make setup` does it too)
#
# Everything (state, spool, logs, the munge socket) lives in DIR, and the daemons listen on ports of
# their own, so a system Slurm on the same machine is left alone. `start` installs nothing; it exits 3
# with the reason on standard error when the cluster cannot be started (not root, packages missing,
# a daemon that does not come up), which the tests turn into a skip.
set -euo pipefail

usage() { echo "usage: $0 start DIR | stop DIR | install" >&2; exit 2; }
cannot() { echo "slurm-local: $*" >&2; exit 3; }

install_packages() {
  local missing=""
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
}

# Stops the daemon whose pid file is $1 (TERM, then KILL after 5 s); a missing file is not an error.
stop_pidfile() {
  local file=$1 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  local dir=$1
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
}

# A TCP port nobody listens on, from a start point derived from the folder name (two clusters never share).
free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Closes every inherited descriptor above standard error. The daemons would keep them open for
# ever, and a parent that watches one (Foundation's Process does, to learn that its child ended)
# would wait for ever.
close_inherited() {
  local fd
  for fd in $(ls /proc/$$/fd); do
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
  done
}

start() {
  close_inherited
  local dir
  dir=$(mkdir -p "$1" && cd "$1" && pwd)
  [ "$(id -u)" = 0 ] || cannot "needs root (slurmd runs jobs as any user)"
  for tool in munged slurmctld slurmd sbatch sinfo; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || cannot "'$tool' not found; run 'make setup' (installs slurm-wlm and munge)"
  done
  [ -r /etc/munge/munge.key ] || cannot "/etc/munge/munge.key missing; reinstall munge"
  export PATH="$PATH:/usr/sbin"
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  chmod 700 "$dir/munge"

  local host cpus memory base ctld_port slurmd_port
  host=$(hostname -s)
  cpus=$(nproc)
  memory=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
  base=$((20000 + $(echo "$dir" | cksum | cut -d' ' -f1) % 20000))
  ctld_port=$(free_port "$base")
  slurmd_port=$(free_port $((ctld_port + 1)))

  cat >"$dir/slurm.conf" <<EOF
# One-node test cluster written by scripts/slurm-local.sh.
ClusterName=whittle-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  # slurmd -C and the daemons read the configuration from here; so do sbatch, squeue and sinfo.
  export SLURM_CONF="$dir/slurm.conf"

  munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
         --seed-file="$dir/munge/munge.seed" --key-file=/etc/munge/munge.key --force </dev/null >/dev/null 2>&1 \
    || cannot "munged did not start (see $dir/munged.log)"
  # The daemons' standard streams go nowhere: a caller reading this script's output must see its end.
  slurmctld -f "$dir/slurm.conf" </dev/null >/dev/null 2>&1 || { stop "$dir"; cannot "slurmctld did not start (see $dir/slurmctld.log)"; }
  slurmd -f "$dir/slurm.conf" </dev/null >/dev/null 2>&1 || { stop "$dir"; cannot "slurmd did not start (see $dir/slurmd.log)"; }

  # The node registers within a few seconds; give it 30.
  for _ in $(seq 150); do
    if [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" = "idle" ]; then
      echo "export SLURM_CONF=$dir/slurm.conf"
      return 0
    fi
    sleep 0.2
  done
  local state
  state=$(sinfo -h -o %t 2>&1 || true)
  stop "$dir"
  cannot "the node did not become idle within 30 s (sinfo: '$state'; see $dir/slurmctld.log and $dir/slurmd.log)"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  install) [ $# -eq 1 ] || usage; install_packages ;;
  *) usage ;;
esac
