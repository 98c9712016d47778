"""A share driver for this test deployment only (not part of Manila).

Manila's dummy driver implements unmanage_server, so with it the "force" flag of a share-server unmanage
changes nothing. This variant raises NotImplementedError there, as drivers without that support do, which
makes the manager's force handling observable: without force the server ends in unmanage_error, with force it
is removed anyway. Backend "beta" in manila.conf uses it.
"""
from manila.tests.share.drivers.dummy import DummyDriver


class DummyDriverWithoutServerUnmanage(DummyDriver):
    def unmanage_server(self, server_details, security_services=None):
        raise NotImplementedError()
