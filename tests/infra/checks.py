"""The runner both infra check scripts share (test_manifests.py, test_prometheus.py): each check
is a function that raises Fail (or Skip, when what it needs is not on this machine); check()
prints one PASS/FAIL/SKIP line per check and counts them; summary() prints the counts and gives
the exit status."""

RESULTS = {"passed": 0, "failed": 0, "skipped": 0}


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(name, function, *args):
    try:
        function(*args)
    except Skip as skip:
        RESULTS["skipped"] += 1
        print(f"SKIP {name}: {skip}")
    except Fail as failure:
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {failure}")
    except Exception as error:  # a broken check is a failure, not a crash
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {type(error).__name__}: {error}")
    else:
        RESULTS["passed"] += 1
        print(f"PASS {name}")


def summary():
    """Prints the counts; the exit status: 1 when any check failed."""
    if RESULTS["skipped"]:
        print(f"({RESULTS['skipped']} skipped)")
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 1 if RESULTS["failed"] else 0
