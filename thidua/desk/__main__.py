"""`python -m thidua.desk --root PROJECT [--host H] [--port P] [--secure]`: serve the desk (what `invoke desk` runs)."""

import argparse
from pathlib import Path

from .server import HOST, PORT, make_server


def main(argv: list[str] | None = None) -> None:
    """Parse the options and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m thidua.desk", description="Bàn biên tập")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (content/, theme/, tasks.py)")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--secure", action="store_true", help="behind a TLS proxy: cookies only over HTTPS")
    options = parser.parse_args(argv)
    print(f"Bàn biên tập tại http://{options.host}:{options.port}/ (Ctrl+C để dừng)", flush=True)
    make_server(options.root.resolve(), options.host, options.port, options.secure).run()


if __name__ == "__main__":
    main()
