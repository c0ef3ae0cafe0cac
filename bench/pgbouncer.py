"""The race tests through PgBouncer in transaction mode: starts a pgbouncer of its own (Debian's
package) on a free port in front of the PostgreSQL at BENCH_PG (default 127.0.0.1:5432), then
runs tests/bookings/test_concurrency.py and tests/services/test_rush.py with DATABASE_URL
pointing at it and DATABASE_TRANSACTION_POOLING=true. Every row lock (select_for_update) and
conditional update of those tests lives inside one transaction, which PgBouncer keeps on one
server connection; nothing depends on a session (no advisory locks, no session SET).

    .venv/bin/python bench/pgbouncer.py [database name, default bench_pgbouncer]
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    database = sys.argv[1] if len(sys.argv) > 1 else "bench_pgbouncer"
    host, _, pg_port = os.environ.get("BENCH_PG", "127.0.0.1:5432").partition(":")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "pgbouncer.ini"
        (Path(folder) / "users.txt").write_text('"postgres" ""\n')
        config.write_text(
            f"""[databases]
* = host={host} port={pg_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
        )
        # PgBouncer refuses to run as root: as the postgres user, which must read the config.
        user = ["-u", "postgres"] if os.geteuid() == 0 else []
        os.chmod(folder, 0o777)
        bouncer = subprocess.Popen(["pgbouncer", *user, str(config)])
        try:
            time.sleep(1)
            print(f"pgbouncer {port} (transaction pooling, 20 server connections per database)")
            env = {
                **os.environ,
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{database}",
                "DATABASE_TRANSACTION_POOLING": "true",
            }
            tests = ["tests/bookings/test_concurrency.py", "tests/services/test_rush.py"]
            pytest = [str(ROOT / ".venv/bin/pytest"), "-q", "-p", "no:cacheprovider"]
            return subprocess.call([*pytest, *tests], cwd=ROOT, env=env)
        finally:
            bouncer.terminate()
            bouncer.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
