"""Runs nova-compute without the nova-compute package.

Debian's nova-compute package depends on libvirt and qemu; python3-nova already ships nova.cmd.compute,
and nova.conf selects the fake virt driver, so this is all start.sh needs.
"""
import sys

from nova.cmd.compute import main

sys.exit(main())
