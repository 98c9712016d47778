# Manila through python3-manilaclient (`manila` and the `openstack share` plugin): shares, access rules,
# export locations and the share-server commands (list / show / manage / unmanage / reset-state, and
# openstackclient's adopt / abandon / set --status). manilaclient 4.1.1 speaks up to 2.72.
CLIENT_PACKAGES+=(python3-openstackclient python3-manilaclient)
MANILA=/usr/bin/manila

manila_share_status() { $OPENSTACK share show -f value -c status "$1" 2>/dev/null; }
manila_share_is() { [ "$(manila_share_status "$1")" = "$2" ]; }
share_server_status() { $OPENSTACK --os-share-api-version 2.72 share server show -f value -c status "$1" 2>/dev/null; }
share_server_is() { [ "$(share_server_status "$1")" = "$2" ]; }
share_server_gone() { ! $OPENSTACK --os-share-api-version 2.72 share server show "$1" >/dev/null 2>&1; }
share_server_with_identifier() {
  local id
  for id in $($OPENSTACK --os-share-api-version 2.72 share server list -f value -c ID 2>/dev/null); do
    [ "$($OPENSTACK --os-share-api-version 2.72 share server show -f value -c identifier "$id" 2>/dev/null)" = "$1" ] &&
      echo "$id" && return 0
  done
  return 1
}

suite_manila() {
  local m=("${ADMIN_ENV[@]}" "$MANILA" --os-share-api-version 2.72) o=("$OPENSTACK" --os-share-api-version 2.72)
  local net share server managed adopted
  # Unmanaged servers on the backend, as a cloud operator would find them.
  for id in clients-be-1 clients-be-2; do
    curl -sf -X POST -H 'Content-Type: application/json' \
      -d "{\"host\": \"simhost@alpha\", \"identifier\": \"$id\"}" "$SIM_URL/_sim/manila/backend-share-servers" >/dev/null
  done

  check "openstack share network create" -- $OPENSTACK share network create --name clients-net -f value -c id || return
  net=$OUT
  check "openstack share type list" --expect dhss_true -- $OPENSTACK share type list
  check "openstack share create (DHSS=True)" -- \
    $OPENSTACK share create NFS 1 --share-network "$net" --share-type dhss_true --name clients-share -f value -c id || return
  share=$OUT
  wait_for "share available" manila_share_is "$share" available
  check "manila list" --expect "$share" -- "${m[@]}" list
  check "openstack share export location list" --expect "/shares/share-$share" -- \
    $OPENSTACK share export location list "$share"
  check "openstack share access create" -- $OPENSTACK share access create "$share" ip 10.0.0.9
  check "openstack share access list" --expect 10.0.0.9 -- $OPENSTACK share access list "$share"

  check "manila share-server-list" --expect simhost@alpha --expect clients-net -- "${m[@]}" share-server-list || return
  server=$(awk '/simhost@alpha/ {print $2; exit}' <<<"$OUT")
  check "manila share-server-show" --expect "$server" --expect is_auto_deletable -- "${m[@]}" share-server-show "$server"
  check "manila share-server-details" --expect service_ip -- "${m[@]}" share-server-details "$server"
  check "openstack share server list" --expect "$server" -- "${o[@]}" share server list
  check "openstack share server show" --expect "$server" --expect share_network_subnet_ids -- "${o[@]}" share server show "$server"
  check "manila share-server-reset-state" -- "${m[@]}" share-server-reset-state "$server" --state error
  check "openstack share server show (error)" --expect error -- "${o[@]}" share server show -f value -c status "$server"
  check "openstack share server set --status" -- "${o[@]}" share server set --status active "$server"
  known_failure "manila share-server-unmanage (share on it)" "HTTP 400: the server is in use (FACTS §4.5)" -- \
    "${m[@]}" share-server-unmanage "$server"

  check "manila share-server-manage --wait" --expect clients-be-1 -- \
    "${m[@]}" share-server-manage simhost@alpha "$net" clients-be-1 --wait || return
  managed=$(share_server_with_identifier clients-be-1)
  check "openstack share server show (managed, active)" --expect active -- \
    "${o[@]}" share server show -f value -c status "$managed"
  check "manila share-server-unmanage" -- "${m[@]}" share-server-unmanage "$managed"
  wait_for "unmanaged server gone" share_server_gone "$managed"
  check "openstack share server adopt --wait" --expect clients-be-2 -- \
    "${o[@]}" share server adopt simhost@alpha "$net" clients-be-2 --wait || return
  adopted=$(share_server_with_identifier clients-be-2)
  known_failure "openstack share server adopt (same identifier)" "HTTP 400: identifier matches an existing server" -- \
    "${o[@]}" share server adopt simhost@alpha "$net" clients-be-2
  check "openstack share server abandon --wait" -- "${o[@]}" share server abandon "$adopted" --wait
  check "openstack share server adopt (unknown backend server)" -- \
    "${o[@]}" share server adopt simhost@alpha "$net" no-such-server -f value -c id || return
  wait_for "manage_error" share_server_is "$OUT" manage_error
  check "manila share-server-unmanage --force (manage_error)" -- "${m[@]}" share-server-unmanage --force "$OUT"

  check "openstack share delete" -- $OPENSTACK share delete "$share"
  wait_for "share deleted" bash -c "! $OPENSTACK share show $share"
  check "manila share-server-delete" -- "${m[@]}" share-server-delete "$server"
  wait_for "server deleted" share_server_gone "$server"
  known_failure "manila share-server-list (member)" "HTTP 403: share servers are admin-only (FACTS §4.6)" -- \
    "${ADMIN_ENV[@]}" OS_USERNAME=demo OS_PASSWORD=sim-demo-password OS_PROJECT_NAME=demo \
    "$MANILA" --os-share-api-version 2.72 share-server-list
}
