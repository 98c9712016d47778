# Keystone through openstackclient (keystoneauth): tokens, catalog, the three auth methods.
CLIENT_PACKAGES+=(python3-openstackclient)

suite_keystone() {
  check "openstack token issue" --expect "0a0d1c5e2b3f4a5b8c9d0e1f2a3b4c5d" -- $OPENSTACK token issue
  check "openstack token issue (demo)" --expect "1b1e2d6f3c4a5b6c9d0e1f2a3b4c5d6e" -- \
    $OPENSTACK --os-cloud simulator-demo token issue
  check "openstack catalog list" --expect volumev3 --expect block-storage --expect shared-file-system \
    --expect sharev2 --expect compute -- $OPENSTACK catalog list
  check "openstack catalog show volumev3" --expect "$SIM_URL/volume/v3/" -- $OPENSTACK catalog show volumev3
  check "openstack token issue (application credential)" --expect "1b1e2d6f3c4a5b6c9d0e1f2a3b4c5d6e" -- \
    env -u OS_CLOUD $OPENSTACK --os-auth-url "$SIM_URL/identity/v3" --os-auth-type v3applicationcredential \
    --os-application-credential-id c3f2e4a6b8d0c2e4a6b8d0f2e4a6c8b0 \
    --os-application-credential-secret sim-demo-appcred-secret token issue
  check "openstack token revoke" -- $OPENSTACK token revoke "$($OPENSTACK token issue -f value -c id)"
  known_failure "openstack token issue (wrong password)" "HTTP 401 from Keystone, as intended" -- \
    $OPENSTACK --os-password wrong token issue
}
