# A real upowerd over simulated power supplies: umockdev (as UPower's own tests use it) gives the daemon a testbed
# sysfs with a mains adapter "AC" and a battery "BAT0". Each line on standard input sets the adapter: "1" plugged in,
# "0" unplugged (the battery then discharges), and sends the kernel's "change" uevent, as the kernel does when a
# cable is pulled. Run under umockdev-wrapper (so this process sees the testbed too), with the bus in
# DBUS_SYSTEM_BUS_ADDRESS. Prints "ready" once upowerd runs, then "ac N" after each change.
import os
import subprocess
import sys

import gi
gi.require_version('UMockdev', '1.0')
from gi.repository import UMockdev  # noqa: E402

log = sys.argv[1]
testbed = UMockdev.Testbed.new()
ac = testbed.add_device('power_supply', 'AC', None, ['type', 'Mains', 'online', '1'], ['POWER_SUPPLY_ONLINE', '1'])
battery = testbed.add_device('power_supply', 'BAT0', None,
                             ['type', 'Battery', 'present', '1', 'status', 'Charging', 'energy_full', '60000000',
                              'energy_full_design', '80000000', 'energy_now', '48000000', 'voltage_now', '12000000'],
                             [])
env = dict(os.environ)
env['UMOCKDEV_DIR'] = testbed.get_root_dir()
daemon = subprocess.Popen(['/usr/libexec/upowerd', '-v'], env=env, stdout=open(log, 'w'), stderr=subprocess.STDOUT)
print('ready', flush=True)
try:
    for line in sys.stdin:
        online = line.strip()
        if online not in ('0', '1'):
            continue
        testbed.set_attribute(battery, 'status', 'Charging' if online == '1' else 'Discharging')
        testbed.set_attribute(ac, 'online', online)
        testbed.set_property(ac, 'POWER_SUPPLY_ONLINE', online)
        testbed.uevent(ac, 'change')
        print('ac ' + online, flush=True)
finally:
    daemon.terminate()
    daemon.wait(10)
