# A known profile for pyflame (tests/e2e_pyflame.bats): until it has had
# SECS seconds of CPU (argv[1], default 3; however loaded the machine, the
# same number of samples) main() calls hot() and cold() in turn, hot() doing
# four times the work of cold(): about 80% of the time in hot(). At the
# end it writes the share of its CPU time it measured in hot(), in
# percent, to the file argv[2] (to stdout without one).
import sys
import time


def hot():
    x = 0
    for i in range(40000):
        x += i * i
    return x


def cold():
    x = 0
    for i in range(10000):
        x += i * i
    return x


def main(secs):
    clock = time.thread_time
    t_hot = t_cold = 0.0
    end = clock() + secs
    while clock() < end:
        t0 = clock()
        hot()
        t1 = clock()
        cold()
        t_hot += t1 - t0
        t_cold += clock() - t1
    share = str(round(100 * t_hot / (t_hot + t_cold)))
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            f.write(share + "\n")
    else:
        print(share)


main(float(sys.argv[1]) if len(sys.argv) > 1 else 3)
