"""pgmem_snapshot bytes in Python, written from docs/FORMAT.md alone, and the psycopg
adapters that send and receive them in binary."""
import struct
from decimal import Decimal

import cbor2
import zstandard
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo


class Snapshot(bytes):
    """The stored bytes of a pgmem_snapshot, as sent and received in binary."""


def decode_snapshot(data: bytes):
    if data[:3] != b"PGM" or data[3] != 1 or data[4] != 1:
        raise ValueError("not a version-1 pgmem snapshot")
    (n,) = struct.unpack(">I", data[5:9])
    cbor = zstandard.ZstdDecompressor().decompress(data[9:], max_output_size=n)
    if len(cbor) != n:
        raise ValueError("CBOR length does not match the header")
    return cbor2.loads(cbor)  # tag 4 -> Decimal, tags 2/3 -> int


def register(conn):
    """Send Snapshot values as binary pgmem_snapshot parameters; decode binary results."""
    info = TypeInfo.fetch(conn, "pgmem_snapshot")

    class SnapshotDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj):
            return bytes(obj)

    class SnapshotLoader(Loader):
        format = Format.BINARY

        def load(self, data):
            return decode_snapshot(bytes(data))

    conn.adapters.register_dumper(Snapshot, SnapshotDumper)
    conn.adapters.register_loader(info.oid, SnapshotLoader)


def as_decimal_json(value):
    """A JSON value with every float as Decimal, to compare with decoded snapshots."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return [as_decimal_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_decimal_json(v) for k, v in value.items()}
    return value
