#!/bin/bash
# Installs the Debian bookworm packages the real-OpenStack suite needs (Manila 15, Cinder 21, Nova 26 with
# placement and neutron-server, PostgreSQL, RabbitMQ). Idempotent: when everything is already installed it
# returns in a fraction of a second without touching apt. Needs root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

PACKAGES=(
  postgresql python3-psycopg2 rabbitmq-server curl
  manila-api manila-scheduler manila-share
  cinder-api cinder-scheduler cinder-volume
  # nova-compute is NOT installed: it pulls libvirt/qemu. python3-nova ships nova.cmd.compute and the
  # fake virt driver, which start.sh runs directly.
  nova-api nova-conductor nova-scheduler placement-api uwsgi-plugin-python3
  neutron-api
)

# one dpkg-query for all: installed packages print "name install ok installed", unknown ones print nothing
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null | awk '$4 == "installed" {print $1}' || true)
missing=()
for p in "${PACKAGES[@]}"; do
  grep -qx "$p" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install.sh: missing packages (${missing[*]}) and not root; run as root" >&2
  exit 1
fi

SECONDS=0
export DEBIAN_FRONTEND=noninteractive
# Maintainer scripts must never start daemons (containers usually already have this policy).
if [ ! -x /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi
echo "install.sh: installing ${missing[*]}"
apt-get update -q
# Answer "no" to every dbconfig / rabbit / keystone / endpoint question before the packages ask.
apt-get install -y -q --no-install-recommends debconf-utils
debconf-set-selections "$HERE/templates/debconf-preseed.txt"
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install.sh: done in ${SECONDS} s"
