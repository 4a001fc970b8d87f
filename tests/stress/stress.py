"""pgmem under stress, against the throwaway server scripts/stress.sh starts:
  episodes  pgmem.max_episodes_per_user with 8 concurrent writers, store_many batches
            with overlapping shuffled ids (no deadlock), the setting superuser-only;
  deltas    concurrent saves, branches, deletes, prunes and expiries of delta
            checkpoints on shared sessions, with readers: all load as last saved;
  crash     acknowledged checkpoint and episode saves survive pg_ctl stop -m immediate
            and a SIGKILLed backend;
  cancel    statement_timeout and pg_cancel_backend stop a large text conversion soon.
Each part prints its numbers; the exit status is non-zero when any expectation failed."""
import argparse
import os
import sys
import time

import cancel
import crash
import deltas
import episodes
from common import Failure, Server, describe

PARTS = ("episodes", "deltas", "crash", "cancel")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--server-dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bindir", required=True, help="PostgreSQL's bin directory")
    parser.add_argument("--runas", default="", help="the server's user, when not this one")
    parser.add_argument("--work", required=True, help="a directory for the clients' logs")
    parser.add_argument("parts", nargs="*", metavar="PART", help=f"some of {', '.join(PARTS)} (default: all)")
    args = parser.parse_args()
    for part in args.parts:
        if part not in PARTS:
            parser.error(f"unknown part {part!r}: choose from {', '.join(PARTS)}")
    server = Server(args.root, args.server_dir, args.port, args.bindir, args.runas)
    traces = os.path.join(args.root, "tests", "data", "agent-traces")
    failed = []
    for part in args.parts or PARTS:
        start = time.monotonic()
        try:
            server.ensure_running()
            if part == "episodes":
                episodes.run(server)
            elif part == "deltas":
                deltas.run(server)
            elif part == "crash":
                crash.run(server, traces, args.work)
            else:
                cancel.run(server)
        except Failure as e:
            print(f"stress {part}: FAILED: {e}", file=sys.stderr, flush=True)
            failed.append(part)
        except Exception as e:  # an error nothing expected, e.g. a lost connection
            print(f"stress {part}: FAILED: unexpected {describe(e)}", file=sys.stderr, flush=True)
            failed.append(part)
        print(f"stress {part}: {'FAILED' if part in failed else 'ok'} in {time.monotonic() - start:.1f} s",
              flush=True)
    if failed:
        print(f"stress: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
