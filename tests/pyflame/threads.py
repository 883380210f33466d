# Two threads of Python on the CPU at once for 2 seconds
# (tests/e2e_pyflame.bats): worker() runs Python code, holding the GIL;
# the main thread's hashing() spends its time in sha256 of a large buffer,
# which releases the GIL, so its thread state is not the GIL holder's.
import hashlib
import threading
import time


def worker():
    end = time.monotonic() + 2
    x = 0
    while time.monotonic() < end:
        x += 1


def hashing():
    data = b"x" * (1 << 24)
    end = time.monotonic() + 2
    while time.monotonic() < end:
        hashlib.sha256(data).digest()


t = threading.Thread(target=worker)
t.start()
hashing()
t.join()
