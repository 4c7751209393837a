#!/usr/bin/env python3
"""Independent reader for HydrantParquet's tests: reads a Parquet file with pyarrow or DuckDB, prints JSON.

Usage:
  read_parquet.py dump FILE          values of every top-level field (canonical strings) and the footer metadata
  read_parquet.py rewrite FILE OUT CODEC ROWS   rewrite FILE with pyarrow, print both sizes
  read_parquet.py duckdb FILE SQL    rows of SQL, where {file} in SQL names the file (read_parquet('{file}'))

Values are rendered canonically so the Swift side can build the same strings: null, true/false, integers,
repr() of floats, "text" for strings, 0x<hex> for bytes, {a=..,b=..} for structs and [..] for lists. Timestamps
are compared as int64 nanoseconds.
"""
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def canon(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    if isinstance(v, dict):
        return "{" + ",".join(k + "=" + canon(x) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(canon(x) for x in v) + "]"
    return "?" + type(v).__name__ + ":" + str(v)


def comparable(t):
    if pa.types.is_timestamp(t):
        return pa.int64()
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, comparable(f.type), f.nullable) for f in t])
    if pa.types.is_list(t):
        return pa.list_(pa.field(t.value_field.name, comparable(t.value_type), t.value_field.nullable))
    return t


def stats_json(col):
    s = col.statistics
    if s is None:
        return None
    out = {"has_min_max": bool(s.has_min_max), "null_count": s.null_count if s.has_null_count else None}
    if s.has_min_max:
        timestamp = s.logical_type is not None and s.logical_type.type == "TIMESTAMP"
        out["min"] = canon(s.min_raw if timestamp else s.min)
        out["max"] = canon(s.max_raw if timestamp else s.max)
    return out


def metadata_json(path):
    md = pq.ParquetFile(path).metadata
    schema = md.schema
    columns = []
    for i in range(len(schema)):
        c = schema.column(i)
        columns.append({
            "path": c.path, "physical_type": c.physical_type, "logical_type": str(c.logical_type),
            "converted_type": str(c.converted_type), "max_definition_level": c.max_definition_level,
            "max_repetition_level": c.max_repetition_level,
        })
    groups = []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        chunks = []
        for i in range(rg.num_columns):
            col = rg.column(i)
            chunks.append({
                "path": col.path_in_schema, "compression": col.compression, "encodings": list(col.encodings),
                "has_dictionary_page": bool(col.has_dictionary_page), "num_values": col.num_values,
                "statistics": stats_json(col),
            })
        groups.append({"num_rows": rg.num_rows, "columns": chunks})
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    return {
        "num_rows": md.num_rows, "num_row_groups": md.num_row_groups, "created_by": md.created_by,
        "format_version": md.format_version, "key_value": kv, "columns": columns, "row_groups": groups,
    }


def dump(path):
    table = pq.read_table(path)
    table = table.cast(pa.schema([pa.field(f.name, comparable(f.type), f.nullable) for f in table.schema]))
    rows = {name: [canon(v) for v in table.column(name).to_pylist()] for name in table.column_names}
    return {"rows": rows, "arrow_schema": str(table.schema), "metadata": metadata_json(path)}


def run_duckdb(path, sql):
    import duckdb
    con = duckdb.connect()
    result = con.execute(sql.replace("{file}", path.replace("'", "''"))).fetchall()
    return {"rows": [[canon(v) for v in row] for row in result]}


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "dump":
        out = dump(path)
    elif mode == "metadata":
        out = {"metadata": metadata_json(path)}
    elif mode == "rewrite":
        # The same table written by pyarrow (dictionary on, same codec and row-group size), for size comparison.
        import os
        table = pq.read_table(path)
        pq.write_table(table, sys.argv[3], compression=sys.argv[4], row_group_size=int(sys.argv[5]))
        out = {"ours": os.path.getsize(path), "pyarrow": os.path.getsize(sys.argv[3])}
    elif mode == "duckdb":
        out = run_duckdb(path, sys.argv[3])
    else:
        raise SystemExit("unknown mode " + mode)
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
