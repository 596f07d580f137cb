"""``python -m local.deployed check``: can this machine run the deployed shape? (exit 0 yes, 2 no, saying why).

``make test`` runs ``make deployed-test`` after the other tests only when this says yes; it needs
Node.js (the CDK CLI synthesizes the stack; ``make deployed-test`` installs the CLI itself) and a
Python 3.12 (Lambda's runtime version).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess

from local.deployed.sandbox import machine_support


def check() -> int:
    _, how, problems = machine_support()
    if problems:
        print("deployed shape unavailable: " + "; ".join(problems))
        return 2
    node = subprocess.run([shutil.which("node"), "--version"], capture_output=True, text=True, timeout=30)
    print(f"deployed shape: Node.js {node.stdout.strip()}, Python 3.12 at {how}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.deployed", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check"])
    parser.parse_args(argv)
    return check()


if __name__ == "__main__":
    raise SystemExit(main())
