# Cinder through openstackclient (volumes) and cinderclient (attachments API at 3.44 / 3.54).
CLIENT_PACKAGES+=(python3-openstackclient python3-cinderclient)

SERVER_UUID=462dcc2d-130d-4654-8db1-da0df2da6a0d

volume_status() { $OPENSTACK volume show -f value -c status "$1" 2>/dev/null; }
volume_is() { [ "$(volume_status "$1")" = "$2" ]; }
volume_gone() { ! $OPENSTACK volume show "$1" >/dev/null 2>&1; }

suite_cinder() {
  local c=("${ADMIN_ENV[@]}" "$CINDER" --os-volume-api-version 3.44) vol att att2
  check "openstack volume create" -- $OPENSTACK volume create --size 1 clients-vol -f value -c id || return
  vol=$OUT
  wait_for "volume available" volume_is "$vol" available
  check "openstack volume list" --expect "$vol" -- $OPENSTACK volume list
  check "openstack volume show" --expect available --expect clients-vol -- $OPENSTACK volume show "$vol"
  check "openstack volume list --long (3.44)" --expect "$vol" -- $OPENSTACK --os-volume-api-version 3.44 volume list --long
  check "cinder list" --expect "$vol" -- "${c[@]}" list

  check "cinder attachment-create" --expect reserved -- "${c[@]}" attachment-create "$vol" "$SERVER_UUID" || return
  att=$(awk '$2 == "id" {print $4}' <<<"$OUT")
  check "cinder attachment-list" --expect "$att" -- "${c[@]}" attachment-list
  check "cinder attachment-list --volume-id" --expect "$att" -- "${c[@]}" attachment-list --volume-id "$vol"
  check "cinder attachment-show" --expect "$SERVER_UUID" -- "${c[@]}" attachment-show "$att"
  check "cinder attachment-update (connector)" --expect iscsi --expect auth_password -- \
    "${c[@]}" attachment-update --initiator iqn.1993-08.org.debian:01:clients --host clients-host --mountpoint /dev/vdb "$att"
  check "cinder attachment-complete" -- "${c[@]}" attachment-complete "$att"
  check "openstack volume show (in-use)" --expect in-use --expect "$SERVER_UUID" -- $OPENSTACK volume show "$vol"
  check "openstack volume attachment list (3.27)" --expect "$att" -- \
    $OPENSTACK --os-volume-api-version 3.27 volume attachment list
  check "cinder attachment-delete" -- "${c[@]}" attachment-delete "$att"
  check "openstack volume show (available again)" --expect available -- $OPENSTACK volume show "$vol"

  check "cinder attachment-create --connect --mode ro (3.54)" --expect ro -- \
    "${ADMIN_ENV[@]}" $CINDER --os-volume-api-version 3.54 attachment-create --connect True \
    --initiator iqn.1993-08.org.debian:01:clients --host clients-host --mode ro "$vol" "$SERVER_UUID"
  att2=$(awk '$2 == "attachment_id" {print $4}' <<<"$OUT")
  check "cinder attachment-delete (connected, no Nova record)" -- "${c[@]}" attachment-delete "$att2"
  known_failure "openstack volume attachment create" "OSC looks the server up in Nova; this suite creates none (the nova suite can)" -- \
    $OPENSTACK --os-volume-api-version 3.27 volume attachment create "$vol" "$SERVER_UUID"

  check "openstack volume set --state (os-reset_status)" -- $OPENSTACK volume set --state error "$vol"
  check "cinder reset-state" -- "${c[@]}" reset-state --state available "$vol"
  check "openstack volume delete" -- $OPENSTACK volume delete "$vol"
  wait_for "volume deleted" volume_gone "$vol"
}
