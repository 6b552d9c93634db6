"""Demo mode: a background trickle of realistic Chinese chat to every online account.

Runs all the time but only acts while `config.demo` is on, so the demo can be switched on
and off through /_sim/config without restarting the simulator.
"""

import random
import threading
import time

from . import events


class DemoThread:
    def __init__(self, sim):
        self.sim = sim
        self.rng = random.Random()
        self.thread = threading.Thread(target=self._run, name="sim-demo", daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        """Short sleeps, so that a new demo_interval or demo switch takes effect at once."""
        last = time.monotonic()
        while True:
            time.sleep(0.1)
            interval = max(float(self.sim.config.demo_interval or 0), 0.2)
            if not self.sim.config.demo:
                last = time.monotonic()
            elif time.monotonic() - last >= interval:
                last = time.monotonic()
                self.tick()

    def tick(self):
        """One message per online account (C1, or about a third of the time C2)."""
        with self.sim.lock:
            emit = self.sim.emitter()
            for acct in list(self.sim.state.accounts.values()):
                if acct.online:
                    events.random_inbound(emit, acct, self.rng)
