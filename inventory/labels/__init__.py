"""QR labels: signed payloads, printable PDF sheets, and the /q/<payload> entry point."""
